import { useEffect } from "react";
import { create } from "zustand";
import { rest } from "../../app/runtime";
import type { PodInfo } from "../../api/types";

interface PodInfoState {
  info: PodInfo | null;
  /** The last fetch failed (server unreachable): pages go on without the pod's details. */
  failed: boolean;
  set: (info: PodInfo) => void;
}

/** What this pod is (GET /pod), fetched once per page load and again after setup or a settings change. */
export const usePodInfoStore = create<PodInfoState>()((set) => ({ info: null, failed: false, set: (info) => set({ info, failed: false }) }));

let loading: Promise<void> | null = null;

export function reloadPodInfo(): Promise<void> {
  loading = rest
    .pod()
    .then((info) => usePodInfoStore.getState().set(info))
    .catch(() => {
      // Unknown for now (server unreachable): pages show no pod details, and the next visit tries again.
      loading = null;
      usePodInfoStore.setState({ failed: true });
    });
  return loading;
}

/** The pod's public details; null until they arrive. */
export function usePodInfo(): PodInfo | null {
  const info = usePodInfoStore((s) => s.info);
  useEffect(() => {
    if (!info && !loading) void reloadPodInfo();
  }, [info]);
  return info;
}
