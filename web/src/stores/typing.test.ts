import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Message, TypingStart } from "../api/types";
import { applyDispatch, resetStores } from "./dispatch";
import { useSession } from "./session";
import { TYPING_SEND_INTERVAL_MS, TYPING_SHOW_MS, TypingSender, typingText, typistsAt, useTyping } from "./typing";

const me = { id: "usr_me", username: "me", created_at: "2025-01-01T00:00:00Z" };
const typing = (user: string, extra: Partial<TypingStart> = {}): TypingStart => ({
  channel_id: "ch_1", community_id: "com_1", user_id: `usr_${user}`, username: user, timestamp: "2025-01-01T00:00:00Z", ...extra,
});
const message = (author: string, channel = "ch_1"): Message => ({
  id: "100", channel_id: channel, community_id: "com_1", author: { id: `usr_${author}`, username: author }, content: "hi",
  created_at: "2025-01-01T00:00:00Z", mentions: [], reactions: [],
});
const shown = (channel = "ch_1") => typingText(typistsAt(useTyping.getState().byChannel[channel], Date.now(), me.id).map((t) => t.name));

describe("typingText", () => {
  it("names one or two typists and counts no further", () => {
    expect(typingText([])).toBeNull();
    expect(typingText(["alice"])).toBe("alice is typing…");
    expect(typingText(["alice", "bob"])).toBe("alice and bob are typing…");
    expect(typingText(["alice", "bob", "carol"])).toBe("several people are typing…");
    expect(typingText(["a", "b", "c", "d", "e"])).toBe("several people are typing…");
  });
});

describe("typing store through dispatches", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-06-01T12:00:00Z"));
    resetStores();
    applyDispatch({ t: "READY", d: { session_id: "gw_1", user: me, communities: [] } });
  });
  afterEach(() => vi.useRealTimers());

  it("shows a typist for 8 s after their last TYPING_START, by display name when they have one", () => {
    applyDispatch({ t: "TYPING_START", d: typing("alice", { display_name: "Alice A." }) });
    expect(shown()).toBe("Alice A. is typing…");
    vi.advanceTimersByTime(TYPING_SHOW_MS - 1000);
    applyDispatch({ t: "TYPING_START", d: typing("alice", { display_name: "Alice A." }) });
    vi.advanceTimersByTime(TYPING_SHOW_MS - 1);
    expect(shown()).toBe("Alice A. is typing…");
    vi.advanceTimersByTime(1);
    expect(shown()).toBeNull();
  });

  it("lists typists in the order they started and expires each on its own", () => {
    applyDispatch({ t: "TYPING_START", d: typing("alice") });
    vi.advanceTimersByTime(3000);
    applyDispatch({ t: "TYPING_START", d: typing("bob") });
    applyDispatch({ t: "TYPING_START", d: typing("alice") });
    expect(shown()).toBe("alice and bob are typing…");
    applyDispatch({ t: "TYPING_START", d: typing("carol") });
    expect(shown()).toBe("several people are typing…");
    // Another channel is separate.
    expect(shown("ch_2")).toBeNull();
    vi.advanceTimersByTime(TYPING_SHOW_MS);
    expect(shown()).toBeNull();
  });

  it("drops a typist when their message arrives, and only theirs", () => {
    applyDispatch({ t: "TYPING_START", d: typing("alice") });
    applyDispatch({ t: "TYPING_START", d: typing("bob") });
    applyDispatch({ t: "MESSAGE_CREATE", d: message("bob", "ch_2") });
    expect(shown()).toBe("alice and bob are typing…");
    applyDispatch({ t: "MESSAGE_CREATE", d: message("bob") });
    expect(shown()).toBe("alice is typing…");
  });

  it("never shows ourselves, even if a TYPING_START about us arrives", () => {
    applyDispatch({ t: "TYPING_START", d: typing("me") });
    expect(useTyping.getState().byChannel["ch_1"] ?? []).toEqual([]);
    expect(typistsAt([{ userId: me.id, name: "me", expiresAt: Date.now() + 1000 }], Date.now(), me.id)).toEqual([]);
  });

  it("forgets a deleted channel's typists and everything on sign-out", () => {
    applyDispatch({ t: "TYPING_START", d: typing("alice") });
    applyDispatch({ t: "TYPING_START", d: typing("bob", { channel_id: "ch_2" }) });
    applyDispatch({ t: "CHANNEL_DELETE", d: { id: "ch_1", community_id: "com_1" } });
    expect(useTyping.getState().byChannel["ch_1"]).toBeUndefined();
    expect(shown("ch_2")).toBe("bob is typing…");
    resetStores();
    useSession.setState({ user: null, status: "unknown" });
    expect(useTyping.getState().byChannel).toEqual({});
  });
});

describe("TypingSender", () => {
  function sender(live = true) {
    let now = 1_000_000;
    const sent: string[] = [];
    const s = new TypingSender((channelId) => {
      if (live) sent.push(channelId);
      return live;
    }, () => now);
    return { s, sent, advance: (ms: number) => (now += ms), setLive: (v: boolean) => (live = v) };
  }

  it("sends once per 5 s per channel while the person types, never for blank input", () => {
    const { s, sent, advance } = sender();
    s.input("ch_1", "   ");
    s.input("ch_1", "\n");
    expect(sent).toEqual([]);
    s.input("ch_1", "h");
    s.input("ch_1", "he");
    s.input("ch_2", "x");
    advance(TYPING_SEND_INTERVAL_MS - 1);
    s.input("ch_1", "hel");
    expect(sent).toEqual(["ch_1", "ch_2"]);
    advance(1);
    s.input("ch_1", "hell");
    expect(sent).toEqual(["ch_1", "ch_2", "ch_1"]);
  });

  it("starts over after a message is sent", () => {
    const { s, sent } = sender();
    s.input("ch_1", "hello");
    s.sent("ch_1");
    s.input("ch_1", "n");
    expect(sent).toEqual(["ch_1", "ch_1"]);
  });

  it("tries again on the next keystroke when there was no gateway session to send on", () => {
    const { s, sent, setLive } = sender(false);
    s.input("ch_1", "a");
    setLive(true);
    s.input("ch_1", "ab");
    expect(sent).toEqual(["ch_1"]);
  });
});
