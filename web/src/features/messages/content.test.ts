import { describe, expect, it } from "vitest";
import { continuesGroup, encodeMentions } from "./content";

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
