import { Link } from "@tanstack/react-router";
import { useEffect, useMemo, useState } from "react";
import { sortedCommunities, useCommunities } from "../../stores/communities";
import { communityTotals, directUnread, titleFor, useUnread } from "../../stores/unread";
import { DIRECT_HOME } from "../../stores/directChannels";
import { CreateCommunityDialog } from "../communities/CommunityDialogs";
import { stripBidiControls } from "../../ui/safeText";
import { useTranslation } from "react-i18next";

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return (words.length > 1 ? words[0]![0]! + words[1]![0]! : name.slice(0, 2)).toUpperCase();
}

export function CommunityRail({ activeId }: { activeId: string | undefined }) {
  const { t } = useTranslation("shell");
  const byId = useCommunities((s) => s.byId);
  const counts = useUnread((s) => s.byChannel);
  const [creating, setCreating] = useState(false);
  const list = useMemo(() => sortedCommunities(byId), [byId]);
  const totals = useMemo(() => communityTotals(counts), [counts]);
  const dmUnread = useMemo(() => directUnread(counts), [counts]);
  const unread = useMemo(() => new Set(Object.entries(totals).filter(([, t]) => t.unread).map(([id]) => id)), [totals]);

  // Counts in the tab title: "(3) Voxora".
  useEffect(() => {
    document.title = titleFor(counts);
  }, [counts]);

  return (
    <nav aria-label={t("communities")} className="flex w-[72px] shrink-0 flex-col items-center gap-2 overflow-y-auto bg-rail py-3">
      <div className="relative">
        <Link
          to="/app/$communityId"
          params={{ communityId: DIRECT_HOME }}
          aria-label={dmUnread ? t("directMessagesUnread", { count: dmUnread }) : t("directMessages")}
          aria-current={activeId === DIRECT_HOME ? "page" : undefined}
          title={t("directMessages")}
          data-testid="dm-home-button"
          className={`flex h-12 w-12 items-center justify-center text-xl transition-all ${
            activeId === DIRECT_HOME ? "rounded-2xl bg-accent text-white" : "rounded-3xl bg-main text-fg hover:rounded-2xl hover:bg-accent hover:text-white"
          }`}
        >
          <span aria-hidden="true">✉</span>
        </Link>
        {dmUnread > 0 ? (
          <span
            data-testid="dm-home-unread"
            aria-hidden="true"
            className="absolute -bottom-1 -right-1 min-w-5 rounded-full border-2 border-rail bg-danger px-1 text-center text-xs font-bold text-white"
          >
            {dmUnread > 99 ? "99+" : dmUnread}
          </span>
        ) : null}
      </div>
      <div aria-hidden="true" className="h-0.5 w-8 rounded bg-line" />
      {list.map((c) => {
        const active = c.id === activeId;
        return (
          <div key={c.id} className="relative">
            {unread.has(c.id) && !active ? <span aria-hidden="true" className="absolute -left-3 top-1/2 h-2 w-2 -translate-y-1/2 rounded-full bg-fg" /> : null}
            <Link
              to="/app/$communityId"
              params={{ communityId: c.id }}
              aria-label={unread.has(c.id) ? t("communityUnread", { name: c.name }) : c.name}
              aria-current={active ? "page" : undefined}
              title={stripBidiControls(c.name)}
              data-testid={`community-button-${c.id}`}
              className={`flex h-12 w-12 items-center justify-center overflow-hidden text-sm font-semibold transition-all ${
                active ? "rounded-2xl bg-accent text-white" : "rounded-3xl bg-main text-fg hover:rounded-2xl hover:bg-accent hover:text-white"
              }`}
            >
              {c.icon_url ? (
                <img src={c.icon_url} alt="" data-testid="community-icon" draggable={false} className="h-12 w-12 rounded-[inherit] object-cover" />
              ) : (
                initials(c.name)
              )}
            </Link>
            {(totals[c.id]?.mentions ?? 0) > 0 ? (
              <span
                data-testid={`community-mentions-${c.id}`}
                aria-label={t("mentions", { count: totals[c.id]!.mentions })}
                className="absolute -bottom-1 -right-1 min-w-5 rounded-full border-2 border-rail bg-danger px-1 text-center text-xs font-bold text-white"
              >
                {totals[c.id]!.mentions > 99 ? "99+" : totals[c.id]!.mentions}
              </span>
            ) : null}
          </div>
        );
      })}
      <button
        type="button"
        onClick={() => setCreating(true)}
        aria-label={t("createCommunity")}
        title={t("createCommunity")}
        data-testid="create-community-button"
        className="flex h-12 w-12 items-center justify-center rounded-3xl bg-main text-2xl text-emerald-500 hover:rounded-2xl hover:bg-emerald-600 hover:text-white"
      >
        +
      </button>
      {creating ? <CreateCommunityDialog onClose={() => setCreating(false)} /> : null}
    </nav>
  );
}
