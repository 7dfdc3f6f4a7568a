// One upload queue per channel, kept while the person moves between channels (a file being uploaded
// to #general keeps going while they read #random), wired to the real API.
import { useSyncExternalStore } from "react";
import { api, rest } from "../../app/runtime";
import { putWithXhr, UploadQueue, type UploadItem, type UploadTransport } from "./upload";

const transport: UploadTransport = {
  // Through `rest` at call time, so tests can spy on it.
  create: (channelId, body) => rest.createAttachment(channelId, body),
  put: (upload, file, contentType, onProgress) => putWithXhr(upload, file, contentType, () => api.getAccessToken(), onProgress),
};

const queues = new Map<string, UploadQueue>();

export function uploadsFor(channelId: string): UploadQueue {
  let q = queues.get(channelId);
  if (!q) {
    q = new UploadQueue(channelId, transport);
    queues.set(channelId, q);
  }
  return q;
}

/** Cancels every upload and forgets the queues (sign-out, tests). */
export function resetUploads(): void {
  for (const q of queues.values()) q.clear();
  queues.clear();
}

export function useUploads(channelId: string): { queue: UploadQueue; items: readonly UploadItem[] } {
  const queue = uploadsFor(channelId);
  const items = useSyncExternalStore(queue.subscribe, queue.getSnapshot, queue.getSnapshot);
  return { queue, items };
}
