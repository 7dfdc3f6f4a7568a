import { beforeEach, describe, expect, it } from "vitest";
import type { Channel, Community, DispatchEvent, Message } from "../api/types";
import { useChannels } from "./channels";
import { useCommunities } from "./communities";
import { applyDispatch, resetStores } from "./dispatch";
import { useDirectChannels } from "./directChannels";
import { useInvites } from "./invites";
import { useMembers } from "./members";
import { useMessages } from "./messages";
import { useSearch } from "./search";
import { useSession } from "./session";
import { useUi } from "./ui";

const me = { id: "usr_me", username: "me", created_at: "2025-01-01T00:00:00Z" };
const bob = { id: "usr_bob", username: "bob" };
const ch = (id: string, community = "com_1", extra: Partial<Channel> = {}): Channel => ({
  id, community_id: community, name: id, type: 0, position: 0, created_at: "2025-01-01T00:00:00Z", ...extra,
});
const community = (id: string, channels: Channel[] = [], extra: Partial<Community> = {}): Community => ({
  id, name: id, owner_id: me.id, created_at: "2025-01-01T00:00:00Z", member_count: 2, channels, ...extra,
});
const message = (id: string, extra: Partial<Message> = {}): Message => ({
  id, channel_id: "ch_1", community_id: "com_1", author: bob, content: `hello ${id}`, created_at: "2025-01-01T00:00:00Z",
  mentions: [], reactions: [], ...extra,
});
const apply = (e: DispatchEvent) => applyDispatch(e);
const channelMessages = (id = "ch_1") => useMessages.getState().byChannel[id];

beforeEach(() => {
  resetStores();
  useSession.setState({ user: null, status: "unknown" });
  useUi.setState({ lastSeen: {} });
  apply({ t: "READY", d: { session_id: "gw_1", user: me, communities: [community("com_1", [ch("ch_1"), ch("ch_2")])] } });
});

