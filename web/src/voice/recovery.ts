// How the call's two PeerConnections are doing, as a tiny pure machine: what the voice bar should say and when
// the engine should ask the server for fresh media (op 4 null, then op 4 for the same channel: a new op 5).
// Op 4 for the channel we are already in only changes flags (docs/protocol.md "Voice"), hence the leave first.

export type PcName = "send" | "recv";
/** RTCPeerConnection.connectionState, or "absent" (the recv PeerConnection exists only once an offer came). */
export type PcState = "absent" | "new" | "connecting" | "connected" | "disconnected" | "failed" | "closed";

export interface Health {
  send: PcState;
  recv: PcState;
  /** Automatic rejoins since the user joined or the call was last fully connected. */
  retries: number;
}

/**
 * none: nothing to change; connected / reconnecting: the bar's phase; rejoin: leave and join the same channel
 * again (fresh PeerConnections come with the new op 5); give_up: leave and tell the user.
 */
export type HealthAction = "none" | "connected" | "reconnecting" | "rejoin" | "give_up";

export const MAX_REJOINS = 3;

/** Fresh PeerConnections (a new op 5): nothing known about them yet; the retry count carries over. */
export function initialHealth(retries = 0): Health {
  return { send: "absent", recv: "absent", retries };
}

/** Media could not be set up or a PeerConnection failed: rejoin, at most MAX_REJOINS times in a row. */
export function onMediaFailure(h: Health): { health: Health; action: HealthAction } {
  if (h.retries >= MAX_REJOINS) return { health: h, action: "give_up" };
  return { health: initialHealth(h.retries + 1), action: "rejoin" };
}

/** One PeerConnection's connectionState changed. */
export function onPeerState(h: Health, pc: PcName, state: PcState): { health: Health; action: HealthAction } {
  if (state === "failed") return onMediaFailure({ ...h, [pc]: state });
  const next: Health = { ...h, [pc]: state };
  if (next.send === "disconnected" || next.recv === "disconnected") return { health: next, action: "reconnecting" };
  // Connected when we are sending and hearing everyone (or there is nobody to hear yet).
  if (next.send === "connected" && (next.recv === "connected" || next.recv === "absent")) {
    return { health: { ...next, retries: 0 }, action: "connected" };
  }
  return { health: next, action: "none" };
}
