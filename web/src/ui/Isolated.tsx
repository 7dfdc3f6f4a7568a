import { stripBidiControls } from "./safeText";

/**
 * A name or other user-provided text inside surrounding UI: <bdi> isolates its direction, so a
 * right-to-left name cannot reorder the text next to it, and stored bidi controls are removed.
 */
export function Isolated({ text, className }: { text: string; className?: string }) {
  return <bdi className={className}>{stripBidiControls(text)}</bdi>;
}