describe("applyDispatch", () => {
  it("READY sets the user, communities and channels, and replaces stale state", () => {
    expect(useSession.getState().status).toBe("signedIn");
    expect(useSession.getState().user?.id).toBe("usr_me");
    expect(Object.keys(useCommunities.getState().byId)).toEqual(["com_1"]);
    expect(useCommunities.getState().byId["com_1"]).not.toHaveProperty("channels");
    expect(Object.keys(useChannels.getState().byId).sort()).toEqual(["ch_1", "ch_2"]);
    apply({ t: "MESSAGE_CREATE", d: message("100", { channel_id: "ch_2" }) });
    apply({ t: "READY", d: { session_id: "gw_2", user: me, communities: [community("com_1", [ch("ch_1")])] } });
    expect(Object.keys(useChannels.getState().byId)).toEqual(["ch_1"]);
    expect(channelMessages("ch_2")).toBeUndefined();
  });

  it("RESUMED changes nothing", () => {
    const before = { c: useCommunities.getState().byId, ch: useChannels.getState().byId };
    apply({ t: "RESUMED", d: null });
    expect(useCommunities.getState().byId).toBe(before.c);
    expect(useChannels.getState().byId).toBe(before.ch);
  });

  it("MESSAGE_CREATE keeps history sorted by snowflake and is idempotent", () => {
    apply({ t: "MESSAGE_CREATE", d: message("1000") });
    apply({ t: "MESSAGE_CREATE", d: message("999") });
    apply({ t: "MESSAGE_CREATE", d: message("10000") });
    apply({ t: "MESSAGE_CREATE", d: message("1000") });
    expect(channelMessages()!.ids).toEqual(["999", "1000", "10000"]);
    expect(useUi.getState().latest["ch_1"]).toBe("10000");
    expect(useMembers.getState().users["usr_bob"]).toEqual(bob);
  });

  it("MESSAGE_UPDATE merges content and keeps our own reaction flags (gateway sends me: null)", () => {
    apply({ t: "MESSAGE_CREATE", d: message("1", { reactions: [{ emoji: "👍", count: 1, me: true }] }) });
    apply({ t: "MESSAGE_UPDATE", d: message("1", { content: "edited", edited_at: "2025-01-01T00:01:00Z", reactions: [{ emoji: "👍", count: 1, me: null }] }) });
    apply({ t: "MESSAGE_UPDATE", d: message("1", { content: "edited", edited_at: "2025-01-01T00:01:00Z", reactions: [{ emoji: "👍", count: 1, me: null }] }) });
    const m = channelMessages()!.byId["1"]!;
    expect(m.content).toBe("edited");
    expect(m.edited_at).toBeTruthy();
    expect(m.reactions).toEqual([{ emoji: "👍", count: 1, me: true }]);
    expect(channelMessages()!.ids).toEqual(["1"]);
  });

  it("MESSAGE_DELETE removes the message, twice is harmless", () => {
    apply({ t: "MESSAGE_CREATE", d: message("1") });
    apply({ t: "MESSAGE_CREATE", d: message("2") });
    const del = { id: "1", channel_id: "ch_1", community_id: "com_1" };
    apply({ t: "MESSAGE_DELETE", d: del });
    apply({ t: "MESSAGE_DELETE", d: del });
    expect(channelMessages()!.ids).toEqual(["2"]);
    expect(channelMessages()!.byId["1"]).toBeUndefined();
  });

  it("MESSAGE_REACTION_ADD / REMOVE count reactions and track mine idempotently", () => {
    apply({ t: "MESSAGE_CREATE", d: message("1") });
    const ev = (user_id: string, emoji = "🎉") => ({ message_id: "1", channel_id: "ch_1", community_id: "com_1", user_id, emoji });
    apply({ t: "MESSAGE_REACTION_ADD", d: ev("usr_bob") });
    apply({ t: "MESSAGE_REACTION_ADD", d: ev("usr_me") });
    apply({ t: "MESSAGE_REACTION_ADD", d: ev("usr_me") }); // repeat of mine: no double count
    expect(channelMessages()!.byId["1"]!.reactions).toEqual([{ emoji: "🎉", count: 2, me: true }]);
    apply({ t: "MESSAGE_REACTION_REMOVE", d: ev("usr_me") });
    apply({ t: "MESSAGE_REACTION_REMOVE", d: ev("usr_me") });
    expect(channelMessages()!.byId["1"]!.reactions).toEqual([{ emoji: "🎉", count: 1, me: false }]);
    apply({ t: "MESSAGE_REACTION_REMOVE", d: ev("usr_bob") });
    expect(channelMessages()!.byId["1"]!.reactions).toEqual([]);
    // reactions on messages we have not loaded are ignored
    apply({ t: "MESSAGE_REACTION_ADD", d: { ...ev("usr_bob"), message_id: "404" } });
    expect(channelMessages()!.byId["404"]).toBeUndefined();
  });

  it("CHANNEL_CREATE / UPDATE upsert; CHANNEL_DELETE removes the channel and its messages", () => {
    apply({ t: "CHANNEL_CREATE", d: ch("ch_3", "com_1", { name: "new" }) });
    apply({ t: "CHANNEL_CREATE", d: ch("ch_3", "com_1", { name: "new" }) });
    apply({ t: "CHANNEL_UPDATE", d: ch("ch_3", "com_1", { name: "renamed", topic: "t" }) });
    expect(useChannels.getState().byId["ch_3"]).toMatchObject({ name: "renamed", topic: "t" });
    apply({ t: "MESSAGE_CREATE", d: message("5", { channel_id: "ch_3" }) });
    apply({ t: "CHANNEL_DELETE", d: { id: "ch_3", community_id: "com_1" } });
    apply({ t: "CHANNEL_DELETE", d: { id: "ch_3", community_id: "com_1" } });
    expect(useChannels.getState().byId["ch_3"]).toBeUndefined();
    expect(channelMessages("ch_3")).toBeUndefined();
  });

  it("COMMUNITY_CREATE adds the community with its channels; UPDATE keeps member_count", () => {
    apply({ t: "COMMUNITY_CREATE", d: community("com_2", [ch("ch_9", "com_2")], { member_count: 5 }) });
    apply({ t: "COMMUNITY_CREATE", d: community("com_2", [ch("ch_9", "com_2")], { member_count: 5 }) });
    expect(useChannels.getState().byId["ch_9"]).toBeTruthy();
    apply({ t: "COMMUNITY_UPDATE", d: { id: "com_2", name: "Renamed", owner_id: me.id, created_at: "2025-01-01T00:00:00Z" } });
    expect(useCommunities.getState().byId["com_2"]).toMatchObject({ name: "Renamed", member_count: 5 });
    expect(Object.keys(useCommunities.getState().byId).sort()).toEqual(["com_1", "com_2"]);
  });

  it("COMMUNITY_DELETE forgets the community, its channels, members, invites and messages", () => {
    apply({ t: "MESSAGE_CREATE", d: message("1") });
    apply({ t: "COMMUNITY_MEMBER_ADD", d: { community_id: "com_1", user: bob, joined_at: "2025-01-01T00:00:00Z" } });
    apply({ t: "INVITE_CREATE", d: { code: "abc", community_id: "com_1", max_uses: 0, uses: 0, max_age_seconds: 0, created_at: "2025-01-01T00:00:00Z" } });
    apply({ t: "COMMUNITY_DELETE", d: { id: "com_1" } });
    apply({ t: "COMMUNITY_DELETE", d: { id: "com_1" } });
    expect(useCommunities.getState().byId).toEqual({});
    expect(useChannels.getState().byId).toEqual({});
    expect(channelMessages()).toBeUndefined();
    expect(useMembers.getState().byCommunity["com_1"]).toBeUndefined();
    expect(useInvites.getState().byCommunity["com_1"]).toBeUndefined();
  });

  it("COMMUNITY_DELETE closes that community's search results, not another's", () => {
    useSearch.getState().start({ kind: "community", communityId: "com_2" }, "cat", { q: "cat" }, "relevance");
    apply({ t: "COMMUNITY_DELETE", d: { id: "com_1" } });
    expect(useSearch.getState().view).not.toBeNull();
    useSearch.getState().start({ kind: "community", communityId: "com_1" }, "cat", { q: "cat" }, "relevance");
    apply({ t: "COMMUNITY_DELETE", d: { id: "com_1" } });
    expect(useSearch.getState().view).toBeNull();
  });

  it("COMMUNITY_MEMBER_ADD / REMOVE keep the member list and count without double counting", () => {
    useMembers.getState().setAll("com_1", [{ community_id: "com_1", user: { id: me.id, username: "me" }, joined_at: "x" }]);
    const add = { community_id: "com_1", user: bob, joined_at: "2025-01-01T00:00:00Z" };
    apply({ t: "COMMUNITY_MEMBER_ADD", d: add });
    apply({ t: "COMMUNITY_MEMBER_ADD", d: add });
    expect(Object.keys(useMembers.getState().byCommunity["com_1"]!).sort()).toEqual(["usr_bob", "usr_me"]);
    expect(useCommunities.getState().byId["com_1"]!.member_count).toBe(3);
    apply({ t: "COMMUNITY_MEMBER_REMOVE", d: { community_id: "com_1", user: bob } });
    apply({ t: "COMMUNITY_MEMBER_REMOVE", d: { community_id: "com_1", user: bob } });
    expect(Object.keys(useMembers.getState().byCommunity["com_1"]!)).toEqual(["usr_me"]);
    expect(useCommunities.getState().byId["com_1"]!.member_count).toBe(2);
  });

  it("COMMUNITY_MEMBER_REMOVE for me drops the whole community", () => {
    apply({ t: "COMMUNITY_MEMBER_REMOVE", d: { community_id: "com_1", user: { id: me.id, username: "me" } } });
    expect(useCommunities.getState().byId["com_1"]).toBeUndefined();
    expect(useChannels.getState().byId["ch_1"]).toBeUndefined();
  });

  it("INVITE_CREATE / INVITE_DELETE upsert and remove by code", () => {
    const inv = { code: "abc", community_id: "com_1", max_uses: 0, uses: 0, max_age_seconds: 0, created_at: "2025-01-01T00:00:00Z" };
    apply({ t: "INVITE_CREATE", d: inv });
    apply({ t: "INVITE_CREATE", d: { ...inv, uses: 1 } });
    expect(useInvites.getState().byCommunity["com_1"]).toEqual({ abc: { ...inv, uses: 1 } });
    apply({ t: "INVITE_DELETE", d: { code: "abc", community_id: "com_1" } });
    apply({ t: "INVITE_DELETE", d: { code: "abc", community_id: "com_1" } });
    expect(useInvites.getState().byCommunity["com_1"]).toEqual({});
  });

  it("ignores unknown events", () => {
    expect(() => applyDispatch({ t: "SOMETHING_NEW", d: { x: 1 } })).not.toThrow();
  });

  it("marks channels unread only when a message is newer than the last one seen", () => {
    apply({ t: "MESSAGE_CREATE", d: message("50", { channel_id: "ch_2" }) });
    expect(useUi.getState().latest["ch_2"]).toBe("50");
    useUi.getState().markSeen("ch_2", "50");
    apply({ t: "MESSAGE_CREATE", d: message("40", { channel_id: "ch_2" }) });
    expect(useUi.getState().latest["ch_2"]).toBe("50");
    useUi.getState().setActiveChannel("ch_2");
    apply({ t: "MESSAGE_CREATE", d: message("60", { channel_id: "ch_2" }) });
    expect(useUi.getState().lastSeen["ch_2"]).toBe("60");
  });
  it("USER_UPDATE gives the new name and picture to every member entry, conversation and the own session, and a removal clears them", () => {
    useMembers.getState().setAll("com_1", [{ community_id: "com_1", user: bob, joined_at: "2025-01-01T00:00:00Z" }]);
    useDirectChannels.getState().replaceAll([{ id: "ch_dm", type: 2, recipients: [me, bob], created_at: "2025-01-01T00:00:00Z" }]);
    const withPicture = { ...bob, display_name: "Bobby", avatar_url: "/api/v1/avatars/usr_bob/0123456789abcdef.webp" };
    apply({ t: "USER_UPDATE", d: withPicture });
    expect(useMembers.getState().byCommunity["com_1"]?.["usr_bob"]?.user).toEqual(withPicture);
    expect(useMembers.getState().users["usr_bob"]?.avatar_url).toBe(withPicture.avatar_url);
    expect(useDirectChannels.getState().byId["ch_dm"]?.recipients.find((r) => r.id === "usr_bob")).toEqual(withPicture);

    apply({ t: "USER_UPDATE", d: { ...bob, display_name: "Bobby" } });
    expect(useMembers.getState().users["usr_bob"]?.avatar_url).toBeUndefined();
    expect(useMembers.getState().byCommunity["com_1"]?.["usr_bob"]?.user.avatar_url).toBeUndefined();

    apply({ t: "USER_UPDATE", d: { id: me.id, username: me.username, avatar_url: "/api/v1/avatars/usr_me/fedcba9876543210.webp" } });
    expect(useSession.getState().user).toMatchObject({ id: me.id, created_at: me.created_at, avatar_url: "/api/v1/avatars/usr_me/fedcba9876543210.webp" });
  });

  it("COMMUNITY_UPDATE without an icon (the server omits nulls) removes the icon it had", () => {
    apply({ t: "COMMUNITY_UPDATE", d: community("com_1", [], { icon_url: "/api/v1/icons/com_1/0123456789abcdef.webp", description: "d" }) });
    expect(useCommunities.getState().byId["com_1"]?.icon_url).toBe("/api/v1/icons/com_1/0123456789abcdef.webp");
    const { member_count: _count, ...withoutCount } = community("com_1");
    apply({ t: "COMMUNITY_UPDATE", d: withoutCount });
    expect(useCommunities.getState().byId["com_1"]?.icon_url).toBeNull();
    expect(useCommunities.getState().byId["com_1"]?.description).toBeNull();
    expect(useCommunities.getState().byId["com_1"]?.member_count).toBe(2);
  });
});
