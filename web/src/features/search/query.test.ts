import { describe, expect, it } from "vitest";
import { parseQuery, tokenize, type QuerySources } from "./query";
import { applySuggestion, suggest } from "./suggest";

const community: QuerySources = {
  direct: false,
  people: [
    { id: "usr_alice", username: "alice", display_name: "Alice Martin" },
    { id: "usr_bob", username: "bob", display_name: null },
    { id: "usr_sam1", username: "sam_k", display_name: "Sam" },
    { id: "usr_sam2", username: "samuel", display_name: "Sam" },
  ],
  places: [
    { id: "ch_general", name: "general", kind: "channel" },
    { id: "ch_books", name: "books", kind: "channel" },
    { id: "ch_t1", name: "trip plans", kind: "thread", parentName: "general" },
    { id: "ch_t2", name: "general", kind: "thread", parentName: "books" },
  ],
};

describe("tokenize", () => {
  it("keeps quoted phrases, quoted filter values and an unclosed quote whole", () => {
    expect(tokenize(' hello  "exact phrase" -"not this" in:"trip plans" "open end').map((t) => t.text)).toEqual([
      "hello",
      '"exact phrase"',
      '-"not this"',
      'in:"trip plans"',
      '"open end',
    ]);
  });
});

describe("parseQuery", () => {
  it("turns the whole example into parameters, free text kept as typed", () => {
    const r = parseQuery('hello "exact phrase" -spam from:alice in:general has:image has:link mentions:bob before:2026-12-01 after:2026-11-01 pinned:true', community);
    expect(r).toEqual({
      ok: true,
      params: {
        q: 'hello "exact phrase" -spam',
        author_id: ["usr_alice"],
        channel_id: ["ch_general"],
        mentions: "usr_bob",
        has: ["image", "link"],
        pinned: true,
        before: "2026-12-01",
        after: "2026-11-01",
      },
    });
  });

  it("resolves display names, @ and # prefixes and any casing; repeats collect and never duplicate", () => {
    const r = parseQuery('From:@ALICE from:"alice martin" from:bob IN:#Books in:books prefix* has:images', community);
    expect(r).toEqual({ ok: true, params: { q: "prefix*", author_id: ["usr_alice", "usr_bob"], channel_id: ["ch_books"], has: ["image"] } });
  });

  it("finds threads by name, and prefers a channel over a thread of the same name", () => {
    expect(parseQuery('in:"trip plans" x', community)).toEqual({ ok: true, params: { q: "x", channel_id: ["ch_t1"] } });
    expect(parseQuery("in:general x", community)).toEqual({ ok: true, params: { q: "x", channel_id: ["ch_general"] } });
  });

  it("refuses unknown names instead of searching, with one sentence each", () => {
    const r = parseQuery("hi from:zoe in:random mentions:nobody", community);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      "Nobody called “zoe” in this community (from:).",
      "No channel called “#random” in this community (in:).",
      "Nobody called “nobody” in this community (mentions:).",
    ]);
  });

  it("asks for a username when a display name is shared", () => {
    const r = parseQuery("from:Sam", community);
    expect(r).toEqual({ ok: false, errors: ["Several people are called “Sam”: use a username instead (sam_k, samuel)."] });
    expect(parseQuery("from:samuel", community)).toEqual({ ok: true, params: { author_id: ["usr_sam2"] } });
  });

  it("checks has:, pinned:, dates and message ids", () => {
    const r = parseQuery("has:gif pinned:maybe before:2026-02-30 after:yesterday from:", community);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      "has: takes link, file, image, video or embed, not “gif”.",
      "pinned: takes true or false, not “maybe”.",
      "before: takes a date written YYYY-MM-DD (like before:2026-12-01) or a message id, not “2026-02-30”.",
      "after: takes a date written YYYY-MM-DD (like after:2026-11-01) or a message id, not “yesterday”.",
      "from: needs a value, like from:alice.",
    ]);
    expect(parseQuery("before:1234567890123456789 pinned:FALSE", community)).toEqual({ ok: true, params: { before: "1234567890123456789", pinned: false } });
  });

  it("refuses two different mentions:, two before:, and contradicting pinned:", () => {
    const r = parseQuery("mentions:alice mentions:bob before:2026-01-01 before:2026-02-01 pinned:true pinned:false", community);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(3);
  });

  it("leaves unknown name:value words, quoted filters and exclusions of filters to the free text", () => {
    expect(parseQuery('see http://x.example "from:alice" -in:general', community)).toEqual({
      ok: true,
      params: { q: 'see http://x.example "from:alice" -in:general' },
    });
  });

  it("needs something to search for, and keeps q within the server's limit", () => {
    expect(parseQuery("   ", community)).toEqual({ ok: false, errors: ["Type something to search for, or a filter like from:name."] });
    const long = parseQuery("a".repeat(257), community);
    expect(long).toEqual({ ok: false, errors: ["The text to search for is too long: at most 256 characters (it has 257)."] });
    expect(parseQuery("a".repeat(256), community).ok).toBe(true);
  });

  it("words errors for DMs as conversations", () => {
    const dms: QuerySources = { direct: true, people: community.people, places: [{ id: "ch_dm", name: "bob", kind: "direct" }] };
    expect(parseQuery("in:bob from:bob", dms)).toEqual({ ok: true, params: { author_id: ["usr_bob"], channel_id: ["ch_dm"] } });
    expect(parseQuery("in:carol", dms)).toEqual({ ok: false, errors: ["No conversation called “carol” (in:)."] });
  });
});

