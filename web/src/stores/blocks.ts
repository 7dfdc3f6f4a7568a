import { create } from "zustand";

/** The people I blocked (GET /users/@me/blocks, then my own changes): their messages in shared channels are collapsed. */
interface BlocksState {
  ids: Record<string, true>;
  replaceAll: (ids: string[]) => void;
  set: (userId: string, blocked: boolean) => void;
}

export const useBlocks = create<BlocksState>()((set) => ({
  ids: {},
  replaceAll: (ids) => set({ ids: Object.fromEntries(ids.map((id) => [id, true as const])) }),
  set: (userId, blocked) =>
    set((s) => {
      if (blocked === (userId in s.ids)) return s;
      const ids = { ...s.ids };
      if (blocked) ids[userId] = true;
      else delete ids[userId];
      return { ids };
    }),
}));
