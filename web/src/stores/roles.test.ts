import { beforeEach, describe, expect, it } from "vitest";
import type { Role } from "../api/types";
import { applyDispatch, resetStores } from "./dispatch";
import { useMembers } from "./members";
import { rolesInHierarchy, useRoles } from "./roles";

const role = (id: string, position: number, extra: Partial<Role> = {}): Role => ({
  id, community_id: "com_1", name: id, permissions: "0", position, is_everyone: false, created_at: "2025-01-01T00:00:00Z", ...extra,
});
const bob = { id: "usr_bob", username: "bob" };

beforeEach(() => {
  resetStores();
  useRoles.getState().setAll("com_1", [role("rol_every", 0, { is_everyone: true }), role("rol_a", 1)]);
  useMembers.getState().setAll("com_1", [{ community_id: "com_1", user: bob, joined_at: "2025-01-01T00:00:00Z", roles: ["rol_a"] }]);
});

describe("role and member dispatches", () => {
  it("COMMUNITY_ROLE_CREATE/UPDATE upsert into a fetched list, hierarchy highest first", () => {
    applyDispatch({ t: "COMMUNITY_ROLE_CREATE", d: role("rol_b", 2, { color: 0xff0000 }) });
    applyDispatch({ t: "COMMUNITY_ROLE_UPDATE", d: role("rol_a", 3) });
    expect(rolesInHierarchy(useRoles.getState().byCommunity["com_1"]).map((r) => r.id)).toEqual(["rol_a", "rol_b", "rol_every"]);
  });
  it("a role of a community whose roles were never fetched is not taken for the whole list", () => {
    applyDispatch({ t: "COMMUNITY_ROLE_CREATE", d: role("rol_x", 1, { community_id: "com_2" }) });
    expect(useRoles.getState().byCommunity["com_2"]).toBeUndefined();
  });
  it("COMMUNITY_ROLE_DELETE removes the role and drops it from members", () => {
    applyDispatch({ t: "COMMUNITY_ROLE_DELETE", d: { id: "rol_a", community_id: "com_1" } });
    expect(useRoles.getState().byCommunity["com_1"]?.["rol_a"]).toBeUndefined();
    expect(useMembers.getState().byCommunity["com_1"]?.["usr_bob"]?.roles).toEqual([]);
  });
  it("COMMUNITY_MEMBER_UPDATE replaces roles and timeout of a listed member", () => {
    applyDispatch({ t: "COMMUNITY_MEMBER_UPDATE", d: { community_id: "com_1", user: bob, joined_at: "2025-01-01T00:00:00Z", roles: [], timeout_until: "2030-01-01T00:00:00Z" } });
    const m = useMembers.getState().byCommunity["com_1"]?.["usr_bob"];
    expect(m?.roles).toEqual([]);
    expect(m?.timeout_until).toBe("2030-01-01T00:00:00Z");
  });
});
