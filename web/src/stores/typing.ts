import { create } from "zustand";
import type { TypingStart } from "../api/types";
import { displayName } from "./members";
import i18n from "../i18n";

/** How long a typist is shown after their last TYPING_START (seed 000 §P2-2: no stop event, an 8 s timeout). */
export const TYPING_SHOW_MS = 8000;

export interface Typist {
  userId: string;
  /** What we call them: display name, else username (bidi controls stripped). */
  name: string;
  /** Local clock (ms) after which they are no longer shown. */
  expiresAt: number;
}

interface TypingState {
  /** channel id → who is typing there, in the order they started. */
  byChannel: Record<string, Typist[]>;
  /** A TYPING_START arrived at `now` (local clock: the server's timestamp may be skewed from ours). */
  start: (e: TypingStart, now: number) => void;
  /** They stopped: their message arrived (MESSAGE_CREATE), so the indicator goes at once. */
  stop: (channelId: string, userId: string) => void;
  removeChannel: (channelId: string) => void;
}

export const useTyping = create<TypingState>()((set) => ({
  byChannel: {},
  start: (e, now) =>
    set((s) => {
      const live = (s.byChannel[e.channel_id] ?? []).filter((t) => t.expiresAt > now);
      const typist: Typist = {
        userId: e.user_id,
        name: displayName({ id: e.user_id, username: e.username, display_name: e.display_name ?? null }),
        expiresAt: now + TYPING_SHOW_MS,
      };
      // Someone still typing keeps their place; a newcomer goes last.
      const at = live.findIndex((t) => t.userId === e.user_id);
      const list = at >= 0 ? live.map((t, i) => (i === at ? typist : t)) : [...live, typist];
      return { byChannel: { ...s.byChannel, [e.channel_id]: list } };
    }),
  stop: (channelId, userId) =>
    set((s) => {
      const list = s.byChannel[channelId];
      if (!list?.some((t) => t.userId === userId)) return s;
      return { byChannel: { ...s.byChannel, [channelId]: list.filter((t) => t.userId !== userId) } };
    }),
  removeChannel: (channelId) =>
    set((s) => {
      if (!(channelId in s.byChannel)) return s;
      const rest = { ...s.byChannel };
      delete rest[channelId];
      return { byChannel: rest };
    }),
}));

/** Who is typing in the channel at `now`, never `myId`. */
export function typistsAt(list: readonly Typist[] | undefined, now: number, myId: string | null): Typist[] {
  return (list ?? []).filter((t) => t.expiresAt > now && t.userId !== myId);
}

/** The line under the composer: "alice is typing…", "alice and bob are typing…", "several people are typing…"; null for nobody. */
export function typingText(names: readonly string[]): string | null {
  if (names.length === 0) return null;
  if (names.length === 1) return i18n.t("messages:typingOne", { name: names[0] });
  if (names.length === 2) return i18n.t("messages:typingTwo", { first: names[0], second: names[1] });
  return i18n.t("messages:typingMany");
}

/** Server limit: one TYPING_START per 5 s per user and channel; sending more often only costs frames. */
export const TYPING_SEND_INTERVAL_MS = 5000;

/**
 * Decides when the composer tells the server "I am typing": on input that is not blank, at most once per
 * TYPING_SEND_INTERVAL_MS per channel. `send` answers false when there is no live gateway session (nothing
 * is remembered then, so the next keystroke tries again).
 */
export class TypingSender {
  private readonly lastSent = new Map<string, number>();

  constructor(
    private readonly send: (channelId: string) => boolean,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** The composer's text changed. */
  input(channelId: string, text: string): void {
    if (!text.trim()) return;
    const now = this.now();
    const last = this.lastSent.get(channelId);
    if (last !== undefined && now - last < TYPING_SEND_INTERVAL_MS) return;
    if (this.send(channelId)) this.lastSent.set(channelId, now);
  }

  /** The message was sent: typing the next one starts a new announcement. */
  sent(channelId: string): void {
    this.lastSent.delete(channelId);
  }
}
