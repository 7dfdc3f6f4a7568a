import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/errors";
import type { Attachment, AttachmentUpload } from "../../api/types";
import { canSend, putWithXhr, UploadQueue, type PutHandle, type UploadTransport, type XhrLike } from "./upload";

const file = (name: string, type = "image/png", size = 100) => {
  const f = new File([new Uint8Array(4)], name, { type });
  Object.defineProperty(f, "size", { value: size });
  return f;
};
const ticket = (id: string): AttachmentUpload => ({ attachment_id: id, upload_url: `/api/v1/media/upload/${id}`, upload_method: "PUT", expires_at: "2030-01-01T00:00:00Z" });
const attachment = (id: string, filename: string): Attachment => ({ id, filename, content_type: "image/png", size_bytes: 100, url: `/m/${id}`, thumbnail_url: null, width: null, height: null });
const flush = () => new Promise((r) => setTimeout(r, 0));

/** A transport whose PUTs the test drives by hand: progress, finish, fail; it records aborts. */
function fakeTransport() {
  let n = 0;
  const puts: { file: File; progress: (loaded: number, total: number) => void; resolve: (a: Attachment) => void; reject: (e: unknown) => void; aborted: boolean; id: string }[] = [];
  const create = vi.fn(async (_channelId: string, _body: { filename: string; content_type: string; size_bytes: number }) => ticket(`att_${++n}`));
  const transport: UploadTransport = {
    create,
    put: (upload, f, _type, onProgress): PutHandle => {
      let resolve!: (a: Attachment) => void;
      let reject!: (e: unknown) => void;
      const done = new Promise<Attachment>((res, rej) => ((resolve = res), (reject = rej)));
      const entry = { file: f, progress: onProgress, resolve, reject, aborted: false, id: upload.attachment_id };
      puts.push(entry);
      return { done, abort: () => { entry.aborted = true; reject(new DOMException("x", "AbortError")); } };
    },
  };
  return { transport, create, puts };
}

const newQueue = (t: UploadTransport) => {
  const revoked: string[] = [];
  const q = new UploadQueue("ch_1", t, { previewUrl: (f, type) => (type.startsWith("image/") ? `blob:${f.name}` : null), revokeUrl: (u) => revoked.push(u) });
  return { q, revoked };
};

