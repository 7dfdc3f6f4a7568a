import { memo, useState, type KeyboardEvent } from "react";
import { rest } from "../../app/runtime";
import { describeError } from "../../api/errors";
import { MessageType, type Message, type ReactionCount, type UserSummary } from "../../api/types";
import { displayName, useMembers } from "../../stores/members";
import { useBlocks } from "../../stores/blocks";
import { DIRECT_HOME } from "../../stores/directChannels";
import { useProfileCard } from "../../stores/profileCard";
import { useMessages, type PendingMessage } from "../../stores/messages";
import { usePins } from "../../stores/pins";
import { discardSend, retrySend } from "../../stores/send";
import { Avatar } from "../../ui/Avatar";
import { statusOf, usePresenceStore } from "../../stores/presence";
import { Button, IconButton } from "../../ui/Button";
import { ConfirmDialog, NameDialog } from "../../ui/FormDialogs";
import { countLabel, summaryOf, useThreads } from "../../stores/threads";
import { RichText } from "./RichText";
import { EmbedCard } from "./EmbedCard";
import { EmojiPicker } from "../../emoji/EmojiPicker";
import { Isolated } from "../../ui/Isolated";
import { memberColor, useRoles } from "../../stores/roles";
import { MessageAttachments } from "../attachments/MessageAttachments";
import { Trans, useTranslation } from "react-i18next";
import i18n from "../../i18n";
import { formatDateTime, formatTime } from "../../i18n/format";


function Timestamp({ iso, short }: { iso: string; short?: boolean }) {
  const d = new Date(iso);
  return (
    <time dateTime={iso} title={formatDateTime(d)} className="text-xs text-muted">
      {short ? formatTime(d) : formatDateTime(d)}
    </time>
  );
}

function ReplyQuote({ channelId, replyTo, myId }: { channelId: string; replyTo: string; myId: string | undefined }) {
  const { t } = useTranslation("messages");
  const target = useMessages((s) => s.byChannel[channelId]?.byId[replyTo]);
  return (
    <div className="mb-0.5 flex min-w-0 items-center gap-1 pl-12 text-sm text-muted" data-testid="reply-quote">
      <span aria-hidden="true">↱</span>
      {target ? (
        <>
          <Isolated className="font-semibold" text={displayName(target.author)} />
          <span className="truncate">
            {target.content || !target.attachments?.length ? (
              <RichText content={target.content} myId={myId} communityId={target.community_id ?? undefined} inline />
            ) : (
              <span className="italic">📎 {attachmentSummary(target)}</span>
            )}
          </span>
        </>
      ) : (
        <span className="italic">{t("replyMissing")}</span>
      )}
    </div>
  );
}

function ReactionChip({ message, reaction }: { message: Message; reaction: ReactionCount }) {
  const { t } = useTranslation("messages");
  const [who, setWho] = useState<string | null>(null);
  const [show, setShow] = useState(false);
  const [busy, setBusy] = useState(false);
  const tooltipId = `rx-${message.id}-${reaction.emoji}`;
  async function loadWho() {
    setShow(true);
    try {
      const users: UserSummary[] = await rest.reactors(message.channel_id, message.id, reaction.emoji);
      const names = users.map(displayName);
      const more = reaction.count - names.length;
      setWho(more > 0 ? t("reactorsMore", { names: names.join(", "), count: more }) : names.join(", "));
    } catch {
      setWho(null);
    }
  }
  async function toggle() {
    setBusy(true);
    try {
      if (reaction.me) await rest.removeReaction(message.channel_id, message.id, reaction.emoji);
      else await rest.addReaction(message.channel_id, message.id, reaction.emoji);
    } finally {
      setBusy(false);
    }
  }
  const label = reaction.me
    ? t("reactionMine", { emoji: reaction.emoji, count: reaction.count })
    : t("reactionOthers", { emoji: reaction.emoji, count: reaction.count });
  return (
    <span className="relative" onMouseEnter={loadWho} onMouseLeave={() => setShow(false)}>
      <button
        type="button"
        aria-label={label}
        aria-pressed={!!reaction.me}
        aria-describedby={show && who ? tooltipId : undefined}
        disabled={busy}
        onFocus={loadWho}
        onBlur={() => setShow(false)}
        onClick={toggle}
        data-testid={`reaction-${reaction.emoji}`}
        className={`flex items-center gap-1 rounded-full border px-2 py-0.5 text-sm ${reaction.me ? "border-accent bg-mention" : "border-line bg-elevated hover:border-muted"}`}
      >
        <Isolated text={reaction.emoji} />
        <span className="text-xs font-semibold">{reaction.count}</span>
      </button>
      {show && who ? (
        <span id={tooltipId} role="tooltip" className="absolute bottom-full left-0 z-20 mb-1 w-max max-w-64 rounded bg-rail px-2 py-1 text-xs text-fg shadow-lg">
          {t("reactedBy", { who })}
        </span>
      ) : null}
    </span>
  );
}

