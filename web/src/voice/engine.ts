// The browser side of a voice call: the microphone, one "send" RTCPeerConnection (our mic to the SFU), one
// "recv" RTCPeerConnection (everyone else, renegotiated in place by the server's offers), one <audio> per
// remote track, getStats() sampling, mute/deafen and push-to-talk. Signaling goes through the gateway
// (op 4 / op 5 / op 13, docs/protocol.md "Voice"); the UI reads everything from the voice store.
import type { VoiceErrorEvent, VoiceServerPayload, VoiceSignal, VoiceState } from "../api/types";
import { Op } from "../gateway/gateway";
import { useVoice, voiceErrorMessage } from "../stores/voice";
import { ignoredForTalk, micEnabled, pttTransmitting } from "./ptt";
import { initialHealth, onMediaFailure, onPeerState, type Health, type HealthAction, type PcName, type PcState } from "./recovery";
import { liveMids, summarizeStats, waitForIceGathering, type StatsCounters, type StatsEntry } from "./rtc";
import { audioConstraints, useVoiceSettings, type VoiceSettings } from "./settings";

export interface VoiceEngineDeps {
  /** Sends a gateway op on the READY session; false when there is none. */
  sendOp: (op: number, d: unknown) => boolean;
  myId: () => string | null;
  communityOf: (channelId: string) => string | null;
}

const STATS_INTERVAL_MS = 2000;
/** A "you left voice" for ourselves that we did not ask for waits this long for the op 5 of a move. */
const DISCONNECT_GRACE_MS = 800;
/**
 * Fresh PeerConnections that are not connected this long after op 5 count as failed. Without it a rejoin made
 * while the network is down (no candidates gathered) would wait forever, "failed" never coming.
 */
export const CONNECT_TIMEOUT_MS = 12_000;

type SinkAudio = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

export class VoiceEngine {
  private readonly deps: VoiceEngineDeps;
  private mic: MediaStream | null = null;
  private sendPc: RTCPeerConnection | null = null;
  private recvPc: RTCPeerConnection | null = null;
  private sessionId: string | null = null;
  private iceServers: RTCIceServer[] = [];
  private recvChain: Promise<void> = Promise.resolve();
  private readonly audio = new Map<string, SinkAudio>();
  private audioHost: HTMLElement | null = null;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private counters: StatsCounters | null = null;
  /** The channel the user wants to be in (null: not in voice). */
  private wanted: string | null = null;
  /** An op 4 join was sent and its op 5 has not come yet. */
  private awaitingServer = false;
  /** Bumped at every media (re)start and teardown: async work from an older generation stops. */
  private generation = 0;
  private disconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private gatewayReady = false;
  /** Both PeerConnections' states and the automatic rejoins so far (./recovery.ts). */
  private health: Health = initialHealth();
  private settings: VoiceSettings;

  constructor(deps: VoiceEngineDeps) {
    this.deps = deps;
    this.settings = pick(useVoiceSettings.getState());
    const unsubscribe = useVoiceSettings.subscribe((s) => void this.onSettings(pick(s)));
    const onKey = (e: KeyboardEvent) => this.onKey(e);
    const onBlur = () => this.onKey({ code: "", type: "blur" });
    if (typeof window !== "undefined") {
      window.addEventListener("keydown", onKey);
      window.addEventListener("keyup", onKey);
      window.addEventListener("blur", onBlur);
    }
    this.dispose = () => {
      this.leave();
      unsubscribe();
      if (typeof window === "undefined") return;
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("keyup", onKey);
      window.removeEventListener("blur", onBlur);
    };
  }

  /** Leaves voice and stops listening to keys and settings. */
  readonly dispose: () => void;

  /** Join (or move to) a voice channel. The microphone is opened first, so a refusal leaves voice untouched. */
  async join(channelId: string): Promise<void> {
    const store = useVoice.getState();
    if (store.status && !store.status.available) {
      store.setAlert(voiceErrorMessage({ code: "voice_unavailable", message: store.status.reason ?? "" }));
      return;
    }
    if (this.wanted === channelId && store.phase !== "idle") return;
    store.setAlert(null);
    try {
      await this.ensureMic();
    } catch (e) {
      store.setAlert(voiceErrorMessage(micError(e)));
      if (!this.wanted) this.releaseMic();
      return;
    }
    this.wanted = channelId;
    this.awaitingServer = true;
    this.health = initialHealth();
    store.setConnection({ channelId, communityId: this.deps.communityOf(channelId), phase: "connecting" });
    if (!this.sendJoin()) {
      store.setConnection({ phase: "reconnecting" });
      store.setAlert(voiceErrorMessage({ code: "gateway_offline", message: "" }));
    }
  }

