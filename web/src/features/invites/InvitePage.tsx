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
import { useTranslation } from "react-i18next";
import i18n from "../../i18n";
import { formatNumber } from "../../i18n/format";

const inviteProblems = ["invite_not_found", "invite_expired", "invite_exhausted", "invite_revoked", "not_found"] as const;

/** What a refused invite means, in words about the link (not the server's English detail). */
function inviteProblem(e: unknown): string {
  if (e instanceof ApiError && (inviteProblems as readonly string[]).includes(e.code)) {
    return i18n.t(`invites:problem.${e.code as (typeof inviteProblems)[number]}`);
  }
  return describeError(e);
}

export function InvitePage() {
  const { t } = useTranslation("invites");
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
      .catch((e) => live && setError(inviteProblem(e)));
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
      setError(inviteProblem(e));
    } finally {
      setBusy(false);
    }
  }

  const here = `/invite/${encodeURIComponent(code)}`;
  return (
    <main className="flex min-h-full items-center justify-center bg-rail p-4">
      <div className="w-full max-w-md rounded-lg bg-main p-6 text-center shadow-lg" data-testid="invite-page">
        {preview ? <p className="text-sm text-muted">{t("invitedToJoin")}</p> : null}
        {preview ? (
          <>
            <h1 className="mt-1 text-2xl font-bold">{preview.community_name}</h1>
            {preview.community_description ? <p className="mt-2 text-muted">{preview.community_description}</p> : null}
            <p className="mt-2 text-sm text-muted">
              {t("memberCount", { count: preview.member_count, formatted: formatNumber(preview.member_count) })}
            </p>
          </>
        ) : !error ? (
          <p role="status" className="mt-2 text-muted">
            {t("loadingInvite")}
          </p>
        ) : (
          <h1 className="text-xl font-bold" data-testid="invite-invalid">{t("cannotBeUsed")}</h1>
        )}
        <div className="mt-4 flex flex-col gap-3">
          <FormError message={error} />
          {status === "signedIn" && alreadyMember && preview ? (
            <>
              <p role="status" className="text-muted" data-testid="already-member">
                {t("alreadyMember")}
              </p>
              <Button onClick={() => void navigate({ to: "/app/$communityId", params: { communityId: preview.community_id } })} data-testid="open-community">
                {t("open", { name: preview.community_name })}
              </Button>
            </>
          ) : !preview ? null : status === "signedIn" ? (
            <Button onClick={join} disabled={busy} data-testid="accept-invite">
              {busy ? t("joining") : t("join")}
            </Button>
          ) : status === "signedOut" ? (
            <>
              <Link to="/login" search={{ redirect: here }} className="rounded bg-accent px-3 py-2 font-medium text-white hover:bg-accent-hover" data-testid="invite-signin">
                {t("signInToJoin")}
              </Link>
              <Link to="/register" search={{ redirect: here }} className="text-sm text-accent underline">
                {t("createAccount")}
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
              {status === "signedIn" ? t("goToCommunities") : t("goHome")}
            </Link>
          ) : null}
        </div>
      </div>
    </main>
  );
}
