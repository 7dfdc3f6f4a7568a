import { useEffect, useState } from "react";
import { rest } from "../../app/runtime";
import { describeError } from "../../api/errors";
import type { Channel, Message } from "../../api/types";
import { displayName, useMembers } from "../../stores/members";
import { useMessages } from "../../stores/messages";
import { usePins } from "../../stores/pins";
import { Avatar } from "../../ui/Avatar";
import { IconButton } from "../../ui/Button";
import { isDirectType } from "../../stores/directChannels";
import { Isolated } from "../../ui/Isolated";
import { RichText } from "./RichText";
import { Trans, useTranslation } from "react-i18next";
import { formatDateTime } from "../../i18n/format";


/** Fetches the channel's pins when they were never fetched or a CHANNEL_PINS_UPDATE made them stale. */
export function usePinsOf(channelId: string): { messages: Message[] | undefined; error: string | null; retry: () => void } {
  const pins = usePins((s) => s.byChannel[channelId]);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const needed = !pins || pins.stale;
  useEffect(() => {
    if (!needed) return;
    let cancelled = false;
    rest.pins(channelId).then(
      (messages) => {
        if (cancelled) return;
        setError(null);
        usePins.getState().setPins(channelId, messages);
      },
      (e: unknown) => {
        if (!cancelled) setError(describeError(e));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [channelId, needed, attempt]);
  return { messages: pins?.messages, error, retry: () => setAttempt((a) => a + 1) };
}

function PinnedItem({ message, canUnpin, myId }: { message: Message; canUnpin: boolean; myId: string | undefined }) {
  const { t } = useTranslation("messages");
  const author = useMembers((s) => s.users[message.author.id]) ?? message.author;
  const loaded = useMessages((s) => !!s.byChannel[message.channel_id]?.byId[message.id]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function unpin() {
    setBusy(true);
    try {
      await rest.unpinMessage(message.channel_id, message.id);
      // The MESSAGE_UPDATE that follows does the same; not waiting for it keeps the panel honest if the gateway is slow.
      usePins.getState().messageChanged({ ...message, pinned: false, pinned_at: null });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }
  function jump() {
    usePins.getState().jump(message.channel_id, message.id);
    if (typeof window !== "undefined" && window.innerWidth < 768) usePins.getState().setOpen(null);
  }
  const name = displayName(author);
  return (
    <li data-testid={`pinned-${message.id}`} aria-label={`${name}: ${message.content}`} className="rounded border border-line bg-elevated p-2">
      <div className="flex items-center gap-2">
        <Avatar id={author.id} name={name} url={author.avatar_url} size="sm" />
        <Isolated className="truncate font-semibold" text={name} />
        <time dateTime={message.created_at} className="shrink-0 text-xs text-muted">{formatDateTime(message.created_at)}</time>
      </div>
      <div dir="auto" className="mt-1 whitespace-pre-wrap break-words text-sm" data-testid="pinned-content">
        <RichText content={message.content} myId={myId} />
        {message.attachments?.length ? (
          <span className="block text-xs text-muted" data-testid="pinned-attachments">
            📎 {message.attachments.length === 1 ? message.attachments[0]!.filename : t("files", { count: message.attachments.length })}
          </span>
        ) : null}
      </div>
      <div className="mt-1 flex gap-3 text-xs">
        {loaded ? (
          <button type="button" className="font-semibold text-accent hover:underline" onClick={jump} data-testid="jump-to-pinned">
            {t("jump")}
          </button>
        ) : null}
        {canUnpin ? (
          <button type="button" disabled={busy} className="font-semibold text-danger hover:underline disabled:opacity-60" onClick={() => void unpin()} data-testid="unpin">
            {t("unpin")}
          </button>
        ) : null}
      </div>
      {error ? <p role="alert" className="mt-1 text-xs text-danger">{error}</p> : null}
    </li>
  );
}

/** The channel's pinned messages, newest pin first, as a panel over the right side of the channel. */
export function PinsPanel({
  channel,
  canPin,
  myId,
  pins: { messages, error, retry },
}: {
  channel: Channel;
  canPin: boolean;
  myId: string | undefined;
  /** From {@link usePinsOf}, called once by the channel view (it also shows the count). */
  pins: ReturnType<typeof usePinsOf>;
}) {
  const { t } = useTranslation("messages");
  const close = () => usePins.getState().setOpen(null);
  return (
    <aside
      aria-label={t("pinned")}
      data-testid="pins-panel"
      onKeyDown={(e) => {
        if (e.key === "Escape") close();
      }}
      className="absolute bottom-0 right-0 top-12 z-30 flex w-full max-w-sm flex-col border-l border-line bg-main shadow-xl"
    >
      <header className="flex h-12 shrink-0 items-center gap-2 border-b border-line px-3">
        <h2 className="font-semibold">{t("pinned")}</h2>
        <IconButton label={t("closePins")} onClick={close} className="ml-auto" autoFocus data-testid="close-pins">
          ✕
        </IconButton>
      </header>
      <div className="min-h-0 flex-1 overflow-y-auto p-3">
        {error ? (
          <p role="alert" className="text-sm text-danger">
            {t("couldNotLoadPins", { error })}{" "}
            <button type="button" className="underline" onClick={retry}>{t("tryAgain")}</button>
          </p>
        ) : messages === undefined ? (
          <p role="status" className="text-sm text-muted">{t("loadingPins")}</p>
        ) : messages.length === 0 ? (
          <p className="text-sm text-muted" data-testid="no-pins">
            <Trans t={t} i18nKey="noPins" components={{ channel: <Isolated text={`${isDirectType(channel.type) ? "@" : "#"}${channel.name}`} /> }} />
            {canPin ? t("noPinsHint") : ""}
          </p>
        ) : (
          <ul className="flex flex-col gap-2" data-testid="pins-list">
            {messages.map((m) => (
              <PinnedItem key={m.id} message={m} canUnpin={canPin} myId={myId} />
            ))}
          </ul>
        )}
      </div>
    </aside>
  );
}