  /** Leave voice (the Disconnect button). */
  leave(): void {
    if (this.wanted) this.deps.sendOp(Op.VoiceStateUpdate, { channel_id: null });
    this.wanted = null;
    this.awaitingServer = false;
    this.teardown();
  }

  setSelfMute(mute: boolean): void {
    const s = useVoice.getState();
    // Unmuting while deafened undeafens too (deafen implies mute).
    s.setConnection(mute ? { selfMute: true } : { selfMute: false, selfDeaf: false });
    this.applyLocalFlags();
    this.sendFlags();
  }

  setSelfDeaf(deaf: boolean): void {
    useVoice.getState().setConnection({ selfDeaf: deaf });
    this.applyLocalFlags();
    this.sendFlags();
  }

  /** Gateway op 5: (re)start media for this channel with this voice session. */
  onVoiceServer(p: VoiceServerPayload): void {
    if (!this.wanted) {
      // We left while the join was in flight: tell the server again.
      this.deps.sendOp(Op.VoiceStateUpdate, { channel_id: null });
      return;
    }
    this.clearDisconnectTimer();
    this.awaitingServer = false;
    this.wanted = p.channel_id;
    this.sessionId = p.voice_session_id;
    this.iceServers = (p.ice_servers ?? []).map((s) => ({
      urls: s.urls,
      ...(s.username ? { username: s.username } : {}),
      ...(s.credential ? { credential: s.credential } : {}),
    }));
    const current = useVoice.getState();
    useVoice.getState().setConnection({
      channelId: p.channel_id,
      communityId: this.deps.communityOf(p.channel_id),
      phase: current.phase === "connected" ? "reconnecting" : current.phase === "idle" ? "connecting" : current.phase,
    });
    void this.startMedia();
  }

  /** Every dispatch, after the stores saw it: the engine reacts to signals, errors and its own state. */
  onDispatch(t: string, d: unknown): void {
    if (t === "VOICE_SIGNAL") void this.onSignal(d as VoiceSignal);
    else if (t === "VOICE_ERROR") this.onError(d as VoiceErrorEvent);
    else if (t === "VOICE_STATE_UPDATE") this.onState(d as VoiceState);
  }

  onGatewayState(state: string): void {
    const ready = state === "ready";
    if (ready === this.gatewayReady) return;
    this.gatewayReady = ready;
    if (!this.wanted) return;
    if (!ready) {
      // The voice session belongs to the gateway connection: it is gone. Rejoin when READY again.
      this.generation++;
      this.closePeers();
      this.sessionId = null;
      this.awaitingServer = true;
      useVoice.getState().setConnection({ phase: "reconnecting" });
    } else if (this.awaitingServer) {
      this.sendJoin();
    }
  }

  private sendJoin(): boolean {
    const s = useVoice.getState();
    return this.deps.sendOp(Op.VoiceStateUpdate, { channel_id: this.wanted, self_mute: s.selfMute || s.selfDeaf, self_deaf: s.selfDeaf });
  }

  private sendFlags(): void {
    if (!this.wanted || this.awaitingServer) return;
    this.sendJoin();
  }

  private onState(state: VoiceState): void {
    if (state.user_id !== this.deps.myId() || !this.wanted) return;
    if (state.channel_id) {
      this.clearDisconnectTimer();
      if (state.channel_id !== this.wanted && !this.awaitingServer) {
        // Moved by a moderator: the op 5 for the new channel restarts media.
        this.wanted = state.channel_id;
        useVoice.getState().setConnection({ channelId: state.channel_id, communityId: state.community_id });
      }
      return;
    }
    // We are out of voice and did not ask (a moderator disconnected us, or a move is about to follow).
    if (this.awaitingServer) return;
    this.clearDisconnectTimer();
    this.disconnectTimer = setTimeout(() => {
      this.disconnectTimer = null;
      this.wanted = null;
      this.teardown();
      useVoice.getState().setAlert("You were disconnected from voice.");
    }, DISCONNECT_GRACE_MS);
  }

  private onError(e: VoiceErrorEvent): void {
    if (!this.wanted) return;
    // not_in_voice answers a signal that carried an older voice session (a move or restart crossed it): the
    // current session is unaffected.
    if ((this.awaitingServer && e.code !== "not_in_voice") || e.code === "disconnected") {
      // The join was refused, or the server ended our voice connection: stay out of voice.
      this.wanted = null;
      this.awaitingServer = false;
      this.teardown();
    }
  }

