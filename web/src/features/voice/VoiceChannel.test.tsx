import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Channel, VoiceState } from "../../api/types";
import { useChannels } from "../../stores/channels";
import { useMembers } from "../../stores/members";
import { useSession } from "../../stores/session";
import { useVoice } from "../../stores/voice";
import { VoiceChannelRow } from "./VoiceChannel";

const ch = (id: string, name: string): Channel => ({ id, community_id: "com_1", name, type: 1, position: 1, created_at: "" });
const general = ch("ch_general", "General");
const vs = (user: string, extra: Partial<VoiceState> = {}): VoiceState => ({
  community_id: "com_1", channel_id: general.id, user_id: user, self_mute: false, self_deaf: false, server_mute: false, server_deaf: false, ...extra,
});

function renderRow(isOwner = false) {
  return render(
    <ul>
      <VoiceChannelRow channel={general} isOwner={isOwner} actions={null} />
    </ul>,
  );
}

beforeEach(() => {
  useSession.getState().setUser({ id: "usr_me", username: "me", created_at: "" });
  useChannels.getState().replaceAll([general, ch("ch_lounge", "Lounge")]);
  useMembers.getState().rememberUsers([{ id: "usr_bob", username: "bob" }, { id: "usr_me", username: "me" }]);
  useVoice.getState().reset();
  useVoice.getState().replaceAllStates([vs("usr_bob", { self_mute: true }), vs("usr_me", { server_deaf: true })]);
});
afterEach(cleanup);

describe("VoiceChannelRow", () => {
  it("shows how many places a limited channel has left, and nothing for an unlimited one", () => {
    renderRow();
    expect(screen.queryByTestId(`voice-limit-${general.id}`)).toBeNull();
    cleanup();
    render(
      <ul>
        <VoiceChannelRow channel={{ ...general, user_limit: 5 }} isOwner={false} actions={null} />
      </ul>,
    );
    expect(screen.getByTestId(`voice-limit-${general.id}`).textContent).toBe("2/5");
  });

  it("lists who is in the channel with their mute and deafen icons, and rings whoever speaks", () => {
    renderRow();
    const list = screen.getByRole("list", { name: "In General" });
    const bob = within(list).getByText("bob").closest("li")!;
    expect(within(bob).getByRole("img", { name: "Muted" })).toBeTruthy();
    const me = within(list).getByText("me").closest("li")!;
    expect(within(me).getByRole("img", { name: "Server deafened" })).toBeTruthy();
    act(() => useVoice.getState().applySpeaking({ community_id: "com_1", channel_id: general.id, user_id: "usr_me", speaking: true }));
    expect(me.getAttribute("data-speaking")).toBe("true");
    expect(within(me).getByTestId("voice-avatar").className).toContain("outline-speaking");
    // Bob is muted: no ring even if the media server says he talks.
    act(() => useVoice.getState().applySpeaking({ community_id: "com_1", channel_id: general.id, user_id: "usr_bob", speaking: true }));
    expect(bob.getAttribute("data-speaking")).toBe("false");
  });

  it("offers moderator actions only for the bits the viewer holds in that channel", () => {
    useVoice.getState().setPerms("com_1", { community: "0", channels: { [general.id]: String(1 << 23) } });
    renderRow();
    fireEvent.click(screen.getByRole("button", { name: "Voice options for bob" }));
    const menu = screen.getByRole("menu");
    expect(within(menu).getAllByRole("menuitem").map((b) => b.textContent)).toEqual(["Server mute"]);
    // Never for yourself.
    expect(screen.queryByRole("button", { name: "Voice options for me" })).toBeNull();
  });

  it("shows no menu without the bits, and everything to the owner", () => {
    useVoice.getState().setPerms("com_1", { community: "0", channels: { [general.id]: "1" } });
    const { unmount } = renderRow();
    expect(screen.queryByRole("button", { name: "Voice options for bob" })).toBeNull();
    unmount();
    renderRow(true);
    fireEvent.contextMenu(screen.getByText("bob").closest("li")!);
    expect(within(screen.getByRole("menu")).getAllByRole("menuitem").map((b) => b.textContent)).toEqual([
      "Server mute",
      "Server deafen",
      "Move to Lounge",
      "Disconnect",
    ]);
  });

  it("says voice is unavailable, with the reason as a tooltip, and explains on click", () => {
    useVoice.getState().setStatus({ available: false, reason: "Janus is not installed" });
    renderRow();
    const button = screen.getByRole("button", { name: "General (voice unavailable)" });
    expect(button.getAttribute("title")).toBe("Janus is not installed");
    fireEvent.click(button);
    expect(useVoice.getState().alert).toBe("Voice is unavailable on this server: Janus is not installed");
    expect(useVoice.getState().phase).toBe("idle");
  });
});
