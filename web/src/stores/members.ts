import { create } from "zustand";
import type { Member, UserSummary } from "../api/types";
import { stripBidiControls } from "../ui/safeText";

interface MembersState {
  /** community id → user id → member */
  byCommunity: Record<string, Record<string, Member>>;
  /** Communities whose full member list has been fetched. */
  complete: Record<string, boolean>;
  /** Every user we have seen (authors, members), for mention names. */
  users: Record<string, UserSummary>;
  setAll: (communityId: string, list: Member[]) => void;
  upsert: (m: Member) => void;
  remove: (communityId: string, userId: string) => void;
  removeCommunity: (communityId: string) => void;
  rememberUsers: (list: UserSummary[]) => void;
  /** USER_UPDATE: the user's new name or picture, everywhere they are listed. */
  updateUser: (user: UserSummary) => void;
}

export const useMembers = create<MembersState>()((set) => ({
  byCommunity: {},
  complete: {},
  users: {},
  setAll: (communityId, list) =>
    set((s) => ({
      byCommunity: { ...s.byCommunity, [communityId]: Object.fromEntries(list.map((m) => [m.user.id, m])) },
      complete: { ...s.complete, [communityId]: true },
      users: { ...s.users, ...Object.fromEntries(list.map((m) => [m.user.id, m.user])) },
    })),
  upsert: (m) =>
    set((s) => ({
      byCommunity: { ...s.byCommunity, [m.community_id]: { ...s.byCommunity[m.community_id], [m.user.id]: m } },
      users: { ...s.users, [m.user.id]: m.user },
    })),
  remove: (communityId, userId) =>
    set((s) => {
      const list = s.byCommunity[communityId];
      if (!list || !(userId in list)) return s;
      const { [userId]: _gone, ...rest } = list;
      return { byCommunity: { ...s.byCommunity, [communityId]: rest } };
    }),
  removeCommunity: (communityId) =>
    set((s) => {
      const { [communityId]: _a, ...byCommunity } = s.byCommunity;
      const { [communityId]: _b, ...complete } = s.complete;
      return { byCommunity, complete };
    }),
  rememberUsers: (list) =>
    set((s) => {
      let changed = false;
      const users = { ...s.users };
      for (const u of list) {
        const prev = users[u.id];
        if (!prev || prev.username !== u.username || prev.display_name !== u.display_name || prev.avatar_url !== u.avatar_url) {
          users[u.id] = u;
          changed = true;
        }
      }
      return changed ? { users } : s;
    }),
  updateUser: (user) =>
    set((s) => {
      const byCommunity: Record<string, Record<string, Member>> = {};
      for (const [communityId, list] of Object.entries(s.byCommunity)) {
        const member = list[user.id];
        byCommunity[communityId] = member ? { ...list, [user.id]: { ...member, user } } : list;
      }
      return { byCommunity, users: { ...s.users, [user.id]: user } };
    }),
}));

/** The name to show for a user; bidi controls stored before the server refused them are dropped (see ui/safeText). */
export const displayName = (u: UserSummary | undefined | null): string => (u ? stripBidiControls(u.display_name || u.username) : "Unknown user");
