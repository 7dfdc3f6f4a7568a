import { useNavigate } from "@tanstack/react-router";
import { useId, useMemo, useState, type FormEvent } from "react";
import { rest } from "../../app/runtime";
import { ApiError, describeError } from "../../api/errors";
import { ChannelType, type Channel } from "../../api/types";
import { useChannels } from "../../stores/channels";
import { applyDispatch } from "../../stores/dispatch";
import { Button } from "../../ui/Button";
import { Dialog, DialogActions } from "../../ui/Dialog";
import { ConfirmDialog, NameDialog } from "../../ui/FormDialogs";
import { FormError, TextField } from "../../ui/TextField";
import { useTranslation } from "react-i18next";
import { formatNumber } from "../../i18n/format";

export function CreateChannelDialog({ communityId, onClose }: { communityId: string; onClose: () => void }) {
  const { t } = useTranslation("channels");
  const navigate = useNavigate();
  const all = useChannels((s) => s.byId);
  const categories = useMemo(
    () => Object.values(all).filter((c) => c.community_id === communityId && c.type === ChannelType.Category),
    [all, communityId],
  );
  const [name, setName] = useState("");
  const [type, setType] = useState<number>(ChannelType.Text);
  const [parent, setParent] = useState("");
  const [voice, setVoice] = useState<VoiceSettings>({ bitrate: DEFAULT_BITRATE, userLimit: "" });
  const [error, setError] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const typeId = useId();
  const parentId = useId();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const body: { name: string; type: number; parent_id?: string; bitrate?: number; user_limit?: number } = { name: name.trim(), type };
      if (parent && type !== ChannelType.Category) body.parent_id = parent;
      if (type === ChannelType.Voice) Object.assign(body, voiceBody(voice));
      const ch = await rest.createChannel(communityId, body);
      applyDispatch({ t: "CHANNEL_CREATE", d: ch });
      onClose();
      if (ch.type === ChannelType.Text) await navigate({ to: "/app/$communityId/$channelId", params: { communityId, channelId: ch.id } });
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      if (!(err instanceof ApiError && Object.keys(err.fieldErrors).length)) setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={t("createTitle")} onClose={onClose} testId="create-channel-dialog">
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        <FormError message={message} />
        <div className="flex flex-col gap-1">
          <label htmlFor={typeId} className="text-xs font-semibold uppercase tracking-wide text-muted">
            {t("kind")}
          </label>
          <select id={typeId} value={type} onChange={(e) => setType(Number(e.target.value))} className="rounded border border-line bg-elevated px-3 py-2">
            <option value={ChannelType.Text}>{t("textChannel")}</option>
            <option value={ChannelType.Voice}>{t("voiceChannel")}</option>
            <option value={ChannelType.Category}>{t("category")}</option>
          </select>
        </div>
        <TextField label={t("name")} value={name} onChange={(e) => setName(e.target.value)} error={error?.field("name")} autoFocus required />
        {type !== ChannelType.Category && categories.length > 0 ? (
          <div className="flex flex-col gap-1">
            <label htmlFor={parentId} className="text-xs font-semibold uppercase tracking-wide text-muted">
              {t("category")}
            </label>
            <select id={parentId} value={parent} onChange={(e) => setParent(e.target.value)} className="rounded border border-line bg-elevated px-3 py-2">
              <option value="">{t("noCategory")}</option>
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {error?.field("parent_id") ? <p className="text-sm text-danger">{error.field("parent_id")}</p> : null}
        {type === ChannelType.Voice ? <VoiceSettingsFields value={voice} onChange={setVoice} error={error} /> : null}
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {t("cancel")}
          </Button>
          <Button type="submit" disabled={busy || !name.trim()}>
            {t("create")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

const DEFAULT_BITRATE = 64_000;
const BITRATES = [32_000, 64_000, 96_000, 128_000];

/** A voice channel's settings as the form holds them: the user limit as typed ("" = no limit). */
export interface VoiceSettings {
  bitrate: number;
  userLimit: string;
}

/** The request fields for the voice settings; an empty or 0 limit means none. */
export function voiceBody(v: VoiceSettings): { bitrate: number; user_limit: number } {
  const limit = v.userLimit.trim() === "" ? 0 : Number(v.userLimit);
  return { bitrate: v.bitrate, user_limit: Number.isFinite(limit) ? limit : -1 };
}

function VoiceSettingsFields({ value, onChange, error }: { value: VoiceSettings; onChange: (v: VoiceSettings) => void; error: ApiError | null }) {
  const { t } = useTranslation("channels");
  const bitrateId = useId();
  return (
    <>
      <div className="flex flex-col gap-1">
        <label htmlFor={bitrateId} className="text-xs font-semibold uppercase tracking-wide text-muted">
          {t("audioQuality")}
        </label>
        <select
          id={bitrateId}
          value={value.bitrate}
          onChange={(e) => onChange({ ...value, bitrate: Number(e.target.value) })}
          className="rounded border border-line bg-elevated px-3 py-2"
        >
          {(BITRATES.includes(value.bitrate) ? BITRATES : [...BITRATES, value.bitrate].sort((a, b) => a - b)).map((b) => (
            <option key={b} value={b}>
              {b === DEFAULT_BITRATE ? t("bitrateDefault", { kbps: formatNumber(b / 1000) }) : t("bitrate", { kbps: formatNumber(b / 1000) })}
            </option>
          ))}
        </select>
        {error?.field("bitrate") ? <p className="text-sm text-danger">{error.field("bitrate")}</p> : null}
      </div>
      <TextField
        label={t("userLimit")}
        type="number"
        min={0}
        max={99}
        inputMode="numeric"
        placeholder={t("noLimit")}
        hint={t("userLimitHint")}
        value={value.userLimit}
        onChange={(e) => onChange({ ...value, userLimit: e.target.value })}
        error={error?.field("user_limit")}
      />
    </>
  );
}

/** Audio quality and user limit of an existing voice channel. */
export function VoiceChannelSettingsDialog({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const { t } = useTranslation("channels");
  const [voice, setVoice] = useState<VoiceSettings>({
    bitrate: channel.bitrate ?? DEFAULT_BITRATE,
    userLimit: channel.user_limit ? String(channel.user_limit) : "",
  });
  const [error, setError] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      applyDispatch({ t: "CHANNEL_UPDATE", d: await rest.updateChannel(channel.id, voiceBody(voice)) });
      onClose();
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      if (!(err instanceof ApiError && Object.keys(err.fieldErrors).length)) setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={t("voiceSettingsTitle", { name: channel.name })} onClose={onClose} testId="voice-channel-settings-dialog">
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        <FormError message={message} />
        <VoiceSettingsFields value={voice} onChange={setVoice} error={error} />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {t("cancel")}
          </Button>
          <Button type="submit" disabled={busy}>
            {t("save")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

export function RenameChannelDialog({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const { t } = useTranslation("channels");
  return (
    <NameDialog
      title={t("renameTitle")}
      label={t("channelName")}
      initial={channel.name}
      submitLabel={t("save")}
      onClose={onClose}
      onSubmit={async (name) => applyDispatch({ t: "CHANNEL_UPDATE", d: await rest.updateChannel(channel.id, { name }) })}
    />
  );
}

export function DeleteChannelDialog({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const { t } = useTranslation("channels");
  return (
    <ConfirmDialog
      title={t("deleteTitle", { name: channel.name })}
      body={channel.type === ChannelType.Category ? t("deleteCategoryBody") : t("deleteChannelBody")}
      confirmLabel={t("deleteConfirm")}
      onClose={onClose}
      onConfirm={async () => {
        await rest.deleteChannel(channel.id);
        applyDispatch({ t: "CHANNEL_DELETE", d: { id: channel.id, community_id: channel.community_id } });
      }}
    />
  );
}
