// Emoji data (names, shortcodes, categories, skin tones) comes from emojibase-data. It is large, so it is
// loaded on first need as its own chunk: the picker, the `:` autocomplete and rendering a `:shortcode:`
// ask for it, and show text until it is there.
import { create } from "zustand";

export interface EmojiEntry {
  emoji: string;
  label: string;
  group: number;
  order: number;
  shortcodes: string[];
  tags: string[];
  /** The same emoji in the five skin tones, light to dark, when it has them. */
  skins?: string[];
}

export interface EmojiGroup {
  id: number;
  label: string;
  first: string;
}

export interface EmojiData {
  list: EmojiEntry[];
  byShortcode: Map<string, EmojiEntry>;
  byEmoji: Map<string, EmojiEntry>;
  groups: EmojiGroup[];
}

interface CompactEmoji {
  hexcode: string;
  label: string;
  unicode: string;
  group?: number;
  order?: number;
  tags?: string[];
  skins?: { unicode: string }[];
}

/** Builds the lookup tables; pure, so tests can feed it the package's data directly. */
export function buildEmojiData(compact: CompactEmoji[], shortcodes: Record<string, string | string[]>, groupNames: { order: number; message: string }[]): EmojiData {
  const list: EmojiEntry[] = [];
  const byShortcode = new Map<string, EmojiEntry>();
  const byEmoji = new Map<string, EmojiEntry>();
  for (const e of compact) {
    // Group 2 holds the bare skin-tone and hair components, not emoji anyone picks.
    if (e.group === undefined || e.group === 2 || e.order === undefined) continue;
    const codes = shortcodes[e.hexcode];
    const entry: EmojiEntry = {
      emoji: e.unicode,
      label: e.label,
      group: e.group,
      order: e.order,
      shortcodes: codes === undefined ? [] : Array.isArray(codes) ? codes : [codes],
      tags: e.tags ?? [],
      ...(e.skins && e.skins.length === 5 ? { skins: e.skins.map((s) => s.unicode) } : {}),
    };
    list.push(entry);
    byEmoji.set(entry.emoji, entry);
    for (const s of entry.shortcodes) if (!byShortcode.has(s)) byShortcode.set(s, entry);
  }
  list.sort((a, b) => a.order - b.order);
  const groups: EmojiGroup[] = [];
  for (const g of groupNames) {
    const first = list.find((e) => e.group === g.order);
    if (first) groups.push({ id: g.order, label: g.message, first: first.emoji });
  }
  return { list, byShortcode, byEmoji, groups };
}

let loading: Promise<EmojiData> | null = null;

export function loadEmojiData(): Promise<EmojiData> {
  loading ??= Promise.all([
    import("emojibase-data/en/compact.json"),
    import("emojibase-data/en/shortcodes/github.json"),
    import("emojibase-data/en/messages.json"),
  ]).then(([compact, codes, messages]) => buildEmojiData(compact.default as CompactEmoji[], codes.default as Record<string, string | string[]>, messages.default.groups));
  return loading;
}

interface EmojiStore {
  data: EmojiData | null;
  failed: boolean;
  load: () => void;
}

export const useEmojiData = create<EmojiStore>()((set, get) => ({
  data: null,
  failed: false,
  load: () => {
    if (get().data) return;
    loadEmojiData().then(
      (data) => set({ data }),
      () => set({ failed: true }),
    );
  },
}));

/** Picks the skin tone (0 = none, 1–5 light to dark) when the emoji has tones. */
export function withSkin(e: EmojiEntry, tone: number): string {
  return tone > 0 && e.skins ? e.skins[tone - 1]! : e.emoji;
}

/** Shortcode and name search: exact shortcode first, then prefix matches, then words containing the query. */
export function searchEmoji(data: EmojiData, query: string, limit = 50): EmojiEntry[] {
  const q = query.toLowerCase().trim();
  if (!q) return [];
  const scored: { e: EmojiEntry; score: number }[] = [];
  for (const e of data.list) {
    let score = -1;
    for (const s of e.shortcodes) {
      if (s === q) score = Math.max(score, 100);
      else if (s.startsWith(q)) score = Math.max(score, 80);
      else if (s.includes(q)) score = Math.max(score, 40);
    }
    const label = e.label.toLowerCase();
    if (label.startsWith(q)) score = Math.max(score, 70);
    else if (label.includes(q)) score = Math.max(score, 35);
    else if (e.tags.some((t) => t.startsWith(q))) score = Math.max(score, 30);
    if (score >= 0) scored.push({ e, score });
  }
  scored.sort((a, b) => b.score - a.score || a.e.order - b.e.order);
  return scored.slice(0, limit).map((s) => s.e);
}
