import { create } from "zustand";
import type { Invite } from "../api/types";

interface InvitesState {
  byCommunity: Record<string, Record<string, Invite>>;
  upsert: (i: Invite) => void;
  remove: (communityId: string, code: string) => void;
  removeCommunity: (communityId: string) => void;
}

export const useInvites = create<InvitesState>()((set) => ({
  byCommunity: {},
  upsert: (i) =>
    set((s) => ({ byCommunity: { ...s.byCommunity, [i.community_id]: { ...s.byCommunity[i.community_id], [i.code]: i } } })),
  remove: (communityId, code) =>
    set((s) => {
      const list = s.byCommunity[communityId];
      if (!list || !(code in list)) return s;
      const { [code]: _gone, ...rest } = list;
      return { byCommunity: { ...s.byCommunity, [communityId]: rest } };
    }),
  removeCommunity: (communityId) =>
    set((s) => {
      const { [communityId]: _gone, ...rest } = s.byCommunity;
      return { byCommunity: rest };
    }),
}));
