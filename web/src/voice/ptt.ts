// Push-to-talk: the key's state as a tiny pure machine, so the rules are testable without a DOM.

export interface KeyLike {
  code: string;
  repeat?: boolean;
  type: string;
}

/**
 * Whether the microphone should transmit after this key event. Key repeat does not toggle; other keys
 * change nothing; `blur` (the window lost focus, so the key-up may never come) releases.
 */
export function pttTransmitting(current: boolean, event: KeyLike, bindingCode: string): boolean {
  if (event.type === "blur") return false;
  if (event.code !== bindingCode) return current;
  if (event.type === "keydown") return true;
  if (event.type === "keyup") return false;
  return current;
}

/** The mic track's enabled flag: muted (or deafened) always wins; push-to-talk needs the key held. */
export function micEnabled(opts: { selfMute: boolean; selfDeaf: boolean; pushToTalk: boolean; transmitting: boolean }): boolean {
  if (opts.selfMute || opts.selfDeaf) return false;
  return opts.pushToTalk ? opts.transmitting : true;
}

/** True when the event target is a field where typing the PTT key should not be captured as a binding change. */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as { tagName?: string; isContentEditable?: boolean } | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable === true || el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT";
}
