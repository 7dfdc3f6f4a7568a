import { create } from "zustand";
import type { MyPermissions, VoiceErrorEvent, VoiceSpeaking, VoiceState, VoiceStatus } from "../api/types";
import i18n from "../i18n";

/** Where my own voice connection is. "idle": not in voice (or not trying to be). */
export type VoicePhase = "idle" | "connecting" | "connected" | "reconnecting";

export interface VoiceStats {
  /** Round-trip time to the media server in ms (ICE candidate pair or RTCP), null before the first sample. */
  rttMs: number | null;
  /** Share of inbound packets lost over the last sample period, 0..1 (null when nothing was expected). */
  loss: number | null;
  inboundPackets: number;
  outboundPackets: number;
  /** Loudest current inbound audio level (0..1, from inbound-rtp audioLevel). */
  inboundLevel: number;
  /** Sum of inbound-rtp totalAudioEnergy. */
  inboundEnergy: number;
}

export type Quality = "good" | "fair" | "poor";

/** good: < 150 ms and < 2 % loss; fair: < 300 ms and < 8 %; otherwise poor. Unknown parts count as fine. */
export function qualityLabel(rttMs: number | null, loss: number | null): Quality | null {
  if (rttMs === null && loss === null) return null;
  const rtt = rttMs ?? 0;
  const lost = loss ?? 0;
  if (rtt < 150 && lost < 0.02) return "good";
  if (rtt < 300 && lost < 0.08) return "fair";
  return "poor";
}

interface VoiceStore {
  /** community id → user id → state, only members currently in a voice channel. */
  states: Record<string, Record<string, VoiceState>>;
  /** user id → speaking (one voice connection per user across the server). */
  speaking: Record<string, boolean>;
  status: VoiceStatus | null;
  /** What I can do per community (for the moderator menu). */
  perms: Record<string, MyPermissions>;
  /** The channel I joined or am joining. */
  channelId: string | null;
  communityId: string | null;
  phase: VoicePhase;
  selfMute: boolean;
  selfDeaf: boolean;
  /** Push-to-talk key held (only meaningful in push-to-talk mode). */
  transmitting: boolean;
  stats: VoiceStats | null;
  /** Something the user must read (refused join, denied microphone, failed moderator action). */
  alert: string | null;
  setAlert: (alert: string | null) => void;
  setStatus: (status: VoiceStatus) => void;
  setPerms: (communityId: string, perms: MyPermissions) => void;
  setConnection: (patch: Partial<Pick<VoiceStore, "channelId" | "communityId" | "phase" | "selfMute" | "selfDeaf" | "transmitting" | "stats">>) => void;
  replaceAllStates: (list: VoiceState[]) => void;
  replaceCommunityStates: (communityId: string, list: VoiceState[]) => void;
  applyState: (state: VoiceState) => void;
  applySpeaking: (event: VoiceSpeaking) => void;
  removeCommunity: (communityId: string) => void;
  reset: () => void;
}

const initial = {
  states: {},
  speaking: {},
  status: null,
  perms: {},
  channelId: null,
  communityId: null,
  phase: "idle" as VoicePhase,
  selfMute: false,
  selfDeaf: false,
  transmitting: false,
  stats: null,
  alert: null,
};

function group(list: VoiceState[]): Record<string, Record<string, VoiceState>> {
  const out: Record<string, Record<string, VoiceState>> = {};
  for (const s of list) {
    if (!s.channel_id) continue;
    (out[s.community_id] ??= {})[s.user_id] = s;
  }
  return out;
}

/** Pure: the states map after one VOICE_STATE_UPDATE (channel_id null removes the member). */
export function withState(states: Record<string, Record<string, VoiceState>>, s: VoiceState): Record<string, Record<string, VoiceState>> {
  const community = { ...states[s.community_id] };
  if (s.channel_id) community[s.user_id] = s;
  else delete community[s.user_id];
  return { ...states, [s.community_id]: community };
}

export const useVoice = create<VoiceStore>()((set) => ({
  ...initial,
  setAlert: (alert) => set({ alert }),
  setStatus: (status) => set({ status }),
  setPerms: (communityId, perms) => set((s) => ({ perms: { ...s.perms, [communityId]: perms } })),
  setConnection: (patch) => set(patch),
  replaceAllStates: (list) => set({ states: group(list), speaking: {} }),
  replaceCommunityStates: (communityId, list) =>
    set((s) => ({ states: { ...s.states, [communityId]: group(list.filter((v) => v.community_id === communityId))[communityId] ?? {} } })),
  applyState: (state) =>
    set((s) => {
      const states = withState(s.states, state);
      // Someone who left or moved is not speaking any more.
      const prev = s.states[state.community_id]?.[state.user_id];
      if (!state.channel_id || prev?.channel_id !== state.channel_id) {
        const { [state.user_id]: _gone, ...speaking } = s.speaking;
        return { states, speaking };
      }
      return { states };
    }),
  applySpeaking: (e) =>
    set((s) => {
      // Only members we know to be in that channel can speak there (a late event after leaving is dropped).
      if (e.speaking && s.states[e.community_id]?.[e.user_id]?.channel_id !== e.channel_id) return s;
      if (!!s.speaking[e.user_id] === e.speaking) return s;
      return { speaking: { ...s.speaking, [e.user_id]: e.speaking } };
    }),
  removeCommunity: (communityId) =>
    set((s) => {
      const { [communityId]: _a, ...states } = s.states;
      const { [communityId]: _b, ...perms } = s.perms;
      return { states, perms };
    }),
  reset: () => set({ ...initial }),
}));

