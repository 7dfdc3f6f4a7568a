import type { ApiClient } from "../api/client";
import type {
  ChannelNotificationLevel,
  ChannelNotificationSettings,
  CommunityNotificationSettings,
  NotificationLevel,
  NotificationSettings,
  PushSubscriptionInfo,
} from "../api/types";

const enc = encodeURIComponent;

/** REST of notification settings and Web Push subscriptions (docs/protocol.md "Notifications and Web Push"). */
export function notificationEndpoints(api: ApiClient) {
  return {
    settings: () => api.request<NotificationSettings>("GET", "/users/@me/notification-settings"),
    setPreviews: (show_previews: boolean) =>
      api.request<NotificationSettings>("PATCH", "/users/@me/notification-settings", { body: { show_previews } }),
    setCommunity: (id: string, body: { level: NotificationLevel; muted_until?: string; suppress_everyone?: boolean }) =>
      api.request<CommunityNotificationSettings>("PUT", `/communities/${enc(id)}/notification-settings`, { body }),
    setChannel: (id: string, body: { level: ChannelNotificationLevel; muted_until?: string }) =>
      api.request<ChannelNotificationSettings>("PUT", `/channels/${enc(id)}/notification-settings`, { body }),
    vapidKey: () => api.request<{ public_key: string }>("GET", "/push/vapid-public-key"),
    subscribe: (body: { endpoint: string; keys: { p256dh: string; auth: string } }) =>
      api.request<PushSubscriptionInfo>("POST", "/users/@me/push-subscriptions", { body }),
    unsubscribe: (id: string) => api.request<void>("DELETE", `/users/@me/push-subscriptions/${enc(id)}`),
  };
}

export type NotificationApi = ReturnType<typeof notificationEndpoints>;
