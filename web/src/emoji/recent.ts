// Recently used emoji and the chosen skin tone live in this browser only (localStorage).
import { create } from "zustand";

const RECENT_KEY = "voxora.emoji.recent";
const TONE_KEY = "voxora.emoji.tone";
export const MAX_RECENT = 24;
/** Shown in "Frequently used" until someone has used emoji of their own. */
export const DEFAULT_RECENT = ["👍", "❤️", "😂", "🎉", "😮", "😢"];

function read<T>(key: string, fallback: T, valid: (v: unknown) => v is T): T {
  try {
    const raw = localStorage.getItem(key);
    if (raw === null) return fallback;
    const v: unknown = JSON.parse(raw);
    return valid(v) ? v : fallback;
  } catch {
    return fallback;
  }
}

function write(key: string, value: unknown) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the choice still holds for this page.
  }
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string" && s.length <= 32);
const isTone = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 5;

/** The list after using `emoji`: it moves to the front, the oldest falls off. */
export function pushRecent(list: string[], emoji: string): string[] {
  return [emoji, ...list.filter((e) => e !== emoji)].slice(0, MAX_RECENT);
}

interface RecentStore {
  recent: string[];
  tone: number;
  use: (emoji: string) => void;
  setTone: (tone: number) => void;
}

export const useRecentEmoji = create<RecentStore>()((set) => ({
  recent: read(RECENT_KEY, [] as string[], isStringList),
  tone: read(TONE_KEY, 0, isTone),
  use: (emoji) =>
    set((s) => {
      const recent = pushRecent(s.recent, emoji);
      write(RECENT_KEY, recent);
      return { recent };
    }),
  setTone: (tone) => {
    write(TONE_KEY, tone);
    set({ tone });
  },
}));
