import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Channel } from "../../api/types";
import { useChannels } from "../../stores/channels";
import { useSession } from "../../stores/session";
import { useVoice, voiceDot } from "../../stores/voice";
import { VoiceIndicator } from "./VoiceIndicator";

const general: Channel = { id: "ch_general", community_id: "com_1", name: "General", type: 1, position: 1, created_at: "" };
const base = { phase: "connected" as const, selfMute: false, selfDeaf: false, serverMute: false, speaking: false };

describe("voiceDot", () => {
  it("puts the connection first, then any mute, then speaking", () => {
    expect(voiceDot({ ...base, phase: "connecting", speaking: true })).toBe("connecting");
    expect(voiceDot({ ...base, phase: "reconnecting", selfMute: true })).toBe("reconnecting");
    expect(voiceDot({ ...base, selfMute: true, speaking: true })).toBe("muted");
    expect(voiceDot({ ...base, selfDeaf: true })).toBe("muted");
    // Janus can keep reporting a server-muted member as talking: the dot says muted.
    expect(voiceDot({ ...base, serverMute: true, speaking: true })).toBe("muted");
    expect(voiceDot({ ...base, speaking: true })).toBe("speaking");
    expect(voiceDot(base)).toBe("connected");
  });
});

describe("VoiceIndicator", () => {
  beforeEach(() => {
    useSession.getState().setUser({ id: "usr_me", username: "me", created_at: "" });
    useChannels.getState().replaceAll([general]);
    useVoice.getState().reset();
  });
  afterEach(cleanup);

  it("is absent out of voice", () => {
    render(<VoiceIndicator />);
    expect(screen.queryByTestId("voice-indicator")).toBeNull();
  });

  it("shows the channel and a dot that follows speaking and mute; Mute and Disconnect work", () => {
    act(() => useVoice.getState().setConnection({ channelId: general.id, communityId: "com_1", phase: "connecting" }));
    render(<VoiceIndicator />);
    const bar = screen.getByRole("region", { name: "Voice call" });
    expect(screen.getByTestId("voice-indicator-channel").textContent).toContain("General");
    expect(screen.getByTestId("voice-indicator-status").textContent).toBe("Connecting…");

    act(() => useVoice.getState().setConnection({ phase: "connected" }));
    expect(screen.getByTestId("voice-indicator-dot").dataset.state).toBe("connected");
    act(() => useVoice.getState().applyState({ community_id: "com_1", channel_id: general.id, user_id: "usr_me", self_mute: false, self_deaf: false, server_mute: false, server_deaf: false }));
    act(() => useVoice.getState().applySpeaking({ community_id: "com_1", channel_id: general.id, user_id: "usr_me", speaking: true }));
    expect(screen.getByTestId("voice-indicator-dot").dataset.state).toBe("speaking");
    expect(screen.getByTestId("voice-indicator-status").textContent).toBe("Speaking");

    const mute = screen.getByRole("button", { name: "Mute" });
    expect(mute.getAttribute("aria-pressed")).toBe("false");
    fireEvent.click(mute);
    expect(useVoice.getState().selfMute).toBe(true);
    expect(mute.getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByTestId("voice-indicator-dot").dataset.state).toBe("muted");
    fireEvent.click(mute);
    expect(mute.getAttribute("aria-pressed")).toBe("false");

    // Hidden from md up, where the sidebar's voice bar is always on screen.
    expect(bar.className).toContain("md:hidden");
    fireEvent.click(screen.getByRole("button", { name: "Disconnect" }));
    expect(useVoice.getState().phase).toBe("idle");
    expect(screen.queryByTestId("voice-indicator")).toBeNull();
  });
});