function EditBox({ message, onDone }: { message: Message; onDone: () => void }) {
  const { t } = useTranslation("messages");
  const [text, setText] = useState(message.content);
  const [error, setError] = useState<string | null>(null);
  async function save() {
    const content = text.trim();
    if (!content || content === message.content) return onDone();
    try {
      useMessages.getState().upsert(await rest.editMessage(message.channel_id, message.id, { content }));
      onDone();
    } catch (e) {
      setError(describeError(e));
    }
  }
  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === "Escape") {
      e.preventDefault();
      onDone();
    } else if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void save();
    }
  }
  return (
    <div className="mt-1 flex flex-col gap-1">
      <textarea
        aria-label={t("editMessage")}
        data-testid="edit-box"
        autoFocus
        value={text}
        rows={Math.min(8, text.split("\n").length)}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKey}
        onFocus={(e) => e.currentTarget.setSelectionRange(e.currentTarget.value.length, e.currentTarget.value.length)}
        className="w-full resize-none rounded bg-elevated px-3 py-2 text-fg"
      />
      <p className="text-xs text-muted">
        <Trans
          t={t}
          i18nKey="editHint"
          components={{
            cancel: <button type="button" className="text-accent underline" onClick={onDone} />,
            save: <button type="button" className="text-accent underline" onClick={() => void save()} />,
          }}
        />
      </p>
      {error ? <p role="alert" className="text-sm text-danger">{error}</p> : null}
    </div>
  );
}

export interface RowProps {
  message: Message;
  grouped: boolean;
  myId: string | undefined;
  editing: boolean;
  onEdit: (id: string | null) => void;
  onReply: (id: string) => void;
  /** The viewer holds MANAGE_MESSAGES here: they may remove anyone's link previews. */
  canManageMessages?: boolean;
  /** "Pin message" / "Unpin message" are offered: MANAGE_MESSAGES in a community channel, any participant in a DM. */
  canPin?: boolean;
  /** Scrolled to from the pins panel: shown highlighted for a moment. */
  highlighted?: boolean;
}

/** The system line a pin writes: "alice pinned a message. See all pinned messages." */
function PinNotice({ message, highlighted }: { message: Message; highlighted: boolean }) {
  const { t } = useTranslation("messages");
  const author = useMembers((s) => s.users[message.author.id]) ?? message.author;
  const name = displayName(author);
  const target = message.reply_to;
  return (
    <div
      data-testid={`message-${message.id}`}
      data-message-id={message.id}
      role="article"
      aria-label={t("pinnedAMessage", { name })}
      tabIndex={-1}
      className={`mt-2 flex items-baseline gap-3 px-4 py-0.5 text-sm text-muted ${highlighted ? "bg-mention" : ""}`}
    >
      <span aria-hidden="true" className="w-10 shrink-0 text-center">📌</span>
      <p className="min-w-0 flex-1" data-testid="pin-notice">
        <Trans
          t={t}
          i18nKey="pinNotice"
          components={{
            name: <Isolated className="font-semibold text-fg" text={name} />,
            message: target ? (
              <button type="button" className="font-semibold text-fg hover:underline" onClick={() => usePins.getState().jump(message.channel_id, target)} />
            ) : (
              <span />
            ),
            all: <button type="button" className="font-semibold text-fg hover:underline" onClick={() => usePins.getState().setOpen(message.channel_id)} data-testid="see-all-pins" />,
          }}
        />{" "}
        <Timestamp iso={message.created_at} />
      </p>
    </div>
  );
}

export const MessageRow = memo(function MessageRow(props: RowProps) {
  return props.message.type === MessageType.ChannelPinnedMessage ? (
    <PinNotice message={props.message} highlighted={!!props.highlighted} />
  ) : (
    <UserMessageRow {...props} />
  );
});

