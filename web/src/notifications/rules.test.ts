import { describe, expect, it } from "vitest";
import type { Message, NotificationSettings } from "../api/types";
import { desktopNotice, type DesktopContext } from "./desktop";
import { mentionKind, muteRequest, shouldNotify } from "./rules";
import { shouldOfferNotifications } from "./store";
import { base64UrlToBytes } from "./push";

const NOW = Date.parse("2026-12-03T12:00:00Z");
const ME = "usr_me";

function message(over: Partial<Message> = {}): Message {
  return {
    id: "1",
    channel_id: "ch_a",
    community_id: "com_a",
    author: { id: "usr_alice", username: "alice", display_name: null },
    content: "hello",
    created_at: "2026-12-03T12:00:00Z",
    mentions: [],
    reactions: [],
    mention_roles: [],
    mention_everyone: false,
    ...over,
  };
}

const none: NotificationSettings = { communities: [], channels: [], show_previews: false };
const community = (over: Partial<NotificationSettings["communities"][number]>): NotificationSettings => ({
  ...none,
  communities: [{ community_id: "com_a", level: "mentions", suppress_everyone: false, ...over }],
});

describe("the notification decision (same as the server's)", () => {
  it("defaults to mentions only: by name, by role, and @everyone", () => {
    expect(shouldNotify(message(), ME, [], none, NOW)).toBe(false);
    expect(shouldNotify(message({ mentions: [ME] }), ME, [], none, NOW)).toBe(true);
    expect(shouldNotify(message({ mention_roles: ["rol_x"] }), ME, ["rol_x"], none, NOW)).toBe(true);
    expect(shouldNotify(message({ mention_roles: ["rol_x"] }), ME, ["rol_y"], none, NOW)).toBe(false);
    expect(shouldNotify(message({ mention_everyone: true }), ME, [], none, NOW)).toBe(true);
  });

  it("never notifies the author", () => {
    const mine = message({ author: { id: ME, username: "me", display_name: null }, mentions: [ME] });
    expect(mentionKind(mine, ME, [])).toBe("none");
    expect(shouldNotify(mine, ME, [], community({ level: "all" }), NOW)).toBe(false);
  });

  it("all, nothing, and a channel level that wins unless it inherits", () => {
    expect(shouldNotify(message(), ME, [], community({ level: "all" }), NOW)).toBe(true);
    expect(shouldNotify(message({ mentions: [ME] }), ME, [], community({ level: "nothing" }), NOW)).toBe(false);
    const loudChannel = { ...community({ level: "nothing" }), channels: [{ channel_id: "ch_a", community_id: "com_a", level: "all" as const }] };
    expect(shouldNotify(message(), ME, [], loudChannel, NOW)).toBe(true);
    const inherit = { ...community({ level: "all" }), channels: [{ channel_id: "ch_a", community_id: "com_a", level: "inherit" as const }] };
    expect(shouldNotify(message(), ME, [], inherit, NOW)).toBe(true);
  });

  it("suppressing @everyone keeps direct mentions; mutes silence until they end", () => {
    const suppress = community({ suppress_everyone: true });
    expect(shouldNotify(message({ mention_everyone: true }), ME, [], suppress, NOW)).toBe(false);
    expect(shouldNotify(message({ mention_everyone: true, mentions: [ME] }), ME, [], suppress, NOW)).toBe(true);
    const muted = community({ level: "all", muted_until: new Date(NOW + 60_000).toISOString() });
    expect(shouldNotify(message({ mentions: [ME] }), ME, [], muted, NOW)).toBe(false);
    const ended = community({ level: "all", muted_until: new Date(NOW - 1).toISOString() });
    expect(shouldNotify(message(), ME, [], ended, NOW)).toBe(true);
  });

  it("a mute choice stores an end time, or the level nothing for until turned back on", () => {
    expect(muteRequest(15, "all", NOW)).toEqual({ level: "all", muted_until: "2026-12-03T12:15:00.000Z" });
    expect(muteRequest(null, "all", NOW)).toEqual({ level: "nothing" });
  });
});

describe("desktop notifications", () => {
  const ctx = (over: Partial<DesktopContext> = {}): DesktopContext => ({
    hidden: true,
    permission: "granted",
    dnd: false,
    myId: ME,
    myRoles: [],
    settings: none,
    channelName: "general",
    communityName: "Home",
    now: NOW,
    ...over,
  });

  it("shows an allowed message only while the tab is hidden, permitted, and not do-not-disturb", () => {
    const m = message({ mentions: [ME], content: "lunch?" });
    expect(desktopNotice(m, ctx())).toEqual({ title: "alice in #general", body: "lunch?", tag: "ch_a" });
    expect(desktopNotice(m, ctx({ hidden: false }))).toBeNull();
    expect(desktopNotice(m, ctx({ permission: "default" }))).toBeNull();
    expect(desktopNotice(m, ctx({ dnd: true }))).toBeNull();
    expect(desktopNotice(message(), ctx())).toBeNull();
  });

  it("shows mentions by name, not as the wire form, and cuts long text after the names are in", () => {
    const nameOf = (id: string) => (id === ME ? "bob" : undefined);
    const m = message({ mentions: [ME], content: `<@${ME}> and <@usr_gone> meet <@&rol_ops> at noon` });
    expect(desktopNotice(m, ctx({ nameOf, roleNameOf: (id) => (id === "rol_ops" ? "ops" : undefined) }))?.body).toBe(
      "@bob and @someone meet @ops at noon",
    );
    expect(desktopNotice(m, ctx({ nameOf }))?.body).toBe("@bob and @someone meet @role at noon");
    const long = message({ mentions: [ME], content: `<@${ME}> ${"x".repeat(200)}` });
    const body = desktopNotice(long, ctx({ nameOf }))!.body;
    expect(body.length).toBe(140);
    expect(body.startsWith("@bob xxx")).toBe(true);
    expect(body.endsWith("…")).toBe(true);
  });

  it("titles the notice with the author alone when the channel and community are unknown", () => {
    const m = message({ mentions: [ME] });
    expect(desktopNotice(m, ctx({ channelName: undefined }))?.title).toBe("alice in Home");
    expect(desktopNotice(m, ctx({ channelName: undefined, communityName: undefined }))?.title).toBe("alice");
  });
});

describe("asking for permission", () => {
  it("is offered only after a sensible moment, while undecided and not dismissed", () => {
    expect(shouldOfferNotifications({ permission: "default", promptEligible: false, bannerDismissed: false })).toBe(false);
    expect(shouldOfferNotifications({ permission: "default", promptEligible: true, bannerDismissed: false })).toBe(true);
    expect(shouldOfferNotifications({ permission: "default", promptEligible: true, bannerDismissed: true })).toBe(false);
    expect(shouldOfferNotifications({ permission: "granted", promptEligible: true, bannerDismissed: false })).toBe(false);
    expect(shouldOfferNotifications({ permission: "denied", promptEligible: true, bannerDismissed: false })).toBe(false);
  });

  it("decodes the VAPID key for applicationServerKey", () => {
    const bytes = base64UrlToBytes("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4");
    expect(bytes.length).toBe(65);
    expect(bytes[0]).toBe(4);
  });
});
