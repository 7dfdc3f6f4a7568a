import { beforeEach, describe, expect, it } from "vitest";
import type { Channel, Community, Message, ThreadChannel } from "../api/types";
import { applyDispatch, resetStores } from "./dispatch";
import { useMessages } from "./messages";
import { useSession } from "./session";
import { canManageThread, countLabel, threadsOf, useThreads } from "./threads";

const me = { id: "usr_me", username: "me", created_at: "2025-01-01T00:00:00Z" };
const bob = { id: "usr_bob", username: "bob" };
const ch = (id: string): Channel => ({ id, community_id: "com_1", name: id, type: 0, position: 0, created_at: "2025-01-01T00:00:00Z" });
const community = (channels: Channel[]): Community => ({ id: "com_1", name: "c", owner_id: me.id, created_at: "2025-01-01T00:00:00Z", member_count: 2, channels });
const message = (id: string, extra: Partial<Message> = {}): Message => ({
  id, channel_id: "ch_1", community_id: "com_1", author: bob, content: `hello ${id}`, created_at: "2025-01-01T00:00:00Z", mentions: [], reactions: [], ...extra,
});
const thread = (id: string, extra: Partial<ThreadChannel> = {}): ThreadChannel => ({
  id, community_id: "com_1", parent_id: "ch_1", parent_message_id: "10", owner_id: bob.id, name: `thread ${id}`, type: 5, archived: false,
  auto_archive_seconds: 86400, message_count: 0, member_count: 1, last_activity_at: "2025-01-01T00:00:00Z", created_at: "2025-01-01T00:00:00Z", ...extra,
});

beforeEach(() => {
  resetStores();
  applyDispatch({ t: "READY", d: { session_id: "gw_1", user: me, communities: [community([ch("ch_1")])] } });
  useMessages.getState().addPage("ch_1", [message("10"), message("11")], { hasMore: false });
});

describe("threads", () => {
  it("THREAD_CREATE adds the thread and puts its summary on the loaded parent message", () => {
    applyDispatch({ t: "THREAD_CREATE", d: thread("ch_t") });
    expect(useThreads.getState().byId["ch_t"]?.name).toBe("thread ch_t");
    expect(useMessages.getState().byChannel["ch_1"]?.byId["10"]?.thread).toMatchObject({ id: "ch_t", message_count: 0, archived: false });
    expect(useMessages.getState().byChannel["ch_1"]?.byId["11"]?.thread).toBeUndefined();
  });

  it("THREAD_UPDATE moves the count, the last activity and the archive state, keeping what we knew of our membership", () => {
    useThreads.getState().upsert(thread("ch_t", { joined: true }));
    applyDispatch({ t: "THREAD_UPDATE", d: thread("ch_t", { message_count: 3, last_message_at: "2025-01-02T00:00:00Z", archived: true }) });
    const t = useThreads.getState().byId["ch_t"]!;
    expect([t.message_count, t.archived, t.joined]).toEqual([3, true, true]);
    expect(useMessages.getState().byChannel["ch_1"]?.byId["10"]?.thread).toMatchObject({ message_count: 3, archived: true, last_message_at: "2025-01-02T00:00:00Z" });
  });

  it("a thread of a message not loaded changes no message", () => {
    const before = useMessages.getState().byChannel["ch_1"];
    applyDispatch({ t: "THREAD_CREATE", d: thread("ch_t", { parent_message_id: "99" }) });
    expect(useMessages.getState().byChannel["ch_1"]).toBe(before);
  });

  it("THREAD_MEMBERS_UPDATE sets the count and my membership when it is about me", () => {
    useThreads.getState().upsert(thread("ch_t", { joined: false }));
    applyDispatch({ t: "THREAD_MEMBERS_UPDATE", d: { id: "ch_t", community_id: "com_1", parent_id: "ch_1", member_count: 2, added_user_ids: [me.id], removed_user_ids: [] } });
    expect(useThreads.getState().byId["ch_t"]).toMatchObject({ member_count: 2, joined: true });
    applyDispatch({ t: "THREAD_MEMBERS_UPDATE", d: { id: "ch_t", community_id: "com_1", parent_id: "ch_1", member_count: 3, added_user_ids: [bob.id], removed_user_ids: [] } });
    expect(useThreads.getState().byId["ch_t"]).toMatchObject({ member_count: 3, joined: true });
    applyDispatch({ t: "THREAD_MEMBERS_UPDATE", d: { id: "ch_t", community_id: "com_1", parent_id: "ch_1", member_count: 2, added_user_ids: [], removed_user_ids: [me.id] } });
    expect(useThreads.getState().byId["ch_t"]).toMatchObject({ member_count: 2, joined: false });
  });

  it("deleting the parent channel removes its threads and closes the open one", () => {
    useThreads.getState().upsertMany([thread("ch_t"), thread("ch_u", { parent_id: "ch_2" })]);
    useThreads.getState().open("ch_t");
    applyDispatch({ t: "CHANNEL_DELETE", d: { id: "ch_1", community_id: "com_1" } });
    expect(Object.keys(useThreads.getState().byId)).toEqual(["ch_u"]);
    expect(useThreads.getState().openId).toBeNull();
  });

  it("lists active threads by latest activity and archived ones by latest archiving", () => {
    useThreads.getState().upsertMany([
      thread("a", { last_activity_at: "2025-01-01T00:00:00Z" }),
      thread("b", { last_activity_at: "2025-01-03T00:00:00Z" }),
      thread("c", { archived: true, archived_at: "2025-01-02T00:00:00Z" }),
      thread("d", { archived: true, archived_at: "2025-01-04T00:00:00Z" }),
      thread("e", { parent_id: "ch_2" }),
    ]);
    const byId = useThreads.getState().byId;
    expect(threadsOf(byId, "ch_1", false).map((t) => t.id)).toEqual(["b", "a"]);
    expect(threadsOf(byId, "ch_1", true).map((t) => t.id)).toEqual(["d", "c"]);
  });

  it("the owner, or MANAGE_THREADS in the parent, may manage a thread", () => {
    const t = thread("ch_t");
    expect(canManageThread(t, bob.id, undefined)).toBe(true);
    expect(canManageThread(t, me.id, undefined)).toBe(false);
    expect(canManageThread(t, me.id, String(1 << 1))).toBe(false);
    expect(canManageThread(t, me.id, String((1 << 18) | 1))).toBe(true);
    expect([countLabel(1), countLabel(2)]).toEqual(["1 message", "2 messages"]);
  });

  it("sign-out forgets threads", () => {
    useThreads.getState().upsert(thread("ch_t"));
    useThreads.getState().open("ch_t");
    resetStores();
    useSession.setState({ user: null, status: "unknown" });
    expect(useThreads.getState()).toMatchObject({ byId: {}, openId: null });
  });
});
