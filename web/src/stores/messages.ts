import { create } from "zustand";
import type { Attachment, Message, ReactionCount, ReactionEvent, ThreadSummary, UserSummary } from "../api/types";
import { compareIds, insertSorted } from "./ids";

export type PendingStatus = "sending" | "failed";

/** A message we sent that the server has not confirmed yet (optimistic), keyed by its client nonce. */
export interface PendingMessage {
  nonce: string;
  channel_id: string;
  content: string;
  reply_to?: string | null;
  author: UserSummary;
  created_at: string;
  status: PendingStatus;
  error?: string;
  /** Uploaded files sent with it (their ids go in the request; shown while it is sending). */
  attachments?: Attachment[];
}

export interface ChannelMessages {
  /** Confirmed message ids, oldest first. */
  ids: string[];
  byId: Record<string, Message>;
  pending: PendingMessage[];
  /** More history exists before ids[0]. */
  hasMore: boolean;
  loading: boolean;
  /** The latest page has been fetched at least once. */
  loaded: boolean;
}

export const emptyChannel = (): ChannelMessages => ({ ids: [], byId: {}, pending: [], hasMore: true, loading: false, loaded: false });

interface MessagesState {
  byChannel: Record<string, ChannelMessages>;
  /** Insert or merge one message; drops the pending message with the same nonce. Idempotent. */
  upsert: (m: Message) => void;
  /** A page of history (any order). `older`: it was fetched with `before`, so `full` decides hasMore. */
  /**
   * Adds a history page. `replace` starts over from the page, except for messages that arrived live while it was
   * loading: `keepArrivedSince` lists the ids the channel held when the request went out, and anything else already
   * in the store is newer than the request's snapshot and stays.
   */
  addPage: (channelId: string, page: Message[], opts: { hasMore: boolean; replace?: boolean; keepArrivedSince?: ReadonlySet<string> }) => void;
  remove: (channelId: string, id: string) => void;
  removeChannel: (channelId: string) => void;
  setLoading: (channelId: string, loading: boolean) => void;
  addPending: (p: PendingMessage) => void;
  setPendingStatus: (channelId: string, nonce: string, status: PendingStatus, error?: string) => void;
  discardPending: (channelId: string, nonce: string) => void;
  reaction: (ev: ReactionEvent, add: boolean, mine: boolean) => void;
  /** A thread started from a loaded message changed (THREAD_CREATE / THREAD_UPDATE): its summary follows. */
  threadSummary: (channelId: string, messageId: string, summary: ThreadSummary) => void;
}

function withChannel(
  s: MessagesState,
  channelId: string,
  fn: (c: ChannelMessages) => ChannelMessages | null,
): Partial<MessagesState> | MessagesState {
  const current = s.byChannel[channelId] ?? emptyChannel();
  const next = fn(current);
  if (!next || next === current) return s;
  return { byChannel: { ...s.byChannel, [channelId]: next } };
}

/** Gateway payloads carry `me: null` on reactions; keep what we knew about our own reactions. */
function mergeReactions(prev: ReactionCount[] | undefined, incoming: ReactionCount[]): ReactionCount[] {
  return incoming.map((r) => {
    if (r.me != null) return r;
    const old = prev?.find((p) => p.emoji === r.emoji);
    return { ...r, me: old?.me ?? false };
  });
}

function upsertInto(c: ChannelMessages, m: Message): ChannelMessages {
  const prev = c.byId[m.id];
  const merged: Message = { ...prev, ...m, reactions: mergeReactions(prev?.reactions, m.reactions ?? []) };
  const ids = prev ? c.ids : (insertSorted(c.ids, m.id) ?? c.ids);
  const pending = m.nonce ? c.pending.filter((p) => p.nonce !== m.nonce) : c.pending;
  return { ...c, ids, byId: { ...c.byId, [m.id]: merged }, pending: pending.length === c.pending.length ? c.pending : pending };
}

