// Helpers for composing and grouping messages. Parsing and rendering content is src/format/parse.ts and
// RichText.tsx.

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
