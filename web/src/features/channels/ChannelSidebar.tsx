import { Link } from "@tanstack/react-router";
import { useEffect, useMemo, useRef, useState } from "react";
import { ChannelType, type Channel } from "../../api/types";
import { groupChannels, useChannels } from "../../stores/channels";
import type { CommunityInfo } from "../../stores/communities";
import { displayName } from "../../stores/members";
import { useSession } from "../../stores/session";
import { useUi } from "../../stores/ui";
import { useUnread } from "../../stores/unread";
import { markCommunityRead } from "../../app/runtime";
import { IconButton } from "../../ui/Button";
import { DeleteCommunityDialog, LeaveCommunityDialog, RenameCommunityDialog } from "../communities/CommunityDialogs";
import { InviteDialog } from "../invites/InviteDialog";
import { CreateChannelDialog, DeleteChannelDialog, RenameChannelDialog, VoiceChannelSettingsDialog } from "./ChannelDialogs";
import { VoiceChannelRow } from "../voice/VoiceChannel";
import { VoiceAlert, VoiceBar } from "../voice/VoiceBar";
import { Isolated } from "../../ui/Isolated";
import { NotificationSettingsDialog } from "../notifications/NotificationSettingsDialog";
import { StatusPicker } from "../shell/StatusPicker";
import { CommunitySettings, useSettingsRights } from "../community-settings/CommunitySettings";
import { anyModeration } from "../community-settings/MemberActions";
import { useVoice } from "../../stores/voice";
import { ChannelSettings } from "./ChannelSettings";
import { overrideRights } from "./overrides";
import { useTranslation } from "react-i18next";

type Modal =
  | { kind: "invite" }
  | { kind: "renameCommunity" }
  | { kind: "deleteCommunity" }
  | { kind: "leave" }
  | { kind: "createChannel" }
  | { kind: "renameChannel"; channel: Channel }
  | { kind: "deleteChannel"; channel: Channel }
  | { kind: "voiceSettings"; channel: Channel }
  | { kind: "permissions"; channel: Channel }
  | { kind: "notifications" }
  | { kind: "settings" }
  | { kind: "channelNotifications"; channel: Channel }
  | null;

