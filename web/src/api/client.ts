import { ApiError, networkError, problemFromResponse } from "./errors";
import type { TokenResponse } from "./types";

/**
 * Where the refresh token lives.
 *
 * Trade-off: the access token (≤ 15 min) is kept in memory only, so an XSS bug cannot read a
 * long-lived credential from it after the fact and it never reaches disk. The refresh token is kept
 * in localStorage so a reload or a new tab stays signed in. localStorage is readable by any script
 * on the origin, so an XSS bug could steal it; we accept that because (1) the strict CSP
 * (`script-src 'self'`, no inline script) and text-only rendering make XSS unlikely, (2) refresh
 * tokens rotate on every use and a reused one revokes the whole session, so a stolen token fights
 * the real client and gets noticed, and (3) sessions can be revoked from Settings. An HttpOnly
 * cookie would be stronger but needs server support (CSRF protection, a cookie-bound refresh route).
 */
export interface RefreshTokenStore {
  get(): string | null;
  set(token: string | null): void;
}

export const localRefreshTokenStore = (key = "voxora.refresh_token"): RefreshTokenStore => ({
  get: () => {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set: (token) => {
    try {
      if (token) localStorage.setItem(key, token);
      else localStorage.removeItem(key);
    } catch {
      // storage disabled: stay signed in for this tab only
    }
  },
});

export const memoryRefreshTokenStore = (initial: string | null = null): RefreshTokenStore => {
  let value = initial;
  return { get: () => value, set: (t) => (value = t) };
};

/** Runs `fn` while holding a cross-tab lock when the Web Locks API exists (other tabs share the refresh token). */
export type LockRunner = <T>(fn: () => Promise<T>) => Promise<T>;

const webLock: LockRunner = (fn) => {
  const locks = typeof navigator !== "undefined" ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  return locks ? (locks.request("voxora-refresh", fn) as Promise<Awaited<ReturnType<typeof fn>>>) : fn();
};

export interface ApiClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  refreshStore?: RefreshTokenStore;
  lock?: LockRunner;
  now?: () => number;
  /** Called once when the session is gone (refresh refused): the app signs out. */
  onSessionLost?: () => void;
}

export interface RequestOptions {
  body?: unknown;
  /** A file sent as the request body as it is, with its own type as Content-Type (instead of JSON). */
  file?: Blob;
  /** Send the bearer token and refresh on 401 (default true). */
  auth?: boolean;
  /** Query parameters; an array repeats its name (`has=link&has=image`), an empty one is left out. */
  query?: Record<string, string | number | boolean | readonly string[] | undefined | null>;
  signal?: AbortSignal;
  /** The browser HTTP cache mode (for answers the server lets clients cache). */
  cache?: RequestCache;
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly refreshStore: RefreshTokenStore;
  private readonly lock: LockRunner;
  private readonly now: () => number;
  private readonly onSessionLost: (() => void) | undefined;
  private accessToken: string | null = null;
  private accessExpiresAt = 0;
  private refreshing: Promise<string> | null = null;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? "/api/v1";
    this.fetchImpl = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.refreshStore = options.refreshStore ?? localRefreshTokenStore();
    this.lock = options.lock ?? webLock;
    this.now = options.now ?? (() => Date.now());
    this.onSessionLost = options.onSessionLost;
  }

  hasSession(): boolean {
    return this.accessToken !== null || this.refreshStore.get() !== null;
  }

  setTokens(pair: TokenResponse): void {
    this.accessToken = pair.access_token;
    this.accessExpiresAt = this.now() + pair.expires_in * 1000;
    this.refreshStore.set(pair.refresh_token);
  }

  clearTokens(): void {
    this.accessToken = null;
    this.accessExpiresAt = 0;
    this.refreshStore.set(null);
  }

  /** A usable access token: the current one, or a refreshed one when it is missing or about to expire. */
  async getAccessToken(): Promise<string> {
    if (this.accessToken && this.accessExpiresAt - this.now() > 30_000) return this.accessToken;
    return this.refresh();
  }

  /**
   * Single-flight refresh: every caller during a refresh shares the one request, because a refresh
   * token works once and a second use revokes the whole session. The refresh token is read from
   * storage inside a cross-tab lock, so another tab's rotation is picked up instead of replayed.
   */
  refresh(): Promise<string> {
    if (!this.refreshing) {
      this.refreshing = this.lock(() => this.doRefresh()).finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<string> {
    const token = this.refreshStore.get();
    if (!token) {
      this.lost();
      throw new ApiError(401, { code: "unauthorized", title: "Signed out", detail: "Sign in to continue." });
    }
    let res: Response;
    try {
      res = await this.fetchImpl(this.baseUrl + "/auth/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ refresh_token: token }),
      });
    } catch (e) {
      throw networkError(e);
    }
    if (!res.ok) {
      const err = await problemFromResponse(res);
      if (res.status === 401 || res.status === 400) this.lost();
      throw err;
    }
    const pair = (await res.json()) as TokenResponse;
    this.setTokens(pair);
    return pair.access_token;
  }

  private lost(): void {
    this.clearTokens();
    this.onSessionLost?.();
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const auth = options.auth ?? true;
    let token: string | null = null;
    if (auth) token = this.refreshing ? await this.refreshing : this.accessToken ?? (await this.refresh());
    let res = await this.send(method, path, options, token);
    if (res.status === 401 && auth) {
      // Another request may already have refreshed while this one was in flight: reuse its token.
      const fresh = this.accessToken && this.accessToken !== token ? this.accessToken : await this.refresh();
      res = await this.send(method, path, options, fresh);
    }
    if (!res.ok) throw await problemFromResponse(res);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private async send(method: string, path: string, options: RequestOptions, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    else if (options.file) headers["Content-Type"] = options.file.type;
    if (token) headers["Authorization"] = `Bearer ${token}`;
    let url = this.baseUrl + path;
    if (options.query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(options.query)) {
        if (v === undefined || v === null) continue;
        if (typeof v === "object") for (const item of v) params.append(k, item);
        else params.set(k, String(v));
      }
      const qs = params.toString();
      if (qs) url += "?" + qs;
    }
    try {
      const init: RequestInit = { method, headers };
      if (options.body !== undefined) init.body = JSON.stringify(options.body);
      else if (options.file) init.body = options.file;
      if (options.signal) init.signal = options.signal;
      if (options.cache) init.cache = options.cache;
      return await this.fetchImpl(url, init);
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") throw e;
      throw networkError(e);
    }
  }
}
