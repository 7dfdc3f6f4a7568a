import { beforeEach, describe, expect, it } from "vitest";
import type { Channel, Community, DispatchEvent, Message } from "../api/types";
import { applyDispatch, resetStores } from "./dispatch";
import { useMessages } from "./messages";
import { useSession } from "./session";
import { communityTotals, firstUnreadId, titleFor, useUnread } from "./unread";

const me = { id: "usr_me", username: "me", created_at: "2025-01-01T00:00:00Z" };
const bob = { id: "usr_bob", username: "bob" };
const ch = (id: string, community = "com_1"): Channel => ({ id, community_id: community, name: id, type: 0, position: 0, created_at: "2025-01-01T00:00:00Z" });
const community = (id: string, channels: Channel[]): Community => ({ id, name: id, owner_id: bob.id, created_at: "2025-01-01T00:00:00Z", channels });
const message = (id: string, extra: Partial<Message> = {}): Message => ({
  id, channel_id: "ch_1", community_id: "com_1", author: bob, content: `hello ${id}`, created_at: "2025-01-01T00:00:00Z",
  mentions: [], reactions: [], mention_roles: [], mention_everyone: false, ...extra,
});
const apply = (e: DispatchEvent) => applyDispatch(e);
const counts = (id = "ch_1") => useUnread.getState().byChannel[id];

beforeEach(() => {
  resetStores();
  apply({ t: "READY", d: { session_id: "gw_1", user: me, communities: [community("com_1", [ch("ch_1"), ch("ch_2")]), community("com_2", [ch("ch_3", "com_2")])] } });
  useUnread.getState().hydrate({
    channels: [
      { channel_id: "ch_1", community_id: "com_1", unread_count: 2, mention_count: 1, last_message_id: "20" },
      { channel_id: "ch_2", community_id: "com_1", unread_count: 0, mention_count: 0, last_message_id: null },
      { channel_id: "ch_3", community_id: "com_2", unread_count: 1, mention_count: 0, last_message_id: "5" },
    ],
    last_updated: "2026-12-03T20:00:00Z",
  });
});

