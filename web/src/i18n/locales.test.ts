import { describe, expect, it } from "vitest";
import { bundledResources, languages } from "./index";

// Every string the client shows exists in every language: a key added to en only (or to pt-BR only),
// or an empty translation, fails the test run.
function keys(obj: unknown, prefix = ""): string[] {
  if (obj === null || typeof obj !== "object") return [prefix];
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

function leaves(obj: unknown, prefix = ""): [string, unknown][] {
  if (obj === null || typeof obj !== "object") return [[prefix, obj]];
  return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

const resources = bundledResources();

describe("translations", () => {
  it("has every language with the same namespaces", () => {
    expect(Object.keys(resources).sort()).toEqual([...languages].sort());
    expect(Object.keys(resources["pt-BR"]!).sort()).toEqual(Object.keys(resources.en!).sort());
    expect(Object.keys(resources.en!).length).toBeGreaterThanOrEqual(3);
  });

  for (const ns of Object.keys(resources.en ?? {})) {
    it(`${ns}: every en key exists in pt-BR and vice versa`, () => {
      const en = keys(resources.en![ns]).sort();
      const pt = keys(resources["pt-BR"]![ns]).sort();
      expect(pt.filter((k) => !en.includes(k)), "keys only in pt-BR").toEqual([]);
      expect(en.filter((k) => !pt.includes(k)), "keys missing from pt-BR").toEqual([]);
    });

    it(`${ns}: no translation is empty and placeholders match`, () => {
      const en = Object.fromEntries(leaves(resources.en![ns]));
      for (const lng of languages) {
        for (const [key, value] of leaves(resources[lng]![ns])) {
          expect(typeof value === "string" && value.trim().length > 0, `${lng}:${ns}:${key} is empty`).toBe(true);
          const vars = (s: unknown) => [...String(s).matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();
          // Plural forms (_one/_other/_many) may drop {{count}}; every other placeholder must survive.
          const base = key.replace(/_(zero|one|two|few|many|other)$/, "_other");
          const reference = en[key] ?? en[base];
          if (reference !== undefined) {
            expect(vars(value).filter((v) => v !== "count"), `${lng}:${ns}:${key} placeholders`).toEqual(
              vars(reference).filter((v) => v !== "count"),
            );
          }
        }
      }
    });
  }
});
