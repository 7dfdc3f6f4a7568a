import { create } from "zustand";
import type { ThreadChannel, ThreadMembersUpdate, ThreadSummary } from "../api/types";
import i18n from "../i18n";
import { formatNumber } from "../i18n/format";

interface ThreadsState {
  byId: Record<string, ThreadChannel>;
  /** The thread shown in the side panel, if any. */
  openId: string | null;
  /** Insert or merge a thread. Gateway payloads carry no `joined`: what we knew of our membership is kept. */
  upsert: (t: ThreadChannel) => void;
  upsertMany: (list: ThreadChannel[]) => void;
  /** THREAD_MEMBERS_UPDATE: the count, and `joined` when the change is about me. */
  members: (update: ThreadMembersUpdate, myId: string | undefined) => void;
  /** The parent channel is gone (deleted, hidden): its threads go with it. */
  removeParent: (parentId: string) => void;
  open: (id: string | null) => void;
}

export const useThreads = create<ThreadsState>()((set) => ({
  byId: {},
  openId: null,
  upsert: (t) => set((s) => ({ byId: { ...s.byId, [t.id]: merge(s.byId[t.id], t) } })),
  upsertMany: (list) =>
    set((s) => {
      const byId = { ...s.byId };
      for (const t of list) byId[t.id] = merge(byId[t.id], t);
      return { byId };
    }),
  members: (update, myId) =>
    set((s) => {
      const t = s.byId[update.id];
      if (!t) return s;
      let joined = t.joined;
      if (myId && update.added_user_ids.includes(myId)) joined = true;
      if (myId && update.removed_user_ids.includes(myId)) joined = false;
      return { byId: { ...s.byId, [t.id]: { ...t, member_count: update.member_count, joined } } };
    }),
  removeParent: (parentId) =>
    set((s) => {
      const gone = Object.values(s.byId).filter((t) => t.parent_id === parentId || t.id === parentId);
      if (gone.length === 0) return s;
      const byId = { ...s.byId };
      for (const t of gone) delete byId[t.id];
      return { byId, openId: s.openId && gone.some((t) => t.id === s.openId) ? null : s.openId };
    }),
  open: (id) => set({ openId: id }),
}));

function merge(prev: ThreadChannel | undefined, next: ThreadChannel): ThreadChannel {
  return { ...prev, ...next, joined: next.joined ?? prev?.joined ?? null };
}

export function summaryOf(t: ThreadChannel): ThreadSummary {
  return {
    id: t.id,
    name: t.name,
    message_count: t.message_count,
    last_message_at: t.last_message_at ?? null,
    last_activity_at: t.last_activity_at,
    archived: t.archived,
  };
}

/** A channel's threads for the list: active ones by latest activity, or archived ones by latest archiving. */
export function threadsOf(byId: Record<string, ThreadChannel>, parentId: string, archived: boolean): ThreadChannel[] {
  return Object.values(byId)
    .filter((t) => t.parent_id === parentId && t.archived === archived)
    .sort((a, b) =>
      archived
        ? (b.archived_at ?? "").localeCompare(a.archived_at ?? "")
        : b.last_activity_at.localeCompare(a.last_activity_at),
    );
}

/** "3 messages" / "1 message". */
export function countLabel(n: number): string {
  return i18n.t("threads:messageCount", { count: n, formatted: formatNumber(n) });
}

const MANAGE_THREADS = 1n << 18n;

/** May I rename and archive this thread? Its owner may; so may whoever holds MANAGE_THREADS in the parent channel. */
export function canManageThread(t: ThreadChannel, myId: string | undefined, parentBits: string | undefined): boolean {
  if (myId && t.owner_id === myId) return true;
  return parentBits !== undefined && (BigInt(parentBits) & MANAGE_THREADS) !== 0n;
}
