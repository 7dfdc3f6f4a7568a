import { useCallback, useEffect, useState } from "react";
import { loadLatest, rest } from "../../app/runtime";
import { describeError } from "../../api/errors";
import { ChannelType, type Channel } from "../../api/types";
import { useMessages } from "../../stores/messages";
import { useSession } from "../../stores/session";
import { canManageThread, summaryOf, useThreads } from "../../stores/threads";
import { useVoice } from "../../stores/voice";
import { Button, IconButton } from "../../ui/Button";
import { NameDialog } from "../../ui/FormDialogs";
import { Isolated } from "../../ui/Isolated";
import { Composer } from "../messages/Composer";
import { MessageList } from "../messages/MessageList";
import { DropOverlay, useFileDrop } from "../attachments/FileDrop";
import { uploadsFor } from "../attachments/queues";
import { useTranslation } from "react-i18next";

/** The side panel of one thread: its messages and a composer, with join/leave and, for its owner or moderators, rename and archive. */
export function ThreadPanel({ threadId }: { threadId: string }) {
  const { t } = useTranslation("threads");
  const thread = useThreads((s) => s.byId[threadId]);
  const myId = useSession((s) => s.user?.id);
  const loaded = useMessages((s) => s.byChannel[threadId]?.loaded ?? false);
  const parentBits = useVoice((s) => (thread ? s.perms[thread.community_id]?.channels[thread.parent_id] : undefined));
  const [editingId, setEditingId] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<string | null>(null);
  const [renaming, setRenaming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // The thread as the server has it now (with my membership), and its latest messages.
  useEffect(() => {
    rest.thread(threadId).then((t) => useThreads.getState().upsert(t), (e) => setError(describeError(e)));
  }, [threadId]);
  useEffect(() => {
    if (!loaded) loadLatest(threadId).catch((e) => setError(describeError(e)));
  }, [threadId, loaded]);

  const close = useCallback(() => useThreads.getState().open(null), []);
  const drop = useFileDrop((files) => uploadsFor(threadId).add(files));
  if (!thread) {
    return (
      <aside aria-label={t("thread")} className="flex h-full w-full flex-col border-l border-line bg-sidebar p-4 md:w-96" data-testid="thread-panel">
        {error ? <p role="alert" className="text-sm text-danger">{t("couldNotOpen", { error })}</p> : <p className="text-sm text-muted">{t("loadingThread")}</p>}
        <Button variant="secondary" className="mt-2" onClick={close}>{t("close")}</Button>
      </aside>
    );
  }

  const channel: Channel = { id: thread.id, community_id: thread.community_id, name: thread.name, type: ChannelType.Thread, position: 0, created_at: thread.created_at, parent_id: thread.parent_id };
  const manage = canManageThread(thread, myId, parentBits);
  async function act(fn: () => Promise<unknown>) {
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(describeError(e));
    }
  }
  const update = (body: { name?: string; archived?: boolean }) =>
    rest.updateThread(thread.id, body).then((t) => {
      useThreads.getState().upsert(t);
      useMessages.getState().threadSummary(t.parent_id, t.parent_message_id, summaryOf(t));
    });

  return (
    <aside aria-label={t("threadNamed", { name: thread.name })} className="relative flex h-full w-full flex-col border-l border-line bg-main md:w-96" data-testid="thread-panel" data-thread-id={thread.id} {...drop.handlers}>
      {drop.dragging ? <DropOverlay target={`the thread ${thread.name}`} /> : null}
      <header className="flex h-12 shrink-0 items-center gap-1 border-b border-line px-3">
        <span aria-hidden="true" className="text-muted">🧵</span>
        <h2 className="min-w-0 flex-1 truncate font-semibold" data-testid="thread-name"><Isolated text={thread.name} /></h2>
        {thread.archived ? <span className="rounded bg-elevated px-1.5 py-0.5 text-xs text-muted" data-testid="thread-archived">{t("archived")}</span> : null}
        {manage ? (
          <>
            <IconButton label={t("rename")} onClick={() => setRenaming(true)} data-testid="thread-rename">✎</IconButton>
            <IconButton label={thread.archived ? t("unarchive") : t("archive")} onClick={() => void act(() => update({ archived: !thread.archived }))} data-testid="thread-archive-toggle">
              {thread.archived ? "📤" : "📥"}
            </IconButton>
          </>
        ) : null}
        <IconButton label={t("closeThread")} onClick={close} data-testid="thread-close">✕</IconButton>
      </header>
      <div className="flex items-center gap-2 border-b border-line px-3 py-1 text-xs text-muted">
        <span data-testid="thread-members">{t("memberCount", { count: thread.member_count })}</span>
        {thread.joined === true ? (
          <button type="button" className="text-accent underline" onClick={() => void act(() => rest.leaveThread(thread.id))} data-testid="thread-leave">{t("leave")}</button>
        ) : thread.joined === false ? (
          <button type="button" className="text-accent underline" onClick={() => void act(() => rest.joinThread(thread.id))} data-testid="thread-join">{t("join")}</button>
        ) : null}
      </div>
      {thread.archived ? (
        <p className="border-b border-line px-3 py-1 text-xs text-muted">{t("archivedNotice")}</p>
      ) : null}
      {error ? <p role="alert" className="px-3 py-1 text-sm text-danger">{error}</p> : null}
      <MessageList channelId={thread.id} myId={myId} editingId={editingId} onEdit={setEditingId} onReply={setReplyTo} />
      <Composer channel={channel} replyTo={replyTo} onCancelReply={() => setReplyTo(null)} onEditLast={() => false} />
      {renaming ? (
        <NameDialog title={t("rename")} label={t("threadName")} initial={thread.name} submitLabel={t("renameButton")} onSubmit={(name) => update({ name })} onClose={() => setRenaming(false)} testId="thread-rename-dialog" />
      ) : null}
    </aside>
  );
}
