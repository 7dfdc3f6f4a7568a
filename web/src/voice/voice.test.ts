import { describe, expect, it, vi } from "vitest";
import { ignoredForTalk, isTypingTarget, micEnabled, producesText, pttTransmitting } from "./ptt";
import { liveMids, summarizeStats, waitForIceGathering, type GatheringPc, type StatsEntry } from "./rtc";
import { permissionRefreshFor } from "../stores/voice";
import { audioConstraints, DEFAULT_VOICE_SETTINGS, keyLabel, parseVoiceSettings } from "./settings";

describe("push to talk", () => {
  it("transmits while the bound key is held, ignores other keys and repeats, releases on blur", () => {
    let on = false;
    on = pttTransmitting(on, { code: "KeyA", type: "keydown" }, "Backquote");
    expect(on).toBe(false);
    on = pttTransmitting(on, { code: "Backquote", type: "keydown" }, "Backquote");
    expect(on).toBe(true);
    on = pttTransmitting(on, { code: "Backquote", type: "keydown", repeat: true }, "Backquote");
    expect(on).toBe(true);
    on = pttTransmitting(on, { code: "KeyA", type: "keyup" }, "Backquote");
    expect(on).toBe(true);
    on = pttTransmitting(on, { code: "Backquote", type: "keyup" }, "Backquote");
    expect(on).toBe(false);
    on = pttTransmitting(true, { code: "", type: "blur" }, "Backquote");
    expect(on).toBe(false);
  });

  it("mute and deafen always win over the key; voice activity transmits without it", () => {
    expect(micEnabled({ selfMute: false, selfDeaf: false, pushToTalk: false, transmitting: false })).toBe(true);
    expect(micEnabled({ selfMute: true, selfDeaf: false, pushToTalk: false, transmitting: false })).toBe(false);
    expect(micEnabled({ selfMute: false, selfDeaf: true, pushToTalk: false, transmitting: false })).toBe(false);
    expect(micEnabled({ selfMute: false, selfDeaf: false, pushToTalk: true, transmitting: false })).toBe(false);
    expect(micEnabled({ selfMute: false, selfDeaf: false, pushToTalk: true, transmitting: true })).toBe(true);
    expect(micEnabled({ selfMute: true, selfDeaf: false, pushToTalk: true, transmitting: true })).toBe(false);
  });

  it("a character key pressed in a text field is text, not talk; other keys transmit everywhere", () => {
    const field = { tagName: "TEXTAREA" } as unknown as EventTarget;
    const page = { tagName: "DIV" } as unknown as EventTarget;
    expect(producesText("Backquote")).toBe(true);
    expect(producesText("KeyV")).toBe(true);
    expect(producesText("F13")).toBe(false);
    expect(producesText("CapsLock")).toBe(false);
    expect(ignoredForTalk({ code: "Backquote", type: "keydown" }, field)).toBe(true);
    expect(ignoredForTalk({ code: "Backquote", type: "keydown" }, page)).toBe(false);
    expect(ignoredForTalk({ code: "Backquote", type: "keyup" }, field)).toBe(false);
    expect(ignoredForTalk({ code: "F13", type: "keydown" }, field)).toBe(false);
  });

  it("knows typing targets and names keys", () => {
    expect(isTypingTarget({ tagName: "TEXTAREA" } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: "DIV", isContentEditable: false } as unknown as EventTarget)).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
    expect(keyLabel("Backquote")).toBe("`");
    expect(keyLabel("KeyT")).toBe("T");
    expect(keyLabel("Digit4")).toBe("4");
    expect(keyLabel("F13")).toBe("F13");
  });
});

describe("voice settings", () => {
  it("merges stored values over defaults and survives garbage", () => {
    expect(parseVoiceSettings(null)).toEqual(DEFAULT_VOICE_SETTINGS);
    expect(parseVoiceSettings("{not json")).toEqual(DEFAULT_VOICE_SETTINGS);
    expect(parseVoiceSettings('"x"')).toEqual(DEFAULT_VOICE_SETTINGS);
    const s = parseVoiceSettings(JSON.stringify({ mode: "push_to_talk", pttKey: "KeyV", echoCancellation: false, inputDeviceId: 7 }));
    expect(s).toMatchObject({ mode: "push_to_talk", pttKey: "KeyV", echoCancellation: false, noiseSuppression: true, inputDeviceId: "" });
    expect(parseVoiceSettings(JSON.stringify({ mode: "telepathy", pttKey: "" })).mode).toBe("voice_activity");
    expect(parseVoiceSettings(JSON.stringify({ pttKey: "" })).pttKey).toBe("Backquote");
  });

  it("asks getUserMedia for the chosen device and processing", () => {
    expect(audioConstraints(DEFAULT_VOICE_SETTINGS)).toEqual({ echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 });
    expect(audioConstraints({ ...DEFAULT_VOICE_SETTINGS, inputDeviceId: "mic2", autoGainControl: false })).toMatchObject({
      deviceId: { exact: "mic2" },
      autoGainControl: false,
    });
  });
});