function UserMessageRow({ message, grouped, myId, editing, onEdit, onReply, canManageMessages = false, canPin = false, highlighted = false }: RowProps) {
  const { t } = useTranslation("messages");
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [picker, setPicker] = useState(false);
  const [pickerUp, setPickerUp] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [naming, setNaming] = useState(false);
  const [reporting, setReporting] = useState(false);
  // Threads start from messages of text channels, not from messages inside a thread.
  const inThread = useThreads((s) => message.channel_id in s.byId);
  const author = useMembers((s) => s.users[message.author.id]) ?? message.author;
  const mine = message.author.id === myId;
  const blocked = useBlocks((s) => message.author.id in s.ids);
  const [revealed, setRevealed] = useState(false);
  const showProfile = () => useProfileCard.getState().show(message.author.id, message.community_id ?? null);
  const mentionsMe = !!myId && message.mentions.includes(myId);
  const showHeader = !grouped || !!message.reply_to;

  async function react(emoji: string) {
    setPicker(false);
    const existing = message.reactions.find((r) => r.emoji === emoji);
    try {
      if (existing?.me) await rest.removeReaction(message.channel_id, message.id, emoji);
      else await rest.addReaction(message.channel_id, message.id, emoji);
    } catch (e) {
      setNote(describeError(e));
    }
  }
  async function removeEmbeds() {
    try {
      await rest.removeEmbeds(message.channel_id, message.id);
      // The MESSAGE_UPDATE that follows says the same; not waiting for it keeps the card from lingering.
      useMessages.getState().upsert({ ...message, embeds: [] });
    } catch (e) {
      setNote(describeError(e));
    }
  }
  async function togglePin() {
    try {
      if (message.pinned) await rest.unpinMessage(message.channel_id, message.id);
      else await rest.pinMessage(message.channel_id, message.id);
    } catch (e) {
      setNote(describeError(e));
    }
  }
  async function copyLink() {
    const url = `${location.origin}/app/${message.community_id ?? DIRECT_HOME}/${message.channel_id}/${message.id}`;
    try {
      await navigator.clipboard.writeText(url);
      setNote(t("linkCopied"));
    } catch {
      setNote(url);
    }
  }

  return (
    <article
      data-testid={`message-${message.id}`}
      data-message-id={message.id}
      data-highlighted={highlighted ? "true" : undefined}
      aria-label={`${displayName(author)}: ${message.content || attachmentSummary(message)}`}
      // Reachable with Tab: focusing a message shows its actions (focus-within), and Tab goes on into them.
      tabIndex={0}
      data-pinned={message.pinned ? "true" : undefined}
      className={`group relative px-4 ${showHeader ? "mt-3 pt-0.5" : ""} pb-0.5 hover:bg-hover/60 focus-within:bg-hover/60 focus:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-accent ${mentionsMe ? "border-l-2 border-amber-400 bg-mention-me" : ""} ${highlighted ? "bg-accent/15 ring-2 ring-inset ring-accent" : ""}`}
    >
      {message.reply_to ? <ReplyQuote channelId={message.channel_id} replyTo={message.reply_to} myId={myId} /> : null}
      <div className="flex gap-3">
        <div className="w-10 shrink-0">
          {showHeader ? (
            <button type="button" onClick={showProfile} aria-label={t("profileOf", { name: displayName(author) })} data-testid={`author-avatar-${message.id}`} className="rounded-full">
              <AuthorAvatar author={author} myId={myId} />
            </button>
          ) : (
            <span className="invisible block pt-1 text-right text-[10px] text-muted group-focus-within:visible group-hover:visible">{formatTime(message.created_at)}</span>
          )}
        </div>
        <div className="min-w-0 flex-1">
          {showHeader ? (
            <div className="flex items-baseline gap-2">
              <button type="button" onClick={showProfile} className="font-semibold hover:underline" data-testid={`author-name-${message.id}`}>
                {message.community_id ? <AuthorName communityId={message.community_id} author={author} /> : <Isolated text={displayName(author)} />}
              </button>
              <Timestamp iso={message.created_at} />
              {message.pinned ? <span className="text-xs text-muted" title={t("pinnedMarker")} data-testid="pinned-marker">📌<span className="sr-only">{t("pinnedMarker")}</span></span> : null}
            </div>
          ) : null}
          {blocked && !revealed && !editing ? (
            // Someone I blocked: their message stays collapsed until I ask to see it (they are never told).
            <p className="text-sm italic text-muted" data-testid="blocked-message">
              {t("blockedMessage")}{" "}
              <button type="button" className="not-italic text-accent hover:underline" onClick={() => setRevealed(true)} data-testid="show-blocked-message">
                {t("show")}
              </button>
            </p>
          ) : editing ? (
            <EditBox message={message} onDone={() => onEdit(null)} />
          ) : (
            <>
              {/* A message of files only has no empty text line. */}
              {message.content || !message.attachments?.length || message.edited_at ? (
                <div dir="auto" className="whitespace-pre-wrap break-words" data-testid="message-content">
                  <RichText content={message.content} myId={myId} communityId={message.community_id ?? undefined} />
                  {message.edited_at ? (
                    <span className="ml-1 text-xs text-muted" title={t("editedAt", { when: formatDateTime(message.edited_at) })} data-testid="edited-marker">
                      {t("edited")}
                    </span>
                  ) : null}
                </div>
              ) : null}
              {message.attachments?.length ? <MessageAttachments attachments={message.attachments} /> : null}
            </>
          )}
          {message.embeds?.length && !(blocked && !revealed) && !editing ? (
            <div data-testid="embeds">
              {message.embeds.map((embed, i) => (
                <EmbedCard key={`${i}-${embed.url}`} embed={embed} onRemove={mine || canManageMessages ? () => void removeEmbeds() : undefined} />
              ))}
            </div>
          ) : null}
          {message.reactions.length ? (
            <div className="mt-1 flex flex-wrap gap-1">
              {message.reactions.map((r) => (
                <ReactionChip key={r.emoji} message={message} reaction={r} />
              ))}
            </div>
          ) : null}
          {message.thread ? (
            <button
              type="button"
              onClick={() => useThreads.getState().open(message.thread!.id)}
              className="mt-1 flex max-w-full items-center gap-2 rounded border border-line bg-elevated px-2 py-1 text-left text-sm hover:border-muted"
              data-testid="thread-summary"
              aria-label={t("openThread", { name: message.thread.name, count: countLabel(message.thread.message_count) })}
            >
              <span aria-hidden="true">🧵</span>
              <Isolated className="truncate font-semibold text-accent" text={message.thread.name} />
              <span className="shrink-0 text-xs text-muted" data-testid="thread-summary-count">
                {countLabel(message.thread.message_count)} · {t("lastActivity")} <Timestamp iso={message.thread.last_message_at ?? message.thread.last_activity_at} short />
                {message.thread.archived ? t("archivedSuffix") : ""}
              </span>
            </button>
          ) : null}
          {note ? <p role="status" className="break-all text-xs text-muted">{note}</p> : null}
        </div>
      </div>

      {!editing ? (
        <div
          role="toolbar"
          aria-label={t("messageActions")}
          className="absolute -top-3 right-4 z-10 hidden rounded border border-line bg-main shadow group-focus-within:flex group-hover:flex"
        >
          <IconButton
            label={t("addReaction")}
            aria-expanded={picker}
            onClick={(e) => {
              // Open towards the larger part of the window, so the picker is not cut off by the list's edge.
              setPickerUp(e.currentTarget.getBoundingClientRect().top > window.innerHeight / 2);
              setPicker((p) => !p);
            }}
          >
            ☺
          </IconButton>
          <IconButton label={t("reply")} onClick={() => onReply(message.id)}>↩</IconButton>
          {mine ? <IconButton label={t("editMessage")} onClick={() => onEdit(message.id)} data-testid="edit-message">✎</IconButton> : null}
          {canPin ? (
            <IconButton label={message.pinned ? t("unpinMessage") : t("pinMessage")} aria-pressed={!!message.pinned} onClick={() => void togglePin()} data-testid="pin-message">
              📌
            </IconButton>
          ) : null}
          {!inThread && !message.thread ? <IconButton label={t("createThread")} onClick={() => setNaming(true)} data-testid="create-thread">🧵</IconButton> : null}
          <IconButton label={t("copyLink")} onClick={copyLink}>🔗</IconButton>
          {!mine && message.community_id ? (
            // Reports go to the community's moderators (a DM has none: block the person instead).
            <IconButton label={t("reportMessage")} onClick={() => setReporting(true)} data-testid="report-message" className="hover:text-danger">⚑</IconButton>
          ) : null}
          {mine ? <IconButton label={t("deleteMessage")} onClick={() => setConfirmDelete(true)} data-testid="delete-message" className="hover:text-danger">🗑</IconButton> : null}
          {picker ? (
            <div className={`absolute right-0 z-20 ${pickerUp ? "bottom-full mb-1" : "top-full mt-1"}`}>
              <EmojiPicker actionLabel={t("reactWith")} onPick={(e) => void react(e)} onClose={() => setPicker(false)} />
            </div>
          ) : null}
        </div>
      ) : null}

      {naming ? (
        <NameDialog
          title={t("createThread")}
          label={t("threadName")}
          submitLabel={t("createThread")}
          testId="create-thread-dialog"
          onClose={() => setNaming(false)}
          onSubmit={async (name) => {
            const thread = await rest.createThread(message.channel_id, message.id, { name });
            useThreads.getState().upsert(thread);
            useMessages.getState().threadSummary(message.channel_id, message.id, summaryOf(thread));
            useThreads.getState().open(thread.id);
          }}
        />
      ) : null}

      {reporting ? (
        <NameDialog
          title={t("reportTitle", { name: displayName(author) })}
          label={t("reportLabel")}
          submitLabel={t("report")}
          field="reason"
          testId="report-dialog"
          onClose={() => setReporting(false)}
          onSubmit={async (reason) => {
            await rest.reportMessage(message.channel_id, message.id, reason);
            setNote(t("reported"));
          }}
        />
      ) : null}

      {confirmDelete ? (
        <ConfirmDialog
          title={t("deleteTitle")}
          body={t("deleteBody")}
          confirmLabel={t("delete")}
          testId="delete-dialog"
          onClose={() => setConfirmDelete(false)}
          onConfirm={async () => {
            await rest.deleteMessage(message.channel_id, message.id);
            useMessages.getState().remove(message.channel_id, message.id);
          }}
        />
      ) : null}
    </article>
  );
}

