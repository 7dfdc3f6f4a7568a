import { describe, expect, it } from "vitest";
import { hasHiddenCharacters, linkLabel, stripBidiControls } from "./safeText";
import { parse } from "../format/parse";

describe("stripBidiControls", () => {
  it("removes embeddings, overrides and isolates and keeps everything else", () => {
    expect(stripBidiControls("evil\u202Egnp.exe")).toBe("evilgnp.exe");
    expect(stripBidiControls("\u2066admin\u2069 \u202A\u202B\u202C\u202D\u2067\u2068")).toBe("admin ");
    const kept = "👨‍👩‍👧 می‌خواهم ❤️ שלום ‏";
    expect(stripBidiControls(kept)).toBe(kept);
  });
});

describe("hasHiddenCharacters", () => {
  it.each(["a\u202Eb", "a\u200Bb", "\uFEFFa", "a\u00ADb", "a\u2060b", "a\uE000b", "\u3164", "\u2800", "a\u0007b"])("finds %j", (text) => {
    expect(hasHiddenCharacters(text)).toBe(true);
  });

  it("finds nothing in plain text", () => {
    expect(hasHiddenCharacters("https://example.com/path?q=1")).toBe(false);
    expect(hasHiddenCharacters("Zoë ❤️ 日本")).toBe(false);
  });
});

describe("linkLabel", () => {
  it("shows an ordinary link as written, without a second target", () => {
    expect(linkLabel("https://example.com/a", "https://example.com/a")).toEqual({ text: "https://example.com/a", target: null });
  });

  it("shows the real target when the text hides characters", () => {
    const raw = "https://example.com/\u202Efdp.exe";
    const para = parse(`see ${raw}`)[0];
    const token = para?.type === "paragraph" ? para.children[1] : undefined;
    if (token?.type !== "autolink") throw new Error("expected a link");
    const label = linkLabel(token.text, token.href);
    expect(label.text).not.toMatch(/\u202E/);
    expect(label.target).toBe(token.href);
    expect(label.target).toContain("%E2%80%AE");
  });

  it("shows the real host when the text puts a user name before it", () => {
    expect(linkLabel("https://bank.example@evil.example/login", "https://bank.example@evil.example/login").target).toBe("evil.example");
  });

  it("shows the punycode host of an international look-alike", () => {
    const href = new URL("https://ex\u0430mple.com/").href;
    expect(href).toContain("xn--");
    expect(linkLabel("https://ex\u0430mple.com/", href).target).toBe(new URL(href).host);
  });

  it("shows the real target when a zero-width space hides in the host", () => {
    const raw = "https://goo\u200Bgle.com/";
    let href: string;
    try {
      href = new URL(raw).href;
    } catch {
      return; // A URL parser that refuses it leaves it as text, which is fine too.
    }
    expect(linkLabel(raw, href).target).toBe(href);
  });
});