class FakePc implements GatheringPc {
  iceGatheringState = "gathering";
  listeners = new Map<string, Set<(ev: { candidate?: unknown }) => void>>();
  addEventListener(type: string, l: (ev: { candidate?: unknown }) => void) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(l);
  }
  removeEventListener(type: string, l: (ev: { candidate?: unknown }) => void) {
    this.listeners.get(type)?.delete(l);
  }
  emit(type: string, ev: { candidate?: unknown } = {}) {
    for (const l of [...(this.listeners.get(type) ?? [])]) l(ev);
  }
  count() {
    return [...this.listeners.values()].reduce((n, s) => n + s.size, 0);
  }
}

describe("ICE gathering", () => {
  it("resolves at once when complete, on the state change, or on the null candidate, and cleans up", async () => {
    const done = new FakePc();
    done.iceGatheringState = "complete";
    await expect(waitForIceGathering(done)).resolves.toBe(true);

    const a = new FakePc();
    const pa = waitForIceGathering(a);
    a.emit("icecandidate", { candidate: { candidate: "candidate:1" } });
    a.iceGatheringState = "complete";
    a.emit("icegatheringstatechange");
    await expect(pa).resolves.toBe(true);
    expect(a.count()).toBe(0);

    const b = new FakePc();
    const pb = waitForIceGathering(b);
    b.emit("icecandidate", { candidate: null });
    await expect(pb).resolves.toBe(true);
    expect(b.count()).toBe(0);
  });

  it("gives up after the timeout with what it has", async () => {
    vi.useFakeTimers();
    try {
      const pc = new FakePc();
      const p = waitForIceGathering(pc, 3000);
      await vi.advanceTimersByTimeAsync(3000);
      await expect(p).resolves.toBe(false);
      expect(pc.count()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("stats", () => {
  const send: StatsEntry[] = [
    { type: "outbound-rtp", id: "o1", kind: "audio", packetsSent: 500 },
    { type: "transport", id: "t1", selectedCandidatePairId: "cp2" },
    { type: "candidate-pair", id: "cp1", nominated: true, state: "succeeded", currentRoundTripTime: 0.5 },
    { type: "candidate-pair", id: "cp2", nominated: true, state: "succeeded", currentRoundTripTime: 0.023 },
    { type: "remote-inbound-rtp", id: "r1", roundTripTime: 0.04, fractionLost: 0.03 },
  ];
  const recv = (received: number, lost: number, level: number): StatsEntry[] => [
    { type: "inbound-rtp", id: "i1", kind: "audio", packetsReceived: received, packetsLost: lost, audioLevel: level, totalAudioEnergy: 1.5 },
    { type: "inbound-rtp", id: "i2", kind: "video", packetsReceived: 1000, packetsLost: 0 },
  ];

  it("sums audio packets, takes the loudest level and the selected pair's round trip", () => {
    const { stats, counters } = summarizeStats(send, recv(100, 0, 0.25), null);
    expect(stats).toMatchObject({ inboundPackets: 100, outboundPackets: 500, inboundLevel: 0.25, inboundEnergy: 1.5, rttMs: 23 });
    // First sample: no period yet, so loss is the server's view of what we send.
    expect(stats.loss).toBeCloseTo(0.03);
    expect(counters).toEqual({ received: 100, lost: 0 });
  });

  it("measures loss over the period since the previous sample", () => {
    const { stats } = summarizeStats(send, recv(190, 10, 0.1), { received: 100, lost: 0 });
    expect(stats.loss).toBeCloseTo(0.1);
  });

  it("falls back to RTCP round trip and copes with nothing at all", () => {
    const rtcpOnly = send.filter((s) => s.type !== "transport" && s.type !== "candidate-pair");
    expect(summarizeStats(rtcpOnly, [], null).stats.rttMs).toBe(40);
    const empty = summarizeStats([], [], null).stats;
    expect(empty).toEqual({ rttMs: null, loss: null, inboundPackets: 0, outboundPackets: 0, inboundLevel: 0, inboundEnergy: 0 });
  });

  it("keeps only mids that still receive", () => {
    const mids = liveMids([
      { mid: "0", currentDirection: "recvonly" },
      { mid: "1", currentDirection: "inactive" },
      { mid: "2", currentDirection: "stopped" },
      { mid: null, currentDirection: "recvonly" },
      { mid: "3", currentDirection: null, direction: "recvonly" },
    ]);
    expect([...mids].sort()).toEqual(["0", "3"]);
  });
});

describe("permission refresh", () => {
  it("follows role and channel changes in a community and the viewer's own member updates only", () => {
    expect(permissionRefreshFor("COMMUNITY_ROLE_UPDATE", { id: "rol_1", community_id: "com_1" }, "usr_me")).toBe("com_1");
    expect(permissionRefreshFor("CHANNEL_UPDATE", { id: "ch_1", community_id: "com_2" }, "usr_me")).toBe("com_2");
    expect(permissionRefreshFor("COMMUNITY_MEMBER_UPDATE", { community_id: "com_1", user: { id: "usr_me" } }, "usr_me")).toBe("com_1");
    expect(permissionRefreshFor("COMMUNITY_MEMBER_UPDATE", { community_id: "com_1", user: { id: "usr_other" } }, "usr_me")).toBeNull();
    expect(permissionRefreshFor("MESSAGE_CREATE", { community_id: "com_1" }, "usr_me")).toBeNull();
    expect(permissionRefreshFor("COMMUNITY_ROLE_DELETE", null, "usr_me")).toBeNull();
  });
});
