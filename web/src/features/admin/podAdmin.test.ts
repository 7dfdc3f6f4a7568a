import { describe, expect, it } from "vitest";
import {
  adminSections,
  canAdminister,
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
    expect(adminSections("0")).toEqual({ settings: false, users: false, communities: false });
    expect(canAdminister("9")).toBe(false); // the defaults: create communities, manage invites
    expect(adminSections("4")).toEqual({ settings: false, users: true, communities: false });
    expect(adminSections("32")).toEqual({ settings: true, users: false, communities: false });
    expect(adminSections("2")).toEqual({ settings: false, users: false, communities: true });
    expect(adminSections(String(1 << 15))).toEqual({ settings: true, users: true, communities: true });
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
});
