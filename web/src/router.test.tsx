import { act, cleanup, render, screen } from "@testing-library/react";
import { createMemoryHistory, RouterProvider } from "@tanstack/react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isAuthPath, safeRedirect } from "./app/redirect";
import { api } from "./app/runtime";
import { createAppRouter } from "./router";
import { useSession } from "./stores/session";

const me = { id: "usr_me", username: "me", created_at: "2025-01-01T00:00:00Z" };

function renderAt(path: string) {
  const router = createAppRouter(createMemoryHistory({ initialEntries: [path] }));
  const original = router.navigate.bind(router);
  // A navigation loop runs synchronously inside one React commit and never yields: fail fast instead
  // of letting the nesting redirect param exhaust memory.
  const navigate = vi.spyOn(router, "navigate").mockImplementation((opts) => {
    if (navigate.mock.calls.length > 20) throw new Error("navigation loop: " + JSON.stringify(opts).slice(0, 200));
    return original(opts);
  });
  render(<RouterProvider router={router} />);
  return { router, navigate };
}

describe("route guard", () => {
  beforeEach(() => {
    // Signed in, with requests that never answer: the screens render without a server.
    api.setTokens({ access_token: "access", refresh_token: "refresh", expires_in: 900, token_type: "Bearer" } as never);
    vi.stubGlobal("fetch", vi.fn(() => new Promise<Response>(() => {})));
    useSession.getState().setUser(me);
  });
  afterEach(() => {
    cleanup();
    api.clearTokens();
    vi.unstubAllGlobals();
  });

  it("signing out on a guarded page lands on the sign-in screen once, remembering the page", async () => {
    const { router, navigate } = renderAt("/settings");
    await screen.findByRole("heading", { name: "Settings" });
    act(() => useSession.getState().setSignedOut());
    await screen.findByRole("heading", { name: "Welcome back" });
    expect(router.state.location.pathname).toBe("/login");
    expect(router.state.location.search).toEqual({ redirect: "/settings" });
    // One navigation, not a loop that nests the redirect into itself.
    expect(navigate).toHaveBeenCalledTimes(1);
  });

  it("a session lost while on /app lands on the sign-in screen", async () => {
    const { router } = renderAt("/app");
    act(() => useSession.getState().setSignedOut());
    await screen.findByRole("heading", { name: "Welcome back" });
    expect(router.state.location.pathname).toBe("/login");
    expect(router.state.location.search).toEqual({ redirect: "/app" });
  });

  it("signing in from a sign-in page whose redirect names the sign-in page goes to the app", async () => {
    useSession.getState().setSignedOut();
    const { router } = renderAt("/login?redirect=%2Flogin%3Fredirect%3D%252Fsettings");
    await screen.findByRole("heading", { name: "Welcome back" });
    act(() => useSession.getState().setUser(me));
    await vi.waitFor(() => expect(router.state.location.pathname).toBe("/app"));
  });
});

describe("redirect targets", () => {
  it("accepts same-site paths only, and never the auth pages", () => {
    expect(safeRedirect("/app/1/2")).toBe("/app/1/2");
    expect(safeRedirect("/invite/abc")).toBe("/invite/abc");
    expect(safeRedirect("//evil.example")).toBe("/app");
    expect(safeRedirect("/\\evil.example")).toBe("/app");
    expect(safeRedirect("https://evil.example")).toBe("/app");
    expect(safeRedirect("/login?redirect=%2Fsettings")).toBe("/app");
    expect(safeRedirect("/register")).toBe("/app");
    expect(safeRedirect(undefined)).toBe("/app");
    expect(isAuthPath("/loginx")).toBe(false);
  });
});
