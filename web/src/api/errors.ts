import i18n from "../i18n";
import type { Problem } from "./types";

/** A non-2xx answer, parsed from the server's RFC 9457 problem document. Branch on `code`, never on text. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fieldErrors: Record<string, string[]>;
  readonly title: string;
  readonly detail: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, problem: Problem, retryAfterSeconds?: number) {
    const title = problem.title ?? `Request failed (${status})`;
    super(problem.detail ?? title);
    this.name = "ApiError";
    this.status = status;
    this.code = problem.code ?? (status === 0 ? "network_error" : "unknown_error");
    this.fieldErrors = normaliseFieldErrors(problem.errors);
    this.title = title;
    this.detail = problem.detail;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The first message for a field, for showing under an input. */
  field(name: string): string | undefined {
    return this.fieldErrors[name]?.[0];
  }
}

// The server names fields in snake_case; some validators use PascalCase/camelCase keys. Normalise.
function normaliseFieldErrors(errors: Problem["errors"]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!errors || typeof errors !== "object") return out;
  for (const [key, value] of Object.entries(errors)) {
    const snake = key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
    const list = Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
    out[snake] = [...(out[snake] ?? []), ...list];
  }
  return out;
}

export async function problemFromResponse(res: Response): Promise<ApiError> {
  let problem: Problem = {};
  try {
    const text = await res.text();
    if (text) {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === "object") problem = parsed as Problem;
    }
  } catch {
    // Not JSON (a proxy error page, for instance): keep the status only.
  }
  const retry = Number(res.headers.get("Retry-After"));
  return new ApiError(res.status, problem, Number.isFinite(retry) && retry > 0 ? retry : undefined);
}

export function networkError(cause: unknown): ApiError {
  const err = new ApiError(0, { title: "Cannot reach the server", detail: "Check your connection and try again." });
  (err as { cause?: unknown }).cause = cause;
  return err;
}

/**
 * Plain-language text for any error thrown by the client, in the user's language. The server's `detail`
 * is English for operators and logs; the client words each known problem `code` itself and falls back
 * to the server's text only for a code it does not know yet.
 */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    // A code only known at run time: the key is checked against the bundle, not at compile time.
    const key = `errors:codes.${err.code}` as "errors:generic";
    if (i18n.exists(key)) return String(i18n.t(key));
    return err.detail ?? err.title;
  }
  return i18n.t("errors:generic");
}
