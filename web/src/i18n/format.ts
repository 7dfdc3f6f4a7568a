import i18n, { currentLocale } from "./index";

// Dates and numbers in the chosen language. The formatters are cached per locale and rebuilt when it changes.
type Cache = Record<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>;
let cache: Cache = {};
i18n.on("languageChanged", () => {
  cache = {};
});

function cached<T extends Cache[string]>(key: string, make: (locale: string) => T): T {
  return (cache[key] ??= make(currentLocale())) as T;
}

const asDate = (d: Date | string | number) => (d instanceof Date ? d : new Date(d));

/** "Dec 6, 2026, 2:05 PM" / "6 de dez. de 2026, 14:05". */
export function formatDateTime(d: Date | string | number): string {
  return cached("dt", (l) => new Intl.DateTimeFormat(l, { dateStyle: "medium", timeStyle: "short" })).format(asDate(d));
}

/** "Dec 6, 2026" / "6 de dez. de 2026". */
export function formatDate(d: Date | string | number): string {
  return cached("d", (l) => new Intl.DateTimeFormat(l, { dateStyle: "medium" })).format(asDate(d));
}

/** "02:05 PM" / "14:05". */
export function formatTime(d: Date | string | number): string {
  return cached("t", (l) => new Intl.DateTimeFormat(l, { hour: "2-digit", minute: "2-digit" })).format(asDate(d));
}

/** "1,234" / "1.234"; with `fractionDigits`, exactly that many decimals ("0.5" / "0,5"). */
export function formatNumber(n: number, fractionDigits?: number): string {
  if (fractionDigits === undefined) return cached("n", (l) => new Intl.NumberFormat(l)).format(n);
  return cached(`n${fractionDigits}`, (l) => new Intl.NumberFormat(l, { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits })).format(n);
}

/** "3 minutes ago" / "há 3 minutos"; "in 2 hours" / "em 2 horas". */
export function formatRelative(d: Date | string | number, now: number = Date.now()): string {
  const seconds = Math.round((asDate(d).getTime() - now) / 1000);
  const rtf = cached("r", (l) => new Intl.RelativeTimeFormat(l, { numeric: "auto" }));
  const abs = Math.abs(seconds);
  if (abs < 60) return rtf.format(seconds, "second");
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), "hour");
  if (abs < 86400 * 30) return rtf.format(Math.round(seconds / 86400), "day");
  if (abs < 86400 * 365) return rtf.format(Math.round(seconds / (86400 * 30)), "month");
  return rtf.format(Math.round(seconds / (86400 * 365)), "year");
}
