// Web Push in Voxora's service worker (imported by the generated sw.js): shows pushes (docs/protocol.md
// "Notifications and Web Push") and opens the channel on click. The payload arrives decrypted by the browser
// (RFC 8291); it carries only what the server's settings allow.

function sameOriginPath(url) {
  // Only paths of this app: a push can never send the person elsewhere.
  return typeof url === "string" && url.startsWith("/app/") && !url.startsWith("//") ? url : "/app";
}

self.addEventListener("push", (event) => {
  let payload = null;
  try {
    payload = event.data ? event.data.json() : null;
  } catch {
    payload = null;
  }
  const title = (payload && typeof payload.title === "string" && payload.title) || "Voxora";
  const body = (payload && typeof payload.body === "string" && payload.body) || "New message";
  const url = sameOriginPath(payload && payload.url);
  event.waitUntil(
    self.registration.showNotification(title, {
      body,
      tag: (payload && payload.channel_id) || "voxora",
      icon: "/icons/icon-192.png",
      data: { url },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = sameOriginPath(event.notification.data && event.notification.data.url);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const client of windows) {
        if (new URL(client.url).origin === self.location.origin) {
          await client.focus();
          if ("navigate" in client) await client.navigate(url);
          return;
        }
      }
      await self.clients.openWindow(url);
    })(),
  );
});
