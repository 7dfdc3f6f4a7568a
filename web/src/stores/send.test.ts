import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Message } from "../api/types";
import { ApiError } from "../api/errors";
import { applyDispatch, resetStores } from "./dispatch";
import { useMessages } from "./messages";
import { discardSend, retrySend, sendMessage } from "./send";

const author = { id: "usr_me", username: "me" };
const serverMessage = (nonce: string, id = "500"): Message => ({
  id, channel_id: "ch_1", community_id: "com_1", author, content: "hi", created_at: "2025-01-01T00:00:00Z", mentions: [], reactions: [], nonce,
});
const state = () => useMessages.getState().byChannel["ch_1"]!;

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

beforeEach(() => resetStores());

describe("optimistic send", () => {
  it("shows the message at once and reconciles it with the gateway echo by nonce (no duplicate)", async () => {
    const reply = deferred<Message>();
    const api = { sendMessage: vi.fn(() => reply.promise) };
    const sending = sendMessage(api, "ch_1", author, "hi", null, "nonce-1");
    expect(state().pending).toMatchObject([{ nonce: "nonce-1", content: "hi", status: "sending" }]);
    expect(api.sendMessage).toHaveBeenCalledWith("ch_1", { content: "hi", nonce: "nonce-1", enforce_nonce: true });

    // The gateway echo arrives before the REST answer.
    applyDispatch({ t: "MESSAGE_CREATE", d: serverMessage("nonce-1") });
    expect(state().pending).toEqual([]);
    expect(state().ids).toEqual(["500"]);

    reply.resolve(serverMessage("nonce-1"));
    await sending;
    expect(state().ids).toEqual(["500"]);
    expect(state().pending).toEqual([]);
  });

  it("reconciles when the REST answer comes first and the echo later", async () => {
    const api = { sendMessage: vi.fn(async () => serverMessage("nonce-2", "501")) };
    await sendMessage(api, "ch_1", author, "hi", "42", "nonce-2");
    expect(api.sendMessage).toHaveBeenCalledWith("ch_1", { content: "hi", nonce: "nonce-2", enforce_nonce: true, reply_to: "42" });
    expect(state().pending).toEqual([]);
    applyDispatch({ t: "MESSAGE_CREATE", d: serverMessage("nonce-2", "501") });
    expect(state().ids).toEqual(["501"]);
  });

  it("keeps a failed send with its error, and Retry re-sends with the same nonce", async () => {
    const api = {
      sendMessage: vi
        .fn()
        .mockRejectedValueOnce(new ApiError(0, { title: "Cannot reach the server", detail: "Check your connection and try again." }))
        .mockResolvedValueOnce(serverMessage("nonce-3", "502")),
    };
    // The client words the problem code itself (errors.json), not the detail it was built with.
    const first = await sendMessage(api, "ch_1", author, "hi", null, "nonce-3");
    expect(first).toBeNull();
    expect(state().pending).toMatchObject([{ nonce: "nonce-3", status: "failed", error: "Cannot reach the server. Check your connection and try again." }]);
    expect(state().ids).toEqual([]);

    const retried = retrySend(api, "ch_1", "nonce-3");
    expect(state().pending[0]!.status).toBe("sending");
    await retried;
    expect(api.sendMessage).toHaveBeenLastCalledWith("ch_1", { content: "hi", nonce: "nonce-3", enforce_nonce: true });
    expect(state().pending).toEqual([]);
    expect(state().ids).toEqual(["502"]);
  });

  it("sends the ids of uploaded files (content may be empty) and Retry sends the same ids", async () => {
    const att = { id: "att_1", filename: "a.png", content_type: "image/png", size_bytes: 4, url: "/m/att_1" };
    const api = { sendMessage: vi.fn().mockRejectedValueOnce(new Error("timeout")).mockResolvedValueOnce({ ...serverMessage("nonce-6", "504"), content: "", attachments: [att] }) };
    await sendMessage(api, "ch_1", author, "", null, "nonce-6", [att]);
    expect(api.sendMessage).toHaveBeenCalledWith("ch_1", { content: "", nonce: "nonce-6", enforce_nonce: true, attachments: ["att_1"] });
    expect(state().pending).toMatchObject([{ status: "failed", attachments: [att] }]);
    await retrySend(api, "ch_1", "nonce-6");
    expect(api.sendMessage).toHaveBeenLastCalledWith("ch_1", { content: "", nonce: "nonce-6", enforce_nonce: true, attachments: ["att_1"] });
    expect(state().byId["504"]!.attachments).toEqual([att]);
  });

  it("Discard removes a failed message", async () => {
    const api = { sendMessage: vi.fn().mockRejectedValue(new Error("boom")) };
    await sendMessage(api, "ch_1", author, "hi", null, "nonce-4");
    expect(state().pending).toHaveLength(1);
    discardSend("ch_1", "nonce-4");
    expect(state().pending).toEqual([]);
  });

  it("a failed send is still reconciled if the server did store it (echo arrives later)", async () => {
    const api = { sendMessage: vi.fn().mockRejectedValue(new Error("timeout")) };
    await sendMessage(api, "ch_1", author, "hi", null, "nonce-5");
    applyDispatch({ t: "MESSAGE_CREATE", d: serverMessage("nonce-5", "503") });
    expect(state().pending).toEqual([]);
    expect(state().ids).toEqual(["503"]);
  });
});

describe("history pages", () => {
  it("merges pages and live messages without duplicates across a reconnect refetch", () => {
    const m = (id: string) => ({ ...serverMessage("", id), nonce: null });
    useMessages.getState().addPage("ch_1", [m("30"), m("20"), m("10")], { hasMore: true });
    applyDispatch({ t: "MESSAGE_CREATE", d: m("40") });
    useMessages.getState().addPage("ch_1", [m("9"), m("8")], { hasMore: false });
    expect(state().ids).toEqual(["8", "9", "10", "20", "30", "40"]);
    expect(state().hasMore).toBe(false);
    // after a lost session: the latest page replaces what we had (a deleted "30" disappears), pending stays
    useMessages.getState().addPending({ nonce: "p", channel_id: "ch_1", content: "x", author, created_at: "", status: "failed" });
    useMessages.getState().addPage("ch_1", [m("40"), m("20"), m("50")], { hasMore: true, replace: true });
    expect(state().ids).toEqual(["20", "40", "50"]);
    expect(state().pending).toHaveLength(1);
  });

  it("keeps a message that arrived live while the first page was loading", () => {
    const m = (id: string) => ({ ...serverMessage("", id), nonce: null });
    const heldBefore = new Set(state()?.ids ?? []);
    // The request is out; the gateway delivers a new message before the (older) page arrives.
    applyDispatch({ t: "MESSAGE_CREATE", d: m("70") });
    useMessages.getState().addPage("ch_1", [m("60")], { hasMore: false, replace: true, keepArrivedSince: heldBefore });
    expect(state().ids).toEqual(["60", "70"]);
  });
});
