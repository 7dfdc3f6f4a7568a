// Wires notification settings, desktop notifications and Web Push to the running app (app/runtime.ts calls in).
import { DIRECT_HOME, directTitle, useDirectChannels } from "../stores/directChannels";
import type { Message } from "../api/types";
import { api } from "../app/runtime";
import { useChannels } from "../stores/channels";
import { useCommunities } from "../stores/communities";
import { useMembers } from "../stores/members";
import { usePresenceStore } from "../stores/presence";
import { useSession } from "../stores/session";
import { notificationEndpoints, type NotificationApi } from "./api";
import { desktopNotice, showDesktopNotice } from "./desktop";
import { disablePush, enablePush } from "./push";
import { currentPermission, useNotifications } from "./store";
import i18n from "../i18n";

let endpointsOf: NotificationApi | null = null;
/** Created on first use: app/runtime imports this module before its own `api` exists. */
export function notificationApi(): NotificationApi {
  return (endpointsOf ??= notificationEndpoints(api));
}

/** After READY: the settings that decide desktop notifications, and the push subscription kept fresh when allowed. */
export async function loadNotificationSettings(): Promise<void> {
  try {
    useNotifications.getState().replace(await notificationApi().settings());
  } catch {
    // Defaults until the next READY.
  }
  if (currentPermission() === "granted") void enablePush(notificationApi());
}

export function onMessageCreated(message: Message): void {
  const n = useNotifications.getState();
  const myId = useSession.getState().user?.id ?? null;
  const notice = desktopNotice(message, {
    hidden: typeof document !== "undefined" && document.visibilityState === "hidden",
    permission: currentPermission(),
    dnd: usePresenceStore.getState().myStatus === "dnd",
    myId,
    myRoles: (myId && message.community_id && useMembers.getState().byCommunity[message.community_id]?.[myId]?.roles) || [],
    settings: n.settings,
    channelName: message.community_id
      ? useChannels.getState().byId[message.channel_id]?.name
      : directTitle(useDirectChannels.getState().byId[message.channel_id], myId) || message.author.display_name || message.author.username,
    communityName: message.community_id ? useCommunities.getState().byId[message.community_id]?.name : i18n.t("shell:directMessages"),
    now: Date.now(),
    nameOf: (userId) => {
      const user = message.community_id ? useMembers.getState().byCommunity[message.community_id]?.[userId]?.user : useMembers.getState().users[userId];
      return user ? user.display_name || user.username : undefined;
    },
  });
  if (!notice) return;
  showDesktopNotice(notice, () => {
    void import("../router").then(({ router }) =>
      router.navigate({ to: "/app/$communityId/$channelId", params: { communityId: message.community_id ?? DIRECT_HOME, channelId: message.channel_id } }),
    );
  });
}

/** The banner's button: ask the browser, then register for pushes when allowed. */
export async function requestNotifications(): Promise<void> {
  if (typeof Notification === "undefined") return;
  const permission = await Notification.requestPermission();
  useNotifications.getState().setPermission(permission);
  if (permission === "granted") await enablePush(notificationApi());
}

/** Notifications turned off in the browser, or signing out: this browser gets no more pushes for this account. */
export async function stopPush(signedIn: boolean): Promise<void> {
  await disablePush(signedIn ? notificationApi() : null);
}

export function resetNotifications(): void {
  useNotifications.getState().reset();
}