  private async onSignal(sig: VoiceSignal): Promise<void> {
    if (!sig || sig.voice_session_id !== this.sessionId) return;
    const gen = this.generation;
    try {
      if (sig.pc === "send") {
        const pc = this.sendPc;
        if (!pc) return;
        if (sig.type === "answer" && sig.sdp) await pc.setRemoteDescription({ type: "answer", sdp: sig.sdp });
        else if (sig.type === "candidate") await pc.addIceCandidate(toCandidate(sig));
      } else if (sig.type === "offer" && sig.sdp) {
        const sdp = sig.sdp;
        this.recvChain = this.recvChain.then(() => this.answerRecv(sdp, gen)).catch((err: unknown) => this.mediaFailed(err, gen));
      } else if (sig.type === "candidate" && this.recvPc) {
        await this.recvPc.addIceCandidate(toCandidate(sig));
      }
    } catch (err) {
      this.mediaFailed(err, gen);
    }
  }

  private async startMedia(): Promise<void> {
    const gen = ++this.generation;
    this.closePeers();
    this.health = initialHealth(this.health.retries);
    this.recvChain = Promise.resolve();
    this.connectTimer = setTimeout(() => {
      this.connectTimer = null;
      this.mediaFailed(new Error(`not connected within ${CONNECT_TIMEOUT_MS} ms`), gen);
    }, CONNECT_TIMEOUT_MS);
    try {
      const mic = await this.ensureMic();
      if (gen !== this.generation) return;
      const pc = new RTCPeerConnection({ iceServers: this.iceServers, bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" });
      this.sendPc = pc;
      const track = mic.getAudioTracks()[0];
      if (!track) throw new Error("the microphone gave no audio track");
      pc.addTransceiver(track, { direction: "sendonly", streams: [mic] });
      pc.addEventListener("connectionstatechange", () => this.onConnectionState("send", pc, gen));
      await pc.setLocalDescription(await pc.createOffer());
      await waitForIceGathering(pc);
      if (gen !== this.generation) return;
      this.signal("send", "offer", pc.localDescription?.sdp ?? "");
      this.applyLocalFlags();
      this.startStats();
    } catch (err) {
      if (isMicError(err)) {
        useVoice.getState().setAlert(voiceErrorMessage(micError(err)));
        this.leave();
        return;
      }
      this.mediaFailed(err, gen);
    }
  }

  private async answerRecv(sdp: string, gen: number): Promise<void> {
    if (gen !== this.generation) return;
    let pc = this.recvPc;
    if (!pc) {
      pc = new RTCPeerConnection({ iceServers: this.iceServers, bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" });
      this.recvPc = pc;
      pc.addEventListener("track", (ev) => this.onTrack(ev));
      const recv = pc;
      recv.addEventListener("connectionstatechange", () => this.onConnectionState("recv", recv, gen));
      // Its first state ("new") fires no event: until it connects, the call is not fully connected.
      this.onConnectionState("recv", recv, gen);
    }
    await pc.setRemoteDescription({ type: "offer", sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await waitForIceGathering(pc);
    if (gen !== this.generation) return;
    this.signal("recv", "answer", pc.localDescription?.sdp ?? "");
    this.pruneAudio();
  }

  private signal(pc: "send" | "recv", type: "offer" | "answer", sdp: string): void {
    if (!this.sessionId) return;
    this.deps.sendOp(Op.VoiceSignal, { voice_session_id: this.sessionId, pc, type, sdp });
  }

  private onConnectionState(name: PcName, pc: RTCPeerConnection, gen: number): void {
    if (gen !== this.generation || pc !== (name === "send" ? this.sendPc : this.recvPc)) return;
    const { health, action } = onPeerState(this.health, name, pc.connectionState as PcState);
    this.health = health;
    this.act(action, new Error(`ICE failed on the ${name} PeerConnection`));
  }

  /** Media could not be set up (a negotiation error): the same recovery as a failed PeerConnection. */
  private mediaFailed(err: unknown, gen: number): void {
    if (gen !== this.generation || !this.wanted) return;
    const { health, action } = onMediaFailure(this.health);
    this.health = health;
    this.act(action, err);
  }

  private act(action: HealthAction, err: unknown): void {
    const store = useVoice.getState();
    switch (action) {
      case "connected":
        this.clearConnectTimer();
        store.setConnection({ phase: "connected" });
        break;
      case "reconnecting":
        store.setConnection({ phase: "reconnecting" });
        break;
      case "rejoin":
        console.warn("voice: media failed, joining again", err);
        this.rejoin();
        break;
      case "give_up":
        console.warn("voice: media failed, giving up", err);
        store.setAlert(voiceErrorMessage({ code: "media_failed", message: "" }));
        this.leave();
        break;
      default:
        break;
    }
  }

  /**
   * Fresh media for the same channel: op 4 for the channel we are in only changes flags, so leave (op 4 null)
   * and join again; the server answers with a new op 5, which negotiates new PeerConnections.
   */
  private rejoin(): void {
    const channel = this.wanted;
    if (!channel) return;
    this.generation++;
    this.closePeers();
    this.sessionId = null;
    useVoice.getState().setConnection({ phase: "reconnecting" });
    this.deps.sendOp(Op.VoiceStateUpdate, { channel_id: null });
    this.awaitingServer = true;
    this.sendJoin();
  }

  private onTrack(ev: RTCTrackEvent): void {
    if (ev.track.kind !== "audio") return;
    const mid = ev.transceiver.mid ?? ev.track.id;
    this.removeAudio(mid);
    const el = document.createElement("audio") as SinkAudio;
    el.autoplay = true;
    el.dataset.mid = mid;
    el.dataset.testid = "remote-audio";
    el.srcObject = new MediaStream([ev.track]);
    el.muted = useVoice.getState().selfDeaf;
    if (this.settings.outputDeviceId && el.setSinkId) void el.setSinkId(this.settings.outputDeviceId).catch(() => undefined);
    this.host().appendChild(el);
    this.audio.set(mid, el);
    ev.track.addEventListener("ended", () => {
      if (this.audio.get(mid) === el) this.removeAudio(mid);
    });
    void el.play().catch(() => undefined);
  }

  /** Drops <audio> elements whose transceiver no longer receives (that member left). */
  private pruneAudio(): void {
    if (!this.recvPc) return;
    const live = liveMids(this.recvPc.getTransceivers());
    for (const mid of [...this.audio.keys()]) if (!live.has(mid)) this.removeAudio(mid);
  }

  private removeAudio(mid: string): void {
    const el = this.audio.get(mid);
    if (!el) return;
    el.srcObject = null;
    el.remove();
    this.audio.delete(mid);
  }

  private host(): HTMLElement {
    if (!this.audioHost || !this.audioHost.isConnected) {
      this.audioHost = document.createElement("div");
      this.audioHost.id = "voice-audio";
      this.audioHost.hidden = true;
      document.body.appendChild(this.audioHost);
    }
    return this.audioHost;
  }

  private async ensureMic(): Promise<MediaStream> {
    if (this.mic && this.mic.getAudioTracks().some((t) => t.readyState === "live")) return this.mic;
    this.mic = await openMic(this.settings);
    return this.mic;
  }

  private releaseMic(): void {
    this.mic?.getTracks().forEach((t) => t.stop());
    this.mic = null;
  }

  /** Mic track enabled/disabled and remote audio muted per mute, deafen and push-to-talk. */
  private applyLocalFlags(): void {
    const s = useVoice.getState();
    const enabled = micEnabled({ selfMute: s.selfMute, selfDeaf: s.selfDeaf, pushToTalk: this.settings.mode === "push_to_talk", transmitting: s.transmitting });
    this.mic?.getAudioTracks().forEach((t) => (t.enabled = enabled));
    for (const el of this.audio.values()) el.muted = s.selfDeaf;
  }

  private onKey(e: { code: string; type: string; repeat?: boolean; target?: EventTarget | null }): void {
    if (this.settings.mode !== "push_to_talk") return;
    if (ignoredForTalk(e, e.target ?? null)) return;
    const s = useVoice.getState();
    const next = pttTransmitting(s.transmitting, e, this.settings.pttKey);
    if (next === s.transmitting) return;
    s.setConnection({ transmitting: next });
    this.applyLocalFlags();
  }

  private async onSettings(next: VoiceSettings): Promise<void> {
    const prev = this.settings;
    this.settings = next;
    if (next.outputDeviceId !== prev.outputDeviceId) {
      for (const el of this.audio.values()) if (el.setSinkId) void el.setSinkId(next.outputDeviceId).catch(() => undefined);
    }
    if (next.mode !== prev.mode) {
      useVoice.getState().setConnection({ transmitting: false });
      this.applyLocalFlags();
    }
    const micChanged =
      next.inputDeviceId !== prev.inputDeviceId ||
      next.echoCancellation !== prev.echoCancellation ||
      next.noiseSuppression !== prev.noiseSuppression ||
      next.autoGainControl !== prev.autoGainControl;
    if (micChanged && this.mic) {
      // Swap the track in place: no renegotiation needed.
      try {
        const fresh = await openMic(next);
        const track = fresh.getAudioTracks()[0] ?? null;
        const sender = this.sendPc?.getSenders().find((x) => x.track?.kind === "audio" || x.track === null);
        if (sender) await sender.replaceTrack(track);
        this.releaseMic();
        this.mic = fresh;
        this.applyLocalFlags();
      } catch (e) {
        useVoice.getState().setAlert(voiceErrorMessage(micError(e)));
      }
    }
  }

  private startStats(): void {
    if (this.statsTimer) return;
    this.counters = null;
    const sample = async () => {
      const send = this.sendPc;
      const recv = this.recvPc;
      if (!send) return;
      const [a, b] = await Promise.all([entries(send), recv ? entries(recv) : Promise.resolve([])]);
      if (send !== this.sendPc) return;
      const { stats, counters } = summarizeStats(a, b, this.counters);
      this.counters = counters;
      useVoice.getState().setConnection({ stats });
    };
    this.statsTimer = setInterval(() => void sample().catch(() => undefined), STATS_INTERVAL_MS);
    void sample().catch(() => undefined);
  }

  private closePeers(): void {
    for (const pc of [this.sendPc, this.recvPc]) {
      if (!pc) continue;
      try {
        pc.close();
      } catch {
        // already closed
      }
    }
    this.sendPc = null;
    this.recvPc = null;
    this.clearConnectTimer();
    for (const mid of [...this.audio.keys()]) this.removeAudio(mid);
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
    this.counters = null;
  }

  private clearConnectTimer(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }

  private clearDisconnectTimer(): void {
    if (this.disconnectTimer) clearTimeout(this.disconnectTimer);
    this.disconnectTimer = null;
  }

  private teardown(): void {
    this.generation++;
    this.clearDisconnectTimer();
    this.closePeers();
    this.releaseMic();
    this.sessionId = null;
    useVoice.getState().setConnection({ channelId: null, communityId: null, phase: "idle", stats: null, transmitting: false });
  }
}

/** A signalled candidate for addIceCandidate (null or a null candidate = end of candidates). */
function toCandidate(sig: VoiceSignal): RTCIceCandidateInit | null {
  const c = sig.candidate;
  if (!c || c.candidate === null) return null;
  return { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null };
}

function pick(s: VoiceSettings): VoiceSettings {
  return {
    inputDeviceId: s.inputDeviceId,
    outputDeviceId: s.outputDeviceId,
    mode: s.mode,
    pttKey: s.pttKey,
    echoCancellation: s.echoCancellation,
    noiseSuppression: s.noiseSuppression,
    autoGainControl: s.autoGainControl,
  };
}

async function entries(pc: RTCPeerConnection): Promise<StatsEntry[]> {
  const report = await pc.getStats();
  const out: StatsEntry[] = [];
  report.forEach((v) => out.push(v as StatsEntry));
  return out;
}

async function openMic(settings: VoiceSettings): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw Object.assign(new Error("this browser cannot capture audio here (voice needs HTTPS)"), { name: "NotSupportedError" });
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: audioConstraints(settings), video: false });
  } catch (e) {
    // The chosen input device is gone: fall back to the default one rather than failing.
    if (settings.inputDeviceId && e instanceof DOMException && (e.name === "OverconstrainedError" || e.name === "NotFoundError")) {
      return navigator.mediaDevices.getUserMedia({ audio: audioConstraints({ ...settings, inputDeviceId: "" }), video: false });
    }
    throw e;
  }
}

function isMicError(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  return name === "NotAllowedError" || name === "SecurityError" || name === "NotFoundError" || name === "NotReadableError" || name === "NotSupportedError";
}

/** A getUserMedia failure as a voice error code (mic_denied, mic_missing, mic_failed). */
export function micError(e: unknown): { code: string; message: string } {
  const name = (e as { name?: string } | null)?.name ?? "";
  const message = (e as { message?: string } | null)?.message ?? "";
  if (name === "NotAllowedError" || name === "SecurityError") return { code: "mic_denied", message };
  if (name === "NotFoundError" || name === "OverconstrainedError") return { code: "mic_missing", message };
  return { code: "mic_failed", message };
}
