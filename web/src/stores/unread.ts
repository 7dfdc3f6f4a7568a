import { create } from "zustand";
import type { ChannelRead, Message, UnreadCounts } from "../api/types";

/** Unread state of one channel, as the server counts it (GET /unread-counts) and kept live from dispatches. */
export interface ChannelCounts {
  /** Null for a direct channel. */
  community_id: string | null;
  unread: number;
  mentions: number;
}

/** What a live event did to the counts; `refetch`: the client cannot tell on its own, ask the server again. */
export type CountEffect = "counted" | "ignored" | "refetch";

interface UnreadState {
  byChannel: Record<string, ChannelCounts>;
  /** channel id → message id → whether it mentioned me: messages counted live since the last hydration. */
  live: Record<string, Record<string, boolean>>;
  /** A live event the client could not count exactly: the runtime asks the server again (then clears it). */
  stale: boolean;
  hydrate: (counts: UnreadCounts) => void;
  messageCreated: (m: Message, myId: string | null | undefined) => CountEffect;
  /** An edit can add or remove a mention of me: re-judge a message counted live, ask the server about older unread ones. */
  messageEdited: (m: Message, myId: string | null | undefined) => CountEffect;
  messageDeleted: (channelId: string, id: string) => CountEffect;
  channelRead: (d: ChannelRead) => void;
  clearChannel: (channelId: string) => void;
  clearCommunity: (communityId: string) => void;
  removeChannel: (channelId: string) => void;
}

export const useUnread = create<UnreadState>()((set, get) => ({
  byChannel: {},
  live: {},
  stale: false,
  hydrate: (counts) =>
    set({
      byChannel: Object.fromEntries(
        counts.channels.map((c) => [c.channel_id, { community_id: c.community_id ?? null, unread: c.unread_count, mentions: c.mention_count }]),
      ),
      live: {},
      stale: false,
    }),
  messageCreated: (m, myId) => {
    const s = get();
    if (!myId || m.author.id === myId || s.live[m.channel_id]?.[m.id] !== undefined) return "ignored";
    const mentioned = m.mention_everyone === true || m.mentions.includes(myId);
    const prev = s.byChannel[m.channel_id] ?? { community_id: m.community_id ?? null, unread: 0, mentions: 0 };
    set({
      byChannel: { ...s.byChannel, [m.channel_id]: { ...prev, unread: prev.unread + 1, mentions: prev.mentions + (mentioned ? 1 : 0) } },
      live: { ...s.live, [m.channel_id]: { ...s.live[m.channel_id], [m.id]: mentioned } },
    });
    // A role mention counts only if I hold the role: the server knows.
    return !mentioned && (m.mention_roles?.length ?? 0) > 0 ? "refetch" : "counted";
  },
  messageEdited: (m, myId) => {
    const s = get();
    const prev = s.byChannel[m.channel_id];
    if (!myId || m.author.id === myId || !prev || prev.unread === 0) return "ignored";
    const was = s.live[m.channel_id]?.[m.id];
    // Not counted live: it may be one of the unread messages counted by the server (or an old, read one); only the server knows.
    if (was === undefined) return "refetch";
    const mentioned = m.mention_everyone === true || m.mentions.includes(myId);
    if (mentioned !== was) {
      set({
        byChannel: { ...s.byChannel, [m.channel_id]: { ...prev, mentions: Math.max(0, prev.mentions + (mentioned ? 1 : -1)) } },
        live: { ...s.live, [m.channel_id]: { ...s.live[m.channel_id], [m.id]: mentioned } },
      });
    }
    return !mentioned && (m.mention_roles?.length ?? 0) > 0 ? "refetch" : "counted";
  },
  messageDeleted: (channelId, id) => {
    const s = get();
    const mentioned = s.live[channelId]?.[id];
    const prev = s.byChannel[channelId];
    if (mentioned === undefined || !prev) return prev && prev.unread > 0 ? "refetch" : "ignored";
    const rest = { ...s.live[channelId] };
    delete rest[id];
    set({
      byChannel: { ...s.byChannel, [channelId]: { ...prev, unread: Math.max(0, prev.unread - 1), mentions: Math.max(0, prev.mentions - (mentioned ? 1 : 0)) } },
      live: { ...s.live, [channelId]: rest },
    });
    return "counted";
  },
  channelRead: (d) =>
    set((s) => ({
      byChannel: { ...s.byChannel, [d.channel_id]: { community_id: d.community_id ?? null, unread: d.unread_count, mentions: d.mention_count } },
      live: { ...s.live, [d.channel_id]: {} },
    })),
  clearChannel: (channelId) =>
    set((s) => {
      const prev = s.byChannel[channelId];
      if (!prev || (prev.unread === 0 && prev.mentions === 0)) return s;
      return { byChannel: { ...s.byChannel, [channelId]: { ...prev, unread: 0, mentions: 0 } }, live: { ...s.live, [channelId]: {} } };
    }),
  clearCommunity: (communityId) =>
    set((s) => ({
      byChannel: Object.fromEntries(
        Object.entries(s.byChannel).map(([id, c]) => [id, c.community_id === communityId ? { ...c, unread: 0, mentions: 0 } : c]),
      ),
    })),
  removeChannel: (channelId) =>
    set((s) => {
      const byChannel = { ...s.byChannel };
      delete byChannel[channelId];
      return { byChannel };
    }),
}));

/** Per community: whether anything is unread and how many mentions, summed over its channels. */
export function communityTotals(byChannel: Record<string, ChannelCounts>): Record<string, { unread: boolean; mentions: number }> {
  const out: Record<string, { unread: boolean; mentions: number }> = {};
  for (const c of Object.values(byChannel)) {
    if (c.community_id === null) continue;
    const t = (out[c.community_id] ??= { unread: false, mentions: 0 });
    t.unread ||= c.unread > 0;
    t.mentions += c.mentions;
  }
  return out;
}

/** Unread messages over all direct channels: the badge of the rail's DM button. */
export function directUnread(byChannel: Record<string, ChannelCounts>): number {
  let total = 0;
  for (const c of Object.values(byChannel)) if (c.community_id === null) total += c.unread;
  return total;
}

/** The tab title: "(3) Voxora" with 3 mentions, "• Voxora" with unread messages but no mention. */
export function titleFor(byChannel: Record<string, ChannelCounts>, base = "Voxora"): string {
  let mentions = 0;
  let unread = false;
  for (const c of Object.values(byChannel)) {
    mentions += c.mentions;
    unread ||= c.unread > 0;
  }
  return mentions > 0 ? `(${mentions}) ${base}` : unread ? `• ${base}` : base;
}

/**
 * Where the "new messages" divider goes when a channel is opened with `unread` unread messages: before the
 * oldest of the newest `unread` messages by others (my own messages are never unread). Null when none is loaded.
 */
export function firstUnreadId(messages: Message[], unread: number, myId: string | null | undefined): string | null {
  if (unread <= 0) return null;
  let seen = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.author.id === myId) continue;
    seen++;
    if (seen === unread) return m.id;
  }
  return messages.length ? messages.find((m) => m.author.id !== myId)?.id ?? null : null;
}
