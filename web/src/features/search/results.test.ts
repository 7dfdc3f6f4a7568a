import { describe, expect, it } from "vitest";
import { ChannelType, type Message, type SearchChannel, type SearchHit } from "../../api/types";
import { ApiError } from "../../api/errors";
import { countText, groupHits, placeLabel, readableMentions, searchErrorText, splitHighlights } from "./results";

const marked = (content: string, ranges: { start: number; length: number }[]) =>
  splitHighlights(content, ranges).map((s) => (s.match ? `[${s.text}]` : s.text)).join("");

describe("splitHighlights", () => {
  it("marks the ranges and keeps every character exactly once", () => {
    const content = "the cat sat on the cat mat";
    const segments = splitHighlights(content, [{ start: 4, length: 3 }, { start: 19, length: 3 }]);
    expect(segments).toEqual([
      { text: "the ", match: false },
      { text: "cat", match: true },
      { text: " sat on the ", match: false },
      { text: "cat", match: true },
      { text: " mat", match: false },
    ]);
    expect(segments.map((s) => s.text).join("")).toBe(content);
  });

  it("counts UTF-16 code units, as the server does, past emoji", () => {
    // "🎉" is two code units: "party" starts at 3.
    expect(marked("🎉 party time", [{ start: 3, length: 5 }])).toBe("🎉 [party] time");
    expect(marked("café 😀😀 ok", [{ start: 5, length: 4 }])).toBe("café [😀😀] ok");
  });

  it("never cuts an emoji in half: a range starting or ending inside a surrogate pair takes the whole character", () => {
    expect(marked("a😀b", [{ start: 2, length: 1 }])).toBe("a[😀]b");
    expect(marked("a😀b", [{ start: 1, length: 1 }])).toBe("a[😀]b");
    for (const seg of splitHighlights("x👍🏽y", [{ start: 2, length: 2 }])) {
      expect(seg.text).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    }
  });

  it("clamps ranges outside the content and drops empty, negative or invalid ones", () => {
    expect(marked("hello", [{ start: 3, length: 50 }])).toBe("hel[lo]");
    expect(marked("hello", [{ start: -2, length: 3 }])).toBe("[h]ello");
    expect(marked("hello", [{ start: 10, length: 2 }])).toBe("hello");
    expect(marked("hello", [{ start: 1, length: 0 }, { start: 1, length: -4 }, { start: Number.NaN, length: 2 }])).toBe("hello");
    expect(splitHighlights("", [{ start: 0, length: 3 }])).toEqual([{ text: "", match: false }]);
  });

  it("sorts and merges ranges the server should not send out of order or overlapping", () => {
    expect(marked("abcdefghij", [{ start: 6, length: 2 }, { start: 0, length: 2 }, { start: 1, length: 3 }])).toBe("[abcd]ef[gh]ij");
  });
});

function message(id: string, channelId: string): Message {
  return { id, channel_id: channelId, author: { id: "usr_a", username: "a" }, content: id, created_at: "2026-11-01T00:00:00Z", mentions: [], reactions: [] };
}
const general: SearchChannel = { id: "ch_g", name: "general", type: ChannelType.Text };
const thread: SearchChannel = { id: "ch_t", name: "plans", type: ChannelType.Thread, parent_id: "ch_g" };
const hit = (id: string, channel: SearchChannel): SearchHit => ({ message: message(id, channel.id), channel, context_before: [], context_after: [], highlights: [] });

describe("groupHits", () => {
  it("groups by channel in the order of each channel's first hit, keeping the hits' order", () => {
    const groups = groupHits([hit("5", general), hit("9", thread), hit("3", general), hit("7", thread)]);
    expect(groups.map((g) => [g.channel.id, g.hits.map((h) => h.message.id)])).toEqual([
      ["ch_g", ["5", "3"]],
      ["ch_t", ["9", "7"]],
    ]);
  });

  it("shows a message listed on two pages once", () => {
    expect(groupHits([hit("5", general), hit("5", general)])[0]!.hits).toHaveLength(1);
    expect(groupHits([])).toEqual([]);
  });
});

describe("placeLabel", () => {
  const names: Record<string, string> = { ch_g: "general", ch_dm: "bob" };
  const nameOf = (id: string) => names[id];
  it("names channels, threads with their parent, and conversations by their title", () => {
    expect(placeLabel(general, nameOf)).toEqual({ name: "general", parent: null, kind: "channel" });
    expect(placeLabel(thread, nameOf)).toEqual({ name: "plans", parent: "general", kind: "thread" });
    expect(placeLabel({ id: "ch_t2", name: "x", type: ChannelType.Thread, parent_id: "ch_gone" }, nameOf)).toEqual({ name: "x", parent: null, kind: "thread" });
    expect(placeLabel({ id: "ch_dm", type: ChannelType.DirectMessage }, nameOf)).toEqual({ name: "bob", parent: null, kind: "direct" });
    expect(placeLabel({ id: "ch_dm2", type: ChannelType.GroupDirectMessage }, nameOf).name).toBe("Direct message");
  });
});

describe("readableMentions and countText", () => {
  it("shows mentions by name", () => {
    const names = { user: (id: string) => (id === "usr_1" ? "alice" : undefined), role: () => "mods", channel: () => undefined };
    expect(readableMentions("hi <@usr_1> and <@usr_2>, <@&rol_1> see <#ch_1>", names)).toBe("hi @alice and @unknown user, @mods see #unknown channel");
  });
  it("counts, or says the count stopped", () => {
    expect(countText(1, false, 1000)).toBe("1 result");
    expect(countText(0, false, 1000)).toBe("0 results");
    expect(countText(1000, true, 1000)).toBe("More than 1,000 results");
  });
});

describe("searchErrorText", () => {
  it("explains a query too expensive, a validation error and the rate limit", () => {
    const expensive = new ApiError(400, { code: "query_too_expensive", title: "Query too expensive", detail: "A query needs a word that is not excluded." });
    expect(searchErrorText(expensive)).toBe(
      "This search is too broad to run: look for at least one word (not only -exclusions or a bare *), with at most 10 words and 5 exclusions. (A query needs a word that is not excluded.)",
    );
    const invalid = new ApiError(400, { code: "validation_failed", title: "Validation failed", detail: "One or more fields are invalid.", errors: { Before: ["Not a date or message id."] } });
    expect(searchErrorText(invalid)).toBe("The search was refused: Not a date or message id.");
    expect(searchErrorText(new ApiError(429, { code: "rate_limited", title: "Too many requests" }, 12))).toBe("Too many searches in a short time. Try again in 12 seconds.");
    expect(searchErrorText(new ApiError(429, { title: "Too many requests" }))).toBe("Too many searches in a short time. Try again in a minute.");
  });
});
