// Search results, the pure part: a hit's content cut into plain and matched pieces, hits grouped by channel, and
// how a channel is named in the results.
import { ApiError, describeError } from "../../api/errors";
import { ChannelType, type SearchChannel, type SearchHit, type TextRange } from "../../api/types";
import i18n from "../../i18n";
import { formatNumber } from "../../i18n/format";

export interface Segment {
  text: string;
  match: boolean;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** A UTF-16 index moved off the middle of a surrogate pair: back to the pair's start, or on past its end. */
function snap(text: string, i: number, forward: boolean): number {
  if (i <= 0 || i >= text.length) return i;
  if (isHigh(text.charCodeAt(i - 1)) && isLow(text.charCodeAt(i))) return forward ? i + 1 : i - 1;
  return i;
}

/**
 * The content as pieces to render as text nodes, the matched ones marked. Ranges are UTF-16 indices from the server;
 * whatever they say, the pieces put back together are exactly the content: ranges are clamped to it, empty or
 * invalid ones dropped, overlapping ones merged, and a range never cuts a character (an emoji) in half.
 */
export function splitHighlights(content: string, ranges: readonly TextRange[]): Segment[] {
  const spans: [number, number][] = [];
  for (const r of ranges) {
    if (!Number.isFinite(r.start) || !Number.isFinite(r.length) || r.length <= 0) continue;
    const start = snap(content, Math.min(Math.max(Math.trunc(r.start), 0), content.length), false);
    const end = snap(content, Math.min(Math.max(Math.trunc(r.start + r.length), start), content.length), true);
    if (end > start) spans.push([start, end]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  const out: Segment[] = [];
  let at = 0;
  for (const [start, end] of merged) {
    if (start > at) out.push({ text: content.slice(at, start), match: false });
    out.push({ text: content.slice(start, end), match: true });
    at = end;
  }
  if (at < content.length || out.length === 0) out.push({ text: content.slice(at), match: false });
  return out;
}

export interface HitGroup {
  channel: SearchChannel;
  hits: SearchHit[];
}

/**
 * Hits under their channel, channels in the order their first hit came (so the server's order — relevance or newest —
 * still leads), hits in their order within a channel. A message listed twice (pages shift when messages arrive
 * between them) is shown once.
 */
export function groupHits(hits: readonly SearchHit[]): HitGroup[] {
  const groups = new Map<string, HitGroup>();
  const seen = new Set<string>();
  for (const hit of hits) {
    if (seen.has(hit.message.id)) continue;
    seen.add(hit.message.id);
    const group = groups.get(hit.channel.id);
    if (group) group.hits.push(hit);
    else groups.set(hit.channel.id, { channel: hit.channel, hits: [hit] });
  }
  return [...groups.values()];
}

export interface PlaceLabel {
  /** "general", a thread's name, or a conversation's title. */
  name: string;
  /** A thread's channel name ("general" for a thread of #general), when known. */
  parent: string | null;
  kind: "channel" | "thread" | "direct";
}

/** How a hit's channel is headed; `nameOf` gives names the client knows (channels, conversation titles) by id. */
export function placeLabel(channel: SearchChannel, nameOf: (id: string) => string | undefined): PlaceLabel {
  if (channel.type === ChannelType.DirectMessage || channel.type === ChannelType.GroupDirectMessage) {
    return { name: nameOf(channel.id) ?? channel.name ?? i18n.t("search:directMessage"), parent: null, kind: "direct" };
  }
  if (channel.type === ChannelType.Thread) {
    return { name: channel.name ?? nameOf(channel.id) ?? i18n.t("search:thread"), parent: channel.parent_id ? (nameOf(channel.parent_id) ?? null) : null, kind: "thread" };
  }
  return { name: channel.name ?? nameOf(channel.id) ?? i18n.t("messages:unknownChannel"), parent: null, kind: "channel" };
}

export interface MentionNames {
  user: (id: string) => string | undefined;
  role: (id: string) => string | undefined;
  channel: (id: string) => string | undefined;
}

const MENTION = /<(@&|@|#)([A-Za-z0-9_]{1,64})>/g;

/** Mentions as people read them (`<@usr_1>` → `@alice`), for a result's plain text (matched pieces are rewritten separately). */
export function readableMentions(text: string, names: MentionNames): string {
  return text.replace(MENTION, (_all, sigil: string, id: string) => {
    if (sigil === "#") return `#${names.channel(id) ?? i18n.t("messages:unknownChannel")}`;
    if (sigil === "@&") return `@${names.role(id) ?? i18n.t("messages:unknownRole")}`;
    return `@${names.user(id) ?? i18n.t("messages:unknownUser")}`;
  });
}

/** "1 result", "12 results", "More than 1000 results". */
export function countText(total: number, capped: boolean, cap: number): string {
  if (capped) return i18n.t("search:moreThan", { cap: formatNumber(cap) });
  return i18n.t("search:results", { count: total, formatted: formatNumber(total) });
}

/** What went wrong, in words that say what to do; the server's own explanation follows when it gave one. */
export function searchErrorText(e: unknown): string {
  if (!(e instanceof ApiError)) return describeError(e);
  if (e.status === 429 || e.code === "rate_limited") {
    const wait = e.retryAfterSeconds;
    return wait ? i18n.t("search:tooManyIn", { count: wait }) : i18n.t("search:tooMany");
  }
  if (e.code === "query_too_expensive") {
    const advice = i18n.t("search:tooBroad");
    return e.detail ? `${advice} (${e.detail})` : advice;
  }
  if (e.status === 400) {
    const fields = Object.values(e.fieldErrors).flat();
    return i18n.t("search:refused", { why: fields.length ? fields.join(" ") : (e.detail ?? e.title) });
  }
  return describeError(e);
}
