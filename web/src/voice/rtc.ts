// Small pure helpers around RTCPeerConnection: waiting for ICE gathering (we send complete SDP, because
// every op 13 counts toward the gateway's inbound limit), reading getStats(), and which remote audio is live.
import type { VoiceStats } from "../stores/voice";

/** The parts of RTCPeerConnection that waitForIceGathering needs (tests pass a fake). */
export interface GatheringPc {
  iceGatheringState: string;
  addEventListener(type: "icegatheringstatechange" | "icecandidate", listener: (ev: { candidate?: unknown }) => void): void;
  removeEventListener(type: "icegatheringstatechange" | "icecandidate", listener: (ev: { candidate?: unknown }) => void): void;
}

/**
 * Resolves once ICE gathering is complete (state "complete" or the null end-of-candidates event), or after
 * `timeoutMs` with whatever was gathered by then: a missing TURN server must not hold the call forever.
 * Resolves true when gathering really completed.
 */
export function waitForIceGathering(pc: GatheringPc, timeoutMs = 3000): Promise<boolean> {
  if (pc.iceGatheringState === "complete") return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (complete: boolean) => {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", onState);
      pc.removeEventListener("icecandidate", onCandidate);
      resolve(complete);
    };
    const onState = () => {
      if (pc.iceGatheringState === "complete") done(true);
    };
    const onCandidate = (ev: { candidate?: unknown }) => {
      if (ev.candidate === null) done(true);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    pc.addEventListener("icegatheringstatechange", onState);
    pc.addEventListener("icecandidate", onCandidate);
  });
}

/** A getStats() entry (RTCStats plus the fields we read). */
export interface StatsEntry {
  type: string;
  id: string;
  kind?: string;
  packetsReceived?: number;
  packetsLost?: number;
  packetsSent?: number;
  audioLevel?: number;
  totalAudioEnergy?: number;
  roundTripTime?: number;
  currentRoundTripTime?: number;
  fractionLost?: number;
  state?: string;
  nominated?: boolean;
  selectedCandidatePairId?: string;
}

export interface StatsCounters {
  received: number;
  lost: number;
}

/**
 * One sample of connection quality from the "send" and "recv" PeerConnections' stats. Loss is over the period
 * since `prev` (the counters returned last time); round trip comes from the selected ICE candidate pair, or
 * RTCP (remote-inbound-rtp) when there is none.
 */
export function summarizeStats(send: StatsEntry[], recv: StatsEntry[], prev: StatsCounters | null): { stats: VoiceStats; counters: StatsCounters } {
  let inboundPackets = 0;
  let lost = 0;
  let inboundLevel = 0;
  let inboundEnergy = 0;
  for (const s of recv) {
    if (s.type !== "inbound-rtp" || (s.kind && s.kind !== "audio")) continue;
    inboundPackets += s.packetsReceived ?? 0;
    lost += Math.max(0, s.packetsLost ?? 0);
    inboundLevel = Math.max(inboundLevel, s.audioLevel ?? 0);
    inboundEnergy += s.totalAudioEnergy ?? 0;
  }
  let outboundPackets = 0;
  for (const s of send) if (s.type === "outbound-rtp" && (!s.kind || s.kind === "audio")) outboundPackets += s.packetsSent ?? 0;

  const rttMs = roundTrip(send) ?? roundTrip(recv);

  let loss: number | null = null;
  if (prev) {
    const dReceived = Math.max(0, inboundPackets - prev.received);
    const dLost = Math.max(0, lost - prev.lost);
    if (dReceived + dLost > 0) loss = dLost / (dReceived + dLost);
  }
  if (loss === null) {
    // Nothing inbound (alone in the channel): the server's view of what we send.
    const remote = send.filter((s) => s.type === "remote-inbound-rtp" && typeof s.fractionLost === "number");
    if (remote.length) loss = Math.max(...remote.map((s) => s.fractionLost!));
  }
  return {
    stats: { rttMs, loss, inboundPackets, outboundPackets, inboundLevel, inboundEnergy },
    counters: { received: inboundPackets, lost },
  };
}

function roundTrip(entries: StatsEntry[]): number | null {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const transport = entries.find((e) => e.type === "transport" && e.selectedCandidatePairId);
  const pair =
    (transport ? byId.get(transport.selectedCandidatePairId!) : undefined) ??
    entries.find((e) => e.type === "candidate-pair" && e.nominated && e.state === "succeeded");
  if (pair && typeof pair.currentRoundTripTime === "number") return Math.round(pair.currentRoundTripTime * 1000);
  const rtcp = entries.find((e) => e.type === "remote-inbound-rtp" && typeof e.roundTripTime === "number");
  return rtcp ? Math.round(rtcp.roundTripTime! * 1000) : null;
}

/** Mids of receiving transceivers whose remote audio is still live (not inactive or stopped). */
export function liveMids(transceivers: { mid: string | null; currentDirection?: string | null; direction?: string }[]): Set<string> {
  const out = new Set<string>();
  for (const t of transceivers) {
    if (!t.mid) continue;
    const dir = t.currentDirection ?? t.direction;
    if (dir === "recvonly" || dir === "sendrecv") out.add(t.mid);
  }
  return out;
}
