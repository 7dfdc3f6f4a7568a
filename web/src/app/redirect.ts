/** Only same-site paths may be redirect targets (no open redirects). */
export function safeRedirect(target: unknown): string {
  return typeof target === "string" && target.startsWith("/") && !target.startsWith("//") && !target.startsWith("/\\")
    ? target
    : "/app";
}
