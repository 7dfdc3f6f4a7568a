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

/** Keys that type a character (a push-to-talk key like these, pressed in a text field, is meant as text). */
export function producesText(code: string): boolean {
  return /^(Key[A-Z]|Digit[0-9]|Numpad[0-9]|Backquote|Minus|Equal|BracketLeft|BracketRight|Backslash|Semicolon|Quote|Comma|Period|Slash|Space|IntlBackslash)$/.test(code);
}

/**
 * Whether a push-to-talk key-down should be ignored: a character key typed into a text field is text, not
 * talk. Keys that type nothing (F13, Caps Lock, a mouse-side key…) transmit everywhere; key-ups always count.
 */
export function ignoredForTalk(event: KeyLike, target: EventTarget | null): boolean {
  return event.type === "keydown" && producesText(event.code) && isTypingTarget(target);
}

/** True when the event target is a field where the user is typing text. */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as { tagName?: string; isContentEditable?: boolean } | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable === true || el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT";
}
