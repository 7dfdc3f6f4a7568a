import { beforeEach, describe, expect, it } from "vitest";
import type { DirectChannel, Message } from "../api/types";
import { useBlocks } from "./blocks";
import { asViewChannel, directTitle, sortedDirect, useDirectChannels } from "./directChannels";
import { applyDispatch, resetStores } from "./dispatch";
import { useChannels } from "./channels";
import { useMessages } from "./messages";
import { useSession } from "./session";
import { communityTotals, directUnread, useUnread } from "./unread";
import { mentionKind, shouldNotify } from "../notifications/rules";

const me = { id: "usr_me", username: "me", created_at: "2025-01-01T00:00:00Z" };
const bob = { id: "usr_bob", username: "bob", display_name: "Bob B" };
const carol = { id: "usr_carol", username: "carol" };
const dm = (id: string, extra: Partial<DirectChannel> = {}): DirectChannel => ({
  id, type: 2, recipients: [me, bob], created_at: "2025-01-01T00:00:00Z", ...extra,
});
const dmMessage = (id: string, extra: Partial<Message> = {}): Message => ({
  id, channel_id: "ch_dm", author: bob, content: "hi", created_at: "2025-01-01T00:00:00Z", mentions: [], reactions: [], ...extra,
});

beforeEach(() => {
  resetStores();
  useSession.setState({ user: me, status: "signedIn" });
});

describe("direct channels", () => {
  it("READY fills the conversations and keeps their cached messages", () => {
    useMessages.getState().upsert(dmMessage("5", { channel_id: "ch_dm" }));
    applyDispatch({ t: "READY", d: { session_id: "gw_1", user: me, communities: [], private_channels: [dm("ch_dm")] } });
    expect(Object.keys(useDirectChannels.getState().byId)).toEqual(["ch_dm"]);
    expect(useMessages.getState().byChannel.ch_dm).toBeDefined();
  });

  it("CHANNEL_CREATE of a DM goes to the DM store, not the community channels; recipients come and go; CHANNEL_DELETE removes it", () => {
    applyDispatch({ t: "CHANNEL_CREATE", d: dm("ch_g", { type: 3, name: "trip", owner_id: me.id }) });
    expect(useDirectChannels.getState().byId.ch_g?.name).toBe("trip");
    expect(useChannels.getState().byId.ch_g).toBeUndefined();
    applyDispatch({ t: "CHANNEL_RECIPIENT_ADD", d: { channel_id: "ch_g", user: carol } });
    applyDispatch({ t: "CHANNEL_RECIPIENT_ADD", d: { channel_id: "ch_g", user: carol } });
    expect(useDirectChannels.getState().byId.ch_g?.recipients.map((r) => r.id)).toEqual([me.id, bob.id, carol.id]);
    applyDispatch({ t: "CHANNEL_RECIPIENT_REMOVE", d: { channel_id: "ch_g", user: bob } });
    expect(useDirectChannels.getState().byId.ch_g?.recipients.map((r) => r.id)).toEqual([me.id, carol.id]);
    applyDispatch({ t: "CHANNEL_DELETE", d: { id: "ch_g" } });
    expect(useDirectChannels.getState().byId.ch_g).toBeUndefined();
  });

  it("a new message moves its conversation to the top and counts as unread in the DM badge, not in any community", () => {
    useDirectChannels.getState().replaceAll([dm("ch_old", { last_message_id: "900" }), dm("ch_dm", { last_message_id: "100" })]);
    expect(sortedDirect(useDirectChannels.getState().byId).map((c) => c.id)).toEqual(["ch_old", "ch_dm"]);
    applyDispatch({ t: "MESSAGE_CREATE", d: dmMessage("1000") });
    expect(sortedDirect(useDirectChannels.getState().byId).map((c) => c.id)).toEqual(["ch_dm", "ch_old"]);
    const counts = useUnread.getState().byChannel;
    expect(counts.ch_dm).toEqual({ community_id: null, unread: 1, mentions: 0 });
    expect(directUnread(counts)).toBe(1);
    expect(communityTotals(counts)).toEqual({});
    // An older message arriving late does not move it back.
    applyDispatch({ t: "MESSAGE_CREATE", d: dmMessage("999") });
    expect(useDirectChannels.getState().byId.ch_dm?.last_message_id).toBe("1000");
  });

  it("titles: a group's name, else the other people, and the view channel has no community", () => {
    expect(directTitle(dm("a"), me.id)).toBe("Bob B");
    expect(directTitle(dm("b", { type: 3, recipients: [me, bob, carol] }), me.id)).toBe("Bob B, carol");
    expect(directTitle(dm("c", { type: 3, name: "trip" }), me.id)).toBe("trip");
    expect(asViewChannel(dm("a"), me.id)).toMatchObject({ id: "a", community_id: "", name: "Bob B", type: 2 });
  });

  it("a direct message notifies like a mention; a community message without one does not", () => {
    const settings = { communities: [], channels: [], show_previews: false };
    expect(mentionKind(dmMessage("1"), me.id, [])).toBe("direct");
    expect(shouldNotify(dmMessage("1"), me.id, [], settings, Date.now())).toBe(true);
    expect(shouldNotify(dmMessage("1", { community_id: "com_1" }), me.id, [], settings, Date.now())).toBe(false);
  });

  it("blocks are a set I change idempotently", () => {
    useBlocks.getState().replaceAll([bob.id]);
    useBlocks.getState().set(bob.id, true);
    useBlocks.getState().set(carol.id, true);
    expect(Object.keys(useBlocks.getState().ids).sort()).toEqual([bob.id, carol.id]);
    useBlocks.getState().set(bob.id, false);
    expect(Object.keys(useBlocks.getState().ids)).toEqual([carol.id]);
  });
});
