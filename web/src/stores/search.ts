import { create } from "zustand";
import type { SearchHit, SearchParams, SearchResults, SearchSort } from "../api/types";

/** Where a search looks: one community's channels and threads, or the DMs and group DMs (`@me`). */
export type SearchScope = { kind: "community"; communityId: string } | { kind: "direct" };

export const sameScope = (a: SearchScope, b: SearchScope): boolean =>
  a.kind === "direct" ? b.kind === "direct" : b.kind === "community" && a.communityId === b.communityId;

/** The search shown in the results panel. */
export interface SearchView {
  scope: SearchScope;
  /** As typed in the box (shown again when another channel of the same place opens). */
  text: string;
  /** What the text asks for (without sort and cursor). */
  params: SearchParams;
  sort: SearchSort;
  /** Which request the answer must belong to: a newer search or sort makes older answers void. */
  seq: number;
  status: "loading" | "ready" | "error";
  hits: SearchHit[];
  total: number;
  capped: boolean;
  nextCursor: string | null;
  loadingMore: boolean;
  /** Why the search failed (status "error"), or why "Load more" failed. */
  error: string | null;
}

interface SearchState {
  view: SearchView | null;
  /** A new search (or the same one sorted differently) from its first page; returns its seq. */
  start: (scope: SearchScope, text: string, params: SearchParams, sort: SearchSort) => number;
  /** "Load more": the next page of the current search; returns its seq, or null when there is nothing to load. */
  startMore: () => { seq: number; view: SearchView } | null;
  /** A page arrived: the first replaces, a next page appends. Answers to older requests are ignored. */
  received: (seq: number, page: SearchResults, append: boolean) => void;
  failed: (seq: number, error: string, append: boolean) => void;
  close: () => void;
}

let lastSeq = 0;

export const useSearch = create<SearchState>()((set, get) => ({
  view: null,
  start: (scope, text, params, sort) => {
    const seq = ++lastSeq;
    set({
      view: { scope, text, params, sort, seq, status: "loading", hits: [], total: 0, capped: false, nextCursor: null, loadingMore: false, error: null },
    });
    return seq;
  },
  startMore: () => {
    const v = get().view;
    if (!v || v.status !== "ready" || !v.nextCursor || v.loadingMore) return null;
    const view = { ...v, seq: ++lastSeq, loadingMore: true, error: null };
    set({ view });
    return { seq: view.seq, view };
  },
  received: (seq, page, append) =>
    set((s) => {
      const v = s.view;
      if (!v || v.seq !== seq) return s;
      return {
        view: {
          ...v,
          status: "ready",
          loadingMore: false,
          error: null,
          hits: append ? [...v.hits, ...page.hits] : page.hits,
          total: page.total_results,
          capped: page.total_capped,
          nextCursor: page.next_cursor ?? null,
        },
      };
    }),
  failed: (seq, error, append) =>
    set((s) => {
      const v = s.view;
      if (!v || v.seq !== seq) return s;
      return { view: append ? { ...v, loadingMore: false, error } : { ...v, status: "error", loadingMore: false, error, hits: [], nextCursor: null } };
    }),
  close: () => set({ view: null }),
}));
