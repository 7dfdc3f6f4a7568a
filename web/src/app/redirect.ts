/** The sign-in and sign-up pages: never a place to come back to after signing in. */
export function isAuthPath(pathname: string): boolean {
  return /^\/(login|register)(\/|$|\?|#)/.test(pathname);
}

/** Only same-site paths may be redirect targets (no open redirects), and never the auth pages themselves. */
export function safeRedirect(target: unknown): string {
  return typeof target === "string" &&
    target.startsWith("/") &&
    !target.startsWith("//") &&
    !target.startsWith("/\\") &&
    !isAuthPath(target)
    ? target
    : "/app";
}
