import { create } from "zustand";
import type { Message, MyPermissions } from "../api/types";

export interface ChannelPins {
  /** Pinned messages, newest pin first (the server's order, kept by pinned_at as pins change live). */
  messages: Message[];
  /** A CHANNEL_PINS_UPDATE arrived that the list may not reflect yet: fetch it again when shown. */
  stale: boolean;
}

interface PinsState {
  byChannel: Record<string, ChannelPins>;
  /** The channel whose pins panel is open, or null. */
  openChannelId: string | null;
  /** A message to scroll to and highlight in the history (the pins panel's "Jump"), or null once done. */
  jumpTo: { channelId: string; messageId: string } | null;
  setPins: (channelId: string, messages: Message[]) => void;
  /** A message's pinned state changed (MESSAGE_UPDATE, or an answer of ours): add it, move it or take it out. */
  messageChanged: (m: Message) => void;
  /** A message was deleted: its pin went with it. */
  messageDeleted: (channelId: string, id: string) => void;
  /** CHANNEL_PINS_UPDATE: only known lists can be stale. */
  pinsUpdated: (channelId: string) => void;
  removeChannel: (channelId: string) => void;
  setOpen: (channelId: string | null) => void;
  jump: (channelId: string, messageId: string) => void;
  jumpDone: () => void;
}

const pinTime = (m: Message): number => (m.pinned_at ? Date.parse(m.pinned_at) : 0);

/** Newest pin first; equal times keep their order (Array.prototype.sort is stable). */
function byPinTime(messages: Message[]): Message[] {
  return [...messages].sort((a, b) => pinTime(b) - pinTime(a));
}

export const usePins = create<PinsState>()((set) => ({
  byChannel: {},
  openChannelId: null,
  jumpTo: null,
  setPins: (channelId, messages) =>
    set((s) => ({ byChannel: { ...s.byChannel, [channelId]: { messages: byPinTime(messages), stale: false } } })),
  messageChanged: (m) =>
    set((s) => {
      const current = s.byChannel[m.channel_id];
      if (!current) return s; // never fetched: the panel fetches the whole list when opened
      const listed = current.messages.some((p) => p.id === m.id);
      if (!m.pinned && !listed) return s;
      const others = current.messages.filter((p) => p.id !== m.id);
      const messages = m.pinned ? byPinTime([m, ...others]) : others;
      return { byChannel: { ...s.byChannel, [m.channel_id]: { ...current, messages } } };
    }),
  messageDeleted: (channelId, id) =>
    set((s) => {
      const current = s.byChannel[channelId];
      if (!current?.messages.some((p) => p.id === id)) return s;
      return { byChannel: { ...s.byChannel, [channelId]: { ...current, messages: current.messages.filter((p) => p.id !== id) } } };
    }),
  pinsUpdated: (channelId) =>
    set((s) => {
      const current = s.byChannel[channelId];
      if (!current || current.stale) return s;
      return { byChannel: { ...s.byChannel, [channelId]: { ...current, stale: true } } };
    }),
  removeChannel: (channelId) =>
    set((s) => {
      if (!(channelId in s.byChannel) && s.openChannelId !== channelId) return s;
      const { [channelId]: _gone, ...rest } = s.byChannel;
      return { byChannel: rest, openChannelId: s.openChannelId === channelId ? null : s.openChannelId };
    }),
  setOpen: (openChannelId) => set({ openChannelId }),
  jump: (channelId, messageId) => set({ jumpTo: { channelId, messageId } }),
  jumpDone: () => set({ jumpTo: null }),
}));

/** MANAGE_MESSAGES (bit 6) and ADMINISTRATOR (bit 31), docs/permissions.md. */
const MANAGE_MESSAGES = 1n << 6n;
const ADMINISTRATOR = 1n << 31n;

/** May the viewer pin and unpin in this channel: from the channel's resolved bits (the owner always may). */
export function canManageMessages(perms: MyPermissions | undefined, channelId: string, isOwner: boolean): boolean {
  if (isOwner) return true;
  const raw = perms?.channels[channelId] ?? perms?.community;
  let bits = 0n;
  try {
    bits = raw ? BigInt(raw) : 0n;
  } catch {
    bits = 0n;
  }
  return (bits & (MANAGE_MESSAGES | ADMINISTRATOR)) !== 0n;
}
