// The upload queue of one channel's composer: every added file is checked, then uploaded at once in two
// steps (POST /channels/{id}/attachments, then PUT of the raw bytes to the upload URL it returns),
// with progress, cancel, error and retry per file. UI-free, so it is unit tested with a fake transport.
import { ApiError, describeError } from "../../api/errors";
import type { Attachment, AttachmentUpload, Problem } from "../../api/types";
import { checkFiles, MAX_FILES } from "./limits";
import i18n from "../../i18n";

export type UploadStatus = "uploading" | "done" | "error";

export interface UploadItem {
  /** Local key (not the attachment id, which the server gives later). */
  key: string;
  file: File;
  filename: string;
  contentType: string;
  size: number;
  status: UploadStatus;
  /** 0…1 of the bytes sent (1 while the server stores the file and makes the thumbnail). */
  progress: number;
  error?: string;
  /** False for files refused before upload (retrying cannot help: remove them). */
  retryable: boolean;
  /** Set when done. */
  attachment?: Attachment;
  /** An object URL showing the local image while it uploads (null for other files). */
  previewUrl: string | null;
}

export interface PutHandle {
  done: Promise<Attachment>;
  abort: () => void;
}

export interface UploadTransport {
  create: (channelId: string, body: { filename: string; content_type: string; size_bytes: number }) => Promise<AttachmentUpload>;
  put: (upload: AttachmentUpload, file: File, contentType: string, onProgress: (loaded: number, total: number) => void) => PutHandle;
}

export interface QueueOptions {
  previewUrl?: (file: File, contentType: string) => string | null;
  revokeUrl?: (url: string) => void;
  maxBytes?: number;
}

const defaultPreview = (file: File, contentType: string): string | null =>
  contentType.startsWith("image/") && typeof URL !== "undefined" && typeof URL.createObjectURL === "function" ? URL.createObjectURL(file) : null;
const defaultRevoke = (url: string) => {
  if (typeof URL !== "undefined" && typeof URL.revokeObjectURL === "function") URL.revokeObjectURL(url);
};

let counter = 0;

export class UploadQueue {
  private items: readonly UploadItem[] = [];
  private readonly listeners = new Set<() => void>();
  /** The running attempt of each item: cancelling or retrying replaces it, so a late answer of an old attempt is ignored. */
  private readonly attempts = new Map<string, { abort: () => void }>();
  /** The upload URL each file was given, kept until its PUT succeeds. */
  private readonly tickets = new Map<string, AttachmentUpload>();
  private readonly previewUrl: (file: File, contentType: string) => string | null;
  private readonly revokeUrl: (url: string) => void;
  private readonly maxBytes: number | undefined;

  constructor(
    readonly channelId: string,
    private readonly transport: UploadTransport,
    options: QueueOptions = {},
  ) {
    this.previewUrl = options.previewUrl ?? defaultPreview;
    this.revokeUrl = options.revokeUrl ?? defaultRevoke;
    this.maxBytes = options.maxBytes;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): readonly UploadItem[] => this.items;

  /** Files counting towards the per-message limit: all but those refused before upload. */
  get counted(): number {
    return this.items.filter((i) => i.retryable).length;
  }

  /** Adds files: each is checked, the acceptable ones start uploading at once. Returns the new items. */
  add(files: readonly File[]): UploadItem[] {
    const checks = checkFiles(files, this.counted, this.maxBytes);
    const added = checks.map<UploadItem>(({ file, contentType, error }) => {
      const base = { key: `up-${++counter}`, file, filename: file.name || "file", contentType, size: file.size, progress: 0 };
      return error
        ? { ...base, status: "error", error, retryable: false, previewUrl: null }
        : { ...base, status: "uploading", retryable: true, previewUrl: this.previewUrl(file, contentType) };
    });
    this.set([...this.items, ...added]);
    for (const item of added) if (item.status === "uploading") this.start(item.key);
    return added;
  }

  /** Removes a file, aborting its upload if it is running. */
  cancel(key: string): void {
    this.attempts.get(key)?.abort();
    this.attempts.delete(key);
    this.tickets.delete(key);
    const item = this.items.find((i) => i.key === key);
    if (!item) return;
    if (item.previewUrl) this.revokeUrl(item.previewUrl);
    this.set(this.items.filter((i) => i.key !== key));
  }

  retry(key: string): void {
    const item = this.items.find((i) => i.key === key);
    if (!item || item.status !== "error" || !item.retryable) return;
    this.update(key, { status: "uploading", progress: 0, error: undefined });
    this.start(key);
  }

  /** Ids of the finished uploads, in the order the files were added. */
  doneIds(): string[] {
    return this.items.flatMap((i) => (i.status === "done" && i.attachment ? [i.attachment.id] : []));
  }

  /** After a send: the finished files leave the composer (failed ones stay for retry or removal). */
  takeDone(): Attachment[] {
    const done = this.items.filter((i) => i.status === "done");
    for (const item of done) if (item.previewUrl) this.revokeUrl(item.previewUrl);
    this.set(this.items.filter((i) => i.status !== "done"));
    return done.flatMap((i) => (i.attachment ? [i.attachment] : []));
  }

