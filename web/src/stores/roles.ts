// The roles of each community, fetched when something first needs their names (a `<@&role>` in a
// message, the `@` autocomplete). Kept per community; a failed fetch is retried on the next need.
import { create } from "zustand";
import type { Role } from "../api/types";

interface RolesState {
  byCommunity: Record<string, Role[]>;
  loading: Record<string, boolean>;
  ensure: (communityId: string, fetchRoles: (communityId: string) => Promise<Role[]>) => void;
  forget: (communityId: string) => void;
}

export const useRoles = create<RolesState>()((set, get) => ({
  byCommunity: {},
  loading: {},
  ensure: (communityId, fetchRoles) => {
    if (get().byCommunity[communityId] || get().loading[communityId]) return;
    set((s) => ({ loading: { ...s.loading, [communityId]: true } }));
    fetchRoles(communityId).then(
      (roles) => set((s) => ({ byCommunity: { ...s.byCommunity, [communityId]: roles }, loading: { ...s.loading, [communityId]: false } })),
      () => set((s) => ({ loading: { ...s.loading, [communityId]: false } })),
    );
  },
  forget: (communityId) =>
    set((s) => {
      const { [communityId]: _gone, ...rest } = s.byCommunity;
      return { byCommunity: rest };
    }),
}));
