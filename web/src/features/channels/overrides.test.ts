import { describe, expect, it } from "vitest";
import { ChannelType, type PermissionDefinition } from "../../api/types";
import { channelScopedMask, overrideRights, permissionsAsRole, permissionsFor, stateOf, withState } from "./overrides";

const def = (name: string, bit: number, channel_scoped = true): PermissionDefinition => ({ name, bit, description: name, everyone_default: false, channel_scoped });
const table = [
  def("VIEW_CHANNEL", 0), def("SEND_MESSAGES", 1), def("SEND_ATTACHMENTS", 2), def("READ_MESSAGE_HISTORY", 3), def("MENTION_EVERYONE", 5),
  def("MANAGE_ROLES", 8), def("MANAGE_COMMUNITY", 9, false), def("KICK_MEMBERS", 11, false), def("EMBED_LINKS", 14), def("VOICE_CONNECT", 21), def("ADMINISTRATOR", 31, false),
];
const scoped = channelScopedMask(table);
const b = (...bits: number[]) => bits.reduce((m, x) => m | (1n << BigInt(x)), 0n);
const everyone = { id: "rol_every", permissions: b(0, 1, 2, 3, 14, 21).toString() };
const mods = { id: "rol_mods", permissions: b(11).toString() };

describe("permissionsFor", () => {
  it("offers only channel-scoped bits, without voice bits in text channels and without text bits in voice channels", () => {
    expect(permissionsFor(table, ChannelType.Text).map((p) => p.name)).toEqual(["VIEW_CHANNEL", "SEND_MESSAGES", "SEND_ATTACHMENTS", "READ_MESSAGE_HISTORY", "MENTION_EVERYONE", "MANAGE_ROLES", "EMBED_LINKS"]);
    expect(permissionsFor(table, ChannelType.Voice).map((p) => p.name)).toEqual(["VIEW_CHANNEL", "MANAGE_ROLES", "VOICE_CONNECT"]);
    expect(permissionsFor(table, ChannelType.Category)).toHaveLength(8);
  });
});

describe("three states", () => {
  it("reads and writes allow, inherit and deny without ever setting both", () => {
    const o = { allow: "1", deny: "2" };
    expect(stateOf(o, 0)).toBe("allow");
    expect(stateOf(o, 1)).toBe("deny");
    expect(stateOf(o, 3)).toBe("inherit");
    expect(stateOf(undefined, 0)).toBe("inherit");
    expect(withState(o, 1, "allow")).toEqual({ allow: "3", deny: "0" });
    expect(withState(o, 0, "deny")).toEqual({ allow: "0", deny: "3" });
    expect(withState(o, 0, "inherit")).toEqual({ allow: "0", deny: "2" });
    expect(withState(undefined, 31, "deny")).toEqual({ allow: "0", deny: "2147483648" });
  });
});

describe("permissionsAsRole", () => {
  it("without overrides is @everyone's bits together with the role's", () => {
    expect(permissionsAsRole(everyone, mods, [], scoped).bits).toBe(b(0, 1, 2, 3, 14, 21, 11));
  });

  it("a denied VIEW_CHANNEL for @everyone removes every channel bit but keeps community-wide ones", () => {
    const overrides = [{ type: "role" as const, id: everyone.id, allow: "0", deny: "1" }];
    expect(permissionsAsRole(everyone, everyone, overrides, scoped).bits).toBe(0n);
    expect(permissionsAsRole(everyone, mods, overrides, scoped).bits).toBe(b(11));
  });

  it("the role's allow beats the @everyone deny; the role's deny beats the @everyone allow", () => {
    const overrides = [
      { type: "role" as const, id: everyone.id, allow: b(5).toString(), deny: "1" },
      { type: "role" as const, id: mods.id, allow: "1", deny: b(5).toString() },
    ];
    const { bits } = permissionsAsRole(everyone, mods, overrides, scoped);
    expect(bits & b(0)).toBe(b(0));
    expect(bits & b(5)).toBe(0n);
  });

  it("without SEND_MESSAGES attachments, link previews and @everyone mentions do not count", () => {
    const overrides = [{ type: "role" as const, id: mods.id, allow: b(5).toString(), deny: b(1).toString() }];
    expect(permissionsAsRole(everyone, mods, overrides, scoped).bits).toBe(b(0, 3, 21, 11));
  });

  it("ignores user overrides and other roles' overrides", () => {
    const overrides = [
      { type: "user" as const, id: "usr_1", allow: "0", deny: "1" },
      { type: "role" as const, id: "rol_other", allow: "0", deny: "1" },
    ];
    expect(permissionsAsRole(everyone, mods, overrides, scoped).bits & b(0)).toBe(b(0));
  });

  it("ADMINISTRATOR holds everything, overrides do not apply", () => {
    const admin = { id: "rol_admin", permissions: b(31).toString() };
    const r = permissionsAsRole(everyone, admin, [{ type: "role", id: everyone.id, allow: "0", deny: "1" }], scoped);
    expect(r.administrator).toBe(true);
    expect(r.bits & b(0)).toBe(b(0));
  });
});

describe("overrideRights", () => {
  it("role overrides need MANAGE_ROLES, user overrides MANAGE_CHANNELS; the owner and administrators have both", () => {
    expect(overrideRights(b(0, 8).toString(), false)).toEqual({ roles: true, users: false });
    expect(overrideRights(b(0, 7).toString(), false)).toEqual({ roles: false, users: true });
    expect(overrideRights(b(0).toString(), false)).toEqual({ roles: false, users: false });
    expect(overrideRights(undefined, true)).toEqual({ roles: true, users: true });
    expect(overrideRights(b(31).toString(), false)).toEqual({ roles: true, users: true });
  });
});
