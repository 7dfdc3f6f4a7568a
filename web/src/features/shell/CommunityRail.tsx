import { Link } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { useChannels } from "../../stores/channels";
import { sortedCommunities, useCommunities } from "../../stores/communities";
import { hasUnread, useUi } from "../../stores/ui";
import { CreateCommunityDialog } from "../communities/CommunityDialogs";
import { stripBidiControls } from "../../ui/safeText";

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return (words.length > 1 ? words[0]![0]! + words[1]![0]! : name.slice(0, 2)).toUpperCase();
}

export function CommunityRail({ activeId }: { activeId: string | undefined }) {
  const byId = useCommunities((s) => s.byId);
  const channels = useChannels((s) => s.byId);
  const latest = useUi((s) => s.latest);
  const lastSeen = useUi((s) => s.lastSeen);
  const [creating, setCreating] = useState(false);
  const list = useMemo(() => sortedCommunities(byId), [byId]);
  const unread = useMemo(() => {
    const set = new Set<string>();
    for (const c of Object.values(channels)) if (hasUnread(latest[c.id], lastSeen[c.id])) set.add(c.community_id);
    return set;
  }, [channels, latest, lastSeen]);

  return (
    <nav aria-label="Communities" className="flex w-[72px] shrink-0 flex-col items-center gap-2 overflow-y-auto bg-rail py-3">
      {list.map((c) => {
        const active = c.id === activeId;
        return (
          <div key={c.id} className="relative">
            {unread.has(c.id) && !active ? <span aria-hidden="true" className="absolute -left-3 top-1/2 h-2 w-2 -translate-y-1/2 rounded-full bg-fg" /> : null}
            <Link
              to="/app/$communityId"
              params={{ communityId: c.id }}
              aria-label={`${c.name}${unread.has(c.id) ? " (unread messages)" : ""}`}
              aria-current={active ? "page" : undefined}
              title={stripBidiControls(c.name)}
              data-testid={`community-button-${c.id}`}
              className={`flex h-12 w-12 items-center justify-center text-sm font-semibold transition-all ${
                active ? "rounded-2xl bg-accent text-white" : "rounded-3xl bg-main text-fg hover:rounded-2xl hover:bg-accent hover:text-white"
              }`}
            >
              {initials(c.name)}
            </Link>
          </div>
        );
      })}
      <button
        type="button"
        onClick={() => setCreating(true)}
        aria-label="Create a community"
        title="Create a community"
        data-testid="create-community-button"
        className="flex h-12 w-12 items-center justify-center rounded-3xl bg-main text-2xl text-emerald-500 hover:rounded-2xl hover:bg-emerald-600 hover:text-white"
      >
        +
      </button>
      {creating ? <CreateCommunityDialog onClose={() => setCreating(false)} /> : null}
    </nav>
  );
}
