import { describe, expect, it, vi } from "vitest";
import { ApiClient, memoryRefreshTokenStore } from "./client";
import { ApiError } from "./errors";

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json", ...headers },
  });

/** A fake server: access tokens "a1", "a2"…; refresh tokens work once. */
function fakeServer(opts: { refreshDelayMs?: number } = {}) {
  let n = 1;
  let validAccess = "a1";
  const usedRefresh = new Set<string>();
  let revoked = false;
  const calls: string[] = [];
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push(`${init?.method} ${url}`);
    if (url.endsWith("/auth/refresh")) {
      const { refresh_token } = JSON.parse(String(init?.body));
      if (opts.refreshDelayMs) await new Promise((r) => setTimeout(r, opts.refreshDelayMs));
      if (usedRefresh.has(refresh_token) || revoked || refresh_token !== `r${n}`) {
        revoked = true; // reuse revokes the session
        return json(401, { status: 401, code: "invalid_refresh_token", title: "Invalid refresh token" });
      }
      usedRefresh.add(refresh_token);
      n++;
      validAccess = `a${n}`;
      return json(200, { access_token: validAccess, token_type: "Bearer", expires_in: 900, refresh_token: `r${n}` });
    }
    const auth = (init?.headers as Record<string, string>)["Authorization"];
    if (auth !== `Bearer ${validAccess}` || revoked) return json(401, { status: 401, code: "unauthorized", title: "Unauthorized" });
    return json(200, { ok: true, auth });
  });
  return { fetchImpl, calls, expireAccess: () => (validAccess = "expired"), isRevoked: () => revoked };
}

describe("ApiClient", () => {
  it("refreshes once for many concurrent 401s, then retries each request once", async () => {
    const server = fakeServer({ refreshDelayMs: 5 });
    const store = memoryRefreshTokenStore("r1");
    const client = new ApiClient({ baseUrl: "/api/v1", fetch: server.fetchImpl as typeof fetch, refreshStore: store, lock: (fn) => fn() });
    client.setTokens({ access_token: "stale", token_type: "Bearer", expires_in: 900, refresh_token: "r1" });
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => client.request<{ ok: boolean; auth: string }>("GET", "/users/@me")));
    expect(results.every((r) => r.ok && r.auth === "Bearer a2")).toBe(true);
    expect(server.calls.filter((c) => c.endsWith("/auth/refresh"))).toHaveLength(1);
    expect(server.isRevoked()).toBe(false);
    expect(store.get()).toBe("r2");
  });

  it("a request that fails again after the refresh is not retried a second time", async () => {
    let refreshes = 0;
    const fetchImpl = vi.fn(async (input: RequestInfo | URL) => {
      if (String(input).endsWith("/auth/refresh")) {
        refreshes++;
        return json(200, { access_token: `x${refreshes}`, token_type: "Bearer", expires_in: 900, refresh_token: `y${refreshes}` });
      }
      return json(401, { code: "unauthorized", title: "Unauthorized" });
    });
    const client = new ApiClient({ fetch: fetchImpl as typeof fetch, refreshStore: memoryRefreshTokenStore("y0"), lock: (fn) => fn() });
    client.setTokens({ access_token: "x0", token_type: "Bearer", expires_in: 900, refresh_token: "y0" });
    await expect(client.request("GET", "/users/@me")).rejects.toMatchObject({ status: 401, code: "unauthorized" });
    expect(refreshes).toBe(1);
    expect(fetchImpl).toHaveBeenCalledTimes(3);
  });

  it("signs out when the refresh token is refused", async () => {
    const onSessionLost = vi.fn();
    const fetchImpl = vi.fn(async () => json(401, { code: "invalid_refresh_token", title: "x" }));
    const store = memoryRefreshTokenStore("r1");
    const client = new ApiClient({ fetch: fetchImpl as typeof fetch, refreshStore: store, lock: (fn) => fn(), onSessionLost });
    await expect(client.request("GET", "/users/@me")).rejects.toBeInstanceOf(ApiError);
    expect(onSessionLost).toHaveBeenCalledTimes(1);
    expect(store.get()).toBeNull();
    expect(client.hasSession()).toBe(false);
  });

  it("parses problem documents into ApiError with status, code and field errors", async () => {
    const fetchImpl = vi.fn(async () =>
      json(400, {
        type: "https://voxora.dev/problems/validation_failed",
        title: "Validation failed",
        status: 400,
        code: "validation_failed",
        errors: { username: ["Username must be 2–32 characters."], NewPassword: ["Too short."] },
      }),
    );
    const client = new ApiClient({ fetch: fetchImpl as typeof fetch, refreshStore: memoryRefreshTokenStore() });
    const err = (await client.request("POST", "/auth/register", { body: { username: "x" }, auth: false }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.code).toBe("validation_failed");
    expect(err.field("username")).toBe("Username must be 2–32 characters.");
    expect(err.field("new_password")).toBe("Too short.");
    // auth: false sends no bearer token
    const init = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect((init[1].headers as Record<string, string>)["Authorization"]).toBeUndefined();
  });

  it("reports Retry-After on rate limits and survives non-JSON errors", async () => {
    const fetchImpl = vi
      .fn()
      .mockResolvedValueOnce(json(429, { code: "rate_limited", title: "Too many requests" }, { "Retry-After": "7" }))
      .mockResolvedValueOnce(new Response("<html>bad gateway</html>", { status: 502 }));
    const client = new ApiClient({ fetch: fetchImpl as typeof fetch, refreshStore: memoryRefreshTokenStore() });
    const a = await client.request("GET", "/x", { auth: false }).catch((e) => e);
    expect(a).toMatchObject({ status: 429, code: "rate_limited", retryAfterSeconds: 7 });
    const b = await client.request("GET", "/x", { auth: false }).catch((e) => e);
    expect(b).toMatchObject({ status: 502, code: "unknown_error" });
  });

  it("turns network failures into ApiError status 0", async () => {
    const fetchImpl = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    const client = new ApiClient({ fetch: fetchImpl as typeof fetch, refreshStore: memoryRefreshTokenStore() });
    await expect(client.request("GET", "/x", { auth: false })).rejects.toMatchObject({ status: 0, code: "network_error" });
  });

  it("getAccessToken refreshes a token that is about to expire, once", async () => {
    const server = fakeServer();
    let now = 0;
    const client = new ApiClient({ fetch: server.fetchImpl as typeof fetch, refreshStore: memoryRefreshTokenStore(), lock: (fn) => fn(), now: () => now });
    client.setTokens({ access_token: "a1", token_type: "Bearer", expires_in: 900, refresh_token: "r1" });
    expect(await client.getAccessToken()).toBe("a1");
    now = 880_000;
    const [x, y] = await Promise.all([client.getAccessToken(), client.getAccessToken()]);
    expect(x).toBe("a2");
    expect(y).toBe("a2");
    expect(server.calls.filter((c) => c.endsWith("/auth/refresh"))).toHaveLength(1);
  });

  it("repeats a query parameter for each item of a list and leaves out empty lists and absent values", async () => {
    const urls: string[] = [];
    const fetchImpl = vi.fn(async (input: RequestInfo | URL) => {
      urls.push(String(input));
      return json(200, {});
    });
    const client = new ApiClient({ baseUrl: "/api/v1", fetch: fetchImpl as typeof fetch, refreshStore: memoryRefreshTokenStore() });
    await client.request("GET", "/s", { auth: false, query: { q: "a b", has: ["link", "image"], channel_id: [], pinned: false, cursor: undefined } });
    expect(urls).toEqual(["/api/v1/s?q=a+b&has=link&has=image&pinned=false"]);
  });
});