describe("unread counts", () => {
  it("hydrates from GET /unread-counts and sums per community and in the title", () => {
    expect(counts()).toEqual({ community_id: "com_1", unread: 2, mentions: 1 });
    expect(communityTotals(useUnread.getState().byChannel)).toEqual({ com_1: { unread: true, mentions: 1 }, com_2: { unread: true, mentions: 0 } });
    expect(titleFor(useUnread.getState().byChannel)).toBe("(1) Voxora");
  });

  it("counts messages by others, mentions of me and @everyone, never my own, each once", () => {
    apply({ t: "MESSAGE_CREATE", d: message("30") });
    apply({ t: "MESSAGE_CREATE", d: message("30") });
    expect(counts()).toEqual({ community_id: "com_1", unread: 3, mentions: 1 });
    apply({ t: "MESSAGE_CREATE", d: message("31", { mentions: [me.id] }) });
    apply({ t: "MESSAGE_CREATE", d: message("32", { mention_everyone: true }) });
    expect(counts()).toEqual({ community_id: "com_1", unread: 5, mentions: 3 });
    apply({ t: "MESSAGE_CREATE", d: message("33", { author: { id: me.id, username: "me" }, mentions: [me.id] }) });
    expect(counts()).toEqual({ community_id: "com_1", unread: 5, mentions: 3 });
    expect(useUnread.getState().stale).toBe(false);
  });

  it("asks the server again for role mentions it cannot judge", () => {
    apply({ t: "MESSAGE_CREATE", d: message("30", { mention_roles: ["rol_x"] }) });
    expect(counts()?.unread).toBe(3);
    expect(useUnread.getState().stale).toBe(true);
  });

  it("un-counts a deleted message it counted, and asks the server about older ones", () => {
    apply({ t: "MESSAGE_CREATE", d: message("30", { mentions: [me.id] }) });
    apply({ t: "MESSAGE_DELETE", d: { id: "30", channel_id: "ch_1", community_id: "com_1" } });
    expect(counts()).toEqual({ community_id: "com_1", unread: 2, mentions: 1 });
    expect(useUnread.getState().stale).toBe(false);
    apply({ t: "MESSAGE_DELETE", d: { id: "15", channel_id: "ch_1", community_id: "com_1" } });
    expect(useUnread.getState().stale).toBe(true);
  });

  it("re-judges an edited message it counted: a mention added or removed changes the mention count", () => {
    apply({ t: "MESSAGE_CREATE", d: message("30") });
    expect(counts()).toEqual({ community_id: "com_1", unread: 3, mentions: 1 });
    apply({ t: "MESSAGE_UPDATE", d: message("30", { mentions: [me.id] }) });
    expect(counts()).toEqual({ community_id: "com_1", unread: 3, mentions: 2 });
    apply({ t: "MESSAGE_UPDATE", d: message("30") });
    expect(counts()).toEqual({ community_id: "com_1", unread: 3, mentions: 1 });
    expect(useUnread.getState().stale).toBe(false);
    apply({ t: "MESSAGE_UPDATE", d: message("15", { mentions: [me.id] }) });
    expect(useUnread.getState().stale).toBe(true);
  });

  it("a bulk delete removes the messages and un-counts those it counted, asking the server about older ones", () => {
    apply({ t: "MESSAGE_CREATE", d: message("30", { mentions: [me.id] }) });
    apply({ t: "MESSAGE_CREATE", d: message("31") });
    expect(counts()).toEqual({ community_id: "com_1", unread: 4, mentions: 2 });
    apply({ t: "MESSAGE_DELETE_BULK", d: { ids: ["30", "31"], channel_id: "ch_1", community_id: "com_1" } });
    expect(counts()).toEqual({ community_id: "com_1", unread: 2, mentions: 1 });
    expect(useMessages.getState().byChannel["ch_1"]?.ids ?? []).not.toContain("30");
    expect(useMessages.getState().byChannel["ch_1"]?.ids ?? []).not.toContain("31");
    expect(useUnread.getState().stale).toBe(false);
    apply({ t: "MESSAGE_DELETE_BULK", d: { ids: ["15"], channel_id: "ch_1", community_id: "com_1" } });
    expect(useUnread.getState().stale).toBe(true);
  });

  it("CHANNEL_READ from another device sets the channel's counts, and the title follows", () => {
    apply({ t: "CHANNEL_READ", d: { channel_id: "ch_1", community_id: "com_1", last_read_id: "20", unread_count: 0, mention_count: 0 } });
    expect(counts()).toEqual({ community_id: "com_1", unread: 0, mentions: 0 });
    expect(titleFor(useUnread.getState().byChannel)).toBe("• Voxora");
    useUnread.getState().clearCommunity("com_2");
    expect(titleFor(useUnread.getState().byChannel)).toBe("Voxora");
  });

  it("marking a community read clears only its channels; a deleted channel is forgotten", () => {
    useUnread.getState().clearCommunity("com_1");
    expect(counts()).toEqual({ community_id: "com_1", unread: 0, mentions: 0 });
    expect(counts("ch_3")?.unread).toBe(1);
    apply({ t: "CHANNEL_DELETE", d: { id: "ch_3", community_id: "com_2" } });
    expect(counts("ch_3")).toBeUndefined();
  });

  it("signing out forgets the counts", () => {
    resetStores();
    useSession.setState({ user: null, status: "unknown" });
    expect(useUnread.getState().byChannel).toEqual({});
  });

  it("puts the divider before the oldest unread message by others", () => {
    const list = [message("1"), message("2"), message("3", { author: { id: me.id, username: "me" } }), message("4")];
    expect(firstUnreadId(list, 2, me.id)).toBe("2");
    expect(firstUnreadId(list, 1, me.id)).toBe("4");
    expect(firstUnreadId(list, 0, me.id)).toBeNull();
    expect(firstUnreadId(list, 10, me.id)).toBe("1");
  });
});