describe("upload queue", () => {
  it("starts at once: create with the declared name, type and size, then PUT with progress, then done", async () => {
    const { transport, create, puts } = fakeTransport();
    const { q } = newQueue(transport);
    const seen: number[] = [];
    q.subscribe(() => seen.push(q.getSnapshot().length));
    q.add([file("cat.png")]);
    expect(q.getSnapshot()[0]).toMatchObject({ status: "uploading", progress: 0, filename: "cat.png", previewUrl: "blob:cat.png" });
    expect(create).toHaveBeenCalledWith("ch_1", { filename: "cat.png", content_type: "image/png", size_bytes: 100 });
    await flush();
    expect(puts).toHaveLength(1);
    puts[0]!.progress(25, 100);
    expect(q.getSnapshot()[0]!.progress).toBe(0.25);
    expect(canSend(q.getSnapshot(), true)).toBe(false);
    puts[0]!.progress(100, 100);
    puts[0]!.resolve(attachment("att_1", "cat.png"));
    await flush();
    expect(q.getSnapshot()[0]).toMatchObject({ status: "done", progress: 1, attachment: { id: "att_1" } });
    expect(q.doneIds()).toEqual(["att_1"]);
    expect(canSend(q.getSnapshot(), false)).toBe(true);
    expect(seen.length).toBeGreaterThan(2);
  });

  it("cancel aborts the running PUT, removes the file and frees its preview; a late answer changes nothing", async () => {
    const { transport, puts } = fakeTransport();
    const { q, revoked } = newQueue(transport);
    const [item] = q.add([file("a.png")]);
    await flush();
    q.cancel(item!.key);
    expect(puts[0]!.aborted).toBe(true);
    expect(q.getSnapshot()).toEqual([]);
    expect(revoked).toEqual(["blob:a.png"]);
    await flush();
    expect(q.getSnapshot()).toEqual([]);
  });

  it("cancel before the create answer: no PUT is made", async () => {
    const { transport, puts } = fakeTransport();
    const { q } = newQueue(transport);
    const [item] = q.add([file("a.png")]);
    q.cancel(item!.key);
    await flush();
    expect(puts).toHaveLength(0);
    expect(q.getSnapshot()).toEqual([]);
  });

  it("shows why the create was refused, and Retry starts over", async () => {
    const { transport, create, puts } = fakeTransport();
    create.mockRejectedValueOnce(new ApiError(400, { code: "quota_exceeded", title: "Quota exceeded", detail: "You have used your 1 GB of storage." }));
    const { q } = newQueue(transport);
    const [item] = q.add([file("a.png")]);
    await flush();
    // The client words the known problem code in the user's language (errors.json); the server's English detail is not shown.
    expect(q.getSnapshot()[0]).toMatchObject({ status: "error", error: "The storage limit has been reached.", retryable: true });
    expect(canSend(q.getSnapshot(), true)).toBe(true); // text may still go; the failed file stays for retry or removal
    expect(canSend(q.getSnapshot(), false)).toBe(false);

    q.retry(item!.key);
    expect(q.getSnapshot()[0]).toMatchObject({ status: "uploading", progress: 0 });
    expect(q.getSnapshot()[0]!.error).toBeUndefined();
    await flush();
    expect(create).toHaveBeenCalledTimes(2);
    puts[0]!.resolve(attachment("att_2", "a.png"));
    await flush();
    expect(q.getSnapshot()[0]!.status).toBe("done");
  });

  it("a failed PUT (413, network) is an error with its reason; a 413 without detail still says why", async () => {
    const { transport, puts } = fakeTransport();
    const { q } = newQueue(transport);
    q.add([file("a.png"), file("b.png")]);
    await flush();
    puts[0]!.reject(new ApiError(413, {}));
    puts[1]!.reject(new ApiError(0, { title: "Cannot reach the server", detail: "Check your connection and try again." }));
    await flush();
    expect(q.getSnapshot().map((i) => i.error)).toEqual(["The file is too big for this server.", "Cannot reach the server. Check your connection and try again."]);
  });

  it("Retry after a failed PUT sends to the same upload URL while it is valid, and announces the file again once it expired", async () => {
    const { transport, create, puts } = fakeTransport();
    const { q } = newQueue(transport);
    const [item] = q.add([file("a.png")]);
    await flush();
    puts[0]!.reject(new ApiError(0, { detail: "The upload was interrupted." }));
    await flush();
    q.retry(item!.key);
    await flush();
    expect(create).toHaveBeenCalledTimes(1);
    expect(puts[1]!.id).toBe("att_1");

    create.mockResolvedValueOnce({ ...ticket("att_9"), expires_at: "2030-01-01T00:00:00Z" });
    const [late] = q.add([file("b.png")]);
    await flush();
    // Its URL has expired by the time of the retry.
    vi.spyOn(Date, "now").mockReturnValue(Date.parse("2030-01-01T00:00:00Z"));
    puts[2]!.reject(new ApiError(410, { detail: "The upload link expired." }));
    await flush();
    q.retry(late!.key);
    await flush();
    expect(create).toHaveBeenCalledTimes(3);
    expect(puts[3]!.id).toBe("att_2");
  });

  it("files refused by the checks are listed with their reason, never uploaded, and cannot be retried", async () => {
    const { transport, create } = fakeTransport();
    const { q } = newQueue(transport);
    const big = file("big.zip", "application/zip", 26 * 1024 * 1024);
    const [item] = q.add([big]);
    expect(item).toMatchObject({ status: "error", retryable: false, error: "Too big: 26 MB (at most 25 MB per file)." });
    q.retry(item!.key);
    await flush();
    expect(create).not.toHaveBeenCalled();
    expect(q.counted).toBe(0);
  });

  it("counts files already added towards the 10-file limit", () => {
    const { transport } = fakeTransport();
    const { q } = newQueue(transport);
    q.add(Array.from({ length: 8 }, (_, i) => file(`${i}.png`)));
    const added = q.add([file("x.png"), file("y.png"), file("z.png")]);
    expect(added.map((i) => i.status)).toEqual(["uploading", "uploading", "error"]);
    expect(added[2]!.error).toBe("At most 10 files per message.");
  });

  it("takeDone hands over the finished files and leaves failed and running ones", async () => {
    const { transport, puts } = fakeTransport();
    const { q, revoked } = newQueue(transport);
    q.add([file("a.png"), file("b.png"), file("c.png")]);
    await flush();
    puts[0]!.resolve(attachment("att_1", "a.png"));
    puts[1]!.reject(new ApiError(500, {}));
    await flush();
    const taken = q.takeDone();
    expect(taken.map((a) => a.id)).toEqual(["att_1"]);
    expect(q.getSnapshot().map((i) => i.filename)).toEqual(["b.png", "c.png"]);
    expect(revoked).toEqual(["blob:a.png"]);
  });
});

