// The one place that wires the REST client, the gateway and the stores together for the running app.
import { useBlocks } from "../stores/blocks";
import { useDirectChannels } from "../stores/directChannels";
import type { DirectChannel, MfaRequiredResponse, SecondFactorInput, TokenResponse } from "../api/types";
import { isMfaRequired } from "../features/auth/twoFactor";
import { getPasskey } from "../features/auth/webauthn";
import { ApiClient } from "../api/client";
import { endpoints } from "../api/endpoints";
import { ApiError } from "../api/errors";
import { GatewayClient, gatewayUrl } from "../gateway/gateway";
import { useChannels } from "../stores/channels";
import { applyDispatch, resetStores } from "../stores/dispatch";
import { useMembers } from "../stores/members";
import { latestId, useMessages } from "../stores/messages";
import { useSession } from "../stores/session";
import { TypingSender } from "../stores/typing";
import { useUi } from "../stores/ui";
import { useUnread } from "../stores/unread";
import type { DispatchEvent, Member, Message, VoiceServerPayload } from "../api/types";
import { Op } from "../gateway/gateway";
import { permissionRefreshFor, useVoice } from "../stores/voice";
import { VoiceEngine } from "../voice/engine";
import { loadNotificationSettings, onMessageCreated, resetNotifications, stopPush } from "../notifications/runtime";
import type { ChosenStatus, Community } from "../api/types";
import { usePresenceStore, wantedStatus } from "../stores/presence";
import { PresenceReporter, watchActivity } from "./presence";
import { resetUploads } from "../features/attachments/queues";
import i18n from "../i18n";

const PAGE = 50;

export const api = new ApiClient({ onSessionLost: () => signOutLocally() });
export const rest = endpoints(api);

export const gateway = new GatewayClient({
  url: gatewayUrl(),
  getToken: () => api.getAccessToken(),
  getPresence: () => ({ status: wantedStatus(usePresenceStore.getState()) }),
  onDispatch: (t, d) => {
    if (t === "COMMUNITY_CREATE") void loadPresences((d as Community).id);
    applyDispatch({ t, d } as DispatchEvent);
    voice.onDispatch(t, d);
    const stale = permissionRefreshFor(t, d, useSession.getState().user?.id ?? null);
    if (stale) refreshPermissionsSoon(stale);
    if (t === "READY") void loadVoiceStatus();
    // After every READY (first load, reload, a reconnect that could not resume) the counts come from the server.
    if (t === "READY") void loadUnreadCounts();
    else if (useUnread.getState().stale) refetchUnreadSoon();
    if (t === "READY") void loadNotificationSettings();
    if (t === "READY") void loadBlocks();
    if (t === "MESSAGE_CREATE") onMessageCreated(d as Message);
  },
  onOp: (op, d) => {
    if (op === Op.VoiceServer && d) voice.onVoiceServer(d as VoiceServerPayload);
  },
  onStateChange: (s) => {
    useUi.getState().setGateway(s);
    voice.onGatewayState(s);
  },
  onInvalidated: () => void refetchVisible(),
  onAuthFailed: (code) => void onGatewayAuthFailed(code),
  onLimited: (code) =>
    useUi
      .getState()
      .setGatewayLimit(
        code === 4013
          ? i18n.t("shell:tooManyConnections")
          : i18n.t("shell:tooManyReconnects"),
      ),
});

/** Tells the server the person is typing, throttled per channel (docs/protocol.md "Typing"). */
export const typing = new TypingSender((channelId) => gateway.sendCommand("TYPING", { channel_id: channelId }));

/** The call itself (microphone, PeerConnections, remote audio); the UI drives it and reads the voice store. */
export const voice = new VoiceEngine({
  sendOp: (op, d) => gateway.sendOp(op, d),
  myId: () => useSession.getState().user?.id ?? null,
  communityOf: (channelId) => useChannels.getState().byId[channelId]?.community_id ?? null,
});

const presenceReporter = new PresenceReporter((status) => gateway.sendOp(Op.PresenceUpdate, { status }));

/** The status menu: remembered across reloads and reconnects (IDENTIFY carries it). */
export function setMyStatus(status: ChosenStatus): void {
  usePresenceStore.getState().choose(status);
  presenceReporter.report(wantedStatus(usePresenceStore.getState()));
}

function reportAutoIdle(on: boolean): void {
  const presence = usePresenceStore.getState();
  if (presence.chosen !== "online" || presence.autoIdle === on) return;
  presence.setAutoIdle(on);
  presenceReporter.report(wantedStatus(usePresenceStore.getState()));
}

/** A community READY left out (too many online) is opened: page in who of its members is online, once per READY. */
export function ensurePresences(communityId: string): void {
  if (usePresenceStore.getState().claimLazy(communityId)) void loadPresences(communityId);
}