/**
 * Whether to draw a member's speaking ring: Janus's detection says so and they can be heard. Janus measures
 * levels before it applies a server mute, so a server-muted member may still be reported as talking.
 */
export function showsSpeaking(state: VoiceState, speaking: Record<string, boolean>): boolean {
  return !!speaking[state.user_id] && !state.server_mute && !state.self_mute;
}

/** The one dot of the compact voice indicator (phones): how my own call is doing, most urgent first. */
export type VoiceDot = "connecting" | "reconnecting" | "muted" | "speaking" | "connected";

export function voiceDot(o: { phase: VoicePhase; selfMute: boolean; selfDeaf: boolean; serverMute: boolean; speaking: boolean }): VoiceDot {
  if (o.phase === "connecting" || o.phase === "idle") return "connecting";
  if (o.phase === "reconnecting") return "reconnecting";
  if (o.selfMute || o.selfDeaf || o.serverMute) return "muted";
  return o.speaking ? "speaking" : "connected";
}

/** The status line of the phone's voice indicator, in the user's language (read at render). */
export const voiceDotText: Record<VoiceDot, string> = {
  get connecting() { return i18n.t("voice:connecting"); },
  get reconnecting() { return i18n.t("voice:reconnecting"); },
  get muted() { return i18n.t("voice:muted"); },
  get speaking() { return i18n.t("voice:speaking"); },
  get connected() { return i18n.t("voice:connected"); },
};

/** Members of one voice channel, in a stable order. */
export function channelMembers(states: Record<string, Record<string, VoiceState>>, communityId: string, channelId: string): VoiceState[] {
  return Object.values(states[communityId] ?? {})
    .filter((s) => s.channel_id === channelId)
    .sort((a, b) => (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0));
}

/** A VOICE_ERROR (or a local failure code) as something a person can act on. */
export function voiceErrorMessage(e: Pick<VoiceErrorEvent, "code" | "message">): string {
  switch (e.code) {
    case "voice_unavailable":
      return e.message ? i18n.t("voice:error.voice_unavailable_because", { why: e.message }) : i18n.t("voice:error.voice_unavailable");
    case "channel_full":
      return i18n.t("voice:error.channel_full");
    case "missing_permissions":
      return i18n.t("voice:error.missing_permissions");
    case "timed_out":
      return i18n.t("voice:error.timed_out");
    case "media_failed":
      return i18n.t("voice:error.media_failed");
    case "unknown_channel":
      return i18n.t("voice:error.unknown_channel");
    case "not_voice_channel":
      return i18n.t("voice:error.not_voice_channel");
    case "disconnected":
      return e.message ? i18n.t("voice:error.disconnected_because", { why: e.message }) : i18n.t("voice:error.disconnected");
    case "not_in_voice":
      return i18n.t("voice:error.not_in_voice");
    case "invalid_signal":
      return i18n.t("voice:error.invalid_signal");
    case "mic_denied":
      return i18n.t("voice:error.mic_denied");
    case "mic_missing":
      return i18n.t("voice:error.mic_missing");
    case "mic_failed":
      return i18n.t("voice:error.mic_failed", { why: e.message ? ` (${e.message})` : "" });
    case "gateway_offline":
      return i18n.t("voice:error.gateway_offline");
    default:
      return e.message || i18n.t("voice:error.failed");
  }
}

// Permission bits (docs/permissions.md), as BigInt: the set is 64-bit and Administrator is bit 31.
export const VoicePerm = {
  MuteOthers: 1n << 23n,
  DeafenOthers: 1n << 24n,
  MoveOthers: 1n << 25n,
  Administrator: 1n << 31n,
} as const;

/** What the viewer may do to others in a voice channel: from the channel's resolved bits (owner: everything). */
export function moderatorAbilities(perms: MyPermissions | undefined, channelId: string, isOwner: boolean): { mute: boolean; deafen: boolean; move: boolean } {
  if (isOwner) return { mute: true, deafen: true, move: true };
  const raw = perms?.channels[channelId] ?? perms?.community;
  let bits = 0n;
  try {
    bits = raw ? BigInt(raw) : 0n;
  } catch {
    bits = 0n;
  }
  const admin = (bits & VoicePerm.Administrator) !== 0n;
  return {
    mute: admin || (bits & VoicePerm.MuteOthers) !== 0n,
    deafen: admin || (bits & VoicePerm.DeafenOthers) !== 0n,
    move: admin || (bits & VoicePerm.MoveOthers) !== 0n,
  };
}

/** Dispatches after which the viewer's permissions in a community may differ (roles, their roles, channel overrides). */
const PERMISSION_EVENTS = new Set([
  "COMMUNITY_ROLE_CREATE",
  "COMMUNITY_ROLE_UPDATE",
  "COMMUNITY_ROLE_DELETE",
  "COMMUNITY_MEMBER_UPDATE",
  "CHANNEL_CREATE",
  "CHANNEL_UPDATE",
]);

/**
 * The community whose permissions/@me should be fetched again after this dispatch, or null. Someone else's member
 * update changes nothing for the viewer.
 */
export function permissionRefreshFor(t: string, d: unknown, myId: string | null): string | null {
  if (!PERMISSION_EVENTS.has(t) || typeof d !== "object" || d === null) return null;
  const event = d as { community_id?: unknown; user?: { id?: unknown } };
  if (typeof event.community_id !== "string") return null;
  if (t === "COMMUNITY_MEMBER_UPDATE" && event.user?.id !== myId) return null;
  return event.community_id;
}
