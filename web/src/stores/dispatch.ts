import type { DirectChannel, DispatchEvent } from "../api/types";
import { useChannels } from "./channels";
import { useCommunities } from "./communities";
import { isDirectType, useDirectChannels } from "./directChannels";
import { useBlocks } from "./blocks";
import { useProfileCard } from "./profileCard";
import { useReports } from "./reports";
import { useInvites } from "./invites";
import { useMembers } from "./members";
import { useMessages } from "./messages";
import { usePins } from "./pins";
import { usePresenceStore } from "./presence";
import { useRoles } from "./roles";
import { useSession } from "./session";
import { summaryOf, useThreads } from "./threads";
import { useTyping } from "./typing";
import { useUi } from "./ui";
import { useSearch } from "./search";
import { useUnread } from "./unread";
import { useVoice, voiceErrorMessage } from "./voice";

/**
 * Routes one gateway dispatch to the stores. Every branch is an idempotent upsert or removal by id,
 * so an event that repeats state READY already showed (or a message we already got over REST) is harmless.
 * Unknown event names are ignored (a newer server may send more).
 */
export function applyDispatch(event: DispatchEvent | { t: string; d: unknown }): void {
  const e = event as DispatchEvent;
  switch (e.t) {
    case "READY": {
      const { user, communities, voice_states } = e.d;
      useSession.getState().setUser(user);
      useCommunities.getState().replaceAll(communities);
      useChannels.getState().replaceAll(communities.flatMap((c) => c.channels ?? []));
      // Messages of channels that no longer exist (or whose community we left while away) go.
      const channels = useChannels.getState().byId;
      const messages = useMessages.getState();
      const direct = new Set((e.d.private_channels ?? []).map((c) => c.id));
      for (const id of Object.keys(messages.byChannel)) if (!(id in channels) && !direct.has(id)) messages.removeChannel(id);
      // Pins may have changed while we were away: every known list is fetched again when next shown.
      const pins = usePins.getState();
      for (const id of Object.keys(pins.byChannel)) {
        if (id in channels || direct.has(id)) pins.pinsUpdated(id);
        else pins.removeChannel(id);
      }
      const members = useMembers.getState();
      for (const id of Object.keys(members.byCommunity)) if (!communities.some((c) => c.id === id)) members.removeCommunity(id);
      // A new session: who is in voice comes with READY (older servers: fetched per community instead).
      useVoice.getState().replaceAllStates(voice_states ?? []);
      usePresenceStore.getState().replaceAll(e.d.presences ?? [], user.id, e.d.lazy_presence_community_ids ?? []);
      useDirectChannels.getState().replaceAll(e.d.private_channels ?? []);
      break;
    }
    case "RESUMED":
      break;
    case "USER_UPDATE": {
      useMembers.getState().updateUser(e.d);
      useDirectChannels.getState().updateRecipient(e.d);
      const session = useSession.getState();
      if (session.user?.id === e.d.id) {
        session.setUser({ ...session.user, username: e.d.username, display_name: e.d.display_name, avatar_url: e.d.avatar_url });
      }
      break;
    }
    case "PRESENCE_UPDATE":
      usePresenceStore.getState().upsert([e.d], useSession.getState().user?.id ?? null);
      break;
    case "MESSAGE_CREATE":
    case "MESSAGE_UPDATE": {
      const m = e.d;
      useMessages.getState().upsert(m);
      useMembers.getState().rememberUsers([m.author]);
      if (e.t === "MESSAGE_UPDATE") usePins.getState().messageChanged(m);
      // Sending ends typing: their message replaces the indicator.
      if (e.t === "MESSAGE_CREATE") useTyping.getState().stop(m.channel_id, m.author.id);
      if (e.t === "MESSAGE_CREATE") {
        useUi.getState().noteMessage(m.channel_id, m.id);
        if (!m.community_id) useDirectChannels.getState().messageCreated(m.channel_id, m.id);
        if (useUnread.getState().messageCreated(m, useSession.getState().user?.id) === "refetch") useUnread.setState({ stale: true });
      } else if (useUnread.getState().messageEdited(m, useSession.getState().user?.id) === "refetch") {
        useUnread.setState({ stale: true });
      }
      break;
    }
    case "MESSAGE_DELETE":
      useMessages.getState().remove(e.d.channel_id, e.d.id);
      usePins.getState().messageDeleted(e.d.channel_id, e.d.id);
      if (useUnread.getState().messageDeleted(e.d.channel_id, e.d.id) === "refetch") useUnread.setState({ stale: true });
      break;
    case "MESSAGE_DELETE_BULK": {
      let refetch = false;
      for (const id of e.d.ids) {
        useMessages.getState().remove(e.d.channel_id, id);
        usePins.getState().messageDeleted(e.d.channel_id, id);
        refetch = useUnread.getState().messageDeleted(e.d.channel_id, id) === "refetch" || refetch;
      }
      if (refetch) useUnread.setState({ stale: true });
      break;
    }
    case "CHANNEL_PINS_UPDATE":
      usePins.getState().pinsUpdated(e.d.channel_id);
      break;
    case "THREAD_CREATE":
    case "THREAD_UPDATE":
      useThreads.getState().upsert(e.d);
      useMessages.getState().threadSummary(e.d.parent_id, e.d.parent_message_id, summaryOf(e.d));
      break;
    case "THREAD_MEMBERS_UPDATE":
      useThreads.getState().members(e.d, useSession.getState().user?.id);
      break;
    case "CHANNEL_READ":
      useUnread.getState().channelRead(e.d);
      break;
    case "MESSAGE_REACTION_ADD":
    case "MESSAGE_REACTION_REMOVE": {
      const mine = e.d.user_id === useSession.getState().user?.id;
      useMessages.getState().reaction(e.d, e.t === "MESSAGE_REACTION_ADD", mine);
      break;
    }
    case "TYPING_START":
      // The server never tells us about ourselves; a second tab of ours is still us.
      if (e.d.user_id !== useSession.getState().user?.id) useTyping.getState().start(e.d, Date.now());
      break;
    case "CHANNEL_CREATE":
    case "CHANNEL_UPDATE":
      // A direct channel (type 2 or 3) has no community: it lives in its own store.
      if ("recipients" in e.d || isDirectType(e.d.type)) useDirectChannels.getState().upsert(e.d as DirectChannel);
      else useChannels.getState().upsert(e.d);
      break;
    case "CHANNEL_RECIPIENT_ADD":
      useDirectChannels.getState().addRecipient(e.d.channel_id, e.d.user);
      useMembers.getState().rememberUsers([e.d.user]);
      break;
    case "CHANNEL_RECIPIENT_REMOVE":
      useDirectChannels.getState().removeRecipient(e.d.channel_id, e.d.user.id);
      break;
    case "CHANNEL_DELETE":
      useDirectChannels.getState().remove(e.d.id);
      useChannels.getState().remove(e.d.id);
      useMessages.getState().removeChannel(e.d.id);
      usePins.getState().removeChannel(e.d.id);
      useTyping.getState().removeChannel(e.d.id);
      useUnread.getState().removeChannel(e.d.id);
      useThreads.getState().removeParent(e.d.id);
      break;
    case "COMMUNITY_CREATE":
      useCommunities.getState().upsert(e.d);
      if (e.d.channels) useChannels.getState().replaceCommunity(e.d.id, e.d.channels);
      break;
    case "COMMUNITY_UPDATE":
      useCommunities.getState().upsert(e.d);
      break;
    case "COMMUNITY_DELETE":
      forgetCommunity(e.d.id);
      break;
    case "COMMUNITY_MEMBER_ADD": {
      const members = useMembers.getState();
      const known = members.byCommunity[e.d.community_id]?.[e.d.user.id];
      members.upsert(e.d);
      const community = useCommunities.getState().byId[e.d.community_id];
      if (!known && community?.member_count != null) {
        useCommunities.getState().setMemberCount(community.id, community.member_count + 1);
      }
      break;
    }
    case "COMMUNITY_MEMBER_REMOVE": {
      const { community_id, user } = e.d;
      if (user.id === useSession.getState().user?.id) {
        forgetCommunity(community_id);
        break;
      }
      const members = useMembers.getState();
      const known = members.byCommunity[community_id]?.[user.id];
      members.remove(community_id, user.id);
      const community = useCommunities.getState().byId[community_id];
      if (known && community?.member_count != null) {
        useCommunities.getState().setMemberCount(community_id, Math.max(0, community.member_count - 1));
      }
      break;
    }
    case "COMMUNITY_MEMBER_UPDATE": {
      // Roles given or taken, a timeout set or ended: only members we already list are updated.
      const members = useMembers.getState();
      if (members.byCommunity[e.d.community_id]?.[e.d.user.id]) members.upsert(e.d);
      else members.rememberUsers([e.d.user]);
      break;
    }
    case "COMMUNITY_ROLE_CREATE":
    case "COMMUNITY_ROLE_UPDATE":
      useRoles.getState().upsert(e.d);
      break;
    case "COMMUNITY_ROLE_DELETE": {
      const communityId = e.d.community_id;
      if (!communityId) break;
      useRoles.getState().remove(communityId, e.d.id);
      // The server sends no COMMUNITY_MEMBER_UPDATE for this: the members lose the role here.
      const members = useMembers.getState();
      for (const m of Object.values(members.byCommunity[communityId] ?? {})) {
        if (m.roles?.includes(e.d.id)) members.upsert({ ...m, roles: m.roles.filter((r) => r !== e.d.id) });
      }
      break;
    }
    case "INVITE_CREATE":
      useInvites.getState().upsert(e.d);
      break;
    case "INVITE_DELETE":
      useInvites.getState().remove(e.d.community_id, e.d.code);
      break;
    case "REPORT_CREATE":
    case "REPORT_UPDATE":
      useReports.getState().apply(e.d);
      break;
    case "VOICE_STATE_UPDATE":
      useVoice.getState().applyState(e.d);
      break;
    case "VOICE_SPEAKING":
      useVoice.getState().applySpeaking(e.d);
      break;
    case "VOICE_ERROR":
      // not_in_voice only answers a signal for a voice session that was already replaced: nothing to tell.
      if (e.d.code !== "not_in_voice") useVoice.getState().setAlert(voiceErrorMessage(e.d));
      break;
    default:
      break;
  }
}

