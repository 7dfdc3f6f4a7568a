import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Attachment, Channel, Message } from "../../api/types";
import { api, rest } from "../../app/runtime";
import { resetStores } from "../../stores/dispatch";
import { useSession } from "../../stores/session";
import { Composer } from "../messages/Composer";
import { resetUploads } from "./queues";

const general: Channel = { id: "ch_general", community_id: "com_1", name: "general", type: 0, position: 0, created_at: "" };

/** Every XMLHttpRequest the composer makes; the test answers them. */
const xhrs: FakeXhr[] = [];
class FakeXhr {
  url = "";
  headers: Record<string, string> = {};
  status = 0;
  responseText = "";
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  aborted = false;
  constructor() {
    xhrs.push(this);
  }
  open(_m: string, url: string) {
    this.url = url;
  }
  setRequestHeader(n: string, v: string) {
    this.headers[n] = v;
  }
  send() {}
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  finish(a: Attachment) {
    this.upload.onprogress?.({ loaded: a.size_bytes, total: a.size_bytes, lengthComputable: true });
    this.status = 200;
    this.responseText = JSON.stringify(a);
    this.onload?.();
  }
}

const png = (name: string) => new File([new Uint8Array([137, 80, 78, 71])], name, { type: "image/png" });
const attachment = (id: string, filename: string): Attachment => ({ id, filename, content_type: "image/png", size_bytes: 4, url: `/m/${id}`, thumbnail_url: null, width: null, height: null });

beforeEach(() => {
  resetStores();
  resetUploads();
  xhrs.length = 0;
  useSession.getState().setUser({ id: "usr_me", username: "me", created_at: "" });
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
  vi.spyOn(api, "getAccessToken").mockResolvedValue("tok");
  let n = 0;
  vi.spyOn(rest, "createAttachment").mockImplementation(async () => {
    n++;
    return { attachment_id: `att_${n}`, upload_url: `/api/v1/media/upload/att_${n}`, upload_method: "PUT", expires_at: "2030-01-01T00:00:00Z" };
  });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const renderComposer = () => render(<Composer channel={general} replyTo={null} onCancelReply={() => undefined} onEditLast={() => false} />);
const sendButton = () => screen.getByRole("button", { name: "Send message" }) as HTMLButtonElement;

describe("composer attachments", () => {
  it("uploads picked files at once, enables Send when they are done, and sends their ids (no text needed)", async () => {
    const send = vi.spyOn(rest, "sendMessage").mockImplementation(async (_ch, body) => ({ id: "900", channel_id: "ch_general", author: { id: "usr_me", username: "me" }, content: body.content, created_at: "", mentions: [], reactions: [], nonce: body.nonce ?? null, attachments: [attachment("att_1", "a.png"), attachment("att_2", "b.png")] }) as Message);
    renderComposer();
    expect(screen.getByRole("button", { name: "Attach files" })).toBeTruthy();
    fireEvent.change(screen.getByTestId("attach-input"), { target: { files: [png("a.png"), png("b.png")] } });
    expect(screen.getAllByTestId("upload-item")).toHaveLength(2);
    expect(sendButton().disabled).toBe(true);
    await waitFor(() => expect(xhrs).toHaveLength(2));
    expect(rest.createAttachment).toHaveBeenCalledWith("ch_general", { filename: "a.png", content_type: "image/png", size_bytes: 4 });
    expect(xhrs[0]!.headers["Authorization"]).toBe("Bearer tok");

    act(() => xhrs[0]!.upload.onprogress!({ loaded: 2, total: 4, lengthComputable: true }));
    expect(screen.getAllByRole("progressbar")[0]!.getAttribute("aria-valuenow")).toBe("50");
    expect(screen.getAllByTestId("upload-percent")[0]!.textContent).toBe("50%");

    act(() => xhrs[0]!.finish(attachment("att_1", "a.png")));
    await waitFor(() => expect(screen.getAllByTestId("upload-item")[0]!.getAttribute("data-status")).toBe("done"));
    expect(sendButton().disabled).toBe(true); // b.png still uploading
    act(() => xhrs[1]!.finish(attachment("att_2", "b.png")));
    await waitFor(() => expect(sendButton().disabled).toBe(false));

    fireEvent.keyDown(screen.getByTestId("composer"), { key: "Enter" });
    await waitFor(() => expect(send).toHaveBeenCalled());
    expect(send.mock.calls[0]![1]).toMatchObject({ content: "", attachments: ["att_1", "att_2"] });
    expect(screen.queryByTestId("upload-list")).toBeNull();
  });

  it("sends text with the files, and cancel aborts an upload and drops it from the message", async () => {
    const send = vi.spyOn(rest, "sendMessage").mockImplementation(async (_ch, body) => ({ id: "901", channel_id: "ch_general", author: { id: "usr_me", username: "me" }, content: body.content, created_at: "", mentions: [], reactions: [], nonce: body.nonce ?? null, attachments: [] }) as Message);
    renderComposer();
    fireEvent.change(screen.getByTestId("attach-input"), { target: { files: [png("keep.png"), png("drop.png")] } });
    await waitFor(() => expect(xhrs).toHaveLength(2));
    fireEvent.click(screen.getByRole("button", { name: "Cancel upload of drop.png" }));
    expect(xhrs[1]!.aborted).toBe(true);
    expect(screen.getAllByTestId("upload-item")).toHaveLength(1);
    act(() => xhrs[0]!.finish(attachment("att_1", "keep.png")));
    fireEvent.change(screen.getByTestId("composer"), { target: { value: "look" } });
    await waitFor(() => expect(sendButton().disabled).toBe(false));
    fireEvent.click(sendButton());
    await waitFor(() => expect(send).toHaveBeenCalled());
    expect(send.mock.calls[0]![1]).toMatchObject({ content: "look", attachments: ["att_1"] });
  });

  it("pasting an image uploads it; a too-big file is refused with the reason before any request", async () => {
    renderComposer();
    const pasted = png("image.png");
    fireEvent.paste(screen.getByTestId("composer"), { clipboardData: { files: [pasted], getData: () => "" } });
    await waitFor(() => expect(xhrs).toHaveLength(1));

    const big = png("huge.png");
    Object.defineProperty(big, "size", { value: 30 * 1024 * 1024 });
    fireEvent.change(screen.getByTestId("attach-input"), { target: { files: [big] } });
    const items = screen.getAllByTestId("upload-item");
    expect(items[1]!.getAttribute("data-status")).toBe("error");
    expect(screen.getByTestId("upload-error").textContent).toBe("Too big: 30 MB (at most 25 MB per file).");
    expect(rest.createAttachment).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId("upload-retry")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Remove huge.png" }));
    expect(screen.getAllByTestId("upload-item")).toHaveLength(1);
  });

  it("shows a refused upload's server reason with Retry", async () => {
    const { ApiError } = await import("../../api/errors");
    vi.mocked(rest.createAttachment).mockRejectedValueOnce(new ApiError(403, { code: "missing_permission", detail: "You cannot send files in this channel." }));
    renderComposer();
    fireEvent.change(screen.getByTestId("attach-input"), { target: { files: [png("a.png")] } });
    await waitFor(() => expect(screen.getByTestId("upload-error").textContent).toBe("You cannot send files in this channel."));
    expect(sendButton().disabled).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Retry uploading a.png" }));
    await waitFor(() => expect(xhrs).toHaveLength(1));
  });
});
