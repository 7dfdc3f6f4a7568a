import { useEffect, useState } from "react";
import { rest } from "../../app/runtime";
import { describeError } from "../../api/errors";
import type { Invite } from "../../api/types";
import { Button } from "../../ui/Button";
import { Dialog, DialogActions } from "../../ui/Dialog";
import { FormError } from "../../ui/TextField";
import { INVITE_EXPIRY, INVITE_USES } from "./inviteCode";

export const inviteLink = (code: string) => `${location.origin}/invite/${encodeURIComponent(code)}`;

export function InviteDialog({ communityId, communityName, onClose }: { communityId: string; communityName: string; onClose: () => void }) {
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
      setError("Copying is blocked here. Select the link and copy it by hand.");
    }
  }
  return (
    <Dialog title={`Invite people to ${communityName}`} onClose={onClose} testId="invite-dialog">
      <FormError message={error} />
      {invite ? (
        <>
          <label className="flex flex-col gap-1">
            <span className="text-xs font-semibold uppercase tracking-wide text-muted">Invite link</span>
            <input readOnly value={link} data-testid="invite-link" onFocus={(e) => e.currentTarget.select()} className="rounded border border-line bg-elevated px-3 py-2" />
          </label>
          <p className="text-sm text-muted" data-testid="invite-terms">
            {invite.expires_at ? `The link works until ${new Date(invite.expires_at).toLocaleString()}` : "The link does not expire"}
            {invite.max_uses ? `, for ${invite.max_uses} ${invite.max_uses === 1 ? "use" : "uses"}.` : "."}
          </p>
        </>
      ) : !error ? (
        <p role="status" className="text-muted">
          Creating a link…
        </p>
      ) : null}
      <fieldset className="flex flex-wrap items-end gap-2" data-testid="invite-options">
        <legend className="sr-only">Link settings</legend>
        <label className="flex flex-col gap-1 text-xs font-semibold uppercase tracking-wide text-muted">
          Expire after
          <select data-testid="invite-expiry" className="rounded border border-line bg-elevated px-2 py-2 text-sm normal-case text-fg" value={maxAge} onChange={(e) => setMaxAge(Number(e.target.value))}>
            {INVITE_EXPIRY.map((o) => <option key={o.seconds} value={o.seconds}>{o.label}</option>)}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-xs font-semibold uppercase tracking-wide text-muted">
          Max number of uses
          <select data-testid="invite-max-uses" className="rounded border border-line bg-elevated px-2 py-2 text-sm normal-case text-fg" value={maxUses} onChange={(e) => setMaxUses(Number(e.target.value))}>
            {INVITE_USES.map((o) => <option key={o.uses} value={o.uses}>{o.label}</option>)}
          </select>
        </label>
        <Button variant="secondary" disabled={!changed || (!invite && !error)} onClick={() => setWanted({ max_age_seconds: maxAge, max_uses: maxUses })} data-testid="invite-regenerate">
          Make a new link
        </Button>
      </fieldset>
      <DialogActions>
        <Button variant="secondary" onClick={onClose}>
          Close
        </Button>
        <Button onClick={copy} disabled={!invite}>
          {copied ? "Copied" : "Copy link"}
        </Button>
      </DialogActions>
      <span aria-live="polite" className="sr-only">
        {copied ? "Invite link copied" : ""}
      </span>
    </Dialog>
  );
}