/** A stand-in XMLHttpRequest the test drives. */
class FakeXhr implements XhrLike {
  static last: FakeXhr | null = null;
  method = "";
  url = "";
  headers: Record<string, string> = {};
  body: Blob | null = null;
  aborted = false;
  status = 0;
  responseText = "";
  upload: XhrLike["upload"] = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: Blob) {
    this.body = body;
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  answer(status: number, body: unknown) {
    this.status = status;
    this.responseText = typeof body === "string" ? body : JSON.stringify(body);
    this.onload?.();
  }
}

describe("PUT with XMLHttpRequest", () => {
  it("sends the raw file with the bearer token and its type, reports progress, resolves with the attachment", async () => {
    const progress = vi.fn();
    const f = file("cat.png");
    const handle = putWithXhr(ticket("att_9"), f, "image/png", async () => "tok", progress, () => new FakeXhr());
    await flush();
    const xhr = FakeXhr.last!;
    expect(xhr.method).toBe("PUT");
    expect(xhr.url).toBe("/api/v1/media/upload/att_9");
    expect(xhr.headers).toMatchObject({ Authorization: "Bearer tok", "Content-Type": "image/png" });
    expect(xhr.body).toBe(f);
    xhr.upload.onprogress!({ loaded: 50, total: 100, lengthComputable: true });
    expect(progress).toHaveBeenCalledWith(50, 100);
    xhr.answer(200, attachment("att_9", "cat.png"));
    await expect(handle.done).resolves.toMatchObject({ id: "att_9" });
  });

  it("turns a problem document into an ApiError carrying its detail", async () => {
    const handle = putWithXhr(ticket("att_9"), file("a.png"), "image/png", async () => "tok", () => undefined, () => new FakeXhr());
    await flush();
    FakeXhr.last!.answer(415, { title: "Refused", detail: "The file's bytes are not a PNG image.", code: "content_type_mismatch" });
    const err = await handle.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).detail).toBe("The file's bytes are not a PNG image.");
    expect((err as ApiError).status).toBe(415);
  });

  it("abort stops the request (and before the token arrives, no request is made)", async () => {
    const handle = putWithXhr(ticket("att_9"), file("a.png"), "image/png", async () => "tok", () => undefined, () => new FakeXhr());
    await flush();
    const xhr = FakeXhr.last!;
    handle.abort();
    expect(xhr.aborted).toBe(true);
    await expect(handle.done).rejects.toMatchObject({ name: "AbortError" });

    FakeXhr.last = null;
    const early = putWithXhr(ticket("att_8"), file("a.png"), "image/png", async () => "tok", () => undefined, () => new FakeXhr());
    early.abort();
    await expect(early.done).rejects.toMatchObject({ name: "AbortError" });
    await flush();
    expect(FakeXhr.last).toBeNull();
  });
});
