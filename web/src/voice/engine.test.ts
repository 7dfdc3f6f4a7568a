import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { VoiceState } from "../api/types";
import { useVoice } from "../stores/voice";
import { CONNECT_TIMEOUT_MS, VoiceEngine } from "./engine";
import { MAX_REJOINS } from "./recovery";
import { useVoiceSettings } from "./settings";

// Just enough WebRTC for the engine: PeerConnections record what was asked of them, gathering completes at once.
class FakeTrack {
  enabled = true;
  readyState = "live";
  kind = "audio";
  id = "t" + Math.random();
  stop() {
    this.readyState = "ended";
  }
  addEventListener() {}
}
class FakeStream {
  constructor(public tracks: FakeTrack[] = [new FakeTrack()]) {}
  getAudioTracks() {
    return this.tracks;
  }
  getTracks() {
    return this.tracks;
  }
}
class FakePc {
  static all: FakePc[] = [];
  iceGatheringState = "complete";
  connectionState = "new";
  localDescription: { type: string; sdp: string } | null = null;
  remote: { type: string; sdp: string }[] = [];
  closed = false;
  transceivers: { mid: string | null; currentDirection: string }[] = [];
  listeners: Record<string, ((ev: unknown) => void)[]> = {};
  constructor(public config: RTCConfiguration) {
    FakePc.all.push(this);
  }
  addTransceiver() {}
  addEventListener(type: string, l: (ev: unknown) => void) {
    (this.listeners[type] ??= []).push(l);
  }
  removeEventListener() {}
  async createOffer() {
    return { type: "offer", sdp: `offer-${FakePc.all.indexOf(this)}` };
  }
  async createAnswer() {
    return { type: "answer", sdp: `answer-to-${this.remote.at(-1)?.sdp}` };
  }
  async setLocalDescription(d: { type: string; sdp: string }) {
    this.localDescription = d;
  }
  async setRemoteDescription(d: { type: string; sdp: string }) {
    this.remote.push(d);
  }
  async addIceCandidate() {}
  getTransceivers() {
    return this.transceivers;
  }
  getSenders() {
    return [];
  }
  async getStats() {
    return new Map();
  }
  close() {
    this.closed = true;
  }
  setConnection(state: string) {
    this.connectionState = state;
    for (const l of this.listeners["connectionstatechange"] ?? []) l({});
  }
}

const sent: { op: number; d: Record<string, unknown> }[] = [];
let getUserMedia: ReturnType<typeof vi.fn>;
let engine: VoiceEngine;
const flush = () => vi.advanceTimersByTimeAsync(0);
const ops = (op: number) => sent.filter((f) => f.op === op).map((f) => f.d);
const server = (session = "vs_1", channel = "ch_v") => ({ channel_id: channel, voice_session_id: session, ice_servers: [{ urls: ["stun:x"] }], ttl: 60 });
const state = (channel: string | null): VoiceState => ({
  community_id: "com_1", channel_id: channel, user_id: "usr_me", self_mute: false, self_deaf: false, server_mute: false, server_deaf: false,
});

