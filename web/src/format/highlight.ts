// Syntax highlighting for code blocks, loaded as its own chunk on the first code block shown. lowlight
// (highlight.js grammars) returns a tree of spans with class names, which the renderer turns into React
// elements: no HTML strings, no inline styles, nothing the strict CSP would have to allow.
import { common, createLowlight } from "lowlight";

const lowlight = createLowlight(common);

export interface HighlightText {
  type: "text";
  value: string;
}
export interface HighlightSpan {
  type: "span";
  classes: string[];
  children: HighlightNode[];
}
export type HighlightNode = HighlightText | HighlightSpan;

interface HastLike {
  type: string;
  value?: string;
  tagName?: string;
  properties?: { className?: unknown };
  children?: HastLike[];
}

function convert(nodes: HastLike[] | undefined): HighlightNode[] {
  const out: HighlightNode[] = [];
  for (const n of nodes ?? []) {
    if (n.type === "text") out.push({ type: "text", value: n.value ?? "" });
    else if (n.type === "element") {
      const cls = n.properties?.className;
      const classes = Array.isArray(cls) ? cls.filter((c): c is string => typeof c === "string" && /^hljs-[a-z_-]+$/.test(c)) : [];
      out.push({ type: "span", classes, children: convert(n.children) });
    }
  }
  return out;
}

/** Highlights `code` in `lang` when that grammar is known; null when it is not (the block stays plain). */
export function highlight(code: string, lang: string | null): HighlightNode[] | null {
  if (!lang) return null;
  const name = lang.toLowerCase();
  if (!lowlight.registered(name)) return null;
  try {
    return convert(lowlight.highlight(name, code).children as HastLike[]);
  } catch {
    return null;
  }
}
