import { useCallback, useEffect, useState } from "react";
import { loadLatest, markChannelRead } from "../../app/runtime";
import { describeError } from "../../api/errors";
import { ChannelType, type Channel } from "../../api/types";
import { latestId, useMessages } from "../../stores/messages";
import { useCommunities } from "../../stores/communities";
import { canManageMessages, usePins } from "../../stores/pins";
import { useVoice } from "../../stores/voice";
import { useSession } from "../../stores/session";
import { useUi } from "../../stores/ui";
import { firstUnreadId, useUnread } from "../../stores/unread";
import { IconButton } from "../../ui/Button";
import { Composer } from "./Composer";
import { isDirectType } from "../../stores/directChannels";
import { MessageList } from "./MessageList";
import { PinsPanel, usePinsOf } from "./PinsPanel";
import { Isolated } from "../../ui/Isolated";
import { stripBidiControls } from "../../ui/safeText";
import { ThreadList } from "../threads/ThreadList";
import { GroupSettingsDialog } from "../direct/GroupSettings";
import { DropOverlay, useFileDrop } from "../attachments/FileDrop";
import { uploadsFor } from "../attachments/queues";
import { SearchBox, scopeOf } from "../search/SearchBox";
import { SearchPanel } from "../search/SearchPanel";
import { closeSearch } from "../search/run";
import { sameScope, useSearch } from "../../stores/search";
import { useTranslation } from "react-i18next";

