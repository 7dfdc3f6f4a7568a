import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChosenStatus, DispatchEvent } from "../api/types";
import { PresenceReporter, REPORTS_PER_MINUTE } from "../app/presence";
import { applyDispatch, resetStores } from "./dispatch";
import { statusOf, usePresenceStore, wantedStatus } from "./presence";
import { useSession } from "./session";

const me = { id: "usr_me", username: "me", created_at: "2025-01-01T00:00:00Z" };
const p = (user_id: string, status: string) => ({ user_id, status, activities: [] }) as never;
const status = (id: string) => statusOf(usePresenceStore.getState(), id, me.id);

describe("presence store", () => {
  beforeEach(() => {
    localStorage.clear();
    resetStores();
    usePresenceStore.setState({ myStatus: "online", chosen: "online", autoIdle: false });
    useSession.getState().setUser(me);
  });

  it("READY replaces everything and carries my own real status", () => {
    usePresenceStore.getState().upsert([p("usr_gone", "online")], me.id);
    applyDispatch({ t: "READY", d: { session_id: "gw_1", user: me, communities: [], presences: [p(me.id, "invisible"), p("usr_bob", "dnd")] } } as DispatchEvent);
    expect(status("usr_bob")).toBe("dnd");
    expect(status("usr_gone")).toBe("offline");
    expect(usePresenceStore.getState().myStatus).toBe("invisible");
  });

  it("a community READY left out is claimed for loading once per READY", () => {
    applyDispatch({ t: "READY", d: { session_id: "gw_1", user: me, communities: [], presences: [], lazy_presence_community_ids: ["com_big"] } } as DispatchEvent);
    const store = usePresenceStore.getState();
    expect(store.claimLazy("com_small")).toBe(false);
    expect(store.claimLazy("com_big")).toBe(true);
    expect(usePresenceStore.getState().claimLazy("com_big")).toBe(false);
    // A new READY (reconnect) names it again: its presences are paged in again when it is next opened.
    applyDispatch({ t: "READY", d: { session_id: "gw_2", user: me, communities: [], presences: [], lazy_presence_community_ids: ["com_big"] } } as DispatchEvent);
    expect(usePresenceStore.getState().claimLazy("com_big")).toBe(true);
  });

  it("PRESENCE_UPDATE goes online, idle, dnd and offline; unknown users are offline", () => {
    expect(status("usr_bob")).toBe("offline");
    for (const s of ["online", "idle", "dnd"]) {
      applyDispatch({ t: "PRESENCE_UPDATE", d: p("usr_bob", s) } as DispatchEvent);
      expect(status("usr_bob")).toBe(s);
    }
    applyDispatch({ t: "PRESENCE_UPDATE", d: p("usr_bob", "offline") } as DispatchEvent);
    expect(status("usr_bob")).toBe("offline");
    expect(usePresenceStore.getState().byUser).toEqual({});
  });

  it("my own PRESENCE_UPDATE (from another tab) sets myStatus, which notifications read for dnd", () => {
    applyDispatch({ t: "PRESENCE_UPDATE", d: p(me.id, "dnd") } as DispatchEvent);
    expect(usePresenceStore.getState().myStatus).toBe("dnd");
    expect(status(me.id)).toBe("dnd");
  });

  it("the chosen status is remembered across reloads and auto-idle only overrides online", () => {
    usePresenceStore.getState().choose("dnd");
    expect(localStorage.getItem("voxora.presence")).toBe("dnd");
    usePresenceStore.getState().setAutoIdle(true);
    expect(wantedStatus(usePresenceStore.getState())).toBe("dnd");
    usePresenceStore.getState().choose("online");
    usePresenceStore.getState().setAutoIdle(true);
    expect(usePresenceStore.getState().myStatus).toBe("idle");
    expect(wantedStatus(usePresenceStore.getState())).toBe("idle");
    usePresenceStore.getState().setAutoIdle(false);
    expect(usePresenceStore.getState().myStatus).toBe("online");
    expect(wantedStatus(usePresenceStore.getState())).toBe("online");
  });
});

describe("presence reporter", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("sends at most four updates a minute and then only the newest pick", () => {
    const sent: ChosenStatus[] = [];
    const reporter = new PresenceReporter((s) => (sent.push(s), true), () => Date.now());
    const picks: ChosenStatus[] = ["idle", "dnd", "online", "idle", "dnd", "invisible"];
    for (const s of picks) reporter.report(s);
    expect(sent).toEqual(picks.slice(0, REPORTS_PER_MINUTE));
    vi.advanceTimersByTime(60_000);
    expect(sent).toEqual([...picks.slice(0, REPORTS_PER_MINUTE), "invisible"]);
  });
});