export const useMessages = create<MessagesState>()((set) => ({
  byChannel: {},
  upsert: (m) => set((s) => withChannel(s, m.channel_id, (c) => upsertInto(c, m))),
  addPage: (channelId, page, { hasMore, replace, keepArrivedSince }) =>
    set((s) =>
      withChannel(s, channelId, (c) => {
        let next: ChannelMessages = replace ? { ...emptyChannel(), pending: c.pending } : c;
        if (replace && keepArrivedSince) {
          for (const id of c.ids) {
            const live = c.byId[id];
            if (live && !keepArrivedSince.has(id)) next = upsertInto(next, live);
          }
        }
        for (const m of page) next = upsertInto(next, m);
        return { ...next, hasMore, loaded: true, loading: false };
      }),
    ),
  remove: (channelId, id) =>
    set((s) =>
      withChannel(s, channelId, (c) => {
        if (!(id in c.byId)) return null;
        const { [id]: _gone, ...byId } = c.byId;
        return { ...c, byId, ids: c.ids.filter((x) => x !== id) };
      }),
    ),
  removeChannel: (channelId) =>
    set((s) => {
      if (!(channelId in s.byChannel)) return s;
      const { [channelId]: _gone, ...rest } = s.byChannel;
      return { byChannel: rest };
    }),
  setLoading: (channelId, loading) =>
    set((s) => withChannel(s, channelId, (c) => (c.loading === loading ? null : { ...c, loading }))),
  addPending: (p) =>
    set((s) =>
      withChannel(s, p.channel_id, (c) =>
        c.pending.some((x) => x.nonce === p.nonce) ? null : { ...c, pending: [...c.pending, p] },
      ),
    ),
  setPendingStatus: (channelId, nonce, status, error) =>
    set((s) =>
      withChannel(s, channelId, (c) => {
        if (!c.pending.some((p) => p.nonce === nonce)) return null;
        return {
          ...c,
          pending: c.pending.map((p) => {
            if (p.nonce !== nonce) return p;
            const next: PendingMessage = { ...p, status };
            if (error) next.error = error;
            else delete next.error;
            return next;
          }),
        };
      }),
    ),
  discardPending: (channelId, nonce) =>
    set((s) =>
      withChannel(s, channelId, (c) =>
        c.pending.some((p) => p.nonce === nonce) ? { ...c, pending: c.pending.filter((p) => p.nonce !== nonce) } : null,
      ),
    ),
  threadSummary: (channelId, messageId, summary) =>
    set((s) =>
      withChannel(s, channelId, (c) => {
        const m = c.byId[messageId];
        if (!m) return null;
        return { ...c, byId: { ...c.byId, [messageId]: { ...m, thread: summary } } };
      }),
    ),
  reaction: (ev, add, mine) =>
    set((s) =>
      withChannel(s, ev.channel_id, (c) => {
        const m = c.byId[ev.message_id];
        if (!m) return null;
        const existing = m.reactions.find((r) => r.emoji === ev.emoji);
        // Our own reaction state is known exactly, so repeating it changes nothing (idempotent).
        if (mine && existing && Boolean(existing.me) === add) return null;
        if (mine && !existing && !add) return null;
        let reactions: ReactionCount[];
        if (add) {
          reactions = existing
            ? m.reactions.map((r) => (r.emoji === ev.emoji ? { ...r, count: r.count + 1, me: mine ? true : r.me ?? false } : r))
            : [...m.reactions, { emoji: ev.emoji, count: 1, me: mine }];
        } else {
          if (!existing) return null;
          reactions = m.reactions
            .map((r) => (r.emoji === ev.emoji ? { ...r, count: r.count - 1, me: mine ? false : r.me ?? false } : r))
            .filter((r) => r.count > 0);
        }
        return { ...c, byId: { ...c.byId, [m.id]: { ...m, reactions } } };
      }),
    ),
}));

export const latestId = (c: ChannelMessages | undefined): string | undefined => (c && c.ids.length ? c.ids[c.ids.length - 1] : undefined);

export const isNewer = (a: string | undefined, b: string | undefined): boolean => !!a && (!b || compareIds(a, b) > 0);
