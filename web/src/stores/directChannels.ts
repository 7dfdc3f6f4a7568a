import { create } from "zustand";
import { ChannelType, type Channel, type DirectChannel, type UserSummary } from "../api/types";
import i18n from "../i18n";

/** The route segment of the DM home: `/app/@me` and `/app/@me/{channelId}`. */
export const DIRECT_HOME = "@me";

interface DirectChannelsState {
  byId: Record<string, DirectChannel>;
  /** READY's `private_channels`. */
  replaceAll: (list: DirectChannel[]) => void;
  upsert: (c: DirectChannel) => void;
  remove: (id: string) => void;
  addRecipient: (channelId: string, user: UserSummary) => void;
  removeRecipient: (channelId: string, userId: string) => void;
  /** USER_UPDATE: a recipient's new name or picture in every conversation they are in. */
  updateRecipient: (user: UserSummary) => void;
  /** A new message: the conversation moves to the top of the list. */
  messageCreated: (channelId: string, messageId: string) => void;
}

export const useDirectChannels = create<DirectChannelsState>()((set) => ({
  byId: {},
  replaceAll: (list) => set({ byId: Object.fromEntries(list.map((c) => [c.id, c])) }),
  upsert: (c) => set((s) => ({ byId: { ...s.byId, [c.id]: { ...s.byId[c.id], ...c } } })),
  remove: (id) =>
    set((s) => {
      if (!(id in s.byId)) return s;
      const { [id]: _gone, ...rest } = s.byId;
      return { byId: rest };
    }),
  addRecipient: (channelId, user) =>
    set((s) => {
      const c = s.byId[channelId];
      if (!c || c.recipients.some((r) => r.id === user.id)) return s;
      return { byId: { ...s.byId, [channelId]: { ...c, recipients: [...c.recipients, user] } } };
    }),
  removeRecipient: (channelId, userId) =>
    set((s) => {
      const c = s.byId[channelId];
      if (!c) return s;
      return { byId: { ...s.byId, [channelId]: { ...c, recipients: c.recipients.filter((r) => r.id !== userId) } } };
    }),
  updateRecipient: (user) =>
    set((s) => {
      let changed = false;
      const byId: Record<string, DirectChannel> = {};
      for (const [id, c] of Object.entries(s.byId)) {
        const has = c.recipients.some((r) => r.id === user.id);
        changed ||= has;
        byId[id] = has ? { ...c, recipients: c.recipients.map((r) => (r.id === user.id ? user : r)) } : c;
      }
      return changed ? { byId } : s;
    }),
  messageCreated: (channelId, messageId) =>
    set((s) => {
      const c = s.byId[channelId];
      if (!c || (c.last_message_id && newer(c.last_message_id, messageId))) return s;
      return { byId: { ...s.byId, [channelId]: { ...c, last_message_id: messageId } } };
    }),
}));

/** Snowflakes as decimal strings: longer is newer, then lexical order. */
const newer = (a: string, b: string) => a.length > b.length || (a.length === b.length && a > b);

export const isDirectType = (type: number) => type === ChannelType.DirectMessage || type === ChannelType.GroupDirectMessage;

/** Conversations, the most recently active first (a conversation without messages counts from its creation). */
export function sortedDirect(byId: Record<string, DirectChannel>): DirectChannel[] {
  const key = (c: DirectChannel) => c.last_message_id ?? "";
  return Object.values(byId).sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) return newer(ka, kb) ? -1 : 1;
    return a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? -1 : 1;
  });
}

const nameOf = (u: UserSummary) => u.display_name || u.username;

/** What a conversation is called: a group's name, else the other people's names (yourself when alone). */
export function directTitle(c: DirectChannel | undefined, myId: string | null | undefined): string {
  if (!c) return "";
  if (c.name) return c.name;
  const others = c.recipients.filter((r) => r.id !== myId);
  if (others.length === 0) return c.recipients[0] ? nameOf(c.recipients[0]) : i18n.t("direct:emptyGroup");
  return others.map(nameOf).join(", ");
}

/**
 * The channel view's shape for a conversation: a direct channel has no community (an empty id, which no member
 * list or role lookup matches) and is titled after its people.
 */
export function asViewChannel(c: DirectChannel, myId: string | null | undefined): Channel {
  return { id: c.id, community_id: "", name: directTitle(c, myId), type: c.type, topic: null, parent_id: null, position: 0, created_at: c.created_at };
}
