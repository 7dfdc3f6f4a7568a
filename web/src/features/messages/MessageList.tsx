import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { loadOlder } from "../../app/runtime";
import type { Message } from "../../api/types";
import { emptyChannel, useMessages, type PendingMessage } from "../../stores/messages";
import { usePins } from "../../stores/pins";
import { compareIds } from "../../stores/ids";
import { continuesGroup } from "./content";
import { MessageRow, PendingRow } from "./MessageRow";
import { useTranslation } from "react-i18next";

type Item = { kind: "message"; key: string; message: Message; grouped: boolean } | { kind: "pending"; key: string; pending: PendingMessage; grouped: boolean };

const NEAR_BOTTOM = 80;
const MAX_FOCUS_PAGES = 20;

/**
 * Virtualized history, newest at the bottom. Only the rows in view (plus overscan) are in the DOM,
 * so thousands of loaded messages stay smooth.
 *
 * CSP note: the virtualizer positions rows with `transform` and sizes the spacer with `height`, set
 * through React's `style` prop. React applies these through the CSSOM (`element.style.*`), which a
 * `style-src 'self'` policy does not govern (it governs style attributes in HTML and <style>
 * elements), so no 'unsafe-inline' is needed.
 */
export function MessageList({
  channelId,
  myId,
  editingId,
  onEdit,
  onReply,
  dividerId = null,
  onAtBottomChange,
  canManageMessages = false,
  canPin = false,
  focusId = null,
}: {
  channelId: string;
  myId: string | undefined;
  editingId: string | null;
  onEdit: (id: string | null) => void;
  onReply: (id: string) => void;
  /** The first unread message when the channel was opened: a "new messages" divider goes above it. */
  dividerId?: string | null;
  onAtBottomChange?: (atBottom: boolean) => void;
  canManageMessages?: boolean;
  canPin?: boolean;
  /** A message link's target: older history is loaded until it is there, then it is scrolled to and highlighted. */
  focusId?: string | null;
}) {
  const { t } = useTranslation("messages");
  const channel = useMessages((s) => s.byChannel[channelId]) ?? emptyChannel();
  const scrollRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);

  const items = useMemo<Item[]>(() => {
    const out: Item[] = [];
    let prev: Message | PendingMessage | undefined;
    for (const id of channel.ids) {
      const m = channel.byId[id];
      if (!m) continue;
      out.push({ kind: "message", key: id, message: m, grouped: continuesGroup(prev, m) });
      prev = m;
    }
    for (const p of channel.pending) {
      out.push({ kind: "pending", key: "n:" + p.nonce, pending: p, grouped: continuesGroup(prev, p) });
      prev = p;
    }
    return out;
  }, [channel.ids, channel.byId, channel.pending]);

  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (items[i]?.grouped ? 26 : 60),
    getItemKey: (i) => items[i]?.key ?? i,
    overscan: 12,
  });

  // Keep the view anchored when older messages are prepended: remember the first visible row and
  // its distance from the top, and restore that after the list grows.
  const anchor = useRef<{ key: string; delta: number } | null>(null);
  const firstKey = items[0]?.key;
  const lastKey = items[items.length - 1]?.key;
  const prevFirst = useRef(firstKey);
  const prevLast = useRef(lastKey);

  const rememberAnchor = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const first = virtualizer.getVirtualItems().find((v) => v.end > el.scrollTop);
    if (first) anchor.current = { key: String(first.key), delta: first.start - el.scrollTop };
  }, [virtualizer]);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    if (firstKey !== prevFirst.current && prevFirst.current !== undefined && anchor.current && !atBottom.current) {
      const index = items.findIndex((i) => i.key === anchor.current!.key);
      if (index >= 0) {
        const offset = virtualizer.getOffsetForIndex(index, "start")?.[0];
        if (offset !== undefined) el.scrollTop = offset - anchor.current.delta;
      }
    } else if (lastKey !== prevLast.current && atBottom.current) {
      virtualizer.scrollToIndex(items.length - 1, { align: "end" });
    } else if (prevLast.current === undefined && items.length) {
      virtualizer.scrollToIndex(items.length - 1, { align: "end" });
    }
    prevFirst.current = firstKey;
    prevLast.current = lastKey;
  }, [firstKey, lastKey, items, virtualizer]);

  const maybeLoadOlder = useCallback(() => {
    const el = scrollRef.current;
    if (!el || !channel.loaded || channel.loading || !channel.hasMore) return;
    if (el.scrollTop < 400) {
      rememberAnchor();
      void loadOlder(channelId).catch(() => undefined);
    }
  }, [channel.loaded, channel.loading, channel.hasMore, channelId, rememberAnchor]);

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const bottom = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM;
    if (bottom !== atBottom.current) onAtBottomChange?.(bottom);
    atBottom.current = bottom;
    maybeLoadOlder();
  }, [maybeLoadOlder, onAtBottomChange]);

  // A short history that does not fill the pane cannot be scrolled: load more right away.
  useEffect(() => {
    const el = scrollRef.current;
    if (el && channel.loaded && el.scrollHeight <= el.clientHeight + 400) maybeLoadOlder();
  }, [channel.loaded, items.length, maybeLoadOlder]);

  // Keep the newest message in view when the pane resizes (keyboard opening on phones).
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => {
      if (atBottom.current && items.length) virtualizer.scrollToIndex(items.length - 1, { align: "end" });
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [items.length, virtualizer]);

  // "Jump" from the pins panel, a pin notice or a search result: scroll the message into the middle and highlight it
  // for a moment. A message older than the loaded history is paged in first (at most MAX_FOCUS_PAGES pages, as for
  // message links); one that is not there once the history around it is loaded was deleted.
  const jumpTo = usePins((s) => (s.jumpTo?.channelId === channelId ? s.jumpTo.messageId : null));
  const [highlightId, setHighlightId] = useState<string | null>(null);
  const [jumpMissing, setJumpMissing] = useState<string | null>(null);
  const jumpPages = useRef(0);
  const oldestId = channel.ids[0];
  useEffect(() => {
    if (!jumpTo) return;
    const index = items.findIndex((i) => i.key === jumpTo);
    if (index >= 0) {
      usePins.getState().jumpDone();
      jumpPages.current = 0;
      setJumpMissing(null);
      atBottom.current = false;
      virtualizer.scrollToIndex(index, { align: "center" });
      setHighlightId(jumpTo);
      return;
    }
    if (!channel.loaded || channel.loading) return;
    const older = !oldestId || compareIds(jumpTo, oldestId) < 0;
    if (older && channel.hasMore && jumpPages.current < MAX_FOCUS_PAGES) {
      jumpPages.current++;
      void loadOlder(channelId).catch(() => undefined);
      return;
    }
    usePins.getState().jumpDone();
    setJumpMissing(
      older && channel.hasMore
        ? t("jumpTooFar")
        : t("jumpGone"),
    );
    jumpPages.current = 0;
  }, [jumpTo, items, virtualizer, channel.loaded, channel.loading, channel.hasMore, oldestId, channelId]);
  useEffect(() => {
    if (!jumpMissing) return;
    const timer = setTimeout(() => setJumpMissing(null), 8000);
    return () => clearTimeout(timer);
  }, [jumpMissing]);
  useEffect(() => {
    if (!highlightId) return;
    const timer = setTimeout(() => setHighlightId(null), 2500);
    return () => clearTimeout(timer);
  }, [highlightId]);
  // Message links: page back through history (at most MAX_FOCUS_PAGES pages) until the target is loaded.
  const focusPages = useRef(0);
  const focusedOn = useRef<string | null>(null);
  const focusIndex = focusId ? items.findIndex((i) => i.key === focusId) : -1;
  const focusMissing = !!focusId && focusIndex < 0 && channel.loaded && !channel.loading && (!channel.hasMore || focusPages.current >= MAX_FOCUS_PAGES);
  useEffect(() => {
    if (!focusId) {
      focusedOn.current = null;
      return;
    }
    if (focusIndex >= 0) {
      if (focusedOn.current === focusId) return;
      focusedOn.current = focusId;
      atBottom.current = false;
      onAtBottomChange?.(false);
      virtualizer.scrollToIndex(focusIndex, { align: "center" });
      return;
    }
    if (channel.loaded && !channel.loading && channel.hasMore && focusPages.current < MAX_FOCUS_PAGES) {
      focusPages.current++;
      void loadOlder(channelId).catch(() => undefined);
    }
  }, [focusId, focusIndex, channel.loaded, channel.loading, channel.hasMore, channelId, virtualizer, onAtBottomChange]);

  const virtualItems = virtualizer.getVirtualItems();
  const dividerIndex = dividerId ? items.findIndex((i) => i.key === dividerId) : -1;
  const scrollTop = scrollRef.current?.scrollTop ?? 0;
  const firstInView = virtualItems.find((v) => v.end > scrollTop)?.index ?? 0;
  const dividerAbove = dividerIndex >= 0 && dividerIndex < firstInView;
  return (
    <div className="relative flex min-h-0 flex-1 flex-col">
    {focusMissing ? (
      <p role="status" data-testid="message-link-missing" className="px-4 py-1 text-sm text-muted">{t("linkMissing")}</p>
    ) : null}
    {jumpMissing ? (
      <p role="status" data-testid="jump-missing" className="px-4 py-1 text-sm text-muted">{jumpMissing}</p>
    ) : null}
    {dividerAbove ? (
      <button
        type="button"
        data-testid="jump-to-unread"
        onClick={() => virtualizer.scrollToIndex(dividerIndex, { align: "start" })}
        className="absolute inset-x-4 top-1 z-10 rounded bg-accent px-3 py-1 text-left text-sm font-semibold text-white shadow"
      >
        {t("jumpToUnread")}
      </button>
    ) : null}
    <div
      ref={scrollRef}
      onScroll={onScroll}
      role="log"
      aria-live="polite"
      aria-relevant="additions"
      aria-label={t("messages")}
      data-testid="message-list"
      tabIndex={0}
      className="min-h-0 flex-1 overflow-y-auto overflow-x-hidden"
    >
      {!channel.hasMore && channel.loaded ? (
        <p className="px-4 pt-6 text-sm text-muted">{t("beginning")}</p>
      ) : channel.loading && channel.loaded ? (
        // Only an older page is "older": the first load of a channel shows nothing that could flash.
        <p role="status" className="px-4 pt-4 text-sm text-muted">{t("loadingOlder")}</p>
      ) : null}
      <div className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
        {virtualItems.map((v) => {
          const item = items[v.index]!;
          return (
            <div key={v.key} data-index={v.index} ref={virtualizer.measureElement} className="absolute left-0 top-0 w-full" style={{ transform: `translateY(${v.start}px)` }}>
              {item.kind === "message" && item.key === dividerId ? (
                <div role="separator" aria-label={t("newMessages")} data-testid="new-messages-divider" className="mx-4 my-1 flex items-center gap-2 text-xs font-semibold uppercase text-danger">
                  <span className="h-px flex-1 bg-danger" />
                  {t("newMessages")}
                  <span className="h-px flex-1 bg-danger" />
                </div>
              ) : null}
              {item.kind === "message" ? (
                <MessageRow
                  message={item.message}
                  grouped={item.grouped}
                  myId={myId}
                  editing={editingId === item.message.id}
                  onEdit={onEdit}
                  onReply={onReply}
                  canManageMessages={canManageMessages}
                  canPin={canPin}
                  highlighted={highlightId === item.message.id || item.key === focusId}
                />
              ) : (
                <PendingRow pending={item.pending} grouped={item.grouped} />
              )}
            </div>
          );
        })}
      </div>
      <div className="h-4" />
    </div>
    </div>
  );
}
