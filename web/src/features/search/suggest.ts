// The search box's suggestions, the pure part: for the word at the caret, which filters or values fit, and what
// choosing one does to the text.
import { SearchHasKinds } from "../../api/types";
import { FILTERS, quoteIfNeeded, tokenize, type FilterName, type QuerySources } from "./query";

export interface SearchSuggestion {
  key: string;
  label: string;
  detail?: string;
  /** Replaces the word at the caret. */
  insert: string;
}

export interface Suggestions {
  items: SearchSuggestion[];
  /** The part of the text a choice replaces. */
  start: number;
  end: number;
  /** Pre-select the first item (Enter takes it): a value is being typed and no item is exactly it yet. */
  preselect: boolean;
}

const FILTER_HINTS: Record<FilterName, string> = {
  from: "messages by a person",
  mentions: "messages mentioning a person",
  in: "in a channel or thread",
  has: "link, file, image, video or embed",
  before: "before a date (YYYY-MM-DD)",
  after: "after a date (YYYY-MM-DD)",
  pinned: "pinned messages (true or false)",
};

const lower = (s: string) => s.toLocaleLowerCase();

/** The word the caret is in (or an empty one at the caret between words). */
export function wordAt(text: string, caret: number): { text: string; start: number; end: number } {
  const token = tokenize(text).find((t) => t.start <= caret && caret <= t.end);
  return token ?? { text: "", start: caret, end: caret };
}

/** Today as YYYY-MM-DD in the person's time zone. */
export function localDate(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function suggest(text: string, caret: number, sources: QuerySources, today: string = localDate(), limit = 8): Suggestions {
  const word = wordAt(text, caret);
  const none: Suggestions = { items: [], start: word.start, end: word.end, preselect: false };
  const colon = word.text.indexOf(":");
  if (colon < 0) {
    // A filter name being typed: only at a word's start, and not inside a phrase or an exclusion.
    if (/["\-*]/.test(word.text)) return none;
    const typed = lower(word.text);
    const items = FILTERS.filter((f) => f.startsWith(typed)).map((f) => ({ key: f, label: `${f}:`, detail: FILTER_HINTS[f], insert: `${f}:` }));
    return { ...none, items };
  }
  const name = lower(word.text.slice(0, colon));
  if (!(FILTERS as readonly string[]).includes(name)) return none;
  const filter = name as FilterName;
  const raw = word.text.slice(colon + 1);
  const typed = lower(raw.replace(/^"/, "").replace(/"$/, ""));
  const items = valuesFor(filter, typed, sources, today).slice(0, limit);
  const exact = items.some((s) => lower(s.insert.trim()) === lower(word.text));
  return { items, start: word.start, end: word.end, preselect: typed !== "" && !exact && items.length > 0 };
}

function valuesFor(filter: FilterName, typed: string, sources: QuerySources, today: string): SearchSuggestion[] {
  switch (filter) {
    case "from":
    case "mentions": {
      const q = typed.replace(/^@/, "");
      return sources.people
        .filter((p) => lower(p.username).startsWith(q) || (!!p.display_name && lower(p.display_name).startsWith(q)))
        .map((p) => ({ person: p, label: p.display_name || p.username }))
        .sort((a, b) => a.label.localeCompare(b.label))
        .map(({ person, label }) => ({
          key: person.id,
          label,
          ...(label !== person.username ? { detail: person.username } : {}),
          insert: `${filter}:${person.username} `,
        }));
    }
    case "in": {
      const q = typed.replace(/^#/, "");
      const kindOrder = { channel: 0, direct: 0, thread: 1 } as const;
      return sources.places
        .filter((p) => lower(p.name).startsWith(q))
        .sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind] || a.name.localeCompare(b.name))
        .map((p) => ({
          key: p.id,
          label: p.kind === "channel" ? `#${p.name}` : p.name,
          ...(p.kind === "thread" ? { detail: p.parentName ? `thread in #${p.parentName}` : "thread" } : p.kind === "direct" ? { detail: "conversation" } : {}),
          insert: `in:${quoteIfNeeded(p.name)} `,
        }));
    }
    case "has":
      return SearchHasKinds.filter((k) => k.startsWith(typed)).map((k) => ({ key: k, label: k, insert: `has:${k} ` }));
    case "pinned":
      return ["true", "false"].filter((v) => v.startsWith(typed)).map((v) => ({ key: v, label: v, insert: `pinned:${v} ` }));
    case "before":
    case "after":
      // A date is typed (YYYY-MM-DD); today is offered as a start.
      return today.startsWith(typed) ? [{ key: "today", label: today, detail: "today", insert: `${filter}:${today} ` }] : [];
  }
}

/** The text once a suggestion is chosen, and where the caret goes (after it; one space between words). */
export function applySuggestion(text: string, s: Suggestions, choice: SearchSuggestion): { text: string; caret: number } {
  const after = text.slice(s.end);
  const insert = choice.insert.endsWith(" ") && after.startsWith(" ") ? choice.insert.slice(0, -1) : choice.insert;
  const caret = s.start + insert.length + (insert === choice.insert ? 0 : 1);
  return { text: text.slice(0, s.start) + insert + after, caret };
}
