import { useEffect, useState } from "react";
import { rest } from "../../app/runtime";
import { describeError } from "../../api/errors";
import type { Invite } from "../../api/types";
import { Button } from "../../ui/Button";
import { Dialog, DialogActions } from "../../ui/Dialog";
import { FormError } from "../../ui/TextField";

export const inviteLink = (code: string) => `${location.origin}/invite/${encodeURIComponent(code)}`;

export function InviteDialog({ communityId, communityName, onClose }: { communityId: string; communityName: string; onClose: () => void }) {
  const [invite, setInvite] = useState<Invite | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    let live = true;
    rest
      .createInvite(communityId, { max_age_seconds: 7 * 24 * 3600 })
      .then((i) => live && setInvite(i))
      .catch((e) => live && setError(describeError(e)));
    return () => {
      live = false;
    };
  }, [communityId]);
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
          <p className="text-sm text-muted">
            {invite.expires_at ? `The link works until ${new Date(invite.expires_at).toLocaleString()}.` : "The link does not expire."}
          </p>
        </>
      ) : !error ? (
        <p role="status" className="text-muted">
          Creating a link…
        </p>
      ) : null}
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
