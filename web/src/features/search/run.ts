// Runs searches for the box and the panel: one request at a time (a newer one aborts the older), answers into the
// search store.
import { rest } from "../../app/runtime";
import type { SearchParams, SearchResults, SearchSort } from "../../api/types";
import { useMembers } from "../../stores/members";
import { usePins } from "../../stores/pins";
import { useSearch, type SearchScope } from "../../stores/search";
import { searchErrorText } from "./results";

let inFlight: AbortController | null = null;

function fetchPage(scope: SearchScope, params: SearchParams, signal: AbortSignal): Promise<SearchResults> {
  return scope.kind === "direct" ? rest.searchDirect(params, signal) : rest.searchCommunity(scope.communityId, params, signal);
}

async function run(seq: number, scope: SearchScope, params: SearchParams, append: boolean): Promise<void> {
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;
  try {
    const page = await fetchPage(scope, params, controller.signal);
    // Authors and context authors become known names (mentions, profile cards).
    useMembers.getState().rememberUsers(page.hits.flatMap((h) => [h.message, ...h.context_before, ...h.context_after].map((m) => m.author)));
    useSearch.getState().received(seq, page, append);
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") return;
    useSearch.getState().failed(seq, searchErrorText(e), append);
  } finally {
    if (inFlight === controller) inFlight = null;
  }
}

/** Opens the results panel with the first page of a search (the pins panel gives way: they share the place). */
export function runSearch(scope: SearchScope, text: string, params: SearchParams, sort: SearchSort): void {
  usePins.getState().setOpen(null);
  const seq = useSearch.getState().start(scope, text, params, sort);
  void run(seq, scope, { ...params, sort }, false);
}

/** The current search again, sorted another way. */
export function resort(sort: SearchSort): void {
  const v = useSearch.getState().view;
  if (!v || v.sort === sort) return;
  runSearch(v.scope, v.text, v.params, sort);
}

export function loadMore(): void {
  const started = useSearch.getState().startMore();
  if (!started) return;
  const { seq, view } = started;
  void run(seq, view.scope, { ...view.params, sort: view.sort, cursor: view.nextCursor ?? undefined }, true);
}

export function closeSearch(): void {
  inFlight?.abort();
  inFlight = null;
  useSearch.getState().close();
}
