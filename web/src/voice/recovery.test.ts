import { describe, expect, it } from "vitest";
import { initialHealth, MAX_REJOINS, onMediaFailure, onPeerState, type Health, type PcName, type PcState } from "./recovery";

/** Feeds a list of connectionState changes, returning every action and the final health. */
function run(steps: [PcName, PcState][], start: Health = initialHealth()) {
  let h = start;
  const actions: string[] = [];
  for (const [pc, state] of steps) {
    const r = onPeerState(h, pc, state);
    h = r.health;
    actions.push(r.action);
  }
  return { h, actions };
}

describe("voice recovery", () => {
  it("is connected once sending works and, when there is a recv PeerConnection, receiving too", () => {
    expect(run([["send", "connecting"], ["send", "connected"]]).actions).toEqual(["none", "connected"]);
    // Someone was already there: the recv PeerConnection must connect as well.
    expect(run([["recv", "connecting"], ["send", "connected"], ["recv", "connected"]]).actions).toEqual(["none", "none", "connected"]);
  });

  it("says reconnecting while either PeerConnection is disconnected, and connected when both are back", () => {
    const { actions } = run([["send", "connected"], ["recv", "connected"], ["recv", "disconnected"], ["send", "disconnected"], ["recv", "connected"], ["send", "connected"]]);
    expect(actions).toEqual(["connected", "connected", "reconnecting", "reconnecting", "reconnecting", "connected"]);
  });

  it("a failed send or recv PeerConnection rejoins with fresh state, and gives up after MAX_REJOINS in a row", () => {
    let r = onPeerState(run([["send", "connected"], ["recv", "connected"]]).h, "recv", "failed");
    expect(r.action).toBe("rejoin");
    expect(r.health).toEqual({ send: "absent", recv: "absent", retries: 1 });
    for (let i = 2; i <= MAX_REJOINS; i++) {
      r = onPeerState(r.health, "send", "failed");
      expect(r.action).toBe("rejoin");
      expect(r.health.retries).toBe(i);
    }
    r = onPeerState(r.health, "send", "failed");
    expect(r.action).toBe("give_up");
  });

  it("a call that got fully connected again earns its retries back", () => {
    const tired: Health = { send: "absent", recv: "absent", retries: MAX_REJOINS };
    const { h, actions } = run([["send", "connected"], ["recv", "connected"]], tired);
    expect(actions.at(-1)).toBe("connected");
    expect(h.retries).toBe(0);
    expect(onPeerState(h, "recv", "failed").action).toBe("rejoin");
    // Sending alone is not enough while the recv PeerConnection is still connecting.
    expect(run([["recv", "connecting"], ["send", "connected"]], tired).h.retries).toBe(MAX_REJOINS);
  });

  it("a negotiation error counts like a failed PeerConnection", () => {
    expect(onMediaFailure(initialHealth()).action).toBe("rejoin");
    expect(onMediaFailure(initialHealth(MAX_REJOINS)).action).toBe("give_up");
  });

  it("closing (our own teardown) changes nothing", () => {
    expect(run([["send", "connected"], ["send", "closed"]]).actions).toEqual(["connected", "none"]);
  });
});
