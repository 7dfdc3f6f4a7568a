import { beforeEach, describe, expect, it } from "vitest";
import type { DispatchEvent, VoiceState } from "../api/types";
import { applyDispatch, resetStores } from "./dispatch";
import { channelMembers, moderatorAbilities, qualityLabel, showsSpeaking, useVoice, voiceErrorMessage } from "./voice";

const me = { id: "usr_me", username: "me", created_at: "2025-01-01T00:00:00Z" };
const vs = (user: string, channel: string | null, extra: Partial<VoiceState> = {}): VoiceState => ({
  community_id: "com_1", channel_id: channel, user_id: user, self_mute: false, self_deaf: false, server_mute: false, server_deaf: false, ...extra,
});
const apply = (e: DispatchEvent) => applyDispatch(e);
const members = (channel: string) => channelMembers(useVoice.getState().states, "com_1", channel).map((s) => s.user_id);

beforeEach(() => {
  resetStores();
  apply({
    t: "READY",
    d: { session_id: "gw_1", user: me, communities: [{ id: "com_1", name: "c", owner_id: me.id, created_at: "", channels: [] }], voice_states: [vs("usr_a", "ch_v1"), vs("usr_b", "ch_v2", { self_mute: true })] },
  });
});

describe("voice store over dispatches", () => {
  it("READY's voice_states fill the channels", () => {
    expect(members("ch_v1")).toEqual(["usr_a"]);
    expect(members("ch_v2")).toEqual(["usr_b"]);
    expect(useVoice.getState().states["com_1"]?.["usr_b"]?.self_mute).toBe(true);
  });

  it("a READY without voice_states (older server) clears what we had", () => {
    apply({ t: "READY", d: { session_id: "gw_2", user: me, communities: [] } });
    expect(useVoice.getState().states).toEqual({});
  });

  it("VOICE_STATE_UPDATE joins, moves, changes flags and leaves", () => {
    apply({ t: "VOICE_STATE_UPDATE", d: vs("usr_c", "ch_v1") });
    expect(members("ch_v1")).toEqual(["usr_a", "usr_c"]);
    apply({ t: "VOICE_STATE_UPDATE", d: vs("usr_c", "ch_v2") });
    expect(members("ch_v1")).toEqual(["usr_a"]);
    expect(members("ch_v2")).toEqual(["usr_b", "usr_c"]);
    apply({ t: "VOICE_STATE_UPDATE", d: vs("usr_c", "ch_v2", { server_mute: true, self_deaf: true }) });
    expect(useVoice.getState().states["com_1"]?.["usr_c"]).toMatchObject({ server_mute: true, self_deaf: true });
    apply({ t: "VOICE_STATE_UPDATE", d: vs("usr_c", null) });
    expect(members("ch_v2")).toEqual(["usr_b"]);
    // Leaving twice is harmless.
    apply({ t: "VOICE_STATE_UPDATE", d: vs("usr_c", null) });
    expect(members("ch_v2")).toEqual(["usr_b"]);
  });

  it("VOICE_SPEAKING rings only members in that channel, and leaving or moving clears the ring", () => {
    apply({ t: "VOICE_SPEAKING", d: { community_id: "com_1", channel_id: "ch_v1", user_id: "usr_a", speaking: true } });
    expect(useVoice.getState().speaking["usr_a"]).toBe(true);
    // A late event for someone not (or no longer) in that channel is dropped.
    apply({ t: "VOICE_SPEAKING", d: { community_id: "com_1", channel_id: "ch_v1", user_id: "usr_b", speaking: true } });
    expect(useVoice.getState().speaking["usr_b"]).toBeUndefined();
    apply({ t: "VOICE_SPEAKING", d: { community_id: "com_1", channel_id: "ch_v1", user_id: "usr_a", speaking: false } });
    expect(useVoice.getState().speaking["usr_a"]).toBe(false);
    apply({ t: "VOICE_SPEAKING", d: { community_id: "com_1", channel_id: "ch_v1", user_id: "usr_a", speaking: true } });
    apply({ t: "VOICE_STATE_UPDATE", d: vs("usr_a", "ch_v2") });
    expect(useVoice.getState().speaking["usr_a"]).toBeUndefined();
    // A flag change in the same channel keeps the ring.
    apply({ t: "VOICE_SPEAKING", d: { community_id: "com_1", channel_id: "ch_v2", user_id: "usr_a", speaking: true } });
    apply({ t: "VOICE_STATE_UPDATE", d: vs("usr_a", "ch_v2", { self_mute: true }) });
    expect(useVoice.getState().speaking["usr_a"]).toBe(true);
  });

  it("draws no speaking ring for a muted member, even if the media server still reports talking", () => {
    const speaking = { usr_a: true };
    expect(showsSpeaking(vs("usr_a", "ch_v1"), speaking)).toBe(true);
    expect(showsSpeaking(vs("usr_a", "ch_v1", { server_mute: true }), speaking)).toBe(false);
    expect(showsSpeaking(vs("usr_a", "ch_v1", { self_mute: true }), speaking)).toBe(false);
    expect(showsSpeaking(vs("usr_b", "ch_v1"), speaking)).toBe(false);
  });

  it("VOICE_ERROR becomes a human alert, with the server's reason when voice is unavailable", () => {
    apply({ t: "VOICE_ERROR", d: { channel_id: "ch_v1", code: "voice_unavailable", message: "Janus is not installed" } });
    expect(useVoice.getState().alert).toBe("Voice is unavailable on this server: Janus is not installed");
    apply({ t: "VOICE_ERROR", d: { channel_id: "ch_v1", code: "channel_full", message: "full" } });
    expect(useVoice.getState().alert).toMatch(/full/);
    useVoice.getState().setAlert(null);
    apply({ t: "VOICE_ERROR", d: { channel_id: "ch_v1", code: "not_in_voice", message: "stale" } });
    expect(useVoice.getState().alert).toBeNull();
  });

  it("leaving a community forgets its voice states; sign-out resets everything", () => {
    apply({ t: "COMMUNITY_DELETE", d: { id: "com_1" } });
    expect(useVoice.getState().states["com_1"]).toBeUndefined();
    useVoice.getState().setConnection({ channelId: "ch_v1", phase: "connected" });
    resetStores();
    expect(useVoice.getState().phase).toBe("idle");
    expect(useVoice.getState().channelId).toBeNull();
  });
});

