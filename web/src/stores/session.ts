import { create } from "zustand";
import type { User } from "../api/types";

export type AuthStatus = "unknown" | "signedOut" | "signedIn";

interface SessionState {
  status: AuthStatus;
  user: User | null;
  setUser: (user: User) => void;
  setSignedOut: () => void;
}

export const useSession = create<SessionState>()((set) => ({
  status: "unknown",
  user: null,
  setUser: (user) => set({ user, status: "signedIn" }),
  setSignedOut: () => set({ user: null, status: "signedOut" }),
}));

export const myId = (): string | null => useSession.getState().user?.id ?? null;
