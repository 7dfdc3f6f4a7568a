import { useMemo } from "react";
import { useCommunities } from "../../stores/communities";
import { displayName, useMembers } from "../../stores/members";
import { Avatar } from "../../ui/Avatar";
import { Isolated } from "../../ui/Isolated";

export function MemberList({ communityId }: { communityId: string }) {
  const members = useMembers((s) => s.byCommunity[communityId]);
  const ownerId = useCommunities((s) => s.byId[communityId]?.owner_id);
  const list = useMemo(
    () => Object.values(members ?? {}).sort((a, b) => displayName(a.user).localeCompare(displayName(b.user))),
    [members],
  );
  return (
    <aside aria-label="Members" data-testid="member-list" className="flex h-full w-60 shrink-0 flex-col overflow-y-auto bg-sidebar p-3">
      <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-muted">Members — {list.length}</h2>
      <ul className="flex flex-col gap-1">
        {list.map((m) => (
          <li key={m.user.id} className="flex items-center gap-2 rounded px-2 py-1 hover:bg-hover">
            <Avatar id={m.user.id} name={displayName(m.user)} size="sm" />
            <Isolated className="truncate" text={displayName(m.user)} />
            {m.user.id === ownerId ? <span className="ml-auto text-xs text-amber-500" title="Owner">owner</span> : null}
          </li>
        ))}
      </ul>
    </aside>
  );
}
