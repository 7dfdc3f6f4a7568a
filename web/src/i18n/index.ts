import i18n from "i18next";
import LanguageDetector from "i18next-browser-languagedetector";
import { initReactI18next } from "react-i18next";

/**
 * The client's translations: one JSON file per language and namespace under src/locales/<lng>/<ns>.json,
 * bundled at build time (no network fetch). A namespace is one feature, so people adding strings to
 * different features touch different files. locales.test.ts fails when a key exists in one language only.
 */
export const languages = ["en", "pt-BR"] as const;
export type Language = (typeof languages)[number];

/** localStorage key of the language chosen in Settings; absent means "follow the browser". */
export const languageStorageKey = "voxora.language";

const files = import.meta.glob<{ default: Record<string, unknown> }>("../locales/*/*.json", { eager: true });

export function bundledResources(): Record<string, Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [path, mod] of Object.entries(files)) {
    const match = /\/locales\/([^/]+)\/([^/]+)\.json$/.exec(path);
    if (!match) continue;
    const [, lng, ns] = match;
    (out[lng!] ??= {})[ns!] = mod.default;
  }
  return out;
}

const resources = bundledResources();

void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources,
    ns: Object.keys(resources.en ?? {}),
    defaultNS: "common",
    fallbackNS: "common",
    supportedLngs: [...languages],
    fallbackLng: "en",
    // pt, pt-PT … fall to pt-BR (the only Portuguese); en-US, en-GB … to en.
    nonExplicitSupportedLngs: false,
    load: "currentOnly",
    initAsync: false,
    interpolation: { escapeValue: false }, // React escapes.
    returnNull: false,
    detection: {
      order: ["localStorage", "navigator"],
      lookupLocalStorage: languageStorageKey,
      // Only an explicit choice in Settings is remembered; otherwise the browser's language keeps deciding.
      caches: [],
    },
    react: { useSuspense: false },
  });

document.documentElement.lang = i18n.resolvedLanguage ?? "en";
i18n.on("languageChanged", () => {
  document.documentElement.lang = i18n.resolvedLanguage ?? "en";
});

/** The language in use, as a BCP 47 tag for Intl. */
export function currentLocale(): Language {
  const lng = i18n.resolvedLanguage;
  return lng === "pt-BR" ? "pt-BR" : "en";
}

/** The language stored in Settings, or null when the browser's language decides. */
export function storedLanguage(): Language | null {
  try {
    const v = localStorage.getItem(languageStorageKey);
    return v === "en" || v === "pt-BR" ? v : null;
  } catch {
    return null;
  }
}

/** Switches the whole client live; null goes back to the browser's language. */
export async function chooseLanguage(lng: Language | null): Promise<void> {
  try {
    if (lng) localStorage.setItem(languageStorageKey, lng);
    else localStorage.removeItem(languageStorageKey);
  } catch {
    // Private mode: the choice lasts for this tab only.
  }
  // Without a language, i18next asks the detector again (now: the browser's language).
  await i18n.changeLanguage(lng ?? undefined);
}

export default i18n;
