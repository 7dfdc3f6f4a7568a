// The one message-content parser (docs/formatting.md describes the token tree). Content is turned into
// plain data — blocks holding inline nodes — that the renderer maps to React elements; nothing here or
// there ever becomes HTML. Three promises, each tested: parsing never throws, it is lossless
// (toSource(parse(s)) === s, so nothing a person typed is silently dropped), and it runs in linear time:
// a single left-to-right scan with a bounded stack, no backtracking regular expressions on user input,
// and every forward search either consumes what it scanned or is remembered as failed.

export type Inline =
  | { type: "text"; text: string }
  /** A backslash before punctuation: shows the character itself, never as markup. */
  | { type: "escape"; char: string }
  | { type: "bold" | "italic" | "underline" | "strike" | "spoiler"; marker: string; children: Inline[] }
  | { type: "code"; marker: string; text: string }
  /** A fenced block ```lang\n…```; `lang` is null when the opening line names none (then `text` is everything between the fences). */
  | { type: "codeblock"; lang: string | null; text: string }
  /** `[label](target)`: `href` is the normalised http(s) address, `target` what was written. */
  | { type: "link"; href: string; target: string; children: Inline[] }
  /** A bare http(s) address in the text. */
  | { type: "autolink"; href: string; text: string }
  | { type: "user"; id: string }
  | { type: "role"; id: string }
  | { type: "channel"; id: string }
  | { type: "everyone" }
  | { type: "here" }
  /** `:name:`; the renderer shows the emoji when the name is a known shortcode, else the text as written. */
  | { type: "emoji"; name: string };

export interface ListItem {
  /** The marker as written, with its space: "- ", "* " or "12. ". */
  marker: string;
  children: Inline[];
}

export type LineBlock =
  | { type: "paragraph"; children: Inline[] }
  | { type: "heading"; level: 1 | 2 | 3; children: Inline[] }
  | { type: "list"; ordered: boolean; items: ListItem[] };

/** A quote holds one block per quoted line ("> " removed); quotes do not nest. */
export type Block = LineBlock | { type: "quote"; lines: LineBlock[] };

/** Blocks are separated by one "\n" in the source. */
export type Document = Block[];

/** Formatting frames deeper than this are shown as the text they were written with. */
export const MAX_NESTING = 8;
/** Longer addresses are not links (they stay text). */
export const MAX_URL_LENGTH = 2048;

