import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { rest } from "../../app/runtime";
import { ApiError, describeError } from "../../api/errors";
import type { InvitePreview } from "../../api/types";
import { useCommunities } from "../../stores/communities";
import { applyDispatch } from "../../stores/dispatch";
import { useSession } from "../../stores/session";
import { Button } from "../../ui/Button";
import { FormError } from "../../ui/TextField";

const inviteProblem: Record<string, string> = {
  invite_not_found: "This invite link does not exist. Ask for a new one.",
  invite_expired: "This invite link has expired. Ask for a new one.",
  invite_exhausted: "This invite link has been used as many times as allowed.",
  invite_revoked: "This invite link was turned off.",
  not_found: "This invite link does not exist. Ask for a new one.",
};

export function InvitePage() {
  const { code } = useParams({ from: "/invite/$code" });
  const status = useSession((s) => s.status);
  const navigate = useNavigate();
  const [preview, setPreview] = useState<InvitePreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Already in that community (known once the gateway is READY): offer to open it instead of joining.
  const alreadyMember = useCommunities((s) => (preview && status === "signedIn" ? s.byId[preview.community_id] !== undefined : false));

  useEffect(() => {
    let live = true;
    rest
      .previewInvite(code)
      .then((p) => live && setPreview(p))
      .catch((e) => live && setError(e instanceof ApiError ? (inviteProblem[e.code] ?? describeError(e)) : describeError(e)));
    return () => {
      live = false;
    };
  }, [code]);

  async function join() {
    setBusy(true);
    setError(null);
    try {
      const community = await rest.acceptInvite(code);
      applyDispatch({ t: "COMMUNITY_CREATE", d: community });
      await navigate({ to: "/app/$communityId", params: { communityId: community.id } });
    } catch (e) {
      setError(e instanceof ApiError ? (inviteProblem[e.code] ?? describeError(e)) : describeError(e));
    } finally {
      setBusy(false);
    }
  }

  const here = `/invite/${encodeURIComponent(code)}`;
  return (
    <main className="flex min-h-full items-center justify-center bg-rail p-4">
      <div className="w-full max-w-md rounded-lg bg-main p-6 text-center shadow-lg" data-testid="invite-page">
        {preview ? <p className="text-sm text-muted">You have been invited to join</p> : null}
        {preview ? (
          <>
            <h1 className="mt-1 text-2xl font-bold">{preview.community_name}</h1>
            {preview.community_description ? <p className="mt-2 text-muted">{preview.community_description}</p> : null}
            <p className="mt-2 text-sm text-muted">
              {preview.member_count} {preview.member_count === 1 ? "member" : "members"}
            </p>
          </>
        ) : !error ? (
          <p role="status" className="mt-2 text-muted">
            Loading invite…
          </p>
        ) : (
          <h1 className="text-xl font-bold" data-testid="invite-invalid">This invite cannot be used</h1>
        )}
        <div className="mt-4 flex flex-col gap-3">
          <FormError message={error} />
          {status === "signedIn" && alreadyMember && preview ? (
            <>
              <p role="status" className="text-muted" data-testid="already-member">
                You are already a member.
              </p>
              <Button onClick={() => void navigate({ to: "/app/$communityId", params: { communityId: preview.community_id } })} data-testid="open-community">
                Open {preview.community_name}
              </Button>
            </>
          ) : !preview ? null : status === "signedIn" ? (
            <Button onClick={join} disabled={busy} data-testid="accept-invite">
              {busy ? "Joining…" : "Join community"}
            </Button>
          ) : status === "signedOut" ? (
            <>
              <Link to="/login" search={{ redirect: here }} className="rounded bg-accent px-3 py-2 font-medium text-white hover:bg-accent-hover" data-testid="invite-signin">
                Sign in to join
              </Link>
              <Link to="/register" search={{ redirect: here }} className="text-sm text-accent underline">
                Create an account
              </Link>
            </>
          ) : null}
          {error || !preview ? (
            // A bad, expired or used-up link (or one that failed to load): always a way back.
            <Link
              to={status === "signedIn" ? "/app" : "/"}
              className="text-sm text-accent underline"
              data-testid="invite-go-home"
            >
              {status === "signedIn" ? "Go to your communities" : "Go to the home page"}
            </Link>
          ) : null}
        </div>
      </div>
    </main>
  );
}
