import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../api/types";
import {
  adminSections,
  canAdminister,
  dayAfter,
  describePodAuditEntry,
  megabytes,
  podPermissionLabel,
  uploadLimitBytes,
  formatBytes,
  formatUptime,
  inviteCodeFromRedirect,
  inviteCodeInput,
  registrationNotice,
  setupStepErrors,
  stepOfField,
  type SetupValues,
} from "./podAdmin";

const values: SetupValues = { username: "ana", email: "", password: "long enough", podName: "Casa", podDescription: "", mode: "open" };

describe("pod administration", () => {
  it("opens each part of /admin only for its permission, and all of it for administrators", () => {
    const none = { settings: false, users: false, communities: false, roles: false, audit: false };
    expect(adminSections("0")).toEqual(none);
    expect(canAdminister("9")).toBe(false); // the defaults: create communities, manage invites
    expect(adminSections("4")).toEqual({ ...none, users: true });
    expect(adminSections("32")).toEqual({ ...none, settings: true });
    expect(adminSections("2")).toEqual({ ...none, communities: true });
    expect(adminSections("16")).toEqual({ ...none, audit: true });
    expect(canAdminister("16")).toBe(true);
    expect(adminSections(String(1 << 15))).toEqual({ settings: true, users: true, communities: true, roles: true, audit: true });
    expect(canAdminister("not a number")).toBe(false);
    expect(canAdminister(undefined)).toBe(false);
  });

  it("finds the invite code in a redirect to an invite page and nowhere else", () => {
    expect(inviteCodeFromRedirect("/invite/AbC12345")).toBe("AbC12345");
    expect(inviteCodeFromRedirect("/invite/AbC12345?x=1")).toBe("AbC12345");
    expect(inviteCodeFromRedirect("/app/com_1")).toBeNull();
    expect(inviteCodeFromRedirect("/invite/")).toBeNull();
    expect(inviteCodeFromRedirect("https://evil.example/invite/AbC12345")).toBeNull();
    expect(inviteCodeFromRedirect("/invite/%E0%A4%A")).toBeNull();
    expect(inviteCodeFromRedirect(undefined)).toBeNull();
    expect(inviteCodeInput("  AbC12345 ")).toBe("AbC12345");
    expect(inviteCodeInput("https://chat.example.org/invite/AbC12345")).toBe("AbC12345");
    expect(inviteCodeInput("")).toBe("");
  });

  it("words sizes and uptimes", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(20 * 1024 * 1024)).toBe("20 MB");
    expect(formatUptime(45)).toBe("45 s");
    expect(formatUptime(12 * 60 + 5)).toBe("12 min");
    expect(formatUptime(3 * 3600 + 5 * 60)).toBe("3 h 5 min");
    expect(formatUptime(2 * 86_400 + 4 * 3600)).toBe("2 d 4 h");
  });

  it("says what registration needs", () => {
    expect(registrationNotice("open")).toBeNull();
    expect(registrationNotice("invite")).toMatch(/invite only/);
    expect(registrationNotice("closed")).toMatch(/closed/);
  });

  it("checks each setup step on its own and sends the server's complaints back to their step", () => {
    expect(setupStepErrors(0, values)).toEqual({});
    expect(Object.keys(setupStepErrors(0, { ...values, username: "a", password: "short" }))).toEqual(["username", "password"]);
    expect(setupStepErrors(1, { ...values, podName: "  " })).toHaveProperty("pod_name");
    expect(setupStepErrors(1, { ...values, podName: "x".repeat(101) })).toHaveProperty("pod_name");
    expect(setupStepErrors(1, { ...values, podDescription: "d".repeat(1001) })).toHaveProperty("pod_description");
    expect(setupStepErrors(2, values)).toEqual({});
    expect(stepOfField("password")).toBe(0);
    expect(stepOfField("pod_description")).toBe(1);
    expect(stepOfField("registration_mode")).toBe(2);
  });

  it("words pod audit entries, naming people and roles, and falls back to the community wording", () => {
    const names = { user: (id: string) => ({ u1: "ana", u2: "bia" })[id] ?? "someone", role: (id: string) => (id === "prl_1" ? "Auditors" : "a deleted role"), channel: (id: string) => id };
    const entry = (action: string, changes: Record<string, unknown> | null, target: string | null = "u2"): AuditEntry => ({
      id: "aud_1", community_id: "pod", seq: 1, actor_id: "u1", action, target_type: null, target_id: target, changes, created_at: "2026-12-06T10:00:00Z", prev_hash: "", hash: "",
    });
    expect(describePodAuditEntry(entry("pod.member_role_update", { added: ["prl_1"] }), names)).toBe("ana gave bia the pod role Auditors");
    expect(describePodAuditEntry(entry("pod.member_role_update", { removed: ["prl_1"] }), names)).toBe("ana took the pod role Auditors from bia");
    expect(describePodAuditEntry(entry("pod_role.create", { name: "Helpers", permissions: "16" }, "prl_2"), names)).toBe("ana created the pod role Helpers");
    expect(describePodAuditEntry(entry("pod_role.update", { name: { old: "A", new: "B" } }, "prl_1"), names)).toBe("ana updated the pod role B");
    expect(describePodAuditEntry(entry("pod_role.update", { color: { old: 1, new: 2 } }, "prl_1"), names)).toBe("ana updated the pod role Auditors");
    expect(describePodAuditEntry(entry("pod.settings_update", { name: { old: "a", new: "b" }, max_upload_bytes: { old: null, new: 5 } }, null), names))
      .toBe("ana changed the name, the upload limit of the server");
    expect(describePodAuditEntry(entry("pod.ban", null), names)).toBe("ana banned bia from the server");
    expect(describePodAuditEntry(entry("pod.sessions_end", { sessions: ["s1", "s2"] }), names)).toBe("ana signed bia out (2 sessions ended)");
    expect(describePodAuditEntry(entry("user.passkey_add", { name: "Laptop" }), names)).toBe("ana added the passkey “Laptop”");
    expect(describePodAuditEntry(entry("user.passkey_remove", { name: "Laptop" }), names)).toBe("ana removed the passkey “Laptop”");
    expect(describePodAuditEntry(entry("member.kick", null), names)).toBe("ana kicked bia");
    expect(describePodAuditEntry({ ...entry("pod.setup", null, null), actor_id: null }, names)).toBe("The system set up the server");
  });

  it("names pod permissions, turns a chosen last day into the next midnight, and reads upload limits in MB", () => {
    expect(podPermissionLabel("POD_VIEW_AUDIT_LOG")).toBe("View audit log");
    expect(dayAfter("2026-12-31")).toBe("2027-01-01");
    expect(dayAfter("2028-02-28")).toBe("2028-02-29");
    expect(uploadLimitBytes("")).toBe(0);
    expect(uploadLimitBytes(" 10 ")).toBe(10 * 1024 * 1024);
    expect(uploadLimitBytes("0,5")).toBe(512 * 1024);
    expect(uploadLimitBytes("0")).toBeNull();
    expect(uploadLimitBytes("lots")).toBeNull();
    expect(megabytes(25 * 1024 * 1024)).toBe("25");
    expect(megabytes(1536 * 1024)).toBe("1.5");
  });
});
