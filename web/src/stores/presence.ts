import { create } from "zustand";
import type { ChosenStatus, Presence, PresenceStatus } from "../api/types";

const CHOSEN_KEY = "voxora.presence";
/** No mouse or keyboard input for this long: the client reports `idle` (seed 000 §C2-4). */
export const AUTO_IDLE_MS = 5 * 60_000;

const CHOSEN: readonly ChosenStatus[] = ["online", "idle", "dnd", "invisible"];

function loadChosen(): ChosenStatus {
  try {
    const saved = globalThis.localStorage?.getItem(CHOSEN_KEY);
    return CHOSEN.includes(saved as ChosenStatus) ? (saved as ChosenStatus) : "online";
  } catch {
    return "online";
  }
}

interface PresenceState {
  /** Others' statuses as the server announced them; a user not listed is offline. */
  byUser: Record<string, PresenceStatus>;
  /**
   * The signed-in user's own current status as the server has it (auto-idle included; `invisible` stays
   * `invisible` here). Notifications stay silent while it is `dnd`.
   */
  myStatus: ChosenStatus;
  /** What the user picked in the status menu (kept across reloads); auto-idle returns to it on input. */
  chosen: ChosenStatus;
  /** True while `idle` was set by inactivity rather than picked. */
  autoIdle: boolean;
  /** Communities READY left out (too many online) whose presences have not been paged in yet. */
  lazyCommunities: Record<string, true>;
  /** READY: everything known before is replaced; `lazy` names the communities it left out. */
  replaceAll: (presences: Presence[], myId: string | null, lazy?: string[]) => void;
  /** Claims a lazy community's presences for loading: true once per READY for each such community, false otherwise. */
  claimLazy: (communityId: string) => boolean;
  /** PRESENCE_UPDATE or a fetched page (about me: my real status). */
  upsert: (presences: Presence[], myId: string | null) => void;
  choose: (status: ChosenStatus) => void;
  setAutoIdle: (on: boolean) => void;
  reset: () => void;
}

function applyTo(byUser: Record<string, PresenceStatus>, presences: Presence[], myId: string | null, mine: ChosenStatus): [Record<string, PresenceStatus>, ChosenStatus] {
  for (const p of presences) {
    if (p.user_id === myId) {
      if (CHOSEN.includes(p.status as ChosenStatus)) mine = p.status as ChosenStatus;
      continue;
    }
    if (p.status === "offline" || p.status === "invisible") delete byUser[p.user_id];
    else byUser[p.user_id] = p.status;
  }
  return [byUser, mine];
}

export const usePresenceStore = create<PresenceState>()((set, get) => ({
  byUser: {},
  lazyCommunities: {},
  myStatus: loadChosen(),
  chosen: loadChosen(),
  autoIdle: false,
  replaceAll: (presences, myId, lazy = []) =>
    set((s) => {
      const [byUser, myStatus] = applyTo({}, presences, myId, s.myStatus);
      return { byUser, myStatus, lazyCommunities: Object.fromEntries(lazy.map((id) => [id, true] as const)) };
    }),
  claimLazy: (communityId) => {
    if (!get().lazyCommunities[communityId]) return false;
    set((s) => {
      const { [communityId]: _claimed, ...rest } = s.lazyCommunities;
      return { lazyCommunities: rest };
    });
    return true;
  },
  upsert: (presences, myId) =>
    set((s) => {
      const [byUser, myStatus] = applyTo({ ...s.byUser }, presences, myId, s.myStatus);
      return { byUser, myStatus };
    }),
  choose: (status) => {
    try {
      globalThis.localStorage?.setItem(CHOSEN_KEY, status);
    } catch {
      // Private mode: the choice lasts for this tab only.
    }
    set({ chosen: status, myStatus: status, autoIdle: false });
  },
  setAutoIdle: (on) => set((s) => ({ autoIdle: on, myStatus: on ? "idle" : s.chosen })),
  reset: () => set({ byUser: {}, autoIdle: false, lazyCommunities: {} }),
}));

/** Someone's status as the UI shows it: what was announced, else offline; the signed-in user sees their own. */
export function statusOf(state: Pick<PresenceState, "byUser" | "myStatus">, userId: string, myId: string | null): PresenceStatus {
  if (userId === myId) return state.myStatus;
  return state.byUser[userId] ?? "offline";
}

/** The status IDENTIFY and op 9 should carry now. */
export function wantedStatus(state: Pick<PresenceState, "chosen" | "autoIdle">): ChosenStatus {
  return state.autoIdle && state.chosen === "online" ? "idle" : state.chosen;
}

export const STATUS_LABEL: Record<PresenceStatus, string> = {
  online: "Online",
  idle: "Idle",
  dnd: "Do not disturb",
  invisible: "Invisible",
  offline: "Offline",
};
