// User-provided text is shown as typed, except for the characters that change how the text around
// them is ordered or hide what it says (security review finding 7, "Unicode spoofing"). The server
// refuses them in names and texts and refuses the direction overrides in messages; this is the second
// line for text stored before that, and for links, whose text can differ from where they lead.

/** Bidirectional embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069): they reorder the text around them. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** Characters that draw nothing or change direction: controls, format characters (bidi, zero-width, BOM, soft hyphen, tags), private use, separators, blank fillers. */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Co}\u2028\u2029\u034F\u115F\u1160\u3164\uFFA0\u2800]/u;

/** Removes the bidi embeddings, overrides and isolates, so stored text cannot reorder what is shown around or inside it. */
export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, "");
}

export function hasHiddenCharacters(text: string): boolean {
  return HIDDEN.test(text);
}

export interface LinkLabel {
  /** What the message says, without bidi controls. */
  text: string;
  /** Where the link really leads (the host, or the whole address when the text hides characters), shown beside a text that could pass for another; null when the text says where it leads. */
  target: string | null;
}

/**
 * How to show a link found in a message. When its text hides characters, the whole real address is
 * shown next to it (percent-encoded, so what was hidden shows); when it carries a user name before the
 * host ("https://bank.example@evil.example") or names an international host that is really a different
 * ASCII (punycode) one, the host it really leads to is shown.
 */
export function linkLabel(raw: string, href: string): LinkLabel {
  const text = stripBidiControls(raw);
  if (hasHiddenCharacters(raw)) return { text, target: href };
  try {
    const url = new URL(href);
    const punycode = url.hostname.split(".").some((label) => label.startsWith("xn--"));
    return { text, target: url.username || url.password || punycode ? url.host : null };
  } catch {
    return { text, target: href };
  }
}
