import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Channel } from "../../api/types";
import { useChannels } from "../../stores/channels";
import { useSession } from "../../stores/session";
import { useVoice } from "../../stores/voice";
import { VoiceBar } from "./VoiceBar";

const general: Channel = { id: "ch_general", community_id: "com_1", name: "General", type: 1, position: 1, created_at: "" };
const stats = { rttMs: 20, loss: 0, inboundPackets: 100, outboundPackets: 100, inboundLevel: 0.5, inboundEnergy: 1 };

beforeEach(() => {
  useSession.getState().setUser({ id: "usr_me", username: "me", created_at: "" });
  useChannels.getState().replaceAll([general]);
  useVoice.getState().reset();
});
afterEach(cleanup);

describe("VoiceBar quality line", () => {
  it("shows the measured quality while connected and Reconnecting… while the call recovers", () => {
    act(() => useVoice.getState().setConnection({ channelId: general.id, communityId: "com_1", phase: "connected", stats }));
    render(<VoiceBar />);
    expect(screen.getByTestId("voice-quality").textContent).toBe("Good · 20 ms · 0.0% loss");
    act(() => useVoice.getState().setConnection({ phase: "reconnecting" }));
    expect(screen.getByTestId("voice-phase").textContent).toBe("Reconnecting…");
    expect(screen.getByTestId("voice-quality").textContent).toBe("Reconnecting…");
    act(() => useVoice.getState().setConnection({ phase: "connecting", stats: null }));
    expect(screen.getByTestId("voice-quality").textContent).toBe("Measuring connection…");
  });
});
