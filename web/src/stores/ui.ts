import { create } from "zustand";
import type { GatewayState } from "../gateway/gateway";
import { compareIds } from "./ids";

export type Theme = "dark" | "light";
const THEME_KEY = "voxora.theme";
const SEEN_KEY = "voxora.last_seen";

function load<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}
function save(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // ignore
  }
}

interface UiState {
  theme: Theme;
  drawerOpen: boolean;
  membersOpen: boolean;
  gateway: GatewayState;
  /** Why the gateway is waiting longer than usual (a server limit: close 4013/4014); cleared once READY. */
  gatewayLimit: string | null;
  /** The channel on screen (messages there count as seen). */
  activeChannelId: string | null;
  /** channel id → newest message id we know of. */
  latest: Record<string, string>;
  /** channel id → newest message id the user has seen (persisted). */
  lastSeen: Record<string, string>;
  setTheme: (t: Theme) => void;
  setDrawer: (open: boolean) => void;
  toggleMembers: () => void;
  setGateway: (s: GatewayState) => void;
  setGatewayLimit: (why: string | null) => void;
  setActiveChannel: (id: string | null) => void;
  noteMessage: (channelId: string, messageId: string) => void;
  markSeen: (channelId: string, messageId: string) => void;
}

export const useUi = create<UiState>()((set, get) => ({
  theme: load<Theme>(THEME_KEY, "dark") === "light" ? "light" : "dark",
  drawerOpen: false,
  membersOpen: typeof window !== "undefined" ? window.innerWidth >= 1024 : true,
  gateway: "idle",
  gatewayLimit: null,
  activeChannelId: null,
  latest: {},
  lastSeen: load<Record<string, string>>(SEEN_KEY, {}),
  setTheme: (theme) => {
    save(THEME_KEY, theme);
    set({ theme });
  },
  setDrawer: (drawerOpen) => set({ drawerOpen }),
  toggleMembers: () => set((s) => ({ membersOpen: !s.membersOpen })),
  setGateway: (gateway) => set(gateway === "ready" ? { gateway, gatewayLimit: null } : { gateway }),
  setGatewayLimit: (gatewayLimit) => set({ gatewayLimit }),
  setActiveChannel: (activeChannelId) => set({ activeChannelId }),
  noteMessage: (channelId, messageId) => {
    const s = get();
    const prev = s.latest[channelId];
    if (prev && compareIds(prev, messageId) >= 0) return;
    set({ latest: { ...s.latest, [channelId]: messageId } });
    if (s.activeChannelId === channelId && typeof document !== "undefined" && document.visibilityState !== "hidden") {
      get().markSeen(channelId, messageId);
    }
  },
  markSeen: (channelId, messageId) => {
    const s = get();
    const prev = s.lastSeen[channelId];
    if (prev && compareIds(prev, messageId) >= 0) return;
    const lastSeen = { ...s.lastSeen, [channelId]: messageId };
    save(SEEN_KEY, lastSeen);
    set({ lastSeen });
  },
}));

export const hasUnread = (latest: string | undefined, seen: string | undefined): boolean =>
  !!latest && (!seen || compareIds(latest, seen) > 0);
