import { create } from "zustand";

/** Which person's profile card is open, and from which community (for their roles there); null: none. */
interface ProfileCardState {
  open: { userId: string; communityId: string | null } | null;
  show: (userId: string, communityId: string | null) => void;
  close: () => void;
}

export const useProfileCard = create<ProfileCardState>()((set) => ({
  open: null,
  show: (userId, communityId) => set({ open: { userId, communityId: communityId || null } }),
  close: () => set({ open: null }),
}));
