import { create } from "zustand";
import type { ChannelNotificationSettings, CommunityNotificationSettings, NotificationSettings } from "../api/types";

const DISMISSED_KEY = "voxora.notifications.banner-dismissed";

function readDismissed(): boolean {
  try {
    return localStorage.getItem(DISMISSED_KEY) === "1";
  } catch {
    return false;
  }
}

export type PermissionState = NotificationPermission | "unsupported";

export function currentPermission(): PermissionState {
  return typeof Notification === "undefined" ? "unsupported" : Notification.permission;
}

interface NotificationsState {
  settings: NotificationSettings;
  permission: PermissionState;
  /** Set once the person did something that makes asking sensible (sent a message, opened notification settings). */
  promptEligible: boolean;
  bannerDismissed: boolean;
  replace: (settings: NotificationSettings) => void;
  upsertCommunity: (s: CommunityNotificationSettings) => void;
  upsertChannel: (s: ChannelNotificationSettings) => void;
  setPreviews: (show: boolean) => void;
  setPermission: (p: PermissionState) => void;
  markEligible: () => void;
  dismissBanner: () => void;
  reset: () => void;
}

const empty: NotificationSettings = { communities: [], channels: [], show_previews: false };

export const useNotifications = create<NotificationsState>()((set) => ({
  settings: empty,
  permission: currentPermission(),
  promptEligible: false,
  bannerDismissed: readDismissed(),
  replace: (settings) => set({ settings }),
  upsertCommunity: (s) =>
    set((st) => ({
      settings: {
        ...st.settings,
        communities: [...st.settings.communities.filter((c) => c.community_id !== s.community_id), s],
      },
    })),
  upsertChannel: (s) =>
    set((st) => ({
      settings: { ...st.settings, channels: [...st.settings.channels.filter((c) => c.channel_id !== s.channel_id), s] },
    })),
  setPreviews: (show) => set((st) => ({ settings: { ...st.settings, show_previews: show } })),
  setPermission: (permission) => set({ permission }),
  markEligible: () => set({ promptEligible: true }),
  dismissBanner: () => {
    try {
      localStorage.setItem(DISMISSED_KEY, "1");
    } catch {
      // storage disabled: dismissed for this tab only
    }
    set({ bannerDismissed: true });
  },
  reset: () => set({ settings: empty, promptEligible: false }),
}));

/** Show the "Enable desktop notifications" banner? Never on first load: only after a sensible moment, and only while undecided. */
export function shouldOfferNotifications(s: Pick<NotificationsState, "permission" | "promptEligible" | "bannerDismissed">): boolean {
  return s.permission === "default" && s.promptEligible && !s.bannerDismissed;
}