export function ChannelView({ channel, focusMessageId = null }: { channel: Channel; focusMessageId?: string | null }) {
  const { t } = useTranslation("messages");
  const myId = useSession((s) => s.user?.id);
  const loaded = useMessages((s) => s.byChannel[channel.id]?.loaded ?? false);
  const newest = useMessages((s) => latestId(s.byChannel[channel.id]));
  const drawerOpen = useUi((s) => s.drawerOpen);
  const setDrawer = useUi((s) => s.setDrawer);
  const membersOpen = useUi((s) => s.membersOpen);
  const toggleMembers = useUi((s) => s.toggleMembers);
  const markSeen = useUi((s) => s.markSeen);
  const isOwner = useCommunities((s) => !!myId && s.byId[channel.community_id]?.owner_id === myId);
  const perms = useVoice((s) => s.perms[channel.community_id]);
  const canManage = canManageMessages(perms, channel.id, isOwner);
  // In a DM nobody moderates, and every participant may pin (as in Discord).
  const canPin = isDirectType(channel.type) || canManage;
  const pinsOpen = usePins((s) => s.openChannelId === channel.id);
  const pins = usePinsOf(channel.id);
  const search = useSearch((s) => (s.view && sameScope(s.view.scope, scopeOf(channel)) ? s.view : null));
  const [editingId, setEditingId] = useState<string | null>(null);
  const [replyTo, setReplyTo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [threadsOpen, setThreadsOpen] = useState(false);
  const [groupOpen, setGroupOpen] = useState(false);
  // How many were unread when the channel was opened (this view is keyed by channel): where the divider goes.
  const [openedUnread] = useState(() => useUnread.getState().byChannel[channel.id]?.unread ?? 0);
  const [dividerId, setDividerId] = useState<string | null>(null);
  const counts = useUnread((s) => s.byChannel[channel.id]);
  const [atBottom, setAtBottom] = useState(true);
  const drop = useFileDrop((files) => uploadsFor(channel.id).add(files));
  const [focused, setFocused] = useState(() => typeof document === "undefined" || (document.hasFocus() && document.visibilityState !== "hidden"));

  useEffect(() => {
    if (!loaded || dividerId !== null || openedUnread === 0) return;
    const c = useMessages.getState().byChannel[channel.id];
    if (!c) return;
    const messages = c.ids.map((id) => c.byId[id]).filter((m) => m !== undefined);
    setDividerId(firstUnreadId(messages, openedUnread, myId));
  }, [loaded, dividerId, openedUnread, channel.id, myId]);

  useEffect(() => {
    const update = () => setFocused(document.hasFocus() && document.visibilityState !== "hidden");
    window.addEventListener("focus", update);
    window.addEventListener("blur", update);
    document.addEventListener("visibilitychange", update);
    return () => {
      window.removeEventListener("focus", update);
      window.removeEventListener("blur", update);
      document.removeEventListener("visibilitychange", update);
    };
  }, []);

  // Seen = open, the window focused and the newest message in view; debounced so scrolling through does not spam.
  const hasUnread = (counts?.unread ?? 0) > 0 || (counts?.mentions ?? 0) > 0;
  useEffect(() => {
    if (!newest || !atBottom || !focused || !hasUnread) return;
    const timer = setTimeout(() => void markChannelRead(channel.id, newest).catch(() => undefined), 500);
    return () => clearTimeout(timer);
  }, [channel.id, newest, atBottom, focused, hasUnread]);

  useEffect(() => {
    if (loaded) return;
    loadLatest(channel.id).catch((e) => setError(describeError(e)));
  }, [channel.id, loaded]);

  useEffect(() => {
    if (newest) markSeen(channel.id, newest);
  }, [channel.id, newest, markSeen]);

  const editLast = useCallback(() => {
    const c = useMessages.getState().byChannel[channel.id];
    if (!c || !myId) return false;
    for (let i = c.ids.length - 1; i >= 0; i--) {
      const m = c.byId[c.ids[i]!];
      if (m?.author.id === myId) {
        setEditingId(m.id);
        return true;
      }
    }
    return false;
  }, [channel.id, myId]);

  const endEdit = useCallback((id: string | null) => {
    setEditingId(id);
    if (id === null) document.querySelector<HTMLTextAreaElement>('[data-testid="composer"]')?.focus();
  }, []);

  const reply = useCallback((id: string) => {
    setReplyTo(id);
    document.querySelector<HTMLTextAreaElement>('[data-testid="composer"]')?.focus();
  }, []);

  return (
    <section aria-label={t("channelLabel", { name: channel.name })} className="relative flex min-h-0 flex-1 flex-col" data-testid="channel-view" data-channel-id={channel.id} {...drop.handlers}>
      {drop.dragging ? <DropOverlay target={`${isDirectType(channel.type) ? "@" : "#"}${channel.name}`} /> : null}
      <header className="flex h-12 shrink-0 items-center gap-2 border-b border-line px-2 md:px-4">
        <IconButton label={t("showChannels")} aria-expanded={drawerOpen} aria-controls="channel-drawer" onClick={() => setDrawer(!drawerOpen)} className="md:hidden" data-testid="drawer-toggle">
          ☰
        </IconButton>
        <h1 className="truncate font-semibold">
          <span aria-hidden="true" className="mr-1 text-muted">{isDirectType(channel.type) ? "@" : "#"}</span>
          <Isolated text={channel.name} />
        </h1>
        {channel.topic ? <p dir="auto" className="hidden truncate border-l border-line pl-2 text-sm text-muted sm:block">{stripBidiControls(channel.topic)}</p> : null}
        <div className="ml-auto" />
        <SearchBox channel={channel} />
        <IconButton
          label={pins.messages ? t("pinnedCount", { count: pins.messages.length }) : t("pinned")}
          aria-expanded={pinsOpen}
          onClick={() => {
            // The two panels share the place: pins open over search results, not under them.
            if (!pinsOpen) closeSearch();
            usePins.getState().setOpen(pinsOpen ? null : channel.id);
          }}
          className="relative shrink-0"
          data-testid="pins-toggle"
        >
          📌
          {pins.messages?.length ? (
            <span aria-hidden="true" data-testid="pins-count" className="absolute -right-0.5 -top-0.5 min-w-4 rounded-full bg-accent px-1 text-[10px] font-bold leading-4 text-white">
              {pins.messages.length}
            </span>
          ) : null}
        </IconButton>
        {channel.type === ChannelType.GroupDirectMessage ? (
          <IconButton label={t("groupSettings")} onClick={() => setGroupOpen(true)} data-testid="group-settings-toggle">
            👥
          </IconButton>
        ) : null}
        {isDirectType(channel.type) ? null : (
          <>
            <IconButton label={t("threads")} aria-expanded={threadsOpen} onClick={() => setThreadsOpen(!threadsOpen)} data-testid="threads-toggle">
              🧵
            </IconButton>
            <IconButton label={membersOpen ? t("hideMembers") : t("showMembers")} aria-pressed={membersOpen} onClick={toggleMembers} data-testid="members-toggle">
              👥
            </IconButton>
          </>
        )}
      </header>
      {groupOpen ? <GroupSettingsDialog channelId={channel.id} onClose={() => setGroupOpen(false)} /> : null}
      {threadsOpen ? <ThreadList channelId={channel.id} onClose={() => setThreadsOpen(false)} /> : null}
      {error ? (
        <p role="alert" className="px-4 py-2 text-sm text-danger">
          {t("couldNotLoad", { error })}{" "}
          <button type="button" className="underline" onClick={() => { setError(null); loadLatest(channel.id).catch((e) => setError(describeError(e))); }}>
            {t("tryAgain")}
          </button>
        </p>
      ) : null}
      <MessageList
        channelId={channel.id}
        myId={myId}
        editingId={editingId}
        onEdit={endEdit}
        onReply={reply}
        dividerId={dividerId}
        onAtBottomChange={setAtBottom}
        canManageMessages={canManage}
        canPin={canPin}
        focusId={focusMessageId}
      />
      {pinsOpen ? <PinsPanel channel={channel} canPin={canPin} myId={myId} pins={pins} /> : search ? <SearchPanel view={search} /> : null}
      <Composer channel={channel} replyTo={replyTo} onCancelReply={() => setReplyTo(null)} onEditLast={editLast} />
    </section>
  );
}
