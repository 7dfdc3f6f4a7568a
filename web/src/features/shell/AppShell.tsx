import { useNavigate, useParams } from "@tanstack/react-router";
import { useEffect, useMemo } from "react";
import { ensurePresences, loadMembers, loadVoiceStates } from "../../app/runtime";
import { firstTextChannel, useChannels } from "../../stores/channels";
import { sortedCommunities, useCommunities } from "../../stores/communities";
import { useUi } from "../../stores/ui";
import { ChannelSidebar } from "../channels/ChannelSidebar";
import { ChannelView } from "../messages/ChannelView";
import { CommunityRail } from "./CommunityRail";
import { MemberList } from "./MemberList";
import { ThreadPanel } from "../threads/ThreadPanel";
import { useThreads } from "../../stores/threads";
import { ReconnectBanner } from "./ReconnectBanner";
import { Loading } from "../../ui/Loading";
import { EmptyHome } from "./EmptyHome";
import { VoiceIndicator } from "../voice/VoiceIndicator";
import { EnableNotificationsBanner } from "../notifications/EnableNotificationsBanner";
import { asViewChannel, DIRECT_HOME, useDirectChannels } from "../../stores/directChannels";
import { useSession } from "../../stores/session";
import { DirectSidebar } from "../direct/DirectSidebar";
import { ProfileCardHost } from "../direct/ProfileCard";
import { preventStrayFileDrops } from "../attachments/FileDrop";
import { useTranslation } from "react-i18next";

export function AppShell() {
  const { t } = useTranslation("shell");
  const params = useParams({ strict: false }) as { communityId?: string; channelId?: string; messageId?: string };
  const { communityId, channelId } = params;
  const navigate = useNavigate();
  const communities = useCommunities((s) => s.byId);
  const channels = useChannels((s) => s.byId);
  const gateway = useUi((s) => s.gateway);
  const drawerOpen = useUi((s) => s.drawerOpen);
  const membersOpen = useUi((s) => s.membersOpen);
  const openThreadId = useThreads((s) => s.openId);
  const openThreadParent = useThreads((s) => (s.openId ? s.byId[s.openId]?.parent_id : undefined));
  const setDrawer = useUi((s) => s.setDrawer);
  const toggleMembers = useUi((s) => s.toggleMembers);
  const setActiveChannel = useUi((s) => s.setActiveChannel);
  const hasData = gateway === "ready" || Object.keys(communities).length > 0;
  // `/app/@me/…`: the DM home; its conversations are direct channels, shown in the same channel view.
  const direct = communityId === DIRECT_HOME;
  const myId = useSession((s) => s.user?.id);
  const directChannel = useDirectChannels((s) => (direct && channelId ? s.byId[channelId] : undefined));
  const community = communityId && !direct ? communities[communityId] : undefined;
  const channel = useMemo(
    () => (direct ? (directChannel ? asViewChannel(directChannel, myId) : undefined) : channelId ? channels[channelId] : undefined),
    [direct, directChannel, myId, channelId, channels],
  );

  // Pick a sensible place when the URL does not name one (or names one that is gone).
  useEffect(() => preventStrayFileDrops(), []);
  useEffect(() => {
    if (!hasData) return;
    if (direct) {
      if (channelId && !directChannel && gateway === "ready") void navigate({ to: "/app/$communityId", params: { communityId: DIRECT_HOME }, replace: true });
      return;
    }
    if (!communityId || !community) {
      const first = sortedCommunities(communities)[0];
      if (first) void navigate({ to: "/app/$communityId", params: { communityId: first.id }, replace: true });
      else if (communityId) void navigate({ to: "/app", replace: true });
      return;
    }
    if (!channelId || !channel || channel.community_id !== communityId) {
      const first = firstTextChannel(channels, communityId);
      if (first) void navigate({ to: "/app/$communityId/$channelId", params: { communityId, channelId: first.id }, replace: true });
    }
  }, [hasData, direct, directChannel, gateway, communityId, channelId, community, channel, communities, channels, navigate]);

  useEffect(() => {
    setActiveChannel(channel ? channel.id : null);
    return () => setActiveChannel(null);
  }, [channel, setActiveChannel]);

  useEffect(() => {
    if (communityId && community && gateway === "ready") {
      void loadMembers(communityId).catch(() => undefined);
      ensurePresences(communityId);
    }
  }, [communityId, community, gateway]);

  useEffect(() => {
    if (communityId && !direct && gateway === "ready") void loadVoiceStates(communityId).catch(() => undefined);
  }, [communityId, direct, gateway]);

  // Close the drawer on navigation (small screens) and on Escape.
  useEffect(() => setDrawer(false), [channelId, communityId, setDrawer]);
  useEffect(() => {
    if (!drawerOpen) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setDrawer(false);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [drawerOpen, setDrawer]);

  return (
    <div className="flex h-dvh flex-col overflow-hidden">
      <ReconnectBanner />
      <EnableNotificationsBanner />
      <div className="relative flex min-h-0 flex-1">
        {drawerOpen ? (
          <div aria-hidden="true" className="fixed inset-0 z-30 bg-black/50 md:hidden" onClick={() => setDrawer(false)} />
        ) : null}
        <div
          id="channel-drawer"
          data-testid="channel-drawer"
          className={`${drawerOpen ? "flex" : "hidden"} fixed inset-y-0 left-0 z-40 max-w-[calc(100vw-3rem)] md:static md:z-auto md:flex`}
        >
          <CommunityRail activeId={communityId} />
          {direct ? <DirectSidebar activeChannelId={channelId} /> : community ? <ChannelSidebar community={community} activeChannelId={channelId} /> : null}
        </div>
        <main className="flex min-w-0 flex-1 flex-col bg-main">
          <VoiceIndicator />
          {!hasData ? (
            <Loading label={t("connecting")} />
          ) : channel && (community || direct) ? (
            <ChannelView key={channel.id} channel={channel} focusMessageId={params.messageId ?? null} />
          ) : direct ? (
            <p className="m-auto p-6 text-center text-muted" data-testid="dm-home-empty">{t("dmHomeEmpty")}</p>
          ) : (
            <EmptyHome hasCommunity={!!community} />
          )}
        </main>
        <ProfileCardHost />
        {/* A thread of this channel takes the member list's place (seed 000 §C2-7). */}
        {openThreadId && channel && (openThreadParent === undefined || openThreadParent === channel.id) ? (
          <div className="fixed inset-y-0 right-0 z-20 w-full md:w-auto lg:static">
            <ThreadPanel key={openThreadId} threadId={openThreadId} />
          </div>
        ) : membersOpen && community ? (
          <>
            {/* Below lg the list covers the channel: a tap beside it closes it, as its ✕ and Escape do. */}
            <div aria-hidden="true" data-testid="members-backdrop" className="fixed inset-0 z-20 bg-black/40 lg:hidden" onClick={toggleMembers} />
            <div className="fixed inset-y-0 right-0 z-30 lg:static">
              <MemberList communityId={community.id} />
            </div>
          </>
        ) : null}
      </div>
    </div>
  );
}
