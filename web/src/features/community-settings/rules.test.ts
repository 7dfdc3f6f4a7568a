import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../api/types";
import { memberColor } from "../../stores/roles";
import { can, describeAuditEntry, hasBit, reorderedPositions, withPermission } from "./rules";

const entry = (action: string, more: Partial<AuditEntry> = {}): AuditEntry => ({
  id: "aud_1", community_id: "com_1", seq: 1, actor_id: "usr_a", action, target_type: "user", target_id: "usr_b",
  created_at: "2026-01-01T00:00:00Z", prev_hash: "0", hash: "1", ...more,
});
const names = {
  user: (id: string) => ({ usr_a: "alice", usr_b: "bob" })[id] ?? id,
  role: (id: string) => ({ rol_m: "Moderators" })[id] ?? "a deleted role",
  channel: (id: string) => ({ ch_g: "general" })[id] ?? "deleted-channel",
};

describe("permission toggles", () => {
  it("switches one bit on and off and leaves the others", () => {
    expect(withPermission("0", 8, true)).toBe("256");
    expect(withPermission("257", 8, false)).toBe("1");
    expect(withPermission("1", 0, true)).toBe("1");
  });
  it("handles ADMINISTRATOR (bit 31) beyond 32-bit ints", () => {
    const admin = withPermission("0", 31, true);
    expect(admin).toBe("2147483648");
    expect(hasBit(admin, 31)).toBe(true);
    expect(withPermission(admin, 31, false)).toBe("0");
  });
  it("can(): the owner and ADMINISTRATOR always may; otherwise the bit decides", () => {
    expect(can("0", 12, true)).toBe(true);
    expect(can("2147483648", 12, false)).toBe(true);
    expect(can(String(1 << 12), 12, false)).toBe(true);
    expect(can(String(1 << 11), 12, false)).toBe(false);
    expect(can(undefined, 12, false)).toBe(false);
  });
});

describe("audit entries in words", () => {
  it("names actor and target", () => {
    expect(describeAuditEntry(entry("member.ban"), names)).toBe("alice banned bob");
    expect(describeAuditEntry(entry("member.kick"), names)).toBe("alice kicked bob");
    expect(describeAuditEntry(entry("member.timeout"), names)).toBe("alice timed out bob");
  });
  it("reads role grants from the added/removed arrays", () => {
    expect(describeAuditEntry(entry("member.role_update", { changes: { added: ["rol_m"] } }), names)).toBe("alice gave bob the role Moderators");
    expect(describeAuditEntry(entry("member.role_update", { changes: { removed: ["rol_m"] } }), names)).toBe("alice took the role Moderators from bob");
  });
  it("uses the name recorded in the entry for roles (they may be gone since)", () => {
    expect(describeAuditEntry(entry("role.create", { target_type: "role", target_id: "rol_x", changes: { name: "Helpers" } }), names)).toBe("alice created the role Helpers");
    expect(describeAuditEntry(entry("role.update", { target_type: "role", target_id: "rol_m", changes: { name: { old: "Mods", new: "Moderators" } } }), names)).toBe("alice updated the role Moderators");
  });
  it("an unknown action still reads", () => {
    expect(describeAuditEntry(entry("something.new", { actor_id: null }), names)).toBe("The system: something.new");
  });
});

describe("member colour", () => {
  it("is that of the highest coloured role", () => {
    const roles = {
      a: { id: "a", community_id: "c", name: "A", permissions: "0", position: 1, is_everyone: false, color: 0xff0000, created_at: "" },
      b: { id: "b", community_id: "c", name: "B", permissions: "0", position: 3, is_everyone: false, color: 0x00ff00, created_at: "" },
      n: { id: "n", community_id: "c", name: "N", permissions: "0", position: 5, is_everyone: false, created_at: "" },
    };
    expect(memberColor(["a", "b", "n"], roles)).toBe("#00ff00");
    expect(memberColor(["a"], roles)).toBe("#ff0000");
    expect(memberColor([], roles)).toBeUndefined();
  });
});

describe("reordering roles", () => {
  const roles = [{ id: "a", position: 3 }, { id: "b", position: 1 }, { id: "c", position: 1 }];
  it("renumbers top to bottom and sends only what changed", () => {
    expect(reorderedPositions(roles, "c", -1)).toEqual([{ id: "c", position: 2 }]);
    expect(reorderedPositions(roles, "b", -1)).toEqual([{ id: "b", position: 3 }, { id: "a", position: 2 }]);
  });
  it("the top cannot go up nor the bottom down", () => {
    expect(reorderedPositions(roles, "a", -1)).toEqual([]);
    expect(reorderedPositions(roles, "c", 1)).toEqual([]);
  });
});