/** A community just joined (COMMUNITY_CREATE), or one READY left out: who of its members is online. */
async function loadPresences(communityId: string): Promise<void> {
  try {
    const myId = useSession.getState().user?.id ?? null;
    let after: string | undefined;
    for (;;) {
      const page = await rest.presences(communityId, after);
      usePresenceStore.getState().upsert(page, myId);
      if (page.length < 1000) return;
      after = page[page.length - 1]?.user_id;
    }
  } catch {
    // Offline or gone: PRESENCE_UPDATEs still arrive.
  }
}

/** Whom I blocked: their messages are collapsed in shared channels. */
export async function loadBlocks(): Promise<void> {
  try {
    useBlocks.getState().replaceAll((await rest.blocks()).map((b) => b.user.id));
  } catch {
    // Nothing collapsed until the next READY.
  }
}

/** Blocks or unblocks someone; the server never tells them. */
export async function setBlocked(userId: string, blocked: boolean): Promise<void> {
  await (blocked ? rest.block(userId) : rest.unblock(userId));
  useBlocks.getState().set(userId, blocked);
}

/** Opens (or finds) the DM with someone, or creates a group; the conversation is in the store when this returns. */
export async function openDirect(body: { recipient_id: string } | { recipient_ids: string[]; name?: string }): Promise<DirectChannel> {
  const channel = await rest.openDirect(body);
  useDirectChannels.getState().upsert(channel);
  return channel;
}

/** Unread and mention counts of every channel I can view (GET /unread-counts). */
export async function loadUnreadCounts(): Promise<void> {
  try {
    useUnread.getState().hydrate(await rest.unreadCounts());
  } catch {
    // Keep the live counts; the next READY or uncertain event asks again.
  }
}

let unreadRefetch: ReturnType<typeof setTimeout> | null = null;
/** An event the client could not count on its own (a role mention, deleting an older unread message): ask the server, at most once a second. */
function refetchUnreadSoon(): void {
  useUnread.setState({ stale: false });
  if (unreadRefetch) return;
  unreadRefetch = setTimeout(() => {
    unreadRefetch = null;
    void loadUnreadCounts();
  }, 1000);
}

/** Marks the channel read up to `messageId` (a message of that channel); the badge clears at once, other devices by CHANNEL_READ. */
export async function markChannelRead(channelId: string, messageId: string): Promise<void> {
  useUnread.getState().clearChannel(channelId);
  await rest.markChannelRead(channelId, messageId);
}

export async function markCommunityRead(communityId: string): Promise<void> {
  useUnread.getState().clearCommunity(communityId);
  await rest.markCommunityRead(communityId);
}

async function loadVoiceStatus(): Promise<void> {
  try {
    useVoice.getState().setStatus(await rest.voiceStatus());
  } catch {
    // Unknown: joining will tell (VOICE_ERROR voice_unavailable).
  }
}

/** Who is in voice in a community and what the viewer may do there (moderator menu). */
export async function loadVoiceStates(communityId: string): Promise<void> {
  const [states, perms] = await Promise.allSettled([rest.voiceStates(communityId), rest.myPermissions(communityId)]);
  if (states.status === "fulfilled") useVoice.getState().replaceCommunityStates(communityId, states.value);
  if (perms.status === "fulfilled") useVoice.getState().setPerms(communityId, perms.value);
}

const permissionRefreshes = new Map<string, ReturnType<typeof setTimeout>>();

/**
 * Fetches the viewer's permissions in a community again (the moderator menu follows them), once per burst of
 * role/override events, and only for communities whose permissions were loaded.
 */
function refreshPermissionsSoon(communityId: string): void {
  if (!useVoice.getState().perms[communityId]) return;
  clearTimeout(permissionRefreshes.get(communityId));
  permissionRefreshes.set(
    communityId,
    setTimeout(() => {
      permissionRefreshes.delete(communityId);
      rest.myPermissions(communityId).then(
        (perms) => useVoice.getState().setPerms(communityId, perms),
        () => undefined, // gone or offline: the next community load fetches them
      );
    }, 300),
  );
}

async function onGatewayAuthFailed(code: number): Promise<void> {
  // 4012: the login session ended (logout elsewhere, revoke, password change): sign out.
  // 4004: the token was refused; one refresh decides whether the session is still alive.
  if (code === 4004) {
    try {
      await api.refresh();
      gateway.start();
      return;
    } catch {
      // fall through
    }
  }
  signOutLocally();
}

function signOutLocally(): void {
  voice.leave();
  gateway.stop();
  api.clearTokens();
  resetStores();
  resetUploads();
  resetNotifications();
  useSession.getState().setSignedOut();
}

let booted = false;
/** Restores the session from the stored refresh token, if any. */
export async function bootstrap(): Promise<void> {
  if (booted) return;
  booted = true;
  watchActivity(() => reportAutoIdle(true), () => reportAutoIdle(false));
  window.addEventListener("online", () => gateway.reconnectNow());
  // Another tab signed out (it removed the shared refresh token).
  window.addEventListener("storage", (e) => {
    if (e.key === "voxora.refresh_token" && e.newValue === null && useSession.getState().status === "signedIn") signOutLocally();
  });
  if (!api.hasSession()) {
    useSession.getState().setSignedOut();
    return;
  }
  for (let attempt = 0; ; attempt++) {
    try {
      useSession.getState().setUser(await rest.me());
      gateway.start();
      return;
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 400)) {
        signOutLocally();
        return;
      }
      // Server unreachable: keep trying quietly.
      await new Promise((r) => setTimeout(r, Math.min(10_000, 1000 * 2 ** attempt)));
    }
  }
}

