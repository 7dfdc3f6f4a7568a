import { beforeEach, describe, expect, it } from "vitest";
import type { Channel, Community, DispatchEvent, Message } from "../api/types";
import { applyDispatch, resetStores } from "./dispatch";
import { useMessages } from "./messages";
import { canManageMessages, usePins } from "./pins";
import { useSession } from "./session";

const me = { id: "usr_me", username: "me", created_at: "2025-01-01T00:00:00Z" };
const alice = { id: "usr_alice", username: "alice" };
const ch = (id: string): Channel => ({ id, community_id: "com_1", name: id, type: 0, position: 0, created_at: "2025-01-01T00:00:00Z" });
const community = (channels: Channel[]): Community => ({ id: "com_1", name: "c", owner_id: "usr_owner", created_at: "2025-01-01T00:00:00Z", channels });
const message = (id: string, extra: Partial<Message> = {}): Message => ({
  id, channel_id: "ch_1", community_id: "com_1", author: alice, content: `hello ${id}`, created_at: "2025-01-01T00:00:00Z",
  mentions: [], reactions: [], type: 0, pinned: false, ...extra,
});
const pinnedAt = (minute: number) => `2025-01-02T00:${String(minute).padStart(2, "0")}:00Z`;
const pinned = (id: string, minute: number, extra: Partial<Message> = {}) => message(id, { pinned: true, pinned_at: pinnedAt(minute), ...extra });
const apply = (e: DispatchEvent) => applyDispatch(e);
const listed = (channelId = "ch_1") => usePins.getState().byChannel[channelId]?.messages.map((m) => m.id);

beforeEach(() => {
  resetStores();
  useSession.setState({ user: null, status: "unknown" });
  apply({ t: "READY", d: { session_id: "gw_1", user: me, communities: [community([ch("ch_1"), ch("ch_2")])] } });
});

describe("pins store", () => {
  it("keeps the server's list newest pin first", () => {
    usePins.getState().setPins("ch_1", [pinned("1", 1), pinned("3", 3), pinned("2", 2)]);
    expect(listed()).toEqual(["3", "2", "1"]);
    expect(usePins.getState().byChannel["ch_1"]?.stale).toBe(false);
  });

  it("MESSAGE_UPDATE pins on top, unpins out, and leaves unfetched channels alone", () => {
    usePins.getState().setPins("ch_1", [pinned("1", 1)]);
    apply({ t: "MESSAGE_UPDATE", d: pinned("2", 5) });
    expect(listed()).toEqual(["2", "1"]);
    // The history sees the same pinned state.
    expect(useMessages.getState().byChannel["ch_1"]?.byId["2"]?.pinned).toBe(true);

    // An edit of a pinned message replaces it in place.
    apply({ t: "MESSAGE_UPDATE", d: pinned("1", 1, { content: "edited" }) });
    expect(listed()).toEqual(["2", "1"]);
    expect(usePins.getState().byChannel["ch_1"]?.messages[1]?.content).toBe("edited");

    apply({ t: "MESSAGE_UPDATE", d: message("2") });
    expect(listed()).toEqual(["1"]);
    // An edit of a message that is not pinned changes nothing.
    const before = usePins.getState().byChannel["ch_1"];
    apply({ t: "MESSAGE_UPDATE", d: message("9", { content: "x" }) });
    expect(usePins.getState().byChannel["ch_1"]).toBe(before);

    apply({ t: "MESSAGE_UPDATE", d: pinned("7", 9, { channel_id: "ch_2" }) });
    expect(usePins.getState().byChannel["ch_2"]).toBeUndefined();
  });

  it("deleting a pinned message drops its pin, one by one or in bulk", () => {
    usePins.getState().setPins("ch_1", [pinned("1", 1), pinned("2", 2), pinned("3", 3)]);
    apply({ t: "MESSAGE_DELETE", d: { id: "2", channel_id: "ch_1", community_id: "com_1" } });
    expect(listed()).toEqual(["3", "1"]);
    apply({ t: "MESSAGE_DELETE_BULK", d: { ids: ["1", "3", "99"], channel_id: "ch_1", community_id: "com_1" } });
    expect(listed()).toEqual([]);
  });

  it("CHANNEL_PINS_UPDATE marks a known list stale, READY marks every list stale, CHANNEL_DELETE forgets it", () => {
    apply({ t: "CHANNEL_PINS_UPDATE", d: { channel_id: "ch_1", community_id: "com_1", last_pin_timestamp: pinnedAt(1) } });
    expect(usePins.getState().byChannel["ch_1"]).toBeUndefined();

    usePins.getState().setPins("ch_1", [pinned("1", 1)]);
    usePins.getState().setPins("ch_2", []);
    apply({ t: "CHANNEL_PINS_UPDATE", d: { channel_id: "ch_1", community_id: "com_1" } });
    expect(usePins.getState().byChannel["ch_1"]?.stale).toBe(true);
    expect(usePins.getState().byChannel["ch_2"]?.stale).toBe(false);

    apply({ t: "READY", d: { session_id: "gw_2", user: me, communities: [community([ch("ch_2")])] } });
    expect(usePins.getState().byChannel["ch_1"]).toBeUndefined();
    expect(usePins.getState().byChannel["ch_2"]?.stale).toBe(true);

    usePins.getState().setOpen("ch_2");
    apply({ t: "CHANNEL_DELETE", d: { id: "ch_2", community_id: "com_1" } });
    expect(usePins.getState().byChannel["ch_2"]).toBeUndefined();
    expect(usePins.getState().openChannelId).toBeNull();
  });

  it("sign-out clears pins, the open panel and a pending jump", () => {
    usePins.getState().setPins("ch_1", [pinned("1", 1)]);
    usePins.getState().setOpen("ch_1");
    usePins.getState().jump("ch_1", "1");
    resetStores();
    expect(usePins.getState()).toMatchObject({ byChannel: {}, openChannelId: null, jumpTo: null });
  });
});

describe("canManageMessages", () => {
  const perms = (community: bigint, channels: Record<string, bigint> = {}) => ({
    community: community.toString(),
    channels: Object.fromEntries(Object.entries(channels).map(([k, v]) => [k, v.toString()])),
  });

  it("follows MANAGE_MESSAGES in the channel's resolved bits, with ADMINISTRATOR and ownership granting it", () => {
    expect(canManageMessages(undefined, "ch_1", false)).toBe(false);
    expect(canManageMessages(undefined, "ch_1", true)).toBe(true);
    expect(canManageMessages(perms(1n << 6n), "ch_1", false)).toBe(true);
    expect(canManageMessages(perms(1n << 6n, { ch_1: 1n << 10n }), "ch_1", false)).toBe(false);
    expect(canManageMessages(perms(0n, { ch_1: 1n << 6n }), "ch_1", false)).toBe(true);
    expect(canManageMessages(perms(1n << 31n), "ch_1", false)).toBe(true);
    expect(canManageMessages({ community: "garbage", channels: {} }, "ch_1", false)).toBe(false);
  });
});
