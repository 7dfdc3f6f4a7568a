import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parse, toSource, walkInline, type Inline } from "./parse";

const inline = (s: string): Inline[] => {
  const doc = parse(s);
  expect(doc).toHaveLength(1);
  const b = doc[0]!;
  if (b.type !== "paragraph") throw new Error(`expected a paragraph, got ${b.type}`);
  return b.children;
};

describe("parse: inline", () => {
  it("reads bold, italic, underline, strikethrough and spoilers, nested", () => {
    expect(inline("**b** *i* _i_ __u__ ~~s~~ ||sp||")).toEqual([
      { type: "bold", marker: "**", children: [{ type: "text", text: "b" }] },
      { type: "text", text: " " },
      { type: "italic", marker: "*", children: [{ type: "text", text: "i" }] },
      { type: "text", text: " " },
      { type: "italic", marker: "_", children: [{ type: "text", text: "i" }] },
      { type: "text", text: " " },
      { type: "underline", marker: "__", children: [{ type: "text", text: "u" }] },
      { type: "text", text: " " },
      { type: "strike", marker: "~~", children: [{ type: "text", text: "s" }] },
      { type: "text", text: " " },
      { type: "spoiler", marker: "||", children: [{ type: "text", text: "sp" }] },
    ]);
    expect(inline("***both***")).toEqual([
      { type: "bold", marker: "**", children: [{ type: "italic", marker: "*", children: [{ type: "text", text: "both" }] }] },
    ]);
  });

  it("leaves unclosed markers, lone markers and intraword underscores as text", () => {
    expect(inline("**open and 2 * 3 = 6")).toEqual([{ type: "text", text: "**open and 2 * 3 = 6" }]);
    expect(inline("snake_case_name")).toEqual([{ type: "text", text: "snake_case_name" }]);
    expect(inline("****")).toEqual([{ type: "text", text: "****" }]);
  });

  it("keeps code literal: inline spans and fenced blocks with a language", () => {
    expect(inline("`**x**` and ``a`b``")).toEqual([
      { type: "code", marker: "`", text: "**x**" },
      { type: "text", text: " and " },
      { type: "code", marker: "``", text: "a`b" },
    ]);
    expect(inline("```ts\nconst a = 1;\n```")).toEqual([{ type: "codeblock", lang: "ts", text: "const a = 1;\n" }]);
    expect(inline("```no language here```")).toEqual([{ type: "codeblock", lang: null, text: "no language here" }]);
  });

  it("a fenced block spans lines that would otherwise be headings, lists or quotes", () => {
    const doc = parse("```\n# not a heading\n> not a quote\n- not a list\n```");
    expect(doc).toEqual([{ type: "paragraph", children: [{ type: "codeblock", lang: null, text: "\n# not a heading\n> not a quote\n- not a list\n" }] }]);
  });

  it("reads mentions, role and channel references, @everyone and @here, shortcodes", () => {
    expect(inline("<@usr_01A> <@&rol_02B> <#ch_03C> @everyone @here :smile:")).toEqual([
      { type: "user", id: "usr_01A" },
      { type: "text", text: " " },
      { type: "role", id: "rol_02B" },
      { type: "text", text: " " },
      { type: "channel", id: "ch_03C" },
      { type: "text", text: " " },
      { type: "everyone" },
      { type: "text", text: " " },
      { type: "here" },
      { type: "text", text: " " },
      { type: "emoji", name: "smile" },
    ]);
    expect(inline("mail a@everyone.example <@nope> <@usr_!>")).toEqual([{ type: "text", text: "mail a@everyone.example <@nope> <@usr_!>" }]);
  });

  it("makes links of http(s) only; masked links keep their real target", () => {
    expect(inline("[docs](https://example.com/a) [bad](javascript:alert(1)) see https://en.wikipedia.org/wiki/Foo_(bar).")).toEqual([
      { type: "link", href: "https://example.com/a", target: "https://example.com/a", children: [{ type: "text", text: "docs" }] },
      { type: "text", text: " [bad](javascript:alert(1)) see " },
      { type: "autolink", href: "https://en.wikipedia.org/wiki/Foo_(bar)", text: "https://en.wikipedia.org/wiki/Foo_(bar)" },
      { type: "text", text: "." },
    ]);
    expect(inline("ftp://x and javascript:alert(1)")).toEqual([{ type: "text", text: "ftp://x and javascript:alert(1)" }]);
  });

  it("never reads HTML: tags stay text", () => {
    expect(inline("<img src=x onerror=alert(1)> <b>x</b>")).toEqual([{ type: "text", text: "<img src=x onerror=alert(1)> <b>x</b>" }]);
  });

  it("escapes punctuation with a backslash", () => {
    expect(inline("\\*not italic\\*")).toEqual([
      { type: "escape", char: "*" },
      { type: "text", text: "not italic" },
      { type: "escape", char: "*" },
    ]);
  });

  it("caps nesting: deeper markers stay text", () => {
    const deep = "||~~".repeat(10) + "x" + "~~||".repeat(10);
    const doc = parse(deep);
    let depth = 0;
    let nodes: Inline[] = (doc[0] as { children: Inline[] }).children;
    while (nodes.length && "children" in nodes[0]!) {
      depth++;
      nodes = nodes[0].children;
    }
    expect(depth).toBeLessThanOrEqual(8);
    expect(toSource(doc)).toBe(deep);
  });
});

