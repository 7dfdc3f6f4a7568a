import { create } from "zustand";
import type { Report } from "../api/types";

/** Oldest first: the queue is worked through in the order reports came in. */
export function reportQueue(reports: readonly Report[]): Report[] {
  return [...reports].sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * An open queue after a report event: an open report joins it (once), a decided one (resolved or dismissed, by
 * anyone) leaves it. Returns the same array when nothing changes.
 */
export function applyReport(queue: readonly Report[], report: Report): readonly Report[] {
  const known = queue.some((r) => r.id === report.id);
  if (report.status === "open") return known ? queue : reportQueue([...queue, report]);
  return known ? queue.filter((r) => r.id !== report.id) : queue;
}

/** The open report queues of the communities whose queue a moderator has opened; live through REPORT_CREATE / REPORT_UPDATE. */
interface ReportsState {
  open: Record<string, readonly Report[]>;
  setQueue: (communityId: string, reports: readonly Report[]) => void;
  /** A report event: only a queue already loaded changes (the server sends these to moderators and the reporter). */
  apply: (report: Report) => void;
  removeCommunity: (communityId: string) => void;
}

export const useReports = create<ReportsState>()((set) => ({
  open: {},
  setQueue: (communityId, reports) => set((s) => ({ open: { ...s.open, [communityId]: reportQueue(reports.filter((r) => r.status === "open")) } })),
  apply: (report) =>
    set((s) => {
      const queue = s.open[report.community_id];
      if (!queue) return s;
      const next = applyReport(queue, report);
      return next === queue ? s : { open: { ...s.open, [report.community_id]: next } };
    }),
  removeCommunity: (communityId) =>
    set((s) => {
      if (!(communityId in s.open)) return s;
      const { [communityId]: _gone, ...open } = s.open;
      return { open };
    }),
}));