/** Signs in, or returns the second-factor challenge when the account has two-factor sign-in on (then call {@link verifySecondFactor}). */
export async function signIn(login: string, password: string): Promise<MfaRequiredResponse | null> {
  const answer = await rest.login({ login, password });
  if (isMfaRequired(answer)) return answer;
  await startSession(answer);
  return null;
}

/** The second step of a login that answered `mfa_required`. */
export async function verifySecondFactor(mfaToken: string, factor: SecondFactorInput): Promise<void> {
  await startSession(await rest.verifyMfa({ mfa_token: mfaToken, ...factor }));
}

/** Passwordless sign-in: the browser's passkey dialog, then a session like a password login. */
export async function signInWithPasskey(): Promise<void> {
  const options = await rest.beginPasskeySignIn();
  const credential = await getPasskey(options.public_key);
  await startSession(await rest.completePasskeySignIn({ credential }));
}

/** The second step of a login that answered `mfa_required`, with one of the account's passkeys. */
export async function verifySecondFactorWithPasskey(mfaToken: string): Promise<void> {
  const options = await rest.beginMfaPasskey({ mfa_token: mfaToken });
  const credential = await getPasskey(options.public_key);
  await startSession(await rest.verifyMfa({ mfa_token: mfaToken, credential }));
}

/** Sets up a pod with no accounts (POST /pod/setup) and signs in as its new owner. */
export async function setUpPod(body: Parameters<typeof rest.setupPod>[0]): Promise<void> {
  await startSession(await rest.setupPod(body));
}

async function startSession(pair: TokenResponse): Promise<void> {
  api.setTokens(pair);
  useSession.getState().setUser(await rest.me());
  gateway.start();
}

export async function signOut(): Promise<void> {
  // While the token still works: this browser stops receiving this account's pushes.
  await stopPush(true).catch(() => undefined);
  try {
    await rest.logout();
  } catch {
    // Signed out locally either way.
  }
  signOutLocally();
}

/** The latest page of a channel. `replace` drops what we had (after a lost gateway session). */
export async function loadLatest(channelId: string, replace = false): Promise<void> {
  const store = useMessages.getState();
  const current = store.byChannel[channelId];
  if (current?.loading) return;
  store.setLoading(channelId, true);
  // A MESSAGE_CREATE may land while the page is on its way; it is newer than the page and must survive a replace.
  const heldBefore = new Set(current?.ids ?? []);
  try {
    const page = await rest.messages(channelId, { limit: PAGE });
    useMessages.getState().addPage(channelId, page, {
      hasMore: page.length === PAGE,
      replace: replace || !current?.loaded,
      keepArrivedSince: heldBefore,
    });
    useMembers.getState().rememberUsers(page.map((m) => m.author));
    const newest = latestId(useMessages.getState().byChannel[channelId]);
    if (newest) useUi.getState().noteMessage(channelId, newest);
  } catch (e) {
    useMessages.getState().setLoading(channelId, false);
    throw e;
  }
}

export async function loadOlder(channelId: string): Promise<void> {
  const store = useMessages.getState();
  const current = store.byChannel[channelId];
  if (!current || current.loading || !current.hasMore) return;
  const oldest = current.ids[0];
  if (!oldest) return loadLatest(channelId);
  store.setLoading(channelId, true);
  try {
    const page = await rest.messages(channelId, { before: oldest, limit: PAGE });
    useMessages.getState().addPage(channelId, page, { hasMore: page.length === PAGE });
    useMembers.getState().rememberUsers(page.map((m) => m.author));
  } catch (e) {
    useMessages.getState().setLoading(channelId, false);
    throw e;
  }
}

export async function loadMembers(communityId: string): Promise<void> {
  const all: Member[] = [];
  let after: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await rest.members(communityId, after);
    all.push(...page);
    if (page.length < 100) break;
    after = page[page.length - 1]!.user.id;
  }
  useMembers.getState().setAll(communityId, all);
}

/** After the gateway had to start a new session, anything may have been missed: refetch what is on screen. */
export async function refetchVisible(): Promise<void> {
  const channelId = useUi.getState().activeChannelId;
  // Other channels' cached history may have gaps: forget it, it reloads when opened.
  const messages = useMessages.getState();
  for (const id of Object.keys(messages.byChannel)) if (id !== channelId) messages.removeChannel(id);
  if (!channelId) return;
  const channel = useChannels.getState().byId[channelId];
  await Promise.allSettled([loadLatest(channelId, true), channel ? loadMembers(channel.community_id) : Promise.resolve()]);
}