describe("parse: blocks", () => {
  it("reads headings, quotes and lists line by line; plain lines join into one paragraph", () => {
    expect(parse("# Title\n> quoted **bold**\n> more\n- one\n- two\n1. first\nplain\nlines")).toEqual([
      { type: "heading", level: 1, children: [{ type: "text", text: "Title" }] },
      {
        type: "quote",
        lines: [
          { type: "paragraph", children: [{ type: "text", text: "quoted " }, { type: "bold", marker: "**", children: [{ type: "text", text: "bold" }] }] },
          { type: "paragraph", children: [{ type: "text", text: "more" }] },
        ],
      },
      {
        type: "list",
        ordered: false,
        items: [
          { marker: "- ", children: [{ type: "text", text: "one" }] },
          { marker: "- ", children: [{ type: "text", text: "two" }] },
        ],
      },
      { type: "list", ordered: true, items: [{ marker: "1. ", children: [{ type: "text", text: "first" }] }] },
      { type: "paragraph", children: [{ type: "text", text: "plain\nlines" }] },
    ]);
  });

  it("does not nest quotes and needs a space after the marker", () => {
    expect(parse("> > inner")).toEqual([{ type: "quote", lines: [{ type: "paragraph", children: [{ type: "text", text: "> inner" }] }] }]);
    expect(parse("#hashtag")).toEqual([{ type: "paragraph", children: [{ type: "text", text: "#hashtag" }] }]);
  });

  it("the empty message is an empty paragraph", () => {
    expect(parse("")).toEqual([{ type: "paragraph", children: [] }]);
    expect(toSource(parse(""))).toBe("");
  });

  it("walkInline finds nodes inside quotes, lists and styles", () => {
    const ids = [...walkInline(parse("> **<@usr_A>**\n- <@usr_B>"))].filter((n) => n.type === "user").map((n) => (n as { id: string }).id);
    expect(ids).toEqual(["usr_A", "usr_B"]);
  });
});

// Text built from the characters the parser cares about, so the generator hits markup, not only prose.
const markupChar = fc.constantFrom(
  "*", "_", "~", "|", "`", "[", "]", "(", ")", "<", ">", "@", "&", "#", ":", "\\", "-", ".", "1", " ", "\n", "a", "b", "h",
  "https://x.io", "<@usr_A>", "<#ch_B>", "<@&rol_C>", "@everyone", ":smile:", "```", "```js\n", "> ", "# ", "- ", "](https://y.io)",
);
const markup = fc.array(markupChar, { maxLength: 80 }).map((a) => a.join(""));

describe("parse: properties", () => {
  it("never throws on any string and gives the source back exactly", () => {
    fc.assert(
      fc.property(fc.oneof(markup, fc.string({ unit: "binary", maxLength: 200 })), (s) => {
        expect(toSource(parse(s))).toBe(s);
      }),
      { numRuns: 3000 },
    );
  });

  it("links are always http(s)", () => {
    fc.assert(
      fc.property(markup, (s) => {
        for (const n of walkInline(parse(s))) {
          if (n.type === "link" || n.type === "autolink") expect(n.href).toMatch(/^https?:\/\//);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("stays linear on pathological inputs (100k characters in well under a second)", () => {
    const patterns = ["*", "_", "~", "|", "`", "[", "]", "](", "<@", ":", "\\", "**a", "[a](", "```\n", "> ", "- ", "# ", "http://", "h", "__*~~||`"];
    for (const p of patterns) {
      const small = p.repeat(Math.ceil(10_000 / p.length));
      const big = p.repeat(Math.ceil(100_000 / p.length));
      const t0 = performance.now();
      const smallDoc = parse(small);
      const t1 = performance.now();
      const bigDoc = parse(big);
      const t2 = performance.now();
      expect(toSource(smallDoc)).toBe(small);
      expect(toSource(bigDoc)).toBe(big);
      // Ten times the input may take at most ~30 times as long (linear with generous noise), and stays fast in absolute terms.
      expect(t2 - t1, `pattern ${JSON.stringify(p)}: ${(t1 - t0).toFixed(1)}ms → ${(t2 - t1).toFixed(1)}ms`).toBeLessThan(Math.max(30 * (t1 - t0), 50) + 400);
    }
  });
});
