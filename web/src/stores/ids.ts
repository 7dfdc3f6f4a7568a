/** Compare Snowflake decimal strings without losing precision: longer is larger, else lexicographic. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Insert `id` into an ascending list (copy), or return the same list when it is already there. */
export function insertSorted(list: readonly string[], id: string): string[] | null {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareIds(list[mid]!, id);
    if (c === 0) return null;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  const next = list.slice();
  next.splice(lo, 0, id);
  return next;
}

export function newNonce(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return "n" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
