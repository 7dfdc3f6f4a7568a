import { useNavigate } from "@tanstack/react-router";
import { useMemo } from "react";
import { ChannelType, SearchLimits, type Message, type SearchHit, type SearchSort } from "../../api/types";
import { useChannels } from "../../stores/channels";
import { DIRECT_HOME, directTitle, useDirectChannels } from "../../stores/directChannels";
import { displayName, useMembers } from "../../stores/members";
import { usePins } from "../../stores/pins";
import { useRoles } from "../../stores/roles";
import type { SearchScope, SearchView } from "../../stores/search";
import { useSession } from "../../stores/session";
import { useThreads } from "../../stores/threads";
import { Avatar } from "../../ui/Avatar";
import { IconButton } from "../../ui/Button";
import { Isolated } from "../../ui/Isolated";
import { stripBidiControls } from "../../ui/safeText";
import { closeSearch, loadMore, resort } from "./run";
import { countText, groupHits, placeLabel, readableMentions, splitHighlights, type MentionNames, type PlaceLabel } from "./results";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../../i18n/format";
import i18n from "../../i18n";


/** Names for mentions and channel headings, from what the client knows. */
function useNames(scope: SearchScope): { mentions: MentionNames; place: (id: string) => string | undefined } {
  const users = useMembers((s) => s.users);
  const channels = useChannels((s) => s.byId);
  const direct = useDirectChannels((s) => s.byId);
  const myId = useSession((s) => s.user?.id);
  const roles = useRoles((s) => (scope.kind === "community" ? s.byCommunity[scope.communityId] : undefined));
  return useMemo(() => {
    const place = (id: string) => channels[id]?.name ?? (direct[id] ? directTitle(direct[id], myId) : undefined);
    const user = (id: string) => (users[id] ? displayName(users[id]) : undefined);
    return { place, mentions: { user, channel: place, role: (id: string) => roles?.[id]?.name } };
  }, [users, channels, direct, myId, roles]);
}

/** The content as text nodes, matched ranges in <mark>; mentions shown by name, bidi controls dropped piece by piece. */
function Highlighted({ content, hit, names }: { content: string; hit: SearchHit; names: MentionNames }) {
  const segments = splitHighlights(content, hit.highlights);
  return (
    <>
      {segments.map((s, i) =>
        s.match ? (
          <mark key={i} className="rounded-sm bg-amber-300 px-px text-black">
            {stripBidiControls(readableMentions(s.text, names))}
          </mark>
        ) : (
          <span key={i}>{stripBidiControls(readableMentions(s.text, names))}</span>
        ),
      )}
    </>
  );
}

function Files({ message }: { message: Message }) {
  if (!message.attachments?.length) return null;
  return (
    <span className="block text-xs text-muted">
      📎 <Isolated text={message.attachments.length === 1 ? message.attachments[0]!.filename : i18n.t("messages:files", { count: message.attachments.length })} />
    </span>
  );
}

/** A message around a hit, dimmed: who and what, on one or two lines. */
function ContextLine({ message, names }: { message: Message; names: MentionNames }) {
  return (
    <p data-testid="search-context" className="line-clamp-2 px-2 text-xs text-muted opacity-70" dir="auto">
      <Isolated className="font-semibold" text={displayName(message.author)} />{" "}
      {stripBidiControls(readableMentions(message.content, names))}
      {message.attachments?.length ? " 📎" : ""}
    </p>
  );
}

function Hit({ hit, names, onOpen }: { hit: SearchHit; names: MentionNames; onOpen: (hit: SearchHit) => void }) {
  const { t } = useTranslation("search");
  const m = hit.message;
  const author = useMembers((s) => s.users[m.author.id]) ?? m.author;
  const name = displayName(author);
  return (
    <li data-testid="search-hit" data-message-id={m.id} className="flex flex-col gap-0.5">
      {hit.context_before.map((c) => (
        <ContextLine key={c.id} message={c} names={names} />
      ))}
      <button
        type="button"
        onClick={() => onOpen(hit)}
        data-testid="search-hit-open"
        className="flex w-full flex-col rounded border border-line bg-elevated p-2 text-left hover:border-accent focus:outline-none focus-visible:ring-2 focus-visible:ring-accent"
      >
        <span className="flex w-full items-center gap-2">
          <Avatar id={author.id} name={name} url={author.avatar_url} size="sm" />
          <Isolated className="truncate font-semibold" text={name} />
          <time dateTime={m.created_at} className="shrink-0 text-xs text-muted">{formatDateTime(m.created_at)}</time>
          {m.pinned ? <span className="ml-auto text-xs" title={t("pinned")} aria-label={t("pinned")}>📌</span> : null}
        </span>
        <span dir="auto" className="mt-1 block w-full whitespace-pre-wrap break-words text-sm" data-testid="search-hit-content">
          <Highlighted content={m.content} hit={hit} names={names} />
        </span>
        <Files message={m} />
      </button>
      {hit.context_after.map((c) => (
        <ContextLine key={c.id} message={c} names={names} />
      ))}
    </li>
  );
}