describe("suggest", () => {
  const today = "2026-11-20";
  it("offers every filter in an empty box and after a space, none selected", () => {
    const s = suggest("", 0, community, today);
    expect(s.items.map((i) => i.label)).toEqual(["from:", "in:", "has:", "mentions:", "before:", "after:", "pinned:"]);
    expect(s.preselect).toBe(false);
    expect(suggest("hello ", 6, community, today).items).toHaveLength(7);
  });

  it("offers filters that start like the word, but nothing inside phrases, exclusions or other words", () => {
    expect(suggest("hello p", 7, community, today).items.map((i) => i.insert)).toEqual(["pinned:"]);
    expect(suggest("hello", 5, community, today).items).toEqual([]);
    expect(suggest('"in', 3, community, today).items).toEqual([]);
    expect(suggest("-f", 2, community, today).items).toEqual([]);
  });

  it("offers people after from: and mentions:, by username or display name, and preselects while a name is typed", () => {
    const s = suggest("hi from:a", 9, community, today);
    expect(s.items).toEqual([{ key: "usr_alice", label: "Alice Martin", detail: "alice", insert: "from:alice " }]);
    expect(s.preselect).toBe(true);
    expect(suggest("mentions:", 9, community, today).items.map((i) => i.insert)).toEqual(["mentions:alice ", "mentions:bob ", "mentions:sam_k ", "mentions:samuel "]);
    expect(suggest("mentions:", 9, community, today).preselect).toBe(false);
    expect(suggest("from:sam", 8, community, today).items.map((i) => i.insert)).toEqual(["from:sam_k ", "from:samuel "]);
  });

  it("does not preselect a value that is already complete", () => {
    expect(suggest("from:bob", 8, community, today).preselect).toBe(false);
  });

  it("offers channels then threads after in:, quoting names with spaces", () => {
    const s = suggest("in:", 3, community, today);
    expect(s.items.map((i) => [i.label, i.detail, i.insert])).toEqual([
      ["#books", undefined, "in:books "],
      ["#general", undefined, "in:general "],
      ["general", "thread in #books", "in:general "],
      ["trip plans", "thread in #general", 'in:"trip plans" '],
    ]);
    expect(suggest('in:"trip p', 10, community, today).items.map((i) => i.insert)).toEqual(['in:"trip plans" ']);
  });

  it("offers the five kinds after has:, true/false after pinned:, today after before: and after:", () => {
    expect(suggest("has:", 4, community, today).items.map((i) => i.label)).toEqual(["link", "file", "image", "video", "embed"]);
    expect(suggest("has:i", 5, community, today).items.map((i) => i.insert)).toEqual(["has:image "]);
    expect(suggest("pinned:", 7, community, today).items.map((i) => i.label)).toEqual(["true", "false"]);
    expect(suggest("before:", 7, community, today).items.map((i) => i.insert)).toEqual(["before:2026-11-20 "]);
    expect(suggest("after:2025", 10, community, today).items).toEqual([]);
  });

  it("replaces the word at the caret, even in the middle of the text, without doubling spaces", () => {
    const text = "hello fr world";
    const s = suggest(text, 8, community, today);
    expect(applySuggestion(text, s, s.items[0]!)).toEqual({ text: "hello from: world", caret: 11 });
    const t2 = "x from:al y";
    const s2 = suggest(t2, 9, community, today);
    expect(applySuggestion(t2, s2, s2.items[0]!)).toEqual({ text: "x from:alice y", caret: 13 });
    const t3 = "from:al";
    const s3 = suggest(t3, 7, community, today);
    expect(applySuggestion(t3, s3, s3.items[0]!)).toEqual({ text: "from:alice ", caret: 11 });
  });
});
