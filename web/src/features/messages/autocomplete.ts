// Composer autocomplete, the pure part: which trigger the caret is in, and what each suggestion inserts.
// `@` suggests members and roles, `#` channels, `:` emoji; picking one inserts the wire syntax
// (`<@usr_…>`, `<@&rol_…>`, `<#ch_…>`) or the emoji itself.
import { ChannelType, type Channel, type Member, type Role } from "../../api/types";
import { searchEmoji, withSkin, type EmojiData } from "../../emoji/data";
import { displayName } from "../../stores/members";
import i18n from "../../i18n";

export interface Trigger {
  kind: "@" | "#" | ":";
  query: string;
  /** Where the trigger character is. */
  start: number;
  /** The caret. */
  end: number;
}

export interface Suggestion {
  key: string;
  label: string;
  detail?: string;
  /** Shown before the label (an emoji, "@", "#"). */
  icon: string;
  insert: string;
}

const NAME_CHAR = /[\p{L}\p{N}_.-]/u;
const SHORTCODE_CHAR = /[a-z0-9_+-]/;
const MAX_QUERY = 32;

/** The trigger just before the caret: `@al`, `#gen`, `:smi` (emoji need two characters), at the start or after a space or "(". */
export function findTrigger(text: string, caret: number): Trigger | null {
  let i = caret;
  while (i > 0 && caret - i <= MAX_QUERY) {
    const c = text[i - 1]!;
    if (c === "@" || c === "#" || c === ":") {
      const before = i >= 2 ? text[i - 2]! : "";
      if (before && !/[\s(]/.test(before)) return null;
      const query = text.slice(i, caret);
      if (c === ":" && (query.length < 2 || ![...query].every((ch) => SHORTCODE_CHAR.test(ch)))) return null;
      return { kind: c, query, start: i - 1, end: caret };
    }
    if (!NAME_CHAR.test(c)) return null;
    i--;
  }
  return null;
}

/** The text after accepting a suggestion, and where the caret goes. */
export function applySuggestion(text: string, trigger: Trigger, insert: string): { text: string; caret: number } {
  const next = text.slice(0, trigger.start) + insert + text.slice(trigger.end);
  return { text: next, caret: trigger.start + insert.length };
}

const matches = (q: string, ...names: (string | null | undefined)[]) => names.some((n) => !!n && n.toLowerCase().startsWith(q));

export function suggest(
  trigger: Trigger,
  sources: { members: Member[]; roles: Role[]; channels: Channel[]; emoji: EmojiData | null; tone: number },
  limit = 8,
): Suggestion[] {
  const q = trigger.query.toLowerCase();
  if (trigger.kind === "@") {
    const people: Suggestion[] = sources.members
      .filter((m) => matches(q, m.user.username, m.user.display_name))
      .sort((a, b) => displayName(a.user).localeCompare(displayName(b.user)))
      .map((m) => {
        const label = displayName(m.user);
        // The username beside a display name tells two people of the same display name apart.
        return { key: m.user.id, icon: "@", label, ...(label !== m.user.username ? { detail: m.user.username } : {}), insert: `<@${m.user.id}> ` };
      });
    const roles: Suggestion[] = sources.roles
      .filter((r) => !r.is_everyone && matches(q, r.name))
      .map((r) => ({ key: r.id, icon: "@", label: r.name, detail: "role", insert: `<@&${r.id}> ` }));
    const everyone: Suggestion[] = ["everyone", "here"]
      .filter((n) => matches(q, n))
      .map((n) => ({ key: n, icon: "@", label: n, detail: n === "everyone" ? i18n.t("messages:everyoneHere") : i18n.t("messages:everyoneOnline"), insert: `@${n} ` }));
    return [...people, ...roles, ...everyone].slice(0, limit);
  }
  if (trigger.kind === "#") {
    return sources.channels
      .filter((c) => c.type !== ChannelType.Category && matches(q, c.name))
      .sort((a, b) => a.position - b.position)
      .slice(0, limit)
      .map((c) => ({ key: c.id, icon: "#", label: c.name, insert: `<#${c.id}> ` }));
  }
  if (!sources.emoji) return [];
  return searchEmoji(sources.emoji, q, limit).map((e) => ({
    key: e.emoji,
    icon: withSkin(e, sources.tone),
    label: `:${e.shortcodes[0] ?? e.label.replace(/\s+/g, "_")}:`,
    detail: e.label,
    insert: withSkin(e, sources.tone),
  }));
}
