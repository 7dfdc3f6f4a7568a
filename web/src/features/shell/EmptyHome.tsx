import { Link, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { signOut } from "../../app/runtime";
import { useUi } from "../../stores/ui";
import { Button } from "../../ui/Button";
import { CreateCommunityDialog } from "../communities/CommunityDialogs";
import { inviteCodeFrom } from "../invites/inviteCode";
import { useTranslation } from "react-i18next";

export function EmptyHome({ hasCommunity }: { hasCommunity: boolean }) {
  const { t } = useTranslation("shell");
  const [creating, setCreating] = useState(false);
  const setDrawer = useUi((s) => s.setDrawer);
  return (
    <div className="flex h-full flex-col items-center justify-center gap-4 p-6 text-center">
      <div className="md:hidden">
        <Button variant="secondary" onClick={() => setDrawer(true)} aria-controls="channel-drawer">
          {t("showCommunitiesAndChannels")}
        </Button>
      </div>
      {hasCommunity ? (
        <p className="text-muted">{t("noTextChannels")}</p>
      ) : (
        <>
          <h1 className="text-xl font-semibold">{t("noCommunityYet")}</h1>
          <p className="max-w-sm text-muted">{t("noCommunityHint")}</p>
          <Button onClick={() => setCreating(true)}>{t("createCommunity")}</Button>
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
  const { t } = useTranslation("shell");
  const navigate = useNavigate();
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  function submit(e: FormEvent) {
    e.preventDefault();
    const code = inviteCodeFrom(text);
    if (!code) {
      setError(t("notAnInvite"));
      return;
    }
    void navigate({ to: "/invite/$code", params: { code } });
  }
  return (
    <form onSubmit={submit} className="flex w-full max-w-sm flex-col gap-2 text-left" data-testid="join-by-invite">
      <label htmlFor="invite-paste" className="text-xs font-semibold uppercase tracking-wide text-muted">
        {t("haveInvite")}
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
          {t("join")}
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
  const { t } = useTranslation("shell");
  const navigate = useNavigate();
  return (
    <div className="mt-2 flex items-center gap-4 text-sm">
      <Link to="/settings" className="text-accent underline" data-testid="empty-home-settings">
        {t("settings")}
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
        {t("signOut")}
      </button>
    </div>
  );
}