function forgetCommunity(id: string): void {
  const channelIds = Object.values(useChannels.getState().byId)
    .filter((c) => c.community_id === id)
    .map((c) => c.id);
  const messages = useMessages.getState();
  for (const ch of channelIds) messages.removeChannel(ch);
  for (const ch of channelIds) usePins.getState().removeChannel(ch);
  for (const ch of channelIds) useUnread.getState().removeChannel(ch);
  useChannels.getState().removeCommunity(id);
  useMembers.getState().removeCommunity(id);
  useInvites.getState().removeCommunity(id);
  useReports.getState().removeCommunity(id);
  useRoles.getState().removeCommunity(id);
  // Results from a community one has left (or was removed from) are not theirs to keep reading.
  const search = useSearch.getState().view;
  if (search?.scope.kind === "community" && search.scope.communityId === id) useSearch.getState().close();
  useVoice.getState().removeCommunity(id);
  useCommunities.getState().remove(id);
}

/** Clears every data store (sign-out). */
export function resetStores(): void {
  useCommunities.setState({ byId: {} });
  useChannels.setState({ byId: {} });
  useMembers.setState({ byCommunity: {}, complete: {}, users: {} });
  useMessages.setState({ byChannel: {} });
  usePins.setState({ byChannel: {}, openChannelId: null, jumpTo: null });
  useTyping.setState({ byChannel: {} });
  useInvites.setState({ byCommunity: {} });
  useReports.setState({ open: {} });
  useThreads.setState({ byId: {}, openId: null });
  useRoles.setState({ byCommunity: {}, loading: {} });
  useVoice.getState().reset();
  usePresenceStore.getState().reset();
  useUnread.setState({ byChannel: {}, live: {}, stale: false });
  useUi.setState({ latest: {}, activeChannelId: null, gateway: "idle" });
  useDirectChannels.setState({ byId: {} });
  useBlocks.setState({ ids: {} });
  useProfileCard.setState({ open: null });
  useSearch.setState({ view: null });
}
