import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Channel } from "../../api/types";
import { rest } from "../../app/runtime";
import { useChannels } from "../../stores/channels";
import { VoiceChannelSettingsDialog, voiceBody } from "./ChannelDialogs";

const lounge: Channel = { id: "ch_lounge", community_id: "com_1", name: "Lounge", type: 1, position: 1, created_at: "", bitrate: 64_000, user_limit: 0 };

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe("voice channel settings", () => {
  it("turns the form into the request: an empty limit is none, junk is refused by the server", () => {
    expect(voiceBody({ bitrate: 96_000, userLimit: "" })).toEqual({ bitrate: 96_000, user_limit: 0 });
    expect(voiceBody({ bitrate: 64_000, userLimit: " 5 " })).toEqual({ bitrate: 64_000, user_limit: 5 });
    expect(voiceBody({ bitrate: 64_000, userLimit: "many" }).user_limit).toBe(-1);
  });

  it("saves the audio quality and user limit and applies the updated channel", async () => {
    useChannels.getState().replaceAll([lounge]);
    const update = vi.spyOn(rest, "updateChannel").mockResolvedValue({ ...lounge, bitrate: 128_000, user_limit: 5 });
    const onClose = vi.fn();
    render(<VoiceChannelSettingsDialog channel={lounge} onClose={onClose} />);
    fireEvent.change(screen.getByLabelText("Audio quality"), { target: { value: "128000" } });
    fireEvent.change(screen.getByLabelText("User limit"), { target: { value: "5" } });
    fireEvent.click(screen.getByRole("button", { name: "Save", hidden: true })); // jsdom has no showModal: the dialog counts as closed
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(update).toHaveBeenCalledWith("ch_lounge", { bitrate: 128_000, user_limit: 5 });
    expect(useChannels.getState().byId["ch_lounge"]).toMatchObject({ bitrate: 128_000, user_limit: 5 });
  });
});
