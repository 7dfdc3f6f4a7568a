import { useEffect, useId, useState, type FormEvent } from "react";
import { describeError } from "../../api/errors";
import type { Channel, ChannelNotificationLevel, NotificationLevel } from "../../api/types";
import type { CommunityInfo } from "../../stores/communities";
import { notificationApi } from "../../notifications/runtime";
import { MUTE_CHOICES, muteRequest } from "../../notifications/rules";
import { useNotifications } from "../../notifications/store";
import { Button } from "../../ui/Button";
import { Dialog, DialogActions } from "../../ui/Dialog";
import { FormError } from "../../ui/TextField";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../../i18n/format";

export type NotificationTarget = { kind: "community"; community: CommunityInfo } | { kind: "channel"; channel: Channel };

const LEVELS: { value: ChannelNotificationLevel; label: "levelInherit" | "levelAll" | "levelMentions" | "levelNothing" }[] = [
  { value: "inherit", label: "levelInherit" },
  { value: "all", label: "levelAll" },
  { value: "mentions", label: "levelMentions" },
  { value: "nothing", label: "levelNothing" },
];

/** "For 15 minutes", "Until I turn it back on": the mute choices in the user's language. */
const MUTE_KEYS = ["mute15m", "mute1h", "mute8h", "mute24h", "muteForever"] as const;

/** "not muted", "keep the current mute", or an index into MUTE_CHOICES. */
type MuteChoice = "none" | "keep" | `${number}`;

/** The request a saved dialog sends (pure: unit tested). */
export function settingsRequest(
  level: ChannelNotificationLevel,
  mute: MuteChoice,
  currentMutedUntil: string | null | undefined,
  now: number,
): { level: ChannelNotificationLevel; muted_until?: string } {
  if (mute === "keep") return currentMutedUntil ? { level, muted_until: currentMutedUntil } : { level };
  if (mute === "none") return { level };
  const choice = MUTE_CHOICES[Number(mute)];
  return muteRequest(choice ? choice.minutes : null, level, now);
}

export function NotificationSettingsDialog({ target, onClose }: { target: NotificationTarget; onClose: () => void }) {
  const { t } = useTranslation("notifications");
  const settings = useNotifications((s) => s.settings);
  const markEligible = useNotifications((s) => s.markEligible);
  const communityRow = target.kind === "community" ? settings.communities.find((c) => c.community_id === target.community.id) : undefined;
  const channelRow = target.kind === "channel" ? settings.channels.find((c) => c.channel_id === target.channel.id) : undefined;
  const current = target.kind === "community" ? communityRow : channelRow;
  const mutedUntil = current?.muted_until && Date.parse(current.muted_until) > Date.now() ? current.muted_until : null;

  const [level, setLevel] = useState<ChannelNotificationLevel>(current?.level ?? (target.kind === "community" ? "mentions" : "inherit"));
  const [mute, setMute] = useState<MuteChoice>(mutedUntil ? "keep" : "none");
  const [suppress, setSuppress] = useState(communityRow?.suppress_everyone ?? false);
  const [previews, setPreviews] = useState(settings.show_previews);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const muteId = useId();

  // Opening notification settings is a sensible moment to offer desktop notifications.
  useEffect(() => markEligible(), [markEligible]);

  const name = target.kind === "community" ? target.community.name : `#${target.channel.name}`;
  const levels = target.kind === "community" ? LEVELS.filter((l) => l.value !== "inherit") : LEVELS;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    const api = notificationApi();
    const store = useNotifications.getState();
    try {
      const body = settingsRequest(level, mute, mutedUntil, Date.now());
      if (target.kind === "community") {
        const saved = await api.setCommunity(target.community.id, { ...body, level: body.level as NotificationLevel, suppress_everyone: suppress });
        store.upsertCommunity(saved);
      } else {
        store.upsertChannel(await api.setChannel(target.channel.id, body));
      }
      if (previews !== settings.show_previews) store.replace(await api.setPreviews(previews));
      onClose();
    } catch (err) {
      setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={t("title", { name })} onClose={onClose} testId="notification-settings-dialog">
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        <FormError message={message} />
        <fieldset className="flex flex-col gap-1">
          <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted">{t("notifyAbout")}</legend>
          {levels.map((l) => (
            <label key={l.value} className="flex items-center gap-2">
              <input type="radio" name="level" value={l.value} checked={level === l.value} onChange={() => setLevel(l.value)} data-testid={`level-${l.value}`} />
              {t(l.label)}
            </label>
          ))}
        </fieldset>
        <div className="flex flex-col gap-1">
          <label htmlFor={muteId} className="text-xs font-semibold uppercase tracking-wide text-muted">
            {t("mute")}
          </label>
          <select id={muteId} value={mute} onChange={(e) => setMute(e.target.value as MuteChoice)} data-testid="mute" className="rounded border border-line bg-elevated px-3 py-2">
            <option value="none">{t("notMuted")}</option>
            {mutedUntil ? <option value="keep">{t("mutedUntil", { when: formatDateTime(mutedUntil) })}</option> : null}
            {MUTE_CHOICES.map((c, i) => (
              <option key={c.label} value={String(i)}>
                {t(MUTE_KEYS[i] ?? "muteForever")}
              </option>
            ))}
          </select>
        </div>
        {target.kind === "community" ? (
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={suppress} onChange={(e) => setSuppress(e.target.checked)} data-testid="suppress-everyone" />
            {t("suppress")}
          </label>
        ) : null}
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={previews} onChange={(e) => setPreviews(e.target.checked)} data-testid="show-previews" />
          {t("previews")}
        </label>
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {t("cancel")}
          </Button>
          <Button type="submit" disabled={busy} data-testid="save-notification-settings">
            {t("save")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
