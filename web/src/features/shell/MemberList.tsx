import { useEffect, useMemo, useState } from "react";
import { useUi } from "../../stores/ui";
import type { Member, PresenceStatus } from "../../api/types";
import { useCommunities } from "../../stores/communities";
import { displayName, useMembers } from "../../stores/members";
import { statusOf, usePresenceStore } from "../../stores/presence";
import { useSession } from "../../stores/session";
import { Avatar } from "../../ui/Avatar";
import { useProfileCard } from "../../stores/profileCard";
import { Isolated } from "../../ui/Isolated";
import { IconButton } from "../../ui/Button";
import { memberColor } from "../../stores/roles";
import { useCommunityRoles, useSettingsRights } from "../community-settings/CommunitySettings";
import { MemberActionsDialog, anyModeration } from "../community-settings/MemberActions";
import { useTranslation } from "react-i18next";

// Online first, then idle, then dnd (seed 000 §C2-4); offline (and invisible) members in their own group.
const ORDER: Record<PresenceStatus, number> = { online: 0, idle: 1, dnd: 2, invisible: 3, offline: 3 };

export function MemberList({ communityId }: { communityId: string }) {
  const { t } = useTranslation("shell");
  const members = useMembers((s) => s.byCommunity[communityId]);
  // Until the first full list arrives, counts of zero would be wrong: say it is loading instead.
  const loaded = useMembers((s) => !!s.complete[communityId]);
  const toggleMembers = useUi((s) => s.toggleMembers);
  const ownerId = useCommunities((s) => s.byId[communityId]?.owner_id);
  const byUser = usePresenceStore((s) => s.byUser);
  const myStatus = usePresenceStore((s) => s.myStatus);
  const myId = useSession((s) => s.user?.id ?? null);
  const community = useCommunities((s) => s.byId[communityId]);
  const roles = useCommunityRoles(communityId);
  const { rights } = useSettingsRights(community ?? { id: communityId, name: "", owner_id: "", created_at: "" });
  const moderator = anyModeration(rights);
  const [managing, setManaging] = useState<string | null>(null);
  const [online, offline] = useMemo(() => {
    const withStatus = Object.values(members ?? {}).map((m) => ({ m, status: statusOf({ byUser, myStatus }, m.user.id, myId) }));
    withStatus.sort((a, b) => ORDER[a.status] - ORDER[b.status] || displayName(a.m.user).localeCompare(displayName(b.m.user)));
    // Invisible looks offline to everyone, so my own row goes where others see it.
    const seenOffline = (s: PresenceStatus) => s === "offline" || s === "invisible";
    return [withStatus.filter((x) => !seenOffline(x.status)), withStatus.filter((x) => seenOffline(x.status))];
  }, [members, byUser, myStatus, myId]);
  const row = ({ m, status }: { m: Member; status: PresenceStatus }) => (
    <li
      key={m.user.id}
      data-testid="member-row"
      data-user-id={m.user.id}
      onContextMenu={moderator && m.user.id !== myId ? (e) => {
        e.preventDefault();
        setManaging(m.user.id);
      } : undefined}
      className={`group flex items-center gap-2 rounded px-2 py-1 hover:bg-hover ${status === "offline" || status === "invisible" ? "opacity-60" : ""}`}
    >
      <button
        type="button"
        onClick={() => useProfileCard.getState().show(m.user.id, communityId)}
        className="flex min-w-0 flex-1 items-center gap-2 text-left"
        data-testid={`member-profile-${m.user.id}`}
      >
        <Avatar id={m.user.id} name={displayName(m.user)} url={m.user.avatar_url} size="sm" status={status} />
        <span data-testid="member-name" className="truncate" style={{ color: memberColor(m.roles, roles) }}><Isolated text={displayName(m.user)} /></span>
      </button>
      {m.user.id === ownerId ? <span className="ml-auto text-xs text-amber-500" title={t("ownerTitle")}>{t("owner")}</span> : null}
      {moderator && m.user.id !== myId && m.user.id !== ownerId ? (
        <IconButton label={t("manageMember", { name: displayName(m.user) })} className="ml-auto opacity-100 md:opacity-0 md:group-focus-within:opacity-100 md:group-hover:opacity-100" onClick={() => setManaging(m.user.id)}>…</IconButton>
      ) : null}
    </li>
  );
  // Where the list covers the channel (narrower than the lg breakpoint), Escape closes it, unless a dialog is open.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented || managing || window.matchMedia("(min-width: 1024px)").matches) return;
      if (document.querySelector("dialog[open]")) return;
      toggleMembers();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [managing, toggleMembers]);
  return (
    <aside aria-label={t("members")} data-testid="member-list" className="flex h-full w-60 shrink-0 flex-col overflow-y-auto bg-sidebar p-3">
      <div className="mb-2 flex justify-end lg:hidden">
        <IconButton label={t("hideMemberList")} onClick={toggleMembers} data-testid="members-close">✕</IconButton>
      </div>
      {!loaded ? (
        <p role="status" className="text-sm text-muted" data-testid="members-loading">{t("loadingMembers")}</p>
      ) : null}
      <section data-testid="members-online" hidden={!loaded}>
        <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-muted">{t("onlineCount", { count: online.length })}</h2>
        <ul className="flex flex-col gap-1">{online.map(row)}</ul>
      </section>
      <section data-testid="members-offline" className="mt-4" hidden={!loaded}>
        <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-muted">{t("offlineCount", { count: offline.length })}</h2>
        <ul className="flex flex-col gap-1">{offline.map(row)}</ul>
      </section>
      {managing ? <MemberActionsDialog communityId={communityId} userId={managing} rights={rights} onClose={() => setManaging(null)} /> : null}
    </aside>
  );
}
