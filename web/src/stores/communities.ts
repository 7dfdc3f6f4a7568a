import { create } from "zustand";
import type { Community } from "../api/types";

/** Communities without their channels (those live in the channels store). */
export type CommunityInfo = Omit<Community, "channels">;

interface CommunitiesState {
  byId: Record<string, CommunityInfo>;
  replaceAll: (list: Community[]) => void;
  upsert: (c: Community) => void;
  remove: (id: string) => void;
  setMemberCount: (id: string, count: number) => void;
}

function strip(c: Community): CommunityInfo {
  const { channels: _channels, ...rest } = c;
  return rest;
}

export const useCommunities = create<CommunitiesState>()((set) => ({
  byId: {},
  replaceAll: (list) => set({ byId: Object.fromEntries(list.map((c) => [c.id, strip(c)])) }),
  upsert: (c) =>
    set((s) => {
      const prev = s.byId[c.id];
      // Absent fields are null (the server omits nulls): a removed icon or cleared description must not linger.
      const next: CommunityInfo = { ...prev, ...strip(c), description: c.description ?? null, icon_url: c.icon_url ?? null, message_retention_days: c.message_retention_days ?? null };
      // COMMUNITY_UPDATE carries no member_count: keep the one we know.
      if (c.member_count == null && prev?.member_count != null) next.member_count = prev.member_count;
      return { byId: { ...s.byId, [c.id]: next } };
    }),
  remove: (id) =>
    set((s) => {
      if (!(id in s.byId)) return s;
      const { [id]: _gone, ...rest } = s.byId;
      return { byId: rest };
    }),
  setMemberCount: (id, count) =>
    set((s) => {
      const prev = s.byId[id];
      if (!prev || prev.member_count === count) return s;
      return { byId: { ...s.byId, [id]: { ...prev, member_count: count } } };
    }),
}));

export const sortedCommunities = (byId: Record<string, CommunityInfo>): CommunityInfo[] =>
  Object.values(byId).sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1));
