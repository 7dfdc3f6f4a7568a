import {
  createRootRoute,
  createRoute,
  createRouter,
  Outlet,
  useRouter,
  type RouterHistory,
} from "@tanstack/react-router";
import type { ReactNode } from "react";
import { isAuthPath } from "./app/redirect";
import { Redirect } from "./ui/Redirect";
import { RegisterPage, SignInPage } from "./features/auth/AuthPages";
import { AppShell } from "./features/shell/AppShell";
import { InvitePage } from "./features/invites/InvitePage";
import { SettingsPage } from "./features/settings/SettingsPage";
import { AdminPage } from "./features/admin/AdminPage";
import { SetupPage } from "./features/admin/SetupPage";
import { usePodInfo, usePodInfoStore } from "./features/admin/podInfo";
import { useSession } from "./stores/session";
import { useApplyTheme } from "./ui/theme";
import { Loading } from "./ui/Loading";
import i18n from "./i18n";


const authSearch = (search: Record<string, unknown>): { redirect?: string } =>
  typeof search.redirect === "string" ? { redirect: search.redirect } : {};

function Root() {
  useApplyTheme();
  return <Outlet />;
}


function RequireAuth({ children }: { children: ReactNode }) {
  const status = useSession((s) => s.status);
  const router = useRouter();
  if (status === "unknown") return <Loading label={i18n.t("auth:signingYouIn")} />;
  if (status === "signedOut") {
    // Come back to the page that is on screen (the resolved location, not a pending one).
    const here = router.state.resolvedLocation ?? router.state.location;
    const search = isAuthPath(here.pathname) ? {} : { redirect: here.href };
    return <Redirect to="/login" search={search} replace />;
  }
  return <>{children}</>;
}

function Home() {
  const status = useSession((s) => s.status);
  const pod = usePodInfo();
  const podFailed = usePodInfoStore((s) => s.failed);
  if (status === "unknown") return <Loading />;
  if (status === "signedIn") return <Redirect to="/app" replace />;
  // A pod with no accounts yet: the first visitor sets it up (seed 000 §A-2).
  if (!pod && !podFailed) return <Loading />;
  return <Redirect to={pod?.setup_required ? "/setup" : "/login"} replace />;
}

const rootRoute = createRootRoute({ component: Root, notFoundComponent: () => <Redirect to="/" replace /> });

const indexRoute = createRoute({ getParentRoute: () => rootRoute, path: "/", component: Home });
const loginRoute = createRoute({ getParentRoute: () => rootRoute, path: "/login", validateSearch: authSearch, component: SignInPage });
const registerRoute = createRoute({ getParentRoute: () => rootRoute, path: "/register", validateSearch: authSearch, component: RegisterPage });
const setupRoute = createRoute({ getParentRoute: () => rootRoute, path: "/setup", component: SetupPage });
const adminRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/admin",
  component: () => (
    <RequireAuth>
      <AdminPage />
    </RequireAuth>
  ),
});
const inviteRoute = createRoute({ getParentRoute: () => rootRoute, path: "/invite/$code", component: InvitePage });
const settingsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/settings",
  component: () => (
    <RequireAuth>
      <SettingsPage />
    </RequireAuth>
  ),
});
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/app",
  component: () => (
    <RequireAuth>
      <AppShell />
    </RequireAuth>
  ),
});
const appIndexRoute = createRoute({ getParentRoute: () => appRoute, path: "/", component: () => null });
const communityRoute = createRoute({ getParentRoute: () => appRoute, path: "$communityId", component: () => null });
const channelRoute = createRoute({ getParentRoute: () => appRoute, path: "$communityId/$channelId", component: () => null });
/** A message link: the channel, scrolled to and highlighting that message. */
const messageRoute = createRoute({ getParentRoute: () => appRoute, path: "$communityId/$channelId/$messageId", component: () => null });

const routeTree = rootRoute.addChildren([
  indexRoute,
  loginRoute,
  registerRoute,
  inviteRoute,
  setupRoute,
  adminRoute,
  settingsRoute,
  appRoute.addChildren([appIndexRoute, communityRoute, channelRoute, messageRoute]),
]);

export const createAppRouter = (history?: RouterHistory) =>
  createRouter({ routeTree, defaultPreload: false, ...(history ? { history } : {}) });

export const router = createAppRouter();

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
