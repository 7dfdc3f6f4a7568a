import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/errors";
import {
  backupCodesText,
  cleanBackupCode,
  cleanCode,
  groupSecret,
  isCompleteBackupCode,
  isCompleteCode,
  isMfaRequired,
  secondFactor,
  secondFactorError,
} from "./twoFactor";

describe("login answers", () => {
  it("tells a second-factor challenge from tokens", () => {
    expect(isMfaRequired({ mfa_required: true, mfa_token: "mfa_x", mfa_methods: ["totp"] })).toBe(true);
    expect(isMfaRequired({ access_token: "a", token_type: "Bearer", expires_in: 900, refresh_token: "r" })).toBe(false);
  });
});

describe("code input", () => {
  it("keeps only digits, at most six", () => {
    expect(cleanCode("123 456")).toBe("123456");
    expect(cleanCode("12-34")).toBe("1234");
    expect(cleanCode("1234567")).toBe("123456");
    expect(cleanCode("abc")).toBe("");
  });
  it("is complete at exactly six digits", () => {
    expect(isCompleteCode("123456")).toBe(true);
    expect(isCompleteCode("12345")).toBe(false);
    expect(isCompleteCode("")).toBe(false);
  });
  it("reads backup codes in any case, with or without the dash", () => {
    expect(cleanBackupCode("abcd-efgh")).toBe("ABCD-EFGH");
    expect(cleanBackupCode(" abcd efgh ")).toBe("ABCDEFGH");
    expect(isCompleteBackupCode("ABCD-EFGH")).toBe(true);
    expect(isCompleteBackupCode("ABCDEFGH")).toBe(true);
    expect(isCompleteBackupCode("ABCD-EFG")).toBe(false);
  });
  it("sends the field for the factor being typed", () => {
    expect(secondFactor(false, "123456")).toEqual({ code: "123456" });
    expect(secondFactor(true, "ABCD-EFGH")).toEqual({ backup_code: "ABCD-EFGH" });
  });
});

describe("showing the key and the codes", () => {
  it("groups the manual key in fours", () => {
    expect(groupSecret("GEZDGNBVGY3TQOJQ")).toBe("GEZD GNBV GY3T QOJQ");
  });
  it("copies the backup codes one per line", () => {
    expect(backupCodesText(["AAAA-BBBB", "CCCC-DDDD"])).toBe("AAAA-BBBB\nCCCC-DDDD\n");
  });
});

describe("errors in words", () => {
  it("explains each refusal", () => {
    expect(secondFactorError(new ApiError(401, { code: "invalid_mfa_code" }))).toMatch(/code is not right/);
    expect(secondFactorError(new ApiError(401, { code: "invalid_mfa_token" }))).toMatch(/password again/);
    expect(secondFactorError(new ApiError(403, { code: "invalid_credentials" }))).toMatch(/password is not right/);
    expect(secondFactorError(new ApiError(429, { code: "login_backoff" }, 8))).toBe("Too many attempts. Try again in 8 seconds.");
    expect(secondFactorError(new ApiError(400, { code: "validation_failed", errors: { code: ["The code is the 6 digits your authenticator app shows."] } }))).toMatch(/6 digits/);
  });
});
