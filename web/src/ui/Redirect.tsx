import { useNavigate, type AnyRouter, type NavigateOptions, type RegisteredRouter } from "@tanstack/react-router";
import { useLayoutEffect, useRef } from "react";

/**
 * Navigates once, when it mounts, and never again for this mount.
 *
 * TanStack's `<Navigate>` navigates again whenever it re-renders with a new props object. If those
 * props are derived from router state (like "where am I" for a `redirect` param), each navigation
 * changes the state synchronously, re-renders the still-mounted old route (matches only switch once
 * the load resolves) and navigates again, inside the same React commit: the history flush and the
 * route load (both microtasks) never run, the tab freezes and the redirect param nests itself until
 * the renderer runs out of memory. Sign-out on a guarded page did exactly that.
 */
export function Redirect<
  TRouter extends AnyRouter = RegisteredRouter,
  const TFrom extends string = string,
  const TTo extends string | undefined = undefined,
>(props: NavigateOptions<TRouter, TFrom, TTo>): null {
  const navigate = useNavigate();
  const target = useRef(props);
  const done = useRef(false);
  useLayoutEffect(() => {
    if (done.current) return;
    done.current = true;
    void navigate(target.current as NavigateOptions);
  }, [navigate]);
  return null;
}
