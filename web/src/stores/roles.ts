// The roles of each community: fetched whole by the community settings, or when something first needs their names
// (a `<@&role>` in a message, the `@` autocomplete); kept current by COMMUNITY_ROLE_* dispatches.
import { create } from "zustand";
import type { Role } from "../api/types";

interface RolesState {
  /** community id → role id → role; only communities whose roles were fetched (GET /roles) are here. */
  byCommunity: Record<string, Record<string, Role>>;
  setAll: (communityId: string, list: Role[]) => void;
  upsert: (role: Role) => void;
  remove: (communityId: string, roleId: string) => void;
  removeCommunity: (communityId: string) => void;
  /** Fetches a community's roles once, unless they are here or on their way; a failed fetch is retried on the next need. */
  ensure: (communityId: string, fetchRoles: (communityId: string) => Promise<Role[]>) => void;
  loading: Record<string, boolean>;
}

export const useRoles = create<RolesState>()((set, get) => ({
  byCommunity: {},
  loading: {},
  ensure: (communityId, fetchRoles) => {
    if (get().byCommunity[communityId] || get().loading[communityId]) return;
    set((s) => ({ loading: { ...s.loading, [communityId]: true } }));
    fetchRoles(communityId).then(
      (roles) => {
        get().setAll(communityId, roles);
        set((s) => ({ loading: { ...s.loading, [communityId]: false } }));
      },
      () => set((s) => ({ loading: { ...s.loading, [communityId]: false } })),
    );
  },
  setAll: (communityId, list) => set((s) => ({ byCommunity: { ...s.byCommunity, [communityId]: Object.fromEntries(list.map((r) => [r.id, r])) } })),
  upsert: (role) =>
    set((s) => {
      // A community whose list was never fetched stays unfetched: one role would pass for the whole list.
      const known = s.byCommunity[role.community_id];
      if (!known) return s;
      return { byCommunity: { ...s.byCommunity, [role.community_id]: { ...known, [role.id]: role } } };
    }),
  remove: (communityId, roleId) =>
    set((s) => {
      const known = s.byCommunity[communityId];
      if (!known || !(roleId in known)) return s;
      const { [roleId]: _gone, ...rest } = known;
      return { byCommunity: { ...s.byCommunity, [communityId]: rest } };
    }),
  removeCommunity: (communityId) =>
    set((s) => {
      if (!(communityId in s.byCommunity)) return s;
      const { [communityId]: _gone, ...rest } = s.byCommunity;
      return { byCommunity: rest };
    }),
}));

/** Highest first, as the hierarchy reads (ties: the server's order, by id); @everyone last. */
export function rolesInHierarchy(byId: Record<string, Role> | undefined): Role[] {
  return Object.values(byId ?? {}).sort((a, b) => b.position - a.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The colour a member's name shows: that of their highest coloured role (none: the default text colour). */
export function memberColor(roleIds: readonly string[] | undefined, byId: Record<string, Role> | undefined): string | undefined {
  let best: Role | undefined;
  for (const id of roleIds ?? []) {
    const r = byId?.[id];
    if (!r || r.color == null || r.is_everyone) continue;
    if (!best || r.position > best.position || (r.position === best.position && r.id < best.id)) best = r;
  }
  return best?.color != null ? colorToHex(best.color) : undefined;
}

export const colorToHex = (color: number): string => `#${(color & 0xffffff).toString(16).padStart(6, "0")}`;
export const hexToColor = (hex: string): number => Number.parseInt(hex.replace(/^#/, ""), 16) & 0xffffff;