const LANG = /^[A-Za-z0-9_+#.-]{1,32}$/;
const ID_CHAR = /[0-9A-Za-z]/;
/** Ids are prefixed ULIDs ("usr_01H…"); anything else between the brackets stays text. */
const ID_PREFIX = { user: "usr_", role: "rol_", channel: "ch_" } as const;
const SHORTCODE_CHAR = /[a-z0-9_+-]/;
const WORD = /[\p{L}\p{N}_]/u;
const PUNCT = "\\`*_~|[]()<>#:@-.!>";
const URL_STOP = /[\s<>"]/;
const TARGET_STOP = /[\s()[\]]/;
const URL_TRAILING = ".,;:!?'\")]}>";

/** Only absolute http(s) addresses become links; anything else stays text. */
export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

interface Frame {
  /** "**", "*", "__", "_", "~~", "||" or "[" (a link label). */
  marker: string;
  children: Inline[];
}

const STYLE: Record<string, "bold" | "italic" | "underline" | "strike" | "spoiler"> = {
  "**": "bold",
  "*": "italic",
  __: "underline",
  _: "italic",
  "~~": "strike",
  "||": "spoiler",
};

/**
 * The next occurrence of a needle, remembered: queries come in increasing positions, so the answer for
 * `from` is still right for any later `from` up to it, and a search that found nothing finds nothing later.
 */
class Searches {
  private readonly cache = new Map<string, { from: number; at: number }>();
  constructor(private readonly src: string) {}
  private next(needle: string, from: number): number {
    const c = this.cache.get(needle);
    if (c && from >= c.from && (c.at === -1 || from <= c.at)) return c.at;
    const at = this.src.indexOf(needle, from);
    this.cache.set(needle, { from, at });
    return at;
  }
  /** Index of `needle` at or after `from`, ending by `end`, or -1. */
  find(needle: string, from: number, end: number): number {
    const at = this.next(needle, from);
    return at !== -1 && at + needle.length <= end ? at : -1;
  }
}

/** The start of the code-span closing run of exactly `len` backticks after `from`, or -1. */
function findBacktickRun(src: string, from: number, end: number, len: number, failed: Map<number, number>): number {
  const f = failed.get(len);
  if (f !== undefined && from >= f) return -1;
  let i = from;
  while (i < end) {
    if (src[i] !== "`") {
      i++;
      continue;
    }
    let j = i;
    while (j < end && src[j] === "`") j++;
    if (j - i === len) return i;
    i = j;
  }
  failed.set(len, from);
  return -1;
}

class InlineParser {
  private readonly stack: Frame[] = [{ marker: "", children: [] }];
  private readonly open = new Map<string, number>();
  private buf = "";
  private readonly backtickFails = new Map<number, number>();

  constructor(
    private readonly src: string,
    private readonly searches: Searches,
  ) {}

  private get top(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  private flush() {
    if (!this.buf) return;
    const kids = this.top.children;
    const last = kids[kids.length - 1];
    if (last?.type === "text") last.text += this.buf;
    else kids.push({ type: "text", text: this.buf });
    this.buf = "";
  }

  private push(node: Inline) {
    this.flush();
    if (node.type === "text") {
      const kids = this.top.children;
      const last = kids[kids.length - 1];
      if (last?.type === "text") {
        last.text += node.text;
        return;
      }
    }
    this.top.children.push(node);
  }

  private pushAll(nodes: Inline[]) {
    for (const n of nodes) this.push(n);
  }

  private openFrame(marker: string) {
    this.flush();
    this.stack.push({ marker, children: [] });
    this.open.set(marker, (this.open.get(marker) ?? 0) + 1);
  }

  /** Pops the top frame, showing its opening marker as text and keeping its children. */
  private revertTop() {
    this.flush();
    const frame = this.stack.pop()!;
    this.open.set(frame.marker, (this.open.get(frame.marker) ?? 1) - 1);
    this.push({ type: "text", text: frame.marker });
    this.pushAll(frame.children);
  }

  private closeTop(): Frame {
    this.flush();
    const frame = this.stack.pop()!;
    this.open.set(frame.marker, (this.open.get(frame.marker) ?? 1) - 1);
    return frame;
  }

  private isOpen(marker: string) {
    return (this.open.get(marker) ?? 0) > 0;
  }

  parse(start: number, end: number): Inline[] {
    const src = this.src;
    let i = start;
    while (i < end) {
      const c = src[i]!;
      const prev = i > start ? src[i - 1]! : "";
      if (c === "\\" && i + 1 < end && PUNCT.includes(src[i + 1]!)) {
        this.push({ type: "escape", char: src[i + 1]! });
        i += 2;
        continue;
      }
      if (c === "`") {
        i = this.backticks(i, end);
        continue;
      }
      if (c === "*" || c === "_" || c === "~" || c === "|") {
        i = this.emphasis(i, start, end);
        continue;
      }
      if (c === "[" ) {
        if (!this.isOpen("[") && this.stack.length <= MAX_NESTING) this.openFrame("[");
        else this.buf += c;
        i++;
        continue;
      }
      if (c === "]") {
        i = this.closeLink(i, end);
        continue;
      }
      if (c === "<") {
        const next = this.angle(i, end);
        if (next > i) {
          i = next;
          continue;
        }
      }
      if (c === "@" && !(prev && WORD.test(prev))) {
        if (src.startsWith("@everyone", i) && !(i + 9 < end && WORD.test(src[i + 9]!))) {
          this.push({ type: "everyone" });
          i += 9;
          continue;
        }
        if (src.startsWith("@here", i) && !(i + 5 < end && WORD.test(src[i + 5]!))) {
          this.push({ type: "here" });
          i += 5;
          continue;
        }
      }
      if (c === ":") {
        const next = this.shortcode(i, end);
        if (next > i) {
          i = next;
          continue;
        }
      }
      if (c === "h" && !(prev && WORD.test(prev)) && (src.startsWith("http://", i) || src.startsWith("https://", i))) {
        i = this.autolink(i, end);
        continue;
      }
      this.buf += c;
      i++;
    }
    while (this.stack.length > 1) this.revertTop();
    this.flush();
    return this.stack[0]!.children;
  }

  private backticks(i: number, end: number): number {
    const src = this.src;
    if (src.startsWith("```", i) && i + 3 <= end) {
      // A fence: the first three backticks open it, the next "```" closes it.
      const close = this.searches.find("```", i + 3, end);
      if (close === -1) {
        this.buf += "```";
        return i + 3;
      }
      const body = src.slice(i + 3, close);
      const nl = body.indexOf("\n");
      const first = nl === -1 ? "" : body.slice(0, nl);
      if (nl !== -1 && LANG.test(first)) this.push({ type: "codeblock", lang: first, text: body.slice(nl + 1) });
      else this.push({ type: "codeblock", lang: null, text: body });
      return close + 3;
    }
    let j = i;
    while (j < end && src[j] === "`") j++;
    const run = j - i;
    const close = findBacktickRun(src, j, end, run, this.backtickFails);
    if (close === -1 || close === j) {
      this.buf += src.slice(i, j);
      return j;
    }
    this.push({ type: "code", marker: src.slice(i, j), text: src.slice(j, close) });
    return close + run;
  }

  private emphasis(i: number, start: number, end: number): number {
    const src = this.src;
    const c = src[i]!;
    let j = i;
    while (j < end && src[j] === c) j++;
    let pos = i;
    while (pos < j) {
      const left = j - pos;
      const before = pos > start ? src[pos - 1]! : "";
      const after = j < end ? src[j]! : "";
      const doubled = c + c;
      const candidates = left >= 2 ? [doubled, c] : [c];
      // Close the innermost open frame this run can close.
      let closed = false;
      for (let depth = this.stack.length - 1; depth >= 1 && !closed; depth--) {
        const m = this.stack[depth]!.marker;
        if (!candidates.includes(m)) continue;
        if (!this.canClose(c, before, after)) break;
        if (this.stack[depth]!.children.length === 0 && depth === this.stack.length - 1 && !this.buf) break;
        while (this.stack.length - 1 > depth) this.revertTop();
        const frame = this.closeTop();
        this.push({ type: STYLE[m]!, marker: m, children: frame.children });
        pos += m.length;
        closed = true;
      }
      if (closed) continue;
      const marker = candidates.find((m) => m in STYLE);
      if (marker && this.canOpen(c, before, after) && this.stack.length <= MAX_NESTING) {
        this.openFrame(marker);
        pos += marker.length;
        continue;
      }
      this.buf += src.slice(pos, pos + (marker?.length ?? 1));
      pos += marker?.length ?? 1;
    }
    return j;
  }

  private canOpen(c: string, before: string, after: string) {
    if (c === "~" || c === "|") return true;
    if (!after || /\s/.test(after)) return false;
    return c !== "_" || !before || !WORD.test(before);
  }

  private canClose(c: string, before: string, after: string) {
    if (c === "~" || c === "|") return true;
    if (!before || /\s/.test(before)) return false;
    return c !== "_" || !after || !WORD.test(after);
  }

  private closeLink(i: number, end: number): number {
    const src = this.src;
    if (!this.isOpen("[") || src[i + 1] !== "(") {
      this.buf += "]";
      return i + 1;
    }
    // The target runs to ")" and may hold no space or bracket, so the scanned stretch holds no other "](":
    // each character is looked at by one attempt at most.
    let close = i + 2;
    while (close < end && close - i - 2 <= MAX_URL_LENGTH && !TARGET_STOP.test(src[close]!)) close++;
    const target = src.slice(i + 2, close);
    const href = close < end && src[close] === ")" && target.length <= MAX_URL_LENGTH ? safeHref(target) : null;
    if (!href) {
      this.buf += "]";
      return i + 1;
    }
    while (this.top.marker !== "[") this.revertTop();
    const frame = this.closeTop();
    this.push({ type: "link", href, target, children: frame.children });
    return close + 1;
  }

  private angle(i: number, end: number): number {
    const src = this.src;
    let kind: "user" | "role" | "channel";
    let j: number;
    if (src.startsWith("<@&", i)) {
      kind = "role";
      j = i + 3;
    } else if (src.startsWith("<@", i)) {
      kind = "user";
      j = i + 2;
    } else if (src.startsWith("<#", i)) {
      kind = "channel";
      j = i + 2;
    } else return i;
    const idStart = j;
    const prefix = ID_PREFIX[kind];
    if (!src.startsWith(prefix, j)) return i;
    j += prefix.length;
    while (j < end && j - idStart <= 64 && ID_CHAR.test(src[j]!)) j++;
    if (j === idStart + prefix.length || j >= end || src[j] !== ">" || j - idStart > 64) return i;
    this.push({ type: kind, id: src.slice(idStart, j) });
    return j + 1;
  }

  private shortcode(i: number, end: number): number {
    const src = this.src;
    let j = i + 1;
    while (j < end && j - i <= 41 && SHORTCODE_CHAR.test(src[j]!)) j++;
    if (j === i + 1 || j >= end || src[j] !== ":" || j - i > 41) return i;
    this.push({ type: "emoji", name: src.slice(i + 1, j) });
    return j + 1;
  }

  private autolink(i: number, end: number): number {
    const src = this.src;
    let j = i;
    // Inside a link's label the address ends at the label's "]".
    const inLabel = this.isOpen("[");
    while (j < end && !URL_STOP.test(src[j]!) && !(inLabel && src[j] === "]")) j++;
    let url = src.slice(i, j);
    // Leave sentence punctuation outside the link, but keep a ")" that closes a "(" inside it.
    let k = url.length;
    while (k > 0 && URL_TRAILING.includes(url[k - 1]!)) k--;
    if (k < url.length) {
      const trail = url.slice(k);
      url = url.slice(0, k);
      if (trail.startsWith(")") && count(url, "(") > count(url, ")")) url += ")";
    }
    const href = url.length <= MAX_URL_LENGTH ? safeHref(url) : null;
    if (href) this.push({ type: "autolink", href, text: url });
    else this.buf += url;
    return i + Math.max(url.length, 1);
  }
}

function count(s: string, ch: string) {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}


const HEADING = /^(#{1,3}) /;
const BULLET = /^[-*] /;
const ORDERED = /^\d{1,9}\. /;

/** Where the logical line starting at `from` ends: the first "\n" not inside a fenced code block. */
function lineEnd(src: string, from: number, searches: Searches): number {
  let i = from;
  let stop = src.indexOf("\n", from);
  if (stop === -1) stop = src.length;
  for (;;) {
    const fence = searches.find("```", i, stop);
    if (fence === -1) return stop;
    const close = searches.find("```", fence + 3, src.length);
    if (close === -1) return stop;
    i = close + 3;
    if (i > stop) {
      stop = src.indexOf("\n", i);
      if (stop === -1) stop = src.length;
    }
  }
}

function parseInline(src: string, start: number, end: number, searches: Searches): Inline[] {
  return new InlineParser(src, searches).parse(start, end);
}

function isPlainLine(src: string, start: number): boolean {
  const head = src.slice(start, start + 12);
  return !HEADING.test(head) && !BULLET.test(head) && !ORDERED.test(head);
}

function parseLine(src: string, start: number, end: number, searches: Searches): LineBlock {
  const head = src.slice(start, Math.min(end, start + 12));
  const h = HEADING.exec(head);
  if (h) return { type: "heading", level: h[1]!.length as 1 | 2 | 3, children: parseInline(src, start + h[0].length, end, searches) };
  const b = BULLET.exec(head) ?? ORDERED.exec(head);
  if (b) return { type: "list", ordered: !BULLET.test(head), items: [{ marker: b[0], children: parseInline(src, start + b[0].length, end, searches) }] };
  return { type: "paragraph", children: parseInline(src, start, end, searches) };
}

/** Parses message content. Never throws; `toSource` gives the input back exactly. */
export function parse(content: string): Document {
  try {
    return parseDocument(content);
  } catch {
    // Defence in depth: should a bug ever throw, the message still shows, as plain text.
    return [{ type: "paragraph", children: content ? [{ type: "text", text: content }] : [] }];
  }
}

function parseDocument(src: string): Document {
  // Two caches, each queried at increasing positions: lines are found ahead of the paragraphs parsed behind them.
  const lines = new Searches(src);
  const searches = new Searches(src);
  const blocks: Block[] = [];
  let pos = 0;
  // Consecutive plain lines are one paragraph, joined by their "\n"; quoted lines one quote; list items of one kind one list.
  let paragraphStart = -1;
  let paragraphEnd = -1;
  const endParagraph = () => {
    if (paragraphStart === -1) return;
    blocks.push({ type: "paragraph", children: parseInline(src, paragraphStart, paragraphEnd, searches) });
    paragraphStart = -1;
  };
  for (;;) {
    const end = lineEnd(src, pos, lines);
    if (src.startsWith("> ", pos)) {
      endParagraph();
      // The quoted line is parsed on its own text, so a fence inside it cannot reach past its "> ".
      const inner = src.slice(pos + 2, end);
      const line = parseLine(inner, 0, inner.length, new Searches(inner));
      const last = blocks[blocks.length - 1];
      if (last?.type === "quote") last.lines.push(line);
      else blocks.push({ type: "quote", lines: [line] });
    } else {
      if (isPlainLine(src, pos)) {
        if (paragraphStart === -1) paragraphStart = pos;
        paragraphEnd = end;
      } else {
        endParagraph();
        const line = parseLine(src, pos, end, searches);
        const last = blocks[blocks.length - 1];
        if (line.type === "list" && last?.type === "list" && last.ordered === line.ordered) last.items.push(...line.items);
        else blocks.push(line);
      }
    }
    if (end >= src.length) break;
    pos = end + 1;
  }
  endParagraph();
  return blocks;
}

export function inlineSource(nodes: Inline[]): string {
  let out = "";
  for (const n of nodes) {
    switch (n.type) {
      case "text":
        out += n.text;
        break;
      case "escape":
        out += "\\" + n.char;
        break;
      case "bold":
      case "italic":
      case "underline":
      case "strike":
      case "spoiler":
        out += n.marker + inlineSource(n.children) + n.marker;
        break;
      case "code":
        out += n.marker + n.text + n.marker;
        break;
      case "codeblock":
        out += "```" + (n.lang !== null ? n.lang + "\n" : "") + n.text + "```";
        break;
      case "link":
        out += "[" + inlineSource(n.children) + "](" + n.target + ")";
        break;
      case "autolink":
        out += n.text;
        break;
      case "user":
        out += `<@${n.id}>`;
        break;
      case "role":
        out += `<@&${n.id}>`;
        break;
      case "channel":
        out += `<#${n.id}>`;
        break;
      case "everyone":
        out += "@everyone";
        break;
      case "here":
        out += "@here";
        break;
      case "emoji":
        out += `:${n.name}:`;
        break;
    }
  }
  return out;
}

function lineSource(b: LineBlock): string {
  switch (b.type) {
    case "paragraph":
      return inlineSource(b.children);
    case "heading":
      return "#".repeat(b.level) + " " + inlineSource(b.children);
    case "list":
      return b.items.map((it) => it.marker + inlineSource(it.children)).join("\n");
  }
}

/** The exact source of a parsed document. */
export function toSource(doc: Document): string {
  return doc.map((b) => (b.type === "quote" ? b.lines.map((l) => "> " + lineSource(l)).join("\n") : lineSource(b))).join("\n");
}

/** Every inline node of a document, depth first (for mention and link collection). */
export function* walkInline(doc: Document): Generator<Inline> {
  function* walk(nodes: Inline[]): Generator<Inline> {
    for (const n of nodes) {
      yield n;
      if ("children" in n) yield* walk(n.children);
    }
  }
  for (const b of doc) {
    const lines = b.type === "quote" ? b.lines : [b];
    for (const l of lines) {
      if (l.type === "list") for (const it of l.items) yield* walk(it.children);
      else yield* walk(l.children);
    }
  }
}
