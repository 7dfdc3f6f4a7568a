import { beforeEach, describe, expect, it } from "vitest";
import type { Message, SearchHit, SearchResults } from "../api/types";
import { sameScope, useSearch } from "./search";

const hit = (id: string): SearchHit => ({
  message: { id, channel_id: "ch_1", author: { id: "usr_1", username: "a" }, content: id, created_at: "2026-11-01T00:00:00Z", mentions: [], reactions: [] } as Message,
  channel: { id: "ch_1", name: "general", type: 0 },
  context_before: [],
  context_after: [],
  highlights: [],
});
const page = (ids: string[], next: string | null, total = 40): SearchResults => ({ total_results: total, total_capped: false, hits: ids.map(hit), next_cursor: next });
const scope = { kind: "community", communityId: "com_1" } as const;

describe("search store", () => {
  beforeEach(() => useSearch.getState().close());

  it("shows the first page, appends the next, and stops when there is no cursor", () => {
    const s = useSearch.getState();
    const seq = s.start(scope, "cat", { q: "cat" }, "relevance");
    expect(useSearch.getState().view).toMatchObject({ status: "loading", hits: [] });
    s.received(seq, page(["3", "2"], "c1"), false);
    const more = useSearch.getState().startMore();
    expect(more).not.toBeNull();
    expect(useSearch.getState().startMore()).toBeNull(); // one page at a time
    s.received(more!.seq, page(["1"], null), true);
    expect(useSearch.getState().view).toMatchObject({ status: "ready", total: 40, nextCursor: null, loadingMore: false });
    expect(useSearch.getState().view!.hits.map((h) => h.message.id)).toEqual(["3", "2", "1"]);
    expect(useSearch.getState().startMore()).toBeNull();
  });

  it("ignores the answer of a search that a newer one replaced", () => {
    const s = useSearch.getState();
    const old = s.start(scope, "cat", { q: "cat" }, "relevance");
    const now = s.start(scope, "cat", { q: "cat" }, "newest");
    s.received(old, page(["9"], null), false);
    expect(useSearch.getState().view).toMatchObject({ status: "loading", sort: "newest" });
    s.received(now, page(["8"], null), false);
    expect(useSearch.getState().view!.hits.map((h) => h.message.id)).toEqual(["8"]);
    s.failed(old, "late", false);
    expect(useSearch.getState().view!.status).toBe("ready");
  });

  it("keeps the hits when only Load more failed", () => {
    const s = useSearch.getState();
    const seq = s.start(scope, "cat", { q: "cat" }, "relevance");
    s.received(seq, page(["3"], "c1"), false);
    const more = useSearch.getState().startMore()!;
    s.failed(more.seq, "Too many searches", true);
    expect(useSearch.getState().view).toMatchObject({ status: "ready", error: "Too many searches", nextCursor: "c1", loadingMore: false });
    expect(useSearch.getState().view!.hits).toHaveLength(1);
  });

  it("compares scopes", () => {
    expect(sameScope(scope, { kind: "community", communityId: "com_1" })).toBe(true);
    expect(sameScope(scope, { kind: "community", communityId: "com_2" })).toBe(false);
    expect(sameScope({ kind: "direct" }, { kind: "direct" })).toBe(true);
    expect(sameScope({ kind: "direct" }, scope)).toBe(false);
  });
});