  /** Cancels everything (leaving the app). */
  clear(): void {
    for (const item of this.items) this.cancel(item.key);
  }

  private start(key: string): void {
    const item = this.items.find((i) => i.key === key);
    if (!item) return;
    let aborted = false;
    let put: PutHandle | null = null;
    const attempt = {
      abort: () => {
        aborted = true;
        put?.abort();
      },
    };
    this.attempts.get(key)?.abort();
    this.attempts.set(key, attempt);
    const current = () => !aborted && this.attempts.get(key) === attempt;

    void (async () => {
      try {
        // A refused or interrupted PUT stores nothing and may be repeated while its URL is valid (docs/protocol.md
        // "Attachments"): a retry reuses it instead of announcing the file again.
        const reusable = this.tickets.get(key);
        const upload =
          reusable && Date.parse(reusable.expires_at) - Date.now() > 30_000
            ? reusable
            : await this.transport.create(this.channelId, { filename: item.filename, content_type: item.contentType, size_bytes: item.size });
        if (!current()) return;
        this.tickets.set(key, upload);
        put = this.transport.put(upload, item.file, item.contentType, (loaded, total) => {
          if (current()) this.update(key, { progress: total > 0 ? Math.min(1, loaded / total) : 0 });
        });
        const attachment = await put.done;
        if (!current()) return;
        this.attempts.delete(key);
        this.tickets.delete(key);
        this.update(key, { status: "done", progress: 1, attachment });
      } catch (err) {
        if (!current()) return;
        this.attempts.delete(key);
        this.update(key, { status: "error", error: uploadErrorText(err) });
      }
    })();
  }

  private update(key: string, patch: Partial<UploadItem>): void {
    this.set(
      this.items.map((i) => {
        if (i.key !== key) return i;
        const next = { ...i, ...patch };
        if (patch.error === undefined && "error" in patch) delete next.error;
        return next;
      }),
    );
  }

  private set(items: readonly UploadItem[]): void {
    this.items = items;
    for (const l of this.listeners) l();
  }
}

export function uploadErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 413) return i18n.t("attachments:tooBigForServer");
    return describeError(err);
  }
  return i18n.t("attachments:failed");
}

/** Whether Send may be pressed: nothing uploading, and text or at least one finished file to send. */
export function canSend(items: readonly UploadItem[], hasText: boolean): boolean {
  if (items.some((i) => i.status === "uploading")) return false;
  return hasText || items.some((i) => i.status === "done");
}

export { MAX_FILES };

/** The minimal XMLHttpRequest surface the uploader uses (a fake one stands in for it in tests). */
export interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: Blob): void;
  abort(): void;
  readonly status: number;
  readonly responseText: string;
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

/**
 * Sends the file's bytes with XMLHttpRequest (fetch has no upload progress): the bearer token as for
 * every API call, the file's type as Content-Type. Resolves with the attachment the server answers.
 */
export function putWithXhr(
  upload: AttachmentUpload,
  file: Blob,
  contentType: string,
  getToken: () => Promise<string>,
  onProgress: (loaded: number, total: number) => void,
  createXhr: () => XhrLike = () => new XMLHttpRequest() as unknown as XhrLike,
): PutHandle {
  let xhr: XhrLike | null = null;
  let aborted = false;
  let rejectEarly: ((e: unknown) => void) | null = null;
  const done = new Promise<Attachment>((resolve, reject) => {
    rejectEarly = reject;
    getToken().then(
      (token) => {
        if (aborted) return;
        const req = createXhr();
        xhr = req;
        req.open(upload.upload_method || "PUT", upload.upload_url);
        req.setRequestHeader("Authorization", `Bearer ${token}`);
        req.setRequestHeader("Content-Type", contentType || "application/octet-stream");
        req.setRequestHeader("Accept", "application/json");
        req.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
        req.onload = () => {
          if (req.status >= 200 && req.status < 300) {
            try {
              resolve(JSON.parse(req.responseText) as Attachment);
            } catch {
              reject(new ApiError(req.status, { title: "The server's answer could not be read." }));
            }
            return;
          }
          let problem: Problem = {};
          try {
            const parsed: unknown = JSON.parse(req.responseText);
            if (parsed && typeof parsed === "object") problem = parsed as Problem;
          } catch {
            // not a problem document
          }
          reject(new ApiError(req.status, problem));
        };
        req.onerror = () => reject(new ApiError(0, { title: "Cannot reach the server", detail: "The upload was interrupted. Check your connection and try again." }));
        req.onabort = () => reject(new DOMException("Upload cancelled", "AbortError"));
        req.send(file);
      },
      (err) => reject(err),
    );
  });
  return {
    done,
    abort: () => {
      aborted = true;
      if (xhr) xhr.abort();
      else rejectEarly?.(new DOMException("Upload cancelled", "AbortError"));
    },
  };
}
