import type { NotificationApi } from "./api";

const SUBSCRIPTION_KEY = "voxora.push.subscription";

export function base64UrlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  const raw = atob(b64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

export function pushSupported(): boolean {
  return typeof navigator !== "undefined" && "serviceWorker" in navigator && typeof window !== "undefined" && "PushManager" in window;
}

/** The service worker that shows pushes (web/public/sw.js), registered once. */
export async function registerWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!pushSupported()) return null;
  await navigator.serviceWorker.register("/sw.js");
  return navigator.serviceWorker.ready;
}

/**
 * Subscribes this browser with the server's VAPID key and hands the subscription to the server, so messages that
 * notify reach it while no tab is open. Returns false when the browser cannot (no push service, e.g. headless).
 */
export async function enablePush(api: NotificationApi): Promise<boolean> {
  const registration = await registerWorker();
  if (!registration) return false;
  try {
    const { public_key } = await api.vapidKey();
    const subscription =
      (await registration.pushManager.getSubscription()) ??
      (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(public_key) }));
    const json = subscription.toJSON();
    if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth) return false;
    const saved = await api.subscribe({ endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } });
    localStorage.setItem(SUBSCRIPTION_KEY, saved.id);
    return true;
  } catch {
    return false;
  }
}

/** Stops pushes to this browser: on the server (while still signed in) and at the push service. */
export async function disablePush(api: NotificationApi | null): Promise<void> {
  const id = localStorage.getItem(SUBSCRIPTION_KEY);
  localStorage.removeItem(SUBSCRIPTION_KEY);
  if (id && api) await api.unsubscribe(id).catch(() => undefined);
  if (!pushSupported()) return;
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = await registration?.pushManager.getSubscription();
  await subscription?.unsubscribe().catch(() => undefined);
}
