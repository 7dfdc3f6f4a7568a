import { create } from "zustand";
import { ChannelType, type Channel } from "../api/types";

interface ChannelsState {
  byId: Record<string, Channel>;
  replaceAll: (list: Channel[]) => void;
  /** Replace the channels of one community (READY / COMMUNITY_CREATE / REST list). */
  replaceCommunity: (communityId: string, list: Channel[]) => void;
  upsert: (c: Channel) => void;
  remove: (id: string) => void;
  removeCommunity: (communityId: string) => void;
}

export const useChannels = create<ChannelsState>()((set) => ({
  byId: {},
  replaceAll: (list) => set({ byId: Object.fromEntries(list.map((c) => [c.id, c])) }),
  replaceCommunity: (communityId, list) =>
    set((s) => {
      const byId: Record<string, Channel> = {};
      for (const c of Object.values(s.byId)) if (c.community_id !== communityId) byId[c.id] = c;
      for (const c of list) byId[c.id] = c;
      return { byId };
    }),
  upsert: (c) => set((s) => ({ byId: { ...s.byId, [c.id]: { ...s.byId[c.id], ...c } } })),
  remove: (id) =>
    set((s) => {
      if (!(id in s.byId)) return s;
      const { [id]: _gone, ...rest } = s.byId;
      return { byId: rest };
    }),
  removeCommunity: (communityId) =>
    set((s) => ({ byId: Object.fromEntries(Object.entries(s.byId).filter(([, c]) => c.community_id !== communityId)) })),
}));

const byPosition = (a: Channel, b: Channel) => a.position - b.position || (a.id < b.id ? -1 : 1);

export interface ChannelGroup {
  category: Channel | null;
  channels: Channel[];
}

/** Channels of a community grouped under their categories, uncategorised first, each sorted by position. */
export function groupChannels(all: Record<string, Channel>, communityId: string): ChannelGroup[] {
  const mine = Object.values(all).filter((c) => c.community_id === communityId);
  const categories = mine.filter((c) => c.type === ChannelType.Category).sort(byPosition);
  const categoryIds = new Set(categories.map((c) => c.id));
  const leaves = mine.filter((c) => c.type !== ChannelType.Category).sort(byPosition);
  const groups: ChannelGroup[] = [{ category: null, channels: leaves.filter((c) => !c.parent_id || !categoryIds.has(c.parent_id)) }];
  for (const cat of categories) groups.push({ category: cat, channels: leaves.filter((c) => c.parent_id === cat.id) });
  return groups;
}

export function firstTextChannel(all: Record<string, Channel>, communityId: string): Channel | undefined {
  for (const g of groupChannels(all, communityId)) {
    const c = g.channels.find((x) => x.type === ChannelType.Text);
    if (c) return c;
  }
  return undefined;
}
