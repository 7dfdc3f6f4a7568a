import { isDirectType } from "../../stores/directChannels";
import { useMemo, useRef, useState, type KeyboardEvent } from "react";
import { rest, typing } from "../../app/runtime";
import type { Channel } from "../../api/types";
import { displayName, useMembers } from "../../stores/members";
import { useMessages } from "../../stores/messages";
import { sendMessage } from "../../stores/send";
import { useNotifications } from "../../notifications/store";
import { useSession } from "../../stores/session";
import { IconButton } from "../../ui/Button";
import { encodeMentions } from "./content";
import { TypingIndicator } from "./TypingIndicator";

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
  const me = useSession((s) => s.user);
  const [text, setText] = useState("");
  const ref = useRef<HTMLTextAreaElement>(null);
  const members = useMembers((s) => s.byCommunity[channel.community_id]);
  const replyTarget = useMessages((s) => (replyTo ? s.byChannel[channel.id]?.byId[replyTo] : undefined));
  const byName = useMemo(() => {
    const map = new Map<string, string>();
    for (const m of Object.values(members ?? {})) map.set(m.user.username.toLowerCase(), m.user.id);
    return map;
  }, [members]);

  function submit() {
    const content = text.trim();
    if (!content || !me || content.length > MAX) return;
    setText("");
    typing.sent(channel.id);
    onCancelReply();
    // Having sent a message is a sensible moment to offer desktop notifications.
    useNotifications.getState().markEligible();
    void sendMessage(rest, channel.id, { id: me.id, username: me.username, display_name: me.display_name ?? null }, encodeMentions(content, byName), replyTo);
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.nativeEvent.isComposing) return;
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
            Replying to <strong><bdi>{replyTarget ? displayName(replyTarget.author) : "a message"}</bdi></strong>
          </span>
          <IconButton label="Cancel reply" onClick={onCancelReply}>✕</IconButton>
        </div>
      ) : null}
      <div className={`flex items-end gap-2 bg-elevated px-3 py-2 ${replyTo ? "rounded-b" : "rounded"}`}>
        <textarea
          ref={ref}
          data-testid="composer"
          aria-label={`Message ${isDirectType(channel.type) ? "@" : "#"}${channel.name}`}
          placeholder={`Message ${isDirectType(channel.type) ? "@" : "#"}${channel.name}`}
          value={text}
          rows={rows}
          maxLength={MAX * 2}
          onChange={(e) => {
            setText(e.target.value);
            typing.input(channel.id, e.target.value);
          }}
          onKeyDown={onKeyDown}
          className="max-h-60 min-h-6 flex-1 resize-none bg-transparent text-fg placeholder:text-muted focus:outline-none"
        />
        <button type="button" onClick={submit} aria-label="Send message" disabled={!text.trim()} className="rounded bg-accent px-3 py-1 text-sm font-medium text-white disabled:opacity-40">
          Send
        </button>
      </div>
      <TypingIndicator channelId={channel.id} />
      {text.length > MAX ? <p role="alert" className="mt-1 text-sm text-danger">Messages can be at most {MAX} characters ({text.length} now).</p> : null}
      <p className="mt-1 hidden text-xs text-muted sm:block">Enter to send · Shift+Enter for a new line · Up arrow to edit your last message</p>
    </div>
  );
}
