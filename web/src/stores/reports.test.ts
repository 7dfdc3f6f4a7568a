import { beforeEach, describe, expect, it } from "vitest";
import type { Report } from "../api/types";
import { applyDispatch } from "./dispatch";
import { applyReport, reportQueue, useReports } from "./reports";

const report = (id: string, created_at: string, status: Report["status"] = "open", community_id = "com_1"): Report => ({
  id,
  community_id,
  channel_id: "ch_1",
  message_id: "10",
  message_author_id: "usr_b",
  message_content: "spam",
  reporter_id: "usr_a",
  reason: "spam",
  status,
  created_at,
});

describe("report queue rules", () => {
  it("puts the oldest report first, ties by id", () => {
    const queue = reportQueue([report("rep_3", "2026-01-02T00:00:00Z"), report("rep_2", "2026-01-01T00:00:00Z"), report("rep_1", "2026-01-02T00:00:00Z")]);
    expect(queue.map((x) => x.id)).toEqual(["rep_2", "rep_1", "rep_3"]);
  });
  it("adds an open report once, in order, and drops a decided one", () => {
    const queue = [report("rep_1", "2026-01-01T00:00:00Z"), report("rep_3", "2026-01-03T00:00:00Z")];
    const added = applyReport(queue, report("rep_2", "2026-01-02T00:00:00Z"));
    expect(added.map((x) => x.id)).toEqual(["rep_1", "rep_2", "rep_3"]);
    expect(applyReport(added, report("rep_2", "2026-01-02T00:00:00Z"))).toBe(added);
    expect(applyReport(added, report("rep_2", "2026-01-02T00:00:00Z", "resolved")).map((x) => x.id)).toEqual(["rep_1", "rep_3"]);
    expect(applyReport(added, report("rep_1", "2026-01-01T00:00:00Z", "dismissed")).map((x) => x.id)).toEqual(["rep_2", "rep_3"]);
    expect(applyReport(queue, report("rep_9", "2026-01-09T00:00:00Z", "resolved"))).toBe(queue);
  });
});

describe("report events", () => {
  beforeEach(() => useReports.setState({ open: {} }));
  it("change only a queue a moderator has loaded", () => {
    applyDispatch({ t: "REPORT_CREATE", d: report("rep_1", "2026-01-01T00:00:00Z") });
    expect(useReports.getState().open).toEqual({});
    useReports.getState().setQueue("com_1", []);
    applyDispatch({ t: "REPORT_CREATE", d: report("rep_1", "2026-01-01T00:00:00Z") });
    applyDispatch({ t: "REPORT_CREATE", d: report("rep_2", "2026-01-02T00:00:00Z", "open", "com_2") });
    expect(useReports.getState().open["com_1"]?.map((r) => r.id)).toEqual(["rep_1"]);
    expect(useReports.getState().open["com_2"]).toBeUndefined();
    applyDispatch({ t: "REPORT_UPDATE", d: report("rep_1", "2026-01-01T00:00:00Z", "resolved") });
    expect(useReports.getState().open["com_1"]).toEqual([]);
  });
});
