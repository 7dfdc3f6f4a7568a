import { Link, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { signOut } from "../../app/runtime";
import { useUi } from "../../stores/ui";
import { Button } from "../../ui/Button";
import { CreateCommunityDialog } from "../communities/CommunityDialogs";
import { inviteCodeFrom } from "../invites/inviteCode";

export function EmptyHome({ hasCommunity }: { hasCommunity: boolean }) {
  const [creating, setCreating] = useState(false);
  const setDrawer = useUi((s) => s.setDrawer);
  return (
    <div className="flex h-full flex-col items-center justify-center gap-4 p-6 text-center">
      <div className="md:hidden">
        <Button variant="secondary" onClick={() => setDrawer(true)} aria-controls="channel-drawer">
          Show communities and channels
        </Button>
      </div>
      {hasCommunity ? (
        <p className="text-muted">This community has no text channels yet.</p>
      ) : (
        <>
          <h1 className="text-xl font-semibold">You are not in any community yet</h1>
          <p className="max-w-sm text-muted">Create one for your friends, or paste an invite link someone sent you.</p>
          <Button onClick={() => setCreating(true)}>Create a community</Button>
          <JoinByInvite />
          <AccountLinks />
        </>
      )}
      {creating ? <CreateCommunityDialog onClose={() => setCreating(false)} /> : null}
    </div>
  );
}

/** Paste an invite link (or its code): it opens the invite page, which shows the community and joins. */
function JoinByInvite() {
  const navigate = useNavigate();
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  function submit(e: FormEvent) {
    e.preventDefault();
    const code = inviteCodeFrom(text);
    if (!code) {
      setError("That is not an invite link. It looks like https://…/invite/AbCd1234, or just the code.");
      return;
    }
    void navigate({ to: "/invite/$code", params: { code } });
  }
  return (
    <form onSubmit={submit} className="flex w-full max-w-sm flex-col gap-2 text-left" data-testid="join-by-invite">
      <label htmlFor="invite-paste" className="text-xs font-semibold uppercase tracking-wide text-muted">
        Have an invite link?
      </label>
      <div className="flex gap-2">
        <input
          id="invite-paste"
          data-testid="invite-paste"
          className="min-w-0 flex-1 rounded border border-line bg-elevated px-3 py-2"
          placeholder="https://…/invite/AbCd1234"
          value={text}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "invite-paste-error" : undefined}
          onChange={(e) => {
            setText(e.target.value);
            setError(null);
          }}
        />
        <Button type="submit" variant="secondary" data-testid="invite-paste-submit">
          Join
        </Button>
      </div>
      {error ? (
        <p id="invite-paste-error" role="alert" className="text-sm text-danger">
          {error}
        </p>
      ) : null}
    </form>
  );
}

function AccountLinks() {
  const navigate = useNavigate();
  return (
    <div className="mt-2 flex items-center gap-4 text-sm">
      <Link to="/settings" className="text-accent underline" data-testid="empty-home-settings">
        Settings
      </Link>
      <button
        type="button"
        className="text-accent underline"
        data-testid="empty-home-sign-out"
        onClick={async () => {
          await signOut();
          await navigate({ to: "/login" });
        }}
      >
        Sign out
      </button>
    </div>
  );
}
