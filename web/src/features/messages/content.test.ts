import { describe, expect, it } from "vitest";
import { continuesGroup, encodeMentions, tokenize } from "./content";

describe("tokenize", () => {
  it("keeps markup as text and links only http(s) URLs", () => {
    const tokens = tokenize('<img src=x onerror=alert(1)> see https://example.com/a?b=1. and javascript:alert(1) or ftp://x');
    expect(tokens).toEqual([
      { kind: "text", text: "<img src=x onerror=alert(1)> see " },
      { kind: "link", href: "https://example.com/a?b=1", text: "https://example.com/a?b=1" },
      { kind: "text", text: ". and javascript:alert(1) or ftp://x" },
    ]);
  });

  it("keeps a closing parenthesis that belongs to the URL", () => {
    const tokens = tokenize("(see https://en.wikipedia.org/wiki/Foo_(bar))");
    expect(tokens[1]).toEqual({ kind: "link", href: "https://en.wikipedia.org/wiki/Foo_(bar)", text: "https://en.wikipedia.org/wiki/Foo_(bar)" });
    expect(tokens[2]).toEqual({ kind: "text", text: ")" });
  });

  it("finds mentions", () => {
    expect(tokenize("hi <@usr_01ABC> and <@nope>")).toEqual([
      { kind: "text", text: "hi " },
      { kind: "mention", userId: "usr_01ABC", raw: "<@usr_01ABC>" },
      { kind: "text", text: " and <@nope>" },
    ]);
  });
});

describe("encodeMentions", () => {
  it("turns @known into the wire form and leaves unknown names and e-mails alone", () => {
    const users = new Map([["alice", "usr_A"]]);
    expect(encodeMentions("@Alice hi @bob mail a@alice.com", users)).toBe("<@usr_A> hi @bob mail a@alice.com");
  });
});

describe("continuesGroup", () => {
  const m = (author: string, at: string, reply?: string) => ({ author: { id: author }, created_at: at, reply_to: reply ?? null });
  it("groups the same author within 7 minutes only", () => {
    expect(continuesGroup(m("a", "2025-01-01T00:00:00Z"), m("a", "2025-01-01T00:06:59Z"))).toBe(true);
    expect(continuesGroup(m("a", "2025-01-01T00:00:00Z"), m("a", "2025-01-01T00:07:00Z"))).toBe(false);
    expect(continuesGroup(m("a", "2025-01-01T00:00:00Z"), m("b", "2025-01-01T00:01:00Z"))).toBe(false);
    expect(continuesGroup(m("a", "2025-01-01T00:00:00Z"), m("a", "2025-01-01T00:01:00Z", "1"))).toBe(false);
    expect(continuesGroup(undefined, m("a", "2025-01-01T00:00:00Z"))).toBe(false);
  });

  it("never groups with a system line (a pin notice), before or after it", () => {
    const notice = { ...m("a", "2025-01-01T00:00:30Z"), type: 6 };
    expect(continuesGroup(m("a", "2025-01-01T00:00:00Z"), notice)).toBe(false);
    expect(continuesGroup(notice, m("a", "2025-01-01T00:01:00Z"))).toBe(false);
    expect(continuesGroup({ ...m("a", "2025-01-01T00:00:00Z"), type: 0 }, { ...m("a", "2025-01-01T00:01:00Z"), type: 0 })).toBe(true);
  });
});