export function PendingRow({ pending, grouped }: { pending: PendingMessage; grouped: boolean }) {
  const { t } = useTranslation("messages");
  const failed = pending.status === "failed";
  return (
    <article
      data-testid={`pending-${pending.nonce}`}
      data-status={pending.status}
      aria-label={`${failed ? t("notSent") : t("sending")}: ${pending.content || attachmentSummary(pending)}`}
      className={`px-4 ${grouped ? "" : "mt-3"} pb-0.5`}
    >
      {pending.reply_to ? <ReplyQuote channelId={pending.channel_id} replyTo={pending.reply_to} myId={pending.author.id} /> : null}
      <div className="flex gap-3">
        <div className="w-10 shrink-0">{grouped ? null : <Avatar id={pending.author.id} name={displayName(pending.author)} url={pending.author.avatar_url} />}</div>
        <div className="min-w-0 flex-1">
          {grouped ? null : <div className="font-semibold"><Isolated text={displayName(pending.author)} /></div>}
          {pending.content ? (
            <div className={`whitespace-pre-wrap break-words ${failed ? "text-danger" : "opacity-60"}`}>
              <RichText content={pending.content} myId={pending.author.id} />
            </div>
          ) : null}
          {pending.attachments?.length ? (
            <div className={failed ? "" : "opacity-60"}>
              <MessageAttachments attachments={pending.attachments} />
            </div>
          ) : null}
          {failed ? (
            <div className="mt-1 flex flex-wrap items-center gap-2 text-sm" role="alert">
              <span className="text-danger">{pending.error ? t("notSentBecause", { error: pending.error }) : t("notSentDot")}</span>
              <Button variant="secondary" className="px-2 py-1" onClick={() => void retrySend(rest, pending.channel_id, pending.nonce)}>{t("retry")}</Button>
              <Button variant="ghost" className="px-2 py-1" onClick={() => discardSend(pending.channel_id, pending.nonce)}>{t("discard")}</Button>
            </div>
          ) : (
            <span className="sr-only">{t("sending")}</span>
          )}
        </div>
      </div>
    </article>
  );
}

/** "photo.png" or "3 files" (for names and labels of messages without text). */
function attachmentSummary(m: { attachments?: { filename: string }[] | undefined }): string {
  const files = m.attachments ?? [];
  if (files.length === 1) return files[0]!.filename;
  return files.length ? i18n.t("messages:files", { count: files.length }) : "";
}

/** An author's avatar with their presence dot (re-renders only when that one user's status changes). */
function AuthorAvatar({ author, myId }: { author: UserSummary; myId: string | undefined }) {
  const status = usePresenceStore((s) => statusOf(s, author.id, myId ?? null));
  return <Avatar id={author.id} name={displayName(author)} url={author.avatar_url} status={status} />;
}

/** The author's name in the colour of their highest coloured role (live: roles given or recoloured show at once). */
function AuthorName({ communityId, author }: { communityId: string; author: UserSummary }) {
  const roles = useMembers((s) => s.byCommunity[communityId]?.[author.id]?.roles);
  const byId = useRoles((s) => s.byCommunity[communityId]);
  return <span data-testid="author-name" className="font-semibold" style={{ color: memberColor(roles, byId) }}><Isolated text={displayName(author)} /></span>;
}
