import { useNavigate } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { describeError } from "../../api/errors";
import type { UserProfile } from "../../api/types";
import { openDirect, rest, setBlocked } from "../../app/runtime";
import { useBlocks } from "../../stores/blocks";
import { DIRECT_HOME } from "../../stores/directChannels";
import { displayName } from "../../stores/members";
import { useProfileCard } from "../../stores/profileCard";
import { useSession } from "../../stores/session";
import { Avatar } from "../../ui/Avatar";
import { Button } from "../../ui/Button";
import { Dialog, DialogActions } from "../../ui/Dialog";
import { Isolated } from "../../ui/Isolated";
import { useCommunities } from "../../stores/communities";
import { useMembers } from "../../stores/members";
import { useSettingsRights } from "../community-settings/CommunitySettings";
import { MemberActions, anyModeration } from "../community-settings/MemberActions";
import { useTranslation } from "react-i18next";

/** The profile card of whoever `useProfileCard` names: name, avatar, shared communities, roles here, Message, Block. */
export function ProfileCardHost() {
  const open = useProfileCard((s) => s.open);
  const close = useProfileCard((s) => s.close);
  if (!open) return null;
  return <ProfileCard key={open.userId} userId={open.userId} communityId={open.communityId} onClose={close} />;
}

function ProfileCard({ userId, communityId, onClose }: { userId: string; communityId: string | null; onClose: () => void }) {
  const { t } = useTranslation("direct");
  const myId = useSession((s) => s.user?.id);
  const blocked = useBlocks((s) => userId in s.ids);
  const navigate = useNavigate();
  const [profile, setProfile] = useState<UserProfile | null>(null);
  const [roleNames, setRoleNames] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [moderating, setModerating] = useState(false);
  // Opened from a community: the moderation actions the viewer holds there, for a member other than the viewer and the owner.
  const community = useCommunities((s) => (communityId ? s.byId[communityId] : undefined));
  const member = useMembers((s) => (communityId ? s.byCommunity[communityId]?.[userId] : undefined));
  const { rights } = useSettingsRights(community ?? { id: communityId ?? "", name: "", owner_id: "", created_at: "" });
  const canModerate = !!community && !!member && userId !== myId && userId !== community.owner_id && anyModeration(rights);

  useEffect(() => {
    let live = true;
    rest.profile(userId).then((p) => live && setProfile(p), (e) => live && setError(describeError(e)));
    if (communityId) {
      rest.roles(communityId).then(
        (roles) => live && setRoleNames(Object.fromEntries(roles.map((r) => [r.id, r.name]))),
        () => undefined,
      );
    }
    return () => {
      live = false;
    };
  }, [userId, communityId]);

  async function message() {
    setBusy(true);
    try {
      const dm = await openDirect({ recipient_id: userId });
      onClose();
      await navigate({ to: "/app/$communityId/$channelId", params: { communityId: DIRECT_HOME, channelId: dm.id } });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }

  async function toggleBlock() {
    setBusy(true);
    try {
      await setBlocked(userId, !blocked);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }

  const user = profile?.user;
  const here = profile?.shared_communities.find((c) => c.id === communityId);
  return (
    <Dialog title={user ? displayName(user) : t("profile")} onClose={onClose} testId="profile-card">
      {user ? (
        <div className="flex items-center gap-3">
          <Avatar id={user.id} name={displayName(user)} url={user.avatar_url} size="lg" />
          <div className="min-w-0">
            <Isolated className="block truncate font-semibold" text={displayName(user)} />
            <Isolated className="block truncate text-sm text-muted" text={`@${user.username}`} />
          </div>
        </div>
      ) : !error ? (
        <p className="text-sm text-muted">{t("loading")}</p>
      ) : null}
      {here && here.roles.length > 0 ? (
        <section aria-label={t("rolesHere")}>
          <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted">{t("roles")}</h3>
          <ul className="flex flex-wrap gap-1" data-testid="profile-roles">
            {here.roles.map((id) => (
              <li key={id} className="rounded bg-elevated px-2 py-0.5 text-xs">
                <Isolated text={roleNames[id] ?? t("role")} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {profile && profile.shared_communities.length > 0 ? (
        <section aria-label={t("shared")}>
          <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted">{t("shared")}</h3>
          <ul className="flex flex-col gap-0.5 text-sm" data-testid="profile-shared">
            {profile.shared_communities.map((c) => (
              <li key={c.id}>
                <Isolated text={c.name} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {error ? <p role="alert" className="text-sm text-danger">{error}</p> : null}
      {canModerate && member && communityId ? (
        moderating ? (
          <section aria-label={t("moderation")} className="border-t border-line pt-3" data-testid="profile-moderation">
            <MemberActions communityId={communityId} member={member} rights={rights} onGone={onClose} />
          </section>
        ) : (
          <Button variant="secondary" onClick={() => setModerating(true)} data-testid="profile-moderate">
            {t("moderate")}
          </Button>
        )
      ) : null}
      <DialogActions>
        {user && user.id !== myId ? (
          <>
            <Button variant={blocked ? "secondary" : "danger"} disabled={busy} onClick={() => void toggleBlock()} data-testid="profile-block">
              {blocked ? t("unblock") : t("block")}
            </Button>
            <Button disabled={busy || blocked} onClick={() => void message()} data-testid="profile-message">
              {t("message")}
            </Button>
          </>
        ) : null}
        <Button variant="ghost" onClick={onClose}>
          {t("close")}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