describe("voice helpers", () => {
  it("labels quality from round trip and loss", () => {
    expect(qualityLabel(null, null)).toBeNull();
    expect(qualityLabel(20, 0)).toBe("good");
    expect(qualityLabel(149, 0.019)).toBe("good");
    expect(qualityLabel(200, 0)).toBe("fair");
    expect(qualityLabel(40, 0.05)).toBe("fair");
    expect(qualityLabel(350, 0)).toBe("poor");
    expect(qualityLabel(40, 0.2)).toBe("poor");
    expect(qualityLabel(null, 0.01)).toBe("good");
  });

  it("maps every documented error code to a message that is not the raw code", () => {
    for (const code of ["voice_unavailable", "unknown_channel", "not_voice_channel", "missing_permissions", "timed_out", "channel_full", "media_failed", "not_in_voice", "invalid_signal", "disconnected", "mic_denied", "mic_missing"]) {
      const text = voiceErrorMessage({ code, message: "" });
      // A sentence of its own, not the raw code and not the generic fallback.
      expect(text).not.toContain("_");
      expect(text).not.toBe(voiceErrorMessage({ code: "some_new_code", message: "" }));
      expect(text.length).toBeGreaterThan(15);
    }
    expect(voiceErrorMessage({ code: "something_new", message: "Server says no" })).toBe("Server says no");
  });

  it("derives moderator abilities from the channel's bits, Administrator, or ownership", () => {
    const perms = { community: "0", channels: { ch_a: String((1 << 23) | 1), ch_b: String(2 ** 31), ch_c: String(1 << 25) } };
    expect(moderatorAbilities(perms, "ch_a", false)).toEqual({ mute: true, deafen: false, move: false });
    expect(moderatorAbilities(perms, "ch_b", false)).toEqual({ mute: true, deafen: true, move: true });
    expect(moderatorAbilities(perms, "ch_c", false)).toEqual({ mute: false, deafen: false, move: true });
    expect(moderatorAbilities(undefined, "ch_a", false)).toEqual({ mute: false, deafen: false, move: false });
    expect(moderatorAbilities(undefined, "ch_a", true)).toEqual({ mute: true, deafen: true, move: true });
  });
});
