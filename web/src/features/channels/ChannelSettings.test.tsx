import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Channel, ChannelOverride, Role } from "../../api/types";
import { rest } from "../../app/runtime";
import i18n from "../../i18n";
import { useChannels } from "../../stores/channels";
import { useMembers } from "../../stores/members";
import { useRoles } from "../../stores/roles";
import { ChannelSettings } from "./ChannelSettings";

const category: Channel = { id: "ch_staff", community_id: "com_1", name: "Staff", type: 4, position: 0, created_at: "" };
const plans: Channel = { id: "ch_plans", community_id: "com_1", name: "plans", type: 0, parent_id: "ch_staff", position: 1, created_at: "", permissions_synced: true };
const everyone: Role = { id: "com_1", community_id: "com_1", name: "@everyone", permissions: "0", position: 0, is_everyone: true, created_at: "" };
const table = {
  community: [{ name: "VIEW_CHANNEL", bit: 10, description: "See the channel", everyone_default: true, channel_scoped: true }],
  everyone_default: "0",
  pod: [],
  pod_everyone_default: "0",
};

async function open(lng: string) {
  await i18n.changeLanguage(lng);
  useChannels.getState().replaceAll([category, plans]);
  useRoles.getState().setAll("com_1", [everyone]);
  useMembers.getState().setAll("com_1", []);
  vi.spyOn(rest, "permissionTable").mockResolvedValue(table);
  vi.spyOn(rest, "channelOverrides").mockResolvedValue([] as ChannelOverride[]);
  render(<ChannelSettings channel={plans} rights={{ roles: true, users: true }} onClose={() => undefined} />);
  await screen.findByTestId("override-editor");
}

afterEach(async () => {
  cleanup();
  vi.restoreAllMocks();
  await i18n.changeLanguage("en");
});

describe("channel permission editor", () => {
  it("speaks English with the category's name in the sync text", async () => {
    await open("en");
    expect(screen.getByTestId("sync-status").textContent).toBe(
      "Synced with category Staff. Changing an override here copies the category's overrides and stops the sync.",
    );
    expect(screen.getByRole("radio", { name: "Allow: View channel", hidden: true })).toBeTruthy();
    expect(screen.getByRole("radio", { name: "Inherit: View channel", hidden: true })).toBeTruthy();
    expect(screen.getByText("View as role")).toBeTruthy();
  });

  it("speaks Brazilian Portuguese", async () => {
    await open("pt-BR");
    expect(screen.getByTestId("sync-status").textContent).toBe(
      "Sincronizado com a categoria Staff. Alterar uma substituição aqui copia as substituições da categoria e interrompe a sincronização.",
    );
    expect(screen.getByRole("radio", { name: "Permitir: View channel", hidden: true })).toBeTruthy();
    expect(screen.getByRole("radio", { name: "Herdar: View channel", hidden: true })).toBeTruthy();
    expect(screen.getByRole("radio", { name: "Negar: View channel", hidden: true })).toBeTruthy();
    expect(screen.getByText("Ver como cargo")).toBeTruthy();
    expect(screen.getByText("Cargos e membros")).toBeTruthy();
  });
});
