import { ApiError, describeError } from "../../api/errors";
import i18n from "../../i18n";
import type { LoginResponse, MfaRequiredResponse, SecondFactorInput } from "../../api/types";

/** TOTP codes are 6 digits; backup codes 8 characters, shown as ABCD-EFGH. */
export const CODE_LENGTH = 6;
export const BACKUP_CODE_LENGTH = 8;

export function isMfaRequired(answer: LoginResponse): answer is MfaRequiredResponse {
  return (answer as MfaRequiredResponse).mfa_required === true;
}

/** What a code field keeps of what was typed or pasted ("123 456", "123-456"): the digits, at most six. */
export function cleanCode(typed: string): string {
  return typed.replace(/\D/g, "").slice(0, CODE_LENGTH);
}

/** A code field submits by itself once it holds six digits. */
export function isCompleteCode(code: string): boolean {
  return code.length === CODE_LENGTH && /^\d+$/.test(code);
}

/** A backup code as typed, upper-cased and without spaces; the dash is optional (the server accepts either). */
export function cleanBackupCode(typed: string): string {
  return typed.toUpperCase().replace(/[^0-9A-Z-]/g, "").slice(0, BACKUP_CODE_LENGTH + 1);
}

export function isCompleteBackupCode(code: string): boolean {
  return code.replace(/-/g, "").length === BACKUP_CODE_LENGTH;
}

/** The body field for whichever factor the person is typing. */
export function secondFactor(useBackupCode: boolean, value: string): SecondFactorInput {
  return useBackupCode ? { backup_code: value } : { code: value };
}

/** The backup codes as one text to copy or save: one per line. */
export function backupCodesText(codes: string[]): string {
  return codes.join("\n") + "\n";
}

/** Groups the manual key in fours, as authenticator apps show it, so it can be typed by hand. */
export function groupSecret(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(" ") ?? secret;
}

/** Words for a refused second factor, at sign-in or in settings. */
export function secondFactorError(err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.code) {
      case "invalid_mfa_code":
        return i18n.t("auth:mfaCodeWrong");
      case "invalid_mfa_token":
        return i18n.t("auth:mfaTokenExpired");
      case "invalid_credentials":
        return i18n.t("auth:wrongPassword");
      case "login_backoff":
        return err.retryAfterSeconds ? i18n.t("auth:tooManyAttemptsIn", { count: err.retryAfterSeconds }) : i18n.t("auth:tooManyAttempts");
      case "validation_failed":
        return Object.values(err.fieldErrors)[0]?.[0] ?? i18n.t("auth:checkCode");
    }
  }
  return describeError(err);
}
