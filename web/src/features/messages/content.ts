// Message content is plain text: it is split into tokens and rendered as React text nodes, links and
// mention chips. Nothing is ever parsed as HTML.

export type Token =
  | { kind: "text"; text: string }
  | { kind: "link"; href: string; text: string }
  | { kind: "mention"; userId: string; raw: string };

const PATTERN = /<@(usr_[0-9A-Za-z]+)>|\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING = /[.,;:!?'")\]}>]+$/;

export function tokenize(content: string): Token[] {
  const out: Token[] = [];
  let last = 0;
  const push = (text: string) => {
    if (!text) return;
    const prev = out[out.length - 1];
    if (prev?.kind === "text") prev.text += text;
    else out.push({ kind: "text", text });
  };
  for (const match of content.matchAll(PATTERN)) {
    const start = match.index;
    push(content.slice(last, start));
    if (match[1]) {
      out.push({ kind: "mention", userId: match[1], raw: match[0] });
      last = start + match[0].length;
      continue;
    }
    let url = match[0];
    // Leave sentence punctuation outside the link, but keep a ")" that closes a "(" inside it.
    const trail = TRAILING.exec(url)?.[0] ?? "";
    if (trail) {
      url = url.slice(0, url.length - trail.length);
      const opens = (url.match(/\(/g) ?? []).length;
      const closes = (url.match(/\)/g) ?? []).length;
      if (trail.startsWith(")") && opens > closes) url += ")";
    }
    const safe = safeHref(url);
    if (safe) out.push({ kind: "link", href: safe, text: url });
    else push(url);
    last = start + url.length;
  }
  push(content.slice(last));
  return out;
}

/** Only absolute http(s) URLs become links; anything else stays text. */
export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** Turns "@username" for known users into the wire form "<@usr_…>" before sending. */
export function encodeMentions(text: string, usersByName: Map<string, string>): string {
  return text.replace(/(^|[\s(])@([A-Za-z0-9_.-]{2,32})\b/g, (all, pre: string, name: string) => {
    const id = usersByName.get(name.toLowerCase());
    return id ? `${pre}<@${id}>` : all;
  });
}

export const GROUP_WINDOW_MS = 7 * 60 * 1000;

export interface Groupable {
  author: { id: string };
  created_at: string;
  reply_to?: string | null;
  type?: number;
}

/** A message joins the previous one's group: same author, within 7 minutes, not a reply, neither a system line. */
export function continuesGroup(prev: Groupable | undefined, cur: Groupable): boolean {
  if (!prev || prev.author.id !== cur.author.id || cur.reply_to || (prev.type ?? 0) !== 0 || (cur.type ?? 0) !== 0) return false;
  const dt = Date.parse(cur.created_at) - Date.parse(prev.created_at);
  return dt >= 0 && dt < GROUP_WINDOW_MS;
}
