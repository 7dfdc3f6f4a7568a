// What a person types in the search box, turned into the search endpoints' parameters (pure; see query.test.ts).
//
//   hello "exact phrase" -spam from:alice in:general has:image before:2026-12-01 pinned:true
//
// Filters are `name:value` words with a known name; a value with spaces is quoted (`in:"trip plans"`). `from:` and
// `mentions:` name a person (username or display name) among the people the client knows in this place, `in:` a
// channel or thread of the community (a conversation among DMs). Everything else — words, "phrases", -exclusions,
// prefix* — is the free text `q`, kept as typed for the server to read. An unknown name is an error shown to the
// person instead of a request.
import { SearchHasKinds, SearchLimits, type SearchHas, type SearchParams } from "../../api/types";

export const FILTERS = ["from", "in", "has", "mentions", "before", "after", "pinned"] as const;
export type FilterName = (typeof FILTERS)[number];

/** Someone a `from:` or `mentions:` filter can name. */
export interface SearchPerson {
  id: string;
  username: string;
  display_name?: string | null;
}

/** Somewhere an `in:` filter can name: a text channel or thread of the community, or a direct conversation. */
export interface SearchPlace {
  id: string;
  name: string;
  kind: "channel" | "thread" | "direct";
  /** A thread's channel name, to tell threads apart in suggestions. */
  parentName?: string;
}

export interface QuerySources {
  people: readonly SearchPerson[];
  places: readonly SearchPlace[];
  /** Searching the DMs (wording of errors only). */
  direct: boolean;
}

/** The parameters to send, or why not to send any (one plain sentence per problem, in the order typed). */
export type ParsedQuery = { ok: true; params: SearchParams } | { ok: false; errors: string[] };

export interface Token {
  text: string;
  start: number;
  end: number;
}

/** Whitespace-separated words; a double quote runs to the next one, spaces included (an unclosed quote to the end). */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const start = i;
    let quoted = false;
    while (i < text.length && (quoted || !/\s/.test(text[i]!))) {
      if (text[i] === '"') quoted = !quoted;
      i++;
    }
    out.push({ text: text.slice(start, i), start, end: i });
  }
  return out;
}

/** `from:alice` → ["from", "alice"]; `from:"Alice Smith"` → ["from", "Alice Smith"]; anything else → null. */
export function filterOf(token: string): { name: FilterName; value: string } | null {
  const colon = token.indexOf(":");
  if (colon <= 0) return null;
  const name = token.slice(0, colon).toLowerCase();
  if (!(FILTERS as readonly string[]).includes(name)) return null;
  return { name: name as FilterName, value: unquote(token.slice(colon + 1)) };
}

export function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  return value.endsWith('"') && value.length > 1 ? value.slice(1, -1) : value.slice(1);
}