function Heading({ label }: { label: PlaceLabel }) {
  return (
    <h3 className="mb-1 truncate text-sm font-semibold text-muted" data-testid="search-group-name">
      {label.kind === "direct" ? (
        <>
          <span aria-hidden="true">@</span>
          <Isolated text={label.name} />
        </>
      ) : label.kind === "thread" ? (
        <>
          <span aria-hidden="true">🧵 </span>
          <Isolated text={label.name} />
          {label.parent ? (
            <span className="font-normal normal-case">
              {" "}in #<Isolated text={label.parent} />
            </span>
          ) : null}
        </>
      ) : (
        <>
          #<Isolated text={label.name} />
        </>
      )}
    </h3>
  );
}

function SortToggle({ sort }: { sort: SearchSort }) {
  const { t } = useTranslation("search");
  const option = (value: SearchSort, text: string) => (
    <button
      type="button"
      aria-pressed={sort === value}
      onClick={() => resort(value)}
      data-testid={`search-sort-${value}`}
      className={`px-2 py-0.5 ${sort === value ? "bg-accent text-white" : "text-muted hover:bg-hover hover:text-fg"}`}
    >
      {text}
    </button>
  );
  return (
    <div role="group" aria-label={t("sort")} className="ml-auto flex overflow-hidden rounded border border-line text-xs">
      {option("relevance", t("relevance"))}
      {option("newest", t("newest"))}
    </div>
  );
}

/**
 * The results of the current search, over the right side of the channel like the pins panel (the whole width on a
 * phone): the count, relevance or newest first, hits under their channel with their context; a hit opens its
 * channel (or thread) at the message, highlighted.
 */
export function SearchPanel({ view }: { view: SearchView }) {
  const { t } = useTranslation("search");
  const navigate = useNavigate();
  const names = useNames(view.scope);
  const groups = useMemo(() => groupHits(view.hits), [view.hits]);

  function open(hit: SearchHit) {
    const { channel, message } = hit;
    // The history scrolls to the message and highlights it once it is loaded (the pins panel's Jump).
    usePins.getState().jump(channel.id, message.id);
    if (channel.type === ChannelType.DirectMessage || channel.type === ChannelType.GroupDirectMessage) {
      void navigate({ to: "/app/$communityId/$channelId", params: { communityId: DIRECT_HOME, channelId: channel.id } });
    } else {
      const communityId = message.community_id ?? (view.scope.kind === "community" ? view.scope.communityId : "");
      const thread = channel.type === ChannelType.Thread && channel.parent_id;
      // A thread opens in its side panel beside its channel, as from the thread list.
      useThreads.getState().open(thread ? channel.id : null);
      void navigate({ to: "/app/$communityId/$channelId", params: { communityId, channelId: thread ? channel.parent_id! : channel.id } });
    }
    // On a phone the panel covers the channel: get out of the way, as the pins panel does.
    if (typeof window !== "undefined" && window.innerWidth < 768) closeSearch();
  }

  const busy = view.status === "loading";
  return (
    <aside
      aria-label={t("searchResults")}
      data-testid="search-panel"
      aria-busy={busy || view.loadingMore}
      onKeyDown={(e) => {
        if (e.key === "Escape") closeSearch();
      }}
      className="absolute bottom-0 right-0 top-12 z-30 flex w-full max-w-sm flex-col border-l border-line bg-main shadow-xl"
    >
      <header className="flex h-12 shrink-0 items-center gap-2 border-b border-line px-3">
        <h2 className="font-semibold">{t("searchResults")}</h2>
        <IconButton label={t("close")} onClick={closeSearch} className="ml-auto" data-testid="close-search">
          ✕
        </IconButton>
      </header>
      <div className="flex shrink-0 items-center gap-2 border-b border-line px-3 py-2 text-sm">
        <p role="status" data-testid="search-count" className="font-medium">
          {busy ? t("searching") : view.status === "error" ? "" : countText(view.total, view.capped, SearchLimits.MaxCountedResults)}
        </p>
        <SortToggle sort={view.sort} />
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto p-3">
        {view.status === "error" ? (
          <p role="alert" className="text-sm text-danger" data-testid="search-failed">{view.error}</p>
        ) : busy ? null : groups.length === 0 ? (
          <p className="text-sm text-muted" data-testid="search-empty">{t("noMatch")}</p>
        ) : (
          <div className="flex flex-col gap-4">
            {groups.map((g) => (
              <section key={g.channel.id} data-testid="search-group" data-channel-id={g.channel.id}>
                <Heading label={placeLabel(g.channel, names.place)} />
                <ul className="flex flex-col gap-3">
                  {g.hits.map((h) => (
                    <Hit key={h.message.id} hit={h} names={names.mentions} onOpen={open} />
                  ))}
                </ul>
              </section>
            ))}
            {view.status === "ready" && view.error ? (
              <p role="alert" className="text-sm text-danger">{view.error}</p>
            ) : null}
            {view.nextCursor ? (
              <button
                type="button"
                disabled={view.loadingMore}
                onClick={loadMore}
                data-testid="search-load-more"
                className="self-center rounded bg-elevated px-3 py-1.5 text-sm font-medium hover:bg-hover disabled:opacity-60"
              >
                {view.loadingMore ? t("loading") : t("loadMore")}
              </button>
            ) : null}
          </div>
        )}
      </div>
    </aside>
  );
}
