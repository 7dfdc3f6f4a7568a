import type { Endpoints } from "../api/endpoints";
import { describeError } from "../api/errors";
import type { Attachment, Message, UserSummary } from "../api/types";
import { newNonce } from "./ids";
import { useMessages } from "./messages";
import { useUi } from "./ui";

type SendApi = Pick<Endpoints, "sendMessage">;

/**
 * Optimistic send: the message shows at once as "sending" under a client nonce; the server's answer
 * (or the MESSAGE_CREATE carrying the same nonce, whichever comes first) replaces it, so it never
 * appears twice. On failure it stays, marked failed, with Retry and Discard. Attachments are files already
 * uploaded (features/attachments): only their ids are sent, and a Retry sends the same ids.
 */
export async function sendMessage(
  api: SendApi,
  channelId: string,
  author: UserSummary,
  content: string,
  replyTo?: string | null,
  nonce: string = newNonce(),
  attachments: Attachment[] = [],
): Promise<Message | null> {
  useMessages.getState().addPending({
    nonce,
    channel_id: channelId,
    content,
    reply_to: replyTo ?? null,
    author,
    created_at: new Date().toISOString(),
    status: "sending",
    ...(attachments.length ? { attachments } : {}),
  });
  return deliver(api, channelId, nonce);
}

export async function retrySend(api: SendApi, channelId: string, nonce: string): Promise<Message | null> {
  useMessages.getState().setPendingStatus(channelId, nonce, "sending");
  return deliver(api, channelId, nonce);
}

export function discardSend(channelId: string, nonce: string): void {
  useMessages.getState().discardPending(channelId, nonce);
}

async function deliver(api: SendApi, channelId: string, nonce: string): Promise<Message | null> {
  const pending = useMessages.getState().byChannel[channelId]?.pending.find((p) => p.nonce === nonce);
  if (!pending) return null;
  try {
    // enforce_nonce: if an earlier attempt reached the server but its answer was lost, Retry gets that message back
    // instead of posting it twice.
    const body: { content: string; nonce: string; enforce_nonce: true; reply_to?: string; attachments?: string[] } = { content: pending.content, nonce, enforce_nonce: true };
    if (pending.reply_to) body.reply_to = pending.reply_to;
    if (pending.attachments?.length) body.attachments = pending.attachments.map((a) => a.id);
    const message = await api.sendMessage(channelId, body);
    useMessages.getState().upsert({ ...message, nonce });
    useUi.getState().noteMessage(channelId, message.id);
    return message;
  } catch (err) {
    useMessages.getState().setPendingStatus(channelId, nonce, "failed", describeError(err));
    return null;
  }
}
