import { useEffect, useMemo, useRef, useState, type ClipboardEvent, type KeyboardEvent } from "react";
import { isDirectType } from "../../stores/directChannels";
import { rest, typing } from "../../app/runtime";
import type { Channel } from "../../api/types";
import { displayName, useMembers } from "../../stores/members";
import { useMessages } from "../../stores/messages";
import { sendMessage } from "../../stores/send";
import { useNotifications } from "../../notifications/store";
import { useSession } from "../../stores/session";
import { IconButton } from "../../ui/Button";
import { encodeMentions } from "./content";
import { applySuggestion, findTrigger, suggest, type Suggestion } from "./autocomplete";
import { EmojiPicker } from "../../emoji/EmojiPicker";
import { useEmojiData } from "../../emoji/data";
import { useRecentEmoji } from "../../emoji/recent";
import { useChannels } from "../../stores/channels";
import { rolesInHierarchy, useRoles } from "../../stores/roles";
import { TypingIndicator } from "./TypingIndicator";
import { useUploads } from "../attachments/queues";
import { canSend } from "../attachments/upload";
import { PendingUploads } from "../attachments/PendingUploads";
import { Trans, useTranslation } from "react-i18next";
import { formatNumber } from "../../i18n/format";

const MAX = 4000;

export function Composer({
  channel,
  replyTo,
  onCancelReply,
  onEditLast,
}: {
  channel: Channel;
  replyTo: string | null;
  onCancelReply: () => void;
  onEditLast: () => boolean;
}) {
  const { t } = useTranslation("messages");
  const me = useSession((s) => s.user);
  const [text, setText] = useState("");
  const ref = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const { queue, items: uploads } = useUploads(channel.id);
  const members = useMembers((s) => s.byCommunity[channel.community_id]);
  const replyTarget = useMessages((s) => (replyTo ? s.byChannel[channel.id]?.byId[replyTo] : undefined));
  const byName = useMemo(() => {
    const map = new Map<string, string>();
    for (const m of Object.values(members ?? {})) map.set(m.user.username.toLowerCase(), m.user.id);
    return map;
  }, [members]);

  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  // The trigger position the person dismissed with Escape: it stays closed until they type another trigger.
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [picker, setPicker] = useState(false);
  const channelsById = useChannels((s) => s.byId);
  const roles = useRoles((s) => s.byCommunity[channel.community_id]);
  const ensureRoles = useRoles((s) => s.ensure);
  const emoji = useEmojiData((s) => s.data);
  const loadEmoji = useEmojiData((s) => s.load);
  const tone = useRecentEmoji((s) => s.tone);
  const rememberEmoji = useRecentEmoji((s) => s.use);

  const trigger = useMemo(() => {
    const t = findTrigger(text, caret);
    return t && t.start !== dismissed ? t : null;
  }, [text, caret, dismissed]);
  useEffect(() => {
    if (trigger?.kind === "@") ensureRoles(channel.community_id, (c) => rest.roles(c));
    if (trigger?.kind === ":") loadEmoji();
  }, [trigger?.kind, channel.community_id, ensureRoles, loadEmoji]);
  const suggestions = useMemo<Suggestion[]>(
    () =>
      trigger
        ? suggest(trigger, {
            members: Object.values(members ?? {}),
            roles: rolesInHierarchy(roles),
            channels: Object.values(channelsById).filter((c) => c.community_id === channel.community_id),
            emoji,
            tone,
          })
        : [],
    [trigger, members, roles, channelsById, channel.community_id, emoji, tone],
  );
  const open = suggestions.length > 0;
  const activeIndex = Math.min(active, Math.max(0, suggestions.length - 1));

  function setTextAndCaret(next: string, at: number) {
    setText(next);
    setCaret(at);
    typing.input(channel.id, next);
    requestAnimationFrame(() => {
      const el = ref.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(at, at);
    });
  }

  function accept(s: Suggestion) {
    if (!trigger) return;
    if (trigger.kind === ":") rememberEmoji(s.insert);
    const next = applySuggestion(text, trigger, s.insert);
    setActive(0);
    setTextAndCaret(next.text, next.caret);
  }

  function insertEmoji(e: string) {
    const el = ref.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    setPicker(false);
    setTextAndCaret(text.slice(0, start) + e + text.slice(end), start + e.length);
  }

  // Files may go without text; nothing is sent while a file is still uploading.
  const sendable = canSend(uploads, text.trim().length > 0) && text.trim().length <= MAX;

  function submit() {
    const content = text.trim();
    if (!me || content.length > MAX || !canSend(queue.getSnapshot(), content.length > 0)) return;
    const attachments = queue.takeDone();
    if (!content && !attachments.length) return;
    setText("");
    typing.sent(channel.id);
    onCancelReply();
    // Having sent a message is a sensible moment to offer desktop notifications.
    useNotifications.getState().markEligible();
    void sendMessage(rest, channel.id, { id: me.id, username: me.username, display_name: me.display_name ?? null, avatar_url: me.avatar_url ?? null }, encodeMentions(content, byName), replyTo, undefined, attachments);
  }

  function onPaste(e: ClipboardEvent<HTMLTextAreaElement>) {
    const files = Array.from(e.clipboardData?.files ?? []);
    if (!files.length) return;
    // An image copied from a page may come with its HTML or URL as text: the image is what was meant.
    e.preventDefault();
    queue.add(files);
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.nativeEvent.isComposing) return;
    if (open) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const step = e.key === "ArrowDown" ? 1 : -1;
        setActive((activeIndex + step + suggestions.length) % suggestions.length);
        return;
      }
      if ((e.key === "Enter" && !e.shiftKey) || e.key === "Tab") {
        e.preventDefault();
        accept(suggestions[activeIndex]!);
        return;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        setDismissed(trigger!.start);
        return;
      }
    }
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      submit();
    } else if (e.key === "ArrowUp" && text === "") {
      if (onEditLast()) e.preventDefault();
    } else if (e.key === "Escape" && replyTo) {
      e.preventDefault();
      onCancelReply();
    }
  }

  const rows = Math.min(10, Math.max(1, text.split("\n").length));
  return (
    <div className="px-4 pb-4">
      {replyTo ? (
        <div className="flex items-center gap-2 rounded-t bg-sidebar px-3 py-1 text-sm text-muted" data-testid="replying-to">
          <span className="min-w-0 flex-1 truncate">
            <Trans t={t} i18nKey="replyingTo" values={{ name: replyTarget ? displayName(replyTarget.author) : t("aMessage") }} components={{ strong: <strong />, bdi: <bdi /> }} />
          </span>
          <IconButton label={t("cancelReply")} onClick={onCancelReply}>✕</IconButton>
        </div>
      ) : null}
      <div className={`bg-elevated ${replyTo ? "rounded-b" : "rounded"}`}>
      <PendingUploads queue={queue} items={uploads} />
      <div className="relative flex items-end gap-2 px-3 py-2">
        <IconButton label={t("attachFiles")} onClick={() => fileInput.current?.click()} className="text-lg" data-testid="attach-button">
          📎
        </IconButton>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          tabIndex={-1}
          aria-hidden="true"
          data-testid="attach-input"
          onChange={(e) => {
            const files = Array.from(e.target.files ?? []);
            if (files.length) queue.add(files);
            e.target.value = "";
            ref.current?.focus();
          }}
        />
        {open ? (
          <ul
            id={`autocomplete-${channel.id}`}
            role="listbox"
            aria-label={t("suggestions")}
            data-testid="autocomplete"
            className="absolute bottom-full left-0 z-20 mb-1 w-full max-w-md overflow-hidden rounded-lg border border-line bg-main py-1 shadow-xl"
          >
            {suggestions.map((s, i) => (
              <li
                key={s.key}
                id={`autocomplete-${channel.id}-${i}`}
                role="option"
                aria-selected={i === activeIndex}
                onMouseDown={(e) => {
                  // Keep the focus in the composer.
                  e.preventDefault();
                  accept(s);
                }}
                onMouseEnter={() => setActive(i)}
                className={`flex cursor-pointer items-center gap-2 px-3 py-1 ${i === activeIndex ? "bg-hover" : ""}`}
              >
                <span aria-hidden="true" className="w-6 text-center text-lg text-muted">{s.icon}</span>
                <bdi className="font-medium">{s.label}</bdi>
                {s.detail ? <span className="truncate text-sm text-muted">{s.detail}</span> : null}
              </li>
            ))}
          </ul>
        ) : null}
        <textarea
          ref={ref}
          data-testid="composer"
          aria-label={t("messageTo", { target: `${isDirectType(channel.type) ? "@" : "#"}${channel.name}` })}
          placeholder={t("messageTo", { target: `${isDirectType(channel.type) ? "@" : "#"}${channel.name}` })}
          value={text}
          rows={rows}
          maxLength={MAX * 2}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={open ? `autocomplete-${channel.id}` : undefined}
          aria-activedescendant={open ? `autocomplete-${channel.id}-${activeIndex}` : undefined}
          onChange={(e) => {
            setText(e.target.value);
            setCaret(e.target.selectionStart);
            setActive(0);
            typing.input(channel.id, e.target.value);
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          className="max-h-60 min-h-6 flex-1 resize-none bg-transparent text-fg placeholder:text-muted focus:outline-none"
        />
        <span className="relative">
          <IconButton label={t("chooseEmoji")} aria-expanded={picker} onClick={() => setPicker((p) => !p)} className="text-lg">☺</IconButton>
          {picker ? (
            <div className="absolute bottom-full right-0 z-20 mb-2">
              <EmojiPicker
                actionLabel={t("insert")}
                onPick={insertEmoji}
                onClose={() => {
                  setPicker(false);
                  ref.current?.focus();
                }}
              />
            </div>
          ) : null}
        </span>
        <button type="button" onClick={submit} aria-label={t("sendMessage")} disabled={!sendable} data-testid="send-button" className="rounded bg-accent px-3 py-1 text-sm font-medium text-white disabled:opacity-40">
          {t("send")}
        </button>
      </div>
      </div>
      <TypingIndicator channelId={channel.id} />
      {text.length > MAX ? <p role="alert" className="mt-1 text-sm text-danger">{t("tooLong", { max: formatNumber(MAX), now: formatNumber(text.length) })}</p> : null}
      <p className="mt-1 hidden text-xs text-muted sm:block">{t("composerHint")}</p>
    </div>
  );
}