beforeEach(() => {
  vi.useFakeTimers();
  sent.length = 0;
  FakePc.all = [];
  useVoice.getState().reset();
  useVoiceSettings.getState().update({ mode: "voice_activity", pttKey: "Backquote" });
  getUserMedia = vi.fn(async () => new FakeStream());
  vi.stubGlobal("RTCPeerConnection", FakePc);
  vi.stubGlobal("MediaStream", FakeStream);
  Object.defineProperty(navigator, "mediaDevices", { value: { getUserMedia }, configurable: true });
  engine = new VoiceEngine({
    sendOp: (op, d) => {
      sent.push({ op, d: d as Record<string, unknown> });
      return true;
    },
    myId: () => "usr_me",
    communityOf: () => "com_1",
  });
  engine.onGatewayState("ready");
});
afterEach(() => {
  engine.dispose();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

async function joined() {
  await engine.join("ch_v");
  engine.onVoiceServer(server());
  await flush();
  return FakePc.all.at(-1)!;
}

describe("VoiceEngine", () => {
  it("a denied microphone shows how to allow it and never joins", async () => {
    getUserMedia.mockRejectedValueOnce(Object.assign(new Error("denied"), { name: "NotAllowedError" }));
    await engine.join("ch_v");
    expect(ops(4)).toEqual([]);
    expect(useVoice.getState().phase).toBe("idle");
    expect(useVoice.getState().alert).toMatch(/Allow microphone access/);
  });

  it("does not try when the server says voice is unavailable, and says why", async () => {
    useVoice.getState().setStatus({ available: false, reason: "Janus is not installed" });
    await engine.join("ch_v");
    expect(getUserMedia).not.toHaveBeenCalled();
    expect(ops(4)).toEqual([]);
    expect(useVoice.getState().alert).toContain("Janus is not installed");
  });

  it("joins with op 4, then on op 5 offers complete SDP on the send PeerConnection with the given ICE servers", async () => {
    await engine.join("ch_v");
    expect(ops(4)).toEqual([{ channel_id: "ch_v", self_mute: false, self_deaf: false }]);
    expect(useVoice.getState()).toMatchObject({ phase: "connecting", channelId: "ch_v", communityId: "com_1" });
    engine.onVoiceServer(server());
    await flush();
    const pc = FakePc.all[0]!;
    expect(pc.config.iceServers).toEqual([{ urls: ["stun:x"] }]);
    expect(ops(13)).toEqual([{ voice_session_id: "vs_1", pc: "send", type: "offer", sdp: "offer-0" }]);
    engine.onDispatch("VOICE_SIGNAL", { voice_session_id: "vs_1", pc: "send", type: "answer", sdp: "janus-answer" });
    await flush();
    expect(pc.remote).toEqual([{ type: "answer", sdp: "janus-answer" }]);
    pc.setConnection("connected");
    expect(useVoice.getState().phase).toBe("connected");
    // A signal for another session is ignored.
    engine.onDispatch("VOICE_SIGNAL", { voice_session_id: "vs_old", pc: "send", type: "answer", sdp: "stale" });
    await flush();
    expect(pc.remote).toHaveLength(1);
  });

  it("answers the server's recv offers on one PeerConnection, in order", async () => {
    await joined();
    engine.onDispatch("VOICE_SIGNAL", { voice_session_id: "vs_1", pc: "recv", type: "offer", sdp: "o1" });
    engine.onDispatch("VOICE_SIGNAL", { voice_session_id: "vs_1", pc: "recv", type: "offer", sdp: "o2" });
    await flush();
    expect(FakePc.all).toHaveLength(2);
    const recv = FakePc.all[1]!;
    expect(recv.remote.map((r) => r.sdp)).toEqual(["o1", "o2"]);
    expect(ops(13).filter((s) => s.pc === "recv")).toEqual([
      { voice_session_id: "vs_1", pc: "recv", type: "answer", sdp: "answer-to-o1" },
      { voice_session_id: "vs_1", pc: "recv", type: "answer", sdp: "answer-to-o2" },
    ]);
  });

  it("a new op 5 (moved, or the media server restarted) closes both PeerConnections and negotiates fresh ones", async () => {
    const send = await joined();
    engine.onDispatch("VOICE_SIGNAL", { voice_session_id: "vs_1", pc: "recv", type: "offer", sdp: "o1" });
    await flush();
    const recv = FakePc.all[1]!;
    engine.onDispatch("VOICE_STATE_UPDATE", state("ch_other"));
    engine.onVoiceServer(server("vs_2", "ch_other"));
    await flush();
    expect(send.closed).toBe(true);
    expect(recv.closed).toBe(true);
    expect(useVoice.getState().channelId).toBe("ch_other");
    expect(ops(13).at(-1)).toEqual({ voice_session_id: "vs_2", pc: "send", type: "offer", sdp: "offer-2" });
  });

  it("mute disables the mic track and tells the server; deafen implies mute; unmute undeafens", async () => {
    await joined();
    const track = (await getUserMedia.mock.results[0]!.value as FakeStream).tracks[0]!;
    engine.setSelfMute(true);
    expect(track.enabled).toBe(false);
    expect(ops(4).at(-1)).toEqual({ channel_id: "ch_v", self_mute: true, self_deaf: false });
    engine.setSelfMute(false);
    expect(track.enabled).toBe(true);
    engine.setSelfDeaf(true);
    expect(track.enabled).toBe(false);
    expect(ops(4).at(-1)).toEqual({ channel_id: "ch_v", self_mute: true, self_deaf: true });
    engine.setSelfMute(false);
    expect(useVoice.getState()).toMatchObject({ selfMute: false, selfDeaf: false });
    expect(track.enabled).toBe(true);
  });

  it("push to talk transmits only while the key is held", async () => {
    useVoiceSettings.getState().update({ mode: "push_to_talk", pttKey: "KeyV" });
    await flush();
    await joined();
    const track = (await getUserMedia.mock.results[0]!.value as FakeStream).tracks[0]!;
    expect(track.enabled).toBe(false);
    window.dispatchEvent(new KeyboardEvent("keydown", { code: "KeyV" }));
    expect(track.enabled).toBe(true);
    expect(useVoice.getState().transmitting).toBe(true);
    window.dispatchEvent(new KeyboardEvent("keyup", { code: "KeyV" }));
    expect(track.enabled).toBe(false);
    // Typing a "v" into the composer is text, not talk.
    const box = document.createElement("textarea");
    document.body.appendChild(box);
    box.dispatchEvent(new KeyboardEvent("keydown", { code: "KeyV", bubbles: true }));
    expect(track.enabled).toBe(false);
    box.remove();
  });

  it("Disconnect leaves with op 4 null, releases the mic and closes everything", async () => {
    const pc = await joined();
    const track = (await getUserMedia.mock.results[0]!.value as FakeStream).tracks[0]!;
    engine.leave();
    expect(ops(4).at(-1)).toEqual({ channel_id: null });
    expect(pc.closed).toBe(true);
    expect(track.readyState).toBe("ended");
    expect(useVoice.getState()).toMatchObject({ phase: "idle", channelId: null });
  });

  it("being disconnected by someone else ends the call after a grace period that a move's op 5 cancels", async () => {
    const first = await joined();
    engine.onDispatch("VOICE_STATE_UPDATE", state(null));
    engine.onVoiceServer(server("vs_2", "ch_b"));
    await vi.advanceTimersByTimeAsync(2000);
    expect(useVoice.getState()).toMatchObject({ channelId: "ch_b" });
    expect(useVoice.getState().phase).not.toBe("idle");
    expect(first.closed).toBe(true);

    engine.onDispatch("VOICE_STATE_UPDATE", state(null));
    await vi.advanceTimersByTimeAsync(2000);
    expect(useVoice.getState().phase).toBe("idle");
    expect(useVoice.getState().alert).toMatch(/disconnected from voice/);
    expect(FakePc.all.every((p) => p.closed)).toBe(true);
    // We did not ask to leave, so we do not send op 4 null.
    expect(ops(4).filter((d) => d.channel_id === null)).toEqual([]);
  });

  it("VOICE_ERROR disconnected ends the call at once; not_in_voice (a stale signal) does not", async () => {
    const pc = await joined();
    engine.onDispatch("VOICE_ERROR", { channel_id: "ch_v", code: "not_in_voice", message: "" });
    expect(pc.closed).toBe(false);
    expect(useVoice.getState().phase).not.toBe("idle");
    engine.onDispatch("VOICE_ERROR", { channel_id: "ch_v", code: "disconnected", message: "A moderator disconnected you" });
    expect(pc.closed).toBe(true);
    expect(useVoice.getState().phase).toBe("idle");
    expect(ops(4).filter((d) => d.channel_id === null)).toEqual([]);
  });

  it("a refused join (VOICE_ERROR) stays out of voice", async () => {
    await engine.join("ch_v");
    engine.onDispatch("VOICE_ERROR", { channel_id: "ch_v", code: "channel_full", message: "full" });
    expect(useVoice.getState().phase).toBe("idle");
    expect(FakePc.all).toHaveLength(0);
  });

  it("rejoins after the gateway comes back (the voice session died with the old connection)", async () => {
    const pc = await joined();
    engine.onGatewayState("offline");
    expect(pc.closed).toBe(true);
    expect(useVoice.getState().phase).toBe("reconnecting");
    const before = ops(4).length;
    engine.onGatewayState("ready");
    expect(ops(4).slice(before)).toEqual([{ channel_id: "ch_v", self_mute: false, self_deaf: false }]);
  });

  it("a failed recv PeerConnection says Reconnecting…, leaves and joins the same channel again, and renegotiates on the new op 5", async () => {
    const send = await joined();
    engine.onDispatch("VOICE_SIGNAL", { voice_session_id: "vs_1", pc: "recv", type: "offer", sdp: "o1" });
    await flush();
    const recv = FakePc.all[1]!;
    send.setConnection("connected");
    // Not connected until we also hear the others.
    expect(useVoice.getState().phase).toBe("connecting");
    recv.setConnection("connected");
    expect(useVoice.getState().phase).toBe("connected");
    const before = ops(4).length;

    recv.setConnection("failed");
    expect(useVoice.getState().phase).toBe("reconnecting");
    expect(useVoice.getState().alert).toBeNull();
    expect(send.closed && recv.closed).toBe(true);
    // Op 4 for the channel we are in would only change flags: leave, then join.
    expect(ops(4).slice(before)).toEqual([{ channel_id: null }, { channel_id: "ch_v", self_mute: false, self_deaf: false }]);
    // The server's echo of our leave does not end the call.
    engine.onDispatch("VOICE_STATE_UPDATE", state(null));
    await vi.advanceTimersByTimeAsync(2000);
    expect(useVoice.getState().phase).toBe("reconnecting");
    // Late events from the old PeerConnections change nothing.
    send.setConnection("failed");
    expect(ops(4).length).toBe(before + 2);

    engine.onDispatch("VOICE_STATE_UPDATE", state("ch_v"));
    engine.onVoiceServer(server("vs_2"));
    await flush();
    const fresh = FakePc.all.at(-1)!;
    expect(fresh).not.toBe(send);
    expect(ops(13).at(-1)).toEqual({ voice_session_id: "vs_2", pc: "send", type: "offer", sdp: `offer-${FakePc.all.length - 1}` });
    fresh.setConnection("connected");
    expect(useVoice.getState()).toMatchObject({ phase: "connected", channelId: "ch_v" });
  });

  it("a disconnected PeerConnection says Reconnecting… and recovers by itself without rejoining", async () => {
    const send = await joined();
    send.setConnection("connected");
    const before = ops(4).length;
    send.setConnection("disconnected");
    expect(useVoice.getState().phase).toBe("reconnecting");
    send.setConnection("connected");
    expect(useVoice.getState().phase).toBe("connected");
    expect(ops(4).length).toBe(before);
  });

  it("gives up after MAX_REJOINS rejoins that never connect, and says why", async () => {
    let pc = await joined();
    for (let i = 0; i < MAX_REJOINS; i++) {
      const session = `vs_${i + 2}`;
      pc.setConnection("failed");
      expect(useVoice.getState().phase).toBe("reconnecting");
      engine.onVoiceServer(server(session));
      await flush();
      pc = FakePc.all.at(-1)!;
    }
    pc.setConnection("failed");
    expect(useVoice.getState().phase).toBe("idle");
    expect(useVoice.getState().alert).toBe("The voice server could not set up your audio. Try joining again in a moment.");
    expect(ops(4).at(-1)).toEqual({ channel_id: null });
    expect(pc.closed).toBe(true);
  });

  it("a stale signal's not_in_voice during a rejoin does not end the call", async () => {
    const send = await joined();
    send.setConnection("failed");
    engine.onDispatch("VOICE_ERROR", { channel_id: null, code: "not_in_voice", message: "" });
    engine.onVoiceServer(server("vs_2"));
    await flush();
    expect(useVoice.getState().phase).toBe("reconnecting");
    FakePc.all.at(-1)!.setConnection("connected");
    expect(useVoice.getState().phase).toBe("connected");
  });

  it("fresh PeerConnections that never connect (a rejoin while the network is down) count as failed after a while", async () => {
    const send = await joined();
    const before = ops(4).length;
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS - 100);
    expect(ops(4).length).toBe(before);
    await vi.advanceTimersByTimeAsync(200);
    expect(send.closed).toBe(true);
    expect(ops(4).slice(before)).toEqual([{ channel_id: null }, { channel_id: "ch_v", self_mute: false, self_deaf: false }]);
    expect(useVoice.getState().phase).toBe("reconnecting");
    // Once connected, the timer is gone.
    engine.onVoiceServer(server("vs_2"));
    await flush();
    FakePc.all.at(-1)!.setConnection("connected");
    const after = ops(4).length;
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS * 2);
    expect(ops(4).length).toBe(after);
    expect(useVoice.getState().phase).toBe("connected");
  });
});