/** A value as it must be typed: quoted when it holds a space (or a quote, dropped: names cannot be matched with one anyway). */
export function quoteIfNeeded(value: string): string {
  return /[\s"]/.test(value) ? `"${value.replace(/"/g, "")}"` : value;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SNOWFLAKE = /^\d{1,20}$/;

function isRealDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

const lower = (s: string) => s.toLocaleLowerCase();

/** Username first (unique), then display name; several people of that display name is an error asking for the username. */
function findPerson(name: string, people: readonly SearchPerson[]): SearchPerson | SearchPerson[] | null {
  const wanted = lower(name.replace(/^@/, ""));
  const byUsername = people.find((p) => lower(p.username) === wanted);
  if (byUsername) return byUsername;
  const byDisplay = people.filter((p) => !!p.display_name && lower(p.display_name) === wanted);
  const unique = [...new Map(byDisplay.map((p) => [p.id, p])).values()];
  if (unique.length === 1) return unique[0]!;
  return unique.length > 1 ? unique : null;
}

/** Channels (and conversations) before threads: `in:general` is the channel even when a thread is also called general. */
function findPlaces(name: string, places: readonly SearchPlace[]): SearchPlace[] {
  const wanted = lower(name.replace(/^#/, ""));
  const named = places.filter((p) => lower(p.name) === wanted);
  const channels = named.filter((p) => p.kind !== "thread");
  return channels.length ? channels : named;
}

function hasKind(value: string): SearchHas | null {
  const v = lower(value);
  for (const kind of SearchHasKinds) if (v === kind || v === kind + "s") return kind;
  return null;
}

export function parseQuery(text: string, sources: QuerySources): ParsedQuery {
  const errors: string[] = [];
  const words: string[] = [];
  const authors: string[] = [];
  const channels: string[] = [];
  const has: SearchHas[] = [];
  let mentions: string | undefined;
  let pinned: boolean | undefined;
  let before: string | undefined;
  let after: string | undefined;
  const memberWord = sources.direct ? "in your conversations" : "in this community";

  for (const token of tokenize(text)) {
    const filter = filterOf(token.text);
    if (!filter) {
      words.push(token.text);
      continue;
    }
    const { name, value } = filter;
    if (value.trim() === "") {
      errors.push(`${name}: needs a value, like ${example(name)}.`);
      continue;
    }
    switch (name) {
      case "from":
      case "mentions": {
        const found = findPerson(value, sources.people);
        if (found === null) {
          errors.push(`Nobody called “${value}” ${memberWord} (${name}:).`);
        } else if (Array.isArray(found)) {
          const usernames = found.map((p) => p.username).join(", ");
          errors.push(`Several people are called “${value}”: use a username instead (${usernames}).`);
        } else if (name === "from") {
          if (!authors.includes(found.id)) authors.push(found.id);
        } else if (mentions !== undefined && mentions !== found.id) {
          errors.push("Use mentions: once: a search looks for one mentioned person at a time.");
        } else {
          mentions = found.id;
        }
        break;
      }
      case "in": {
        const found = findPlaces(value, sources.places);
        if (found.length === 0) {
          errors.push(sources.direct ? `No conversation called “${value}” (in:).` : `No channel called “#${value.replace(/^#/, "")}” in this community (in:).`);
        }
        for (const p of found) if (!channels.includes(p.id)) channels.push(p.id);
        break;
      }
      case "has": {
        const kind = hasKind(value);
        if (!kind) errors.push(`has: takes ${SearchHasKinds.slice(0, -1).join(", ")} or ${SearchHasKinds[SearchHasKinds.length - 1]}, not “${value}”.`);
        else if (!has.includes(kind)) has.push(kind);
        break;
      }
      case "pinned": {
        const v = lower(value);
        if (v !== "true" && v !== "false") errors.push(`pinned: takes true or false, not “${value}”.`);
        else if (pinned !== undefined && pinned !== (v === "true")) errors.push("pinned:true and pinned:false cannot both hold.");
        else pinned = v === "true";
        break;
      }
      case "before":
      case "after": {
        if (!isRealDate(value) && !SNOWFLAKE.test(value)) {
          errors.push(`${name}: takes a date written YYYY-MM-DD (like ${example(name)}) or a message id, not “${value}”.`);
        } else if ((name === "before" ? before : after) !== undefined) {
          errors.push(`Use ${name}: once.`);
        } else if (name === "before") {
          before = value;
        } else {
          after = value;
        }
        break;
      }
    }
  }

  const q = words.join(" ");
  if (q.length > SearchLimits.MaxQueryLength) {
    errors.push(`The text to search for is too long: at most ${SearchLimits.MaxQueryLength} characters (it has ${q.length}).`);
  }
  const params: SearchParams = {};
  if (q) params.q = q;
  if (authors.length) params.author_id = authors;
  if (channels.length) params.channel_id = channels;
  if (mentions !== undefined) params.mentions = mentions;
  if (has.length) params.has = has;
  if (pinned !== undefined) params.pinned = pinned;
  if (before !== undefined) params.before = before;
  if (after !== undefined) params.after = after;
  if (errors.length === 0 && Object.keys(params).length === 0) errors.push("Type something to search for, or a filter like from:name.");
  return errors.length ? { ok: false, errors } : { ok: true, params };
}

export function example(name: FilterName): string {
  switch (name) {
    case "from":
      return "from:alice";
    case "mentions":
      return "mentions:alice";
    case "in":
      return "in:general";
    case "has":
      return "has:image";
    case "pinned":
      return "pinned:true";
    case "before":
      return "before:2026-12-01";
    case "after":
      return "after:2026-11-01";
  }
}
