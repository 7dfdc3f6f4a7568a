import { useEffect, useState } from "react";
import { rest } from "../../app/runtime";
import { describeError } from "../../api/errors";
import type { Invite } from "../../api/types";
import { Button } from "../../ui/Button";
import { Dialog, DialogActions } from "../../ui/Dialog";
import { FormError } from "../../ui/TextField";
import { INVITE_EXPIRY, INVITE_USES } from "./inviteCode";
import { useTranslation } from "react-i18next";
import type { TFunction } from "i18next";
import { formatDateTime } from "../../i18n/format";

export const inviteLink = (code: string) => `${location.origin}/invite/${encodeURIComponent(code)}`;

/** "30 minutes", "7 days", "Never" in the user's language. */
function expiryLabel(t: TFunction<"invites">, seconds: number): string {
  if (seconds === 0) return t("never");
  if (seconds < 3600) return t("minutes", { count: seconds / 60 });
  if (seconds < 86400) return t("hours", { count: seconds / 3600 });
  return t("days", { count: seconds / 86400 });
}

export function InviteDialog({ communityId, communityName, onClose }: { communityId: string; communityName: string; onClose: () => void }) {
  const { t } = useTranslation("invites");
  const [invite, setInvite] = useState<Invite | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  // A link is made at once with the defaults (7 days, no limit); other choices make a new one.
  const [maxAge, setMaxAge] = useState(604800);
  const [maxUses, setMaxUses] = useState(0);
  const [wanted, setWanted] = useState({ max_age_seconds: 604800, max_uses: 0 });
  useEffect(() => {
    let live = true;
    setInvite(null);
    setError(null);
    setCopied(false);
    rest
      .createInvite(communityId, wanted)
      .then((i) => live && setInvite(i))
      .catch((e) => live && setError(describeError(e)));
    return () => {
      live = false;
    };
  }, [communityId, wanted]);
  const changed = maxAge !== wanted.max_age_seconds || maxUses !== wanted.max_uses;
  const link = invite ? inviteLink(invite.code) : "";
  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      setError(t("copyBlocked"));
    }
  }
  return (
    <Dialog title={t("title", { name: communityName })} onClose={onClose} testId="invite-dialog">
      <FormError message={error} />
      {invite ? (
        <>
          <label className="flex flex-col gap-1">
            <span className="text-xs font-semibold uppercase tracking-wide text-muted">{t("inviteLink")}</span>
            <input readOnly value={link} data-testid="invite-link" onFocus={(e) => e.currentTarget.select()} className="rounded border border-line bg-elevated px-3 py-2" />
          </label>
          <p className="text-sm text-muted" data-testid="invite-terms">
            {invite.expires_at ? t("worksUntil", { when: formatDateTime(invite.expires_at) }) : t("doesNotExpire")}
            {invite.max_uses ? t("forUses", { count: invite.max_uses }) : "."}
          </p>
        </>
      ) : !error ? (
        <p role="status" className="text-muted">
          {t("creating")}
        </p>
      ) : null}
      <fieldset className="flex flex-wrap items-end gap-2" data-testid="invite-options">
        <legend className="sr-only">{t("linkSettings")}</legend>
        <label className="flex flex-col gap-1 text-xs font-semibold uppercase tracking-wide text-muted">
          {t("expireAfter")}
          <select data-testid="invite-expiry" className="rounded border border-line bg-elevated px-2 py-2 text-sm normal-case text-fg" value={maxAge} onChange={(e) => setMaxAge(Number(e.target.value))}>
            {INVITE_EXPIRY.map((o) => <option key={o.seconds} value={o.seconds}>{expiryLabel(t, o.seconds)}</option>)}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-xs font-semibold uppercase tracking-wide text-muted">
          {t("maxUses")}
          <select data-testid="invite-max-uses" className="rounded border border-line bg-elevated px-2 py-2 text-sm normal-case text-fg" value={maxUses} onChange={(e) => setMaxUses(Number(e.target.value))}>
            {INVITE_USES.map((o) => <option key={o.uses} value={o.uses}>{o.uses ? t("uses", { count: o.uses }) : t("noLimit")}</option>)}
          </select>
        </label>
        <Button variant="secondary" disabled={!changed || (!invite && !error)} onClick={() => setWanted({ max_age_seconds: maxAge, max_uses: maxUses })} data-testid="invite-regenerate">
          {t("newLink")}
        </Button>
      </fieldset>
      <DialogActions>
        <Button variant="secondary" onClick={onClose}>
          {t("close")}
        </Button>
        <Button onClick={copy} disabled={!invite}>
          {copied ? t("copied") : t("copyLink")}
        </Button>
      </DialogActions>
      <span aria-live="polite" className="sr-only">
        {copied ? t("linkCopied") : ""}
      </span>
    </Dialog>
  );
}
