/** Invite codes are short letters and digits (the server's alphabet); anything else is not a code. */
const CODE = /^[A-Za-z0-9_-]{2,64}$/;

/**
 * The invite code in what someone pasted: a bare code, or a link ending in `/invite/<code>` (any host, with or without
 * a trailing slash, query or fragment). Null when it holds no plausible code.
 */
export function inviteCodeFrom(pasted: string): string | null {
  const text = pasted.trim();
  if (!text) return null;
  if (CODE.test(text)) return text;
  const match = /(?:^|\/)invite\/([^/?#\s]+)\/?(?:[?#].*)?$/.exec(text);
  if (!match) return null;
  let code: string;
  try {
    code = decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
  return CODE.test(code) ? code : null;
}

/** Expiry choices of the invite dialog (the API's `max_age_seconds`; 0 never expires). */
export const INVITE_EXPIRY: { label: string; seconds: number }[] = [
  { label: "30 minutes", seconds: 1800 },
  { label: "1 hour", seconds: 3600 },
  { label: "6 hours", seconds: 21600 },
  { label: "1 day", seconds: 86400 },
  { label: "7 days", seconds: 604800 },
  { label: "Never", seconds: 0 },
];

/** Use-limit choices (the API's `max_uses`; 0 is no limit). */
export const INVITE_USES: { label: string; uses: number }[] = [
  { label: "No limit", uses: 0 },
  { label: "1 use", uses: 1 },
  { label: "5 uses", uses: 5 },
  { label: "10 uses", uses: 10 },
  { label: "25 uses", uses: 25 },
  { label: "100 uses", uses: 100 },
];
