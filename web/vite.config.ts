/// <reference types="vitest/config" />
import { createHash } from "node:crypto";
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";

const backend = "http://127.0.0.1:8080";

// The CSP the server is expected to send with the web client. `vite preview` sends it too, so a
// preview run proves the built app works under it (no inline scripts, no inline <style>).
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // blob: the composer previews images being uploaded from object URLs (never fetched from anywhere).
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join("; ");

/**
 * Emits `sw.js` next to the build: a service worker that precaches the app shell (index.html and
 * every hashed asset of this build) and never touches /api, /gateway or /.well-known.
 * The cache name carries a hash of the asset list, so a new build replaces the old cache.
 */
function serviceWorker(): Plugin {
  return {
    name: "voxora-service-worker",
    apply: "build",
    generateBundle(_options, bundle) {
      const assets = Object.keys(bundle).filter((f) => !f.endsWith(".map")).map((f) => "/" + f);
      const shell = ["/", "/manifest.webmanifest", "/icons/icon-192.png", "/icons/icon-512.png", ...assets];
      const version = createHash("sha256").update(shell.join("\n")).digest("hex").slice(0, 12);
      this.emitFile({ type: "asset", fileName: "sw.js", source: swSource(version, shell) });
    },
  };
}

function swSource(version: string, shell: string[]): string {
  return `// Generated at build time by vite.config.ts. Caches the app shell only, never API answers.
// Web Push (showing pushes, opening the channel on click) lives in public/sw-push.js.
importScripts("/sw-push.js");
const CACHE = "voxora-shell-${version}";
const SHELL = ${JSON.stringify(shell)};
const NEVER = ["/api/", "/gateway", "/.well-known/", "/health/"];
self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (e) => {
  e.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k.startsWith("voxora-shell-") && k !== CACHE).map((k) => caches.delete(k)))).then(() => self.clients.claim()));
});
self.addEventListener("fetch", (e) => {
  const req = e.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER.some((p) => url.pathname.startsWith(p))) return;
  if (req.mode === "navigate") {
    // Network first for pages so a new deployment is picked up; the cached shell when offline.
    e.respondWith(fetch(req).catch(() => caches.match("/")));
    return;
  }
  if (SHELL.includes(url.pathname)) {
    e.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
  }
});
`;
}

export default defineConfig({
  plugins: [react(), tailwindcss(), serviceWorker()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      "/api": { target: backend, changeOrigin: false },
      "/.well-known": { target: backend, changeOrigin: false },
      "/gateway": { target: backend, ws: true, changeOrigin: false },
    },
  },
  preview: {
    headers: { "Content-Security-Policy": contentSecurityPolicy },
    proxy: {
      "/api": { target: backend },
      "/.well-known": { target: backend },
      "/gateway": { target: backend, ws: true },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
    // The i18n instance every component's useTranslation uses (English in jsdom: navigator.language is en-US).
    setupFiles: ["src/i18n/index.ts"],
  },
});