export function ChannelSidebar({ community, activeChannelId }: { community: CommunityInfo; activeChannelId: string | undefined }) {
  const { t } = useTranslation("channels");
  const all = useChannels((s) => s.byId);
  const me = useSession((s) => s.user);
  const counts = useUnread((s) => s.byChannel);
  const theme = useUi((s) => s.theme);
  const setTheme = useUi((s) => s.setTheme);
  const [modal, setModal] = useState<Modal>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const menuRef = useRef<HTMLDivElement>(null);
  // The community menu closes on Escape (focus back on its button) and on a click or tap anywhere outside it.
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.preventDefault();
      setMenuOpen(false);
      menuRef.current?.querySelector<HTMLButtonElement>("button[aria-controls=community-menu]")?.focus();
    };
    const onPointer = (e: PointerEvent) => {
      if (menuRef.current && e.target instanceof Node && !menuRef.current.contains(e.target)) setMenuOpen(false);
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener("pointerdown", onPointer);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("pointerdown", onPointer);
    };
  }, [menuOpen]);
  const groups = useMemo(() => groupChannels(all, community.id), [all, community.id]);
  const owner = me?.id === community.owner_id;
  const close = () => setModal(null);
  const settingsRights = useSettingsRights(community);
  const hasSettings = anyModeration(settingsRights.rights) || settingsRights.manageCommunity || settingsRights.viewAudit || settingsRights.handleReports;
  const channelPerms = useVoice((s) => s.perms[community.id]?.channels);
  // The permission editor is for whoever may change some override there (the server decides each change).
  const rightsIn = (c: Channel) => overrideRights(channelPerms?.[c.id], owner);
  const permissionsButton = (c: Channel) => {
    const r = rightsIn(c);
    return r.roles || r.users ? (
      <IconButton label={t("permissionsOf", { name: c.name })} data-testid={`channel-permissions-${c.id}`} onClick={() => setModal({ kind: "permissions", channel: c })}>🔒</IconButton>
    ) : null;
  };

  const ownerActions = (c: Channel) =>
    owner || permissionsButton(c) ? (
      <span className="flex opacity-100 md:opacity-0 md:group-focus-within:opacity-100 md:group-hover:opacity-100">
        {permissionsButton(c)}
        {owner ? (
          <>
            {c.type === ChannelType.Voice ? (
              <IconButton label={t("voiceSettingsOf", { name: c.name })} onClick={() => setModal({ kind: "voiceSettings", channel: c })}>⚙</IconButton>
            ) : null}
            <IconButton label={t("renameName", { name: c.name })} onClick={() => setModal({ kind: "renameChannel", channel: c })}>✎</IconButton>
            <IconButton label={t("deleteName", { name: c.name })} onClick={() => setModal({ kind: "deleteChannel", channel: c })}>🗑</IconButton>
          </>
        ) : null}
      </span>
    ) : null;

  const channelRow = (c: Channel) => {
    if (c.type === ChannelType.Voice) return <VoiceChannelRow key={c.id} channel={c} isOwner={owner} actions={ownerActions(c)} />;
    const active = c.id === activeChannelId;
    const unread = !active && (counts[c.id]?.unread ?? 0) > 0;
    const mentions = active ? 0 : counts[c.id]?.mentions ?? 0;
    return (
      <li key={c.id} className="group flex items-center">
        <Link
          to="/app/$communityId/$channelId"
          params={{ communityId: community.id, channelId: c.id }}
          aria-current={active ? "page" : undefined}
          aria-label={`${c.name}${unread ? t("unreadSuffix") : ""}${mentions ? t("mentionsSuffix", { count: mentions }) : ""}`}
          data-testid={`channel-link-${c.id}`}
          // Navigation closes the phone drawer; tapping the channel already open changes no route, so close it here too.
          onClick={() => useUi.getState().setDrawer(false)}
          data-unread={unread ? "true" : "false"}
          className={`flex min-w-0 flex-1 items-center gap-2 rounded px-2 py-1.5 ${
            active ? "bg-hover font-semibold text-fg" : unread ? "font-semibold text-fg hover:bg-hover" : "text-muted hover:bg-hover hover:text-fg"
          }`}
        >
          <span aria-hidden="true" className="w-4 text-center">#</span>
          <Isolated className="truncate" text={c.name} />
          {mentions ? (
            <span aria-hidden="true" data-testid="mention-badge" className="ml-auto min-w-5 shrink-0 rounded-full bg-danger px-1.5 text-center text-xs font-bold text-white">
              {mentions > 99 ? "99+" : mentions}
            </span>
          ) : unread ? (
            <span aria-hidden="true" data-testid="unread-dot" className="ml-auto h-2 w-2 shrink-0 rounded-full bg-fg" />
          ) : null}
        </Link>
        <span className="flex opacity-100 md:opacity-0 md:group-focus-within:opacity-100 md:group-hover:opacity-100">
          <IconButton label={t("notificationSettingsOf", { name: c.name })} data-testid={`channel-notifications-${c.id}`} onClick={() => setModal({ kind: "channelNotifications", channel: c })}>🔔</IconButton>
        </span>
        {ownerActions(c)}
      </li>
    );
  };

  return (
    <nav aria-label={t("channelsOf", { name: community.name })} className="flex h-full w-60 shrink-0 flex-col bg-sidebar">
      <div ref={menuRef} className="relative border-b border-line">
        <button
          type="button"
          aria-expanded={menuOpen}
          aria-controls="community-menu"
          onClick={() => setMenuOpen((o) => !o)}
          className="flex w-full items-center justify-between px-4 py-3 text-left font-semibold hover:bg-hover"
        >
          <Isolated className="truncate" text={community.name} />
          <span aria-hidden="true">{menuOpen ? "▴" : "▾"}</span>
          <span className="sr-only">{t("communityMenu")}</span>
        </button>
        {menuOpen ? (
          <ul id="community-menu" className="absolute inset-x-2 top-full z-10 flex flex-col rounded bg-rail p-1 shadow-lg">
            <li>
              <button
                type="button"
                data-testid="mark-community-read"
                onClick={() => {
                  setMenuOpen(false);
                  void markCommunityRead(community.id).catch(() => undefined);
                }}
                className="w-full rounded px-3 py-2 text-left text-sm hover:bg-accent hover:text-white"
              >
                {t("markAsRead")}
              </button>
            </li>
            {[
              { label: t("menu.invite"), kind: "invite" as const, show: true, testId: "open-invite" },
              { label: t("menu.settings"), kind: "settings" as const, show: hasSettings, testId: "open-community-settings" },
              { label: t("menu.notifications"), kind: "notifications" as const, show: true, testId: "open-notification-settings" },
              { label: t("menu.createChannel"), kind: "createChannel" as const, show: owner, testId: "open-create-channel" },
              { label: t("menu.renameCommunity"), kind: "renameCommunity" as const, show: owner, testId: "open-rename-community" },
              { label: t("menu.deleteCommunity"), kind: "deleteCommunity" as const, show: owner, testId: "open-delete-community" },
              { label: t("menu.leaveCommunity"), kind: "leave" as const, show: !owner, testId: "open-leave-community" },
            ]
              .filter((i) => i.show)
              .map((i) => (
                <li key={i.kind}>
                  <button
                    type="button"
                    data-testid={i.testId}
                    onClick={() => {
                      setMenuOpen(false);
                      setModal({ kind: i.kind } as Modal);
                    }}
                    className={`w-full rounded px-3 py-2 text-left text-sm hover:bg-accent hover:text-white ${i.kind === "deleteCommunity" || i.kind === "leave" ? "text-danger" : ""}`}
                  >
                    {i.label}
                  </button>
                </li>
              ))}
          </ul>
        ) : null}
      </div>

      <div className="flex-1 overflow-y-auto px-2 py-3">
        {groups.map((g) => (
          <section key={g.category?.id ?? "none"} className="mb-3" aria-label={g.category ? g.category.name : t("channels")}>
            {g.category ? (
              <div className="group flex items-center px-1">
                <h3 className="flex-1 truncate text-xs font-semibold uppercase tracking-wide text-muted"><Isolated text={g.category.name} /></h3>
                {owner || permissionsButton(g.category) ? (
                  <span className="flex opacity-100 md:opacity-0 md:group-focus-within:opacity-100 md:group-hover:opacity-100">
                    {permissionsButton(g.category)}
                    {owner ? (
                      <>
                        <IconButton label={t("renameCategory", { name: g.category.name })} onClick={() => setModal({ kind: "renameChannel", channel: g.category! })}>✎</IconButton>
                        <IconButton label={t("deleteCategory", { name: g.category.name })} onClick={() => setModal({ kind: "deleteChannel", channel: g.category! })}>🗑</IconButton>
                      </>
                    ) : null}
                  </span>
                ) : null}
              </div>
            ) : null}
            <ul className="flex flex-col gap-0.5">{g.channels.map(channelRow)}</ul>
          </section>
        ))}
        {owner ? (
          <button type="button" onClick={() => setModal({ kind: "createChannel" })} className="w-full rounded px-2 py-1.5 text-left text-sm text-muted hover:bg-hover hover:text-fg">
            {t("createChannelPlus")}
          </button>
        ) : null}
      </div>

      <VoiceAlert />
      <VoiceBar />
      <div className="flex items-center gap-2 bg-rail/60 px-2 py-2">
        {me ? <StatusPicker me={me} /> : null}
        <div className="min-w-0 flex-1">
          <div className="truncate text-sm font-semibold" data-testid="current-user">{displayName(me)}</div>
          <div className="truncate text-xs text-muted">@{me?.username}</div>
        </div>
        <IconButton label={theme === "dark" ? t("lightTheme") : t("darkTheme")} onClick={() => setTheme(theme === "dark" ? "light" : "dark")} data-testid="theme-toggle">
          {theme === "dark" ? "☀" : "☾"}
        </IconButton>
        <Link to="/settings" aria-label={t("settings")} title={t("settings")} className="inline-flex h-8 w-8 items-center justify-center rounded text-muted hover:bg-hover hover:text-fg" data-testid="settings-link">
          ⚙
        </Link>
      </div>

      {modal?.kind === "settings" ? <CommunitySettings community={community} onClose={close} /> : null}
      {modal?.kind === "invite" ? <InviteDialog communityId={community.id} communityName={community.name} onClose={close} /> : null}
      {modal?.kind === "createChannel" ? <CreateChannelDialog communityId={community.id} onClose={close} /> : null}
      {modal?.kind === "renameCommunity" ? <RenameCommunityDialog community={community} onClose={close} /> : null}
      {modal?.kind === "deleteCommunity" ? <DeleteCommunityDialog community={community} onClose={close} /> : null}
      {modal?.kind === "leave" ? <LeaveCommunityDialog community={community} onClose={close} /> : null}
      {modal?.kind === "renameChannel" ? <RenameChannelDialog channel={modal.channel} onClose={close} /> : null}
      {modal?.kind === "deleteChannel" ? <DeleteChannelDialog channel={modal.channel} onClose={close} /> : null}
      {modal?.kind === "permissions" ? <ChannelSettings channel={modal.channel} rights={rightsIn(modal.channel)} onClose={close} /> : null}
      {modal?.kind === "voiceSettings" ? <VoiceChannelSettingsDialog channel={modal.channel} onClose={close} /> : null}
      {modal?.kind === "notifications" ? <NotificationSettingsDialog target={{ kind: "community", community }} onClose={close} /> : null}
      {modal?.kind === "channelNotifications" ? <NotificationSettingsDialog target={{ kind: "channel", channel: modal.channel }} onClose={close} /> : null}
    </nav>
  );
}
