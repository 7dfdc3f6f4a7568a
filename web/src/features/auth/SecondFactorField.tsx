import { TextField } from "../../ui/TextField";
import { BACKUP_CODE_LENGTH, CODE_LENGTH, cleanBackupCode, cleanCode } from "./twoFactor";
import { useTranslation } from "react-i18next";

/**
 * The second-factor input: a 6-digit code from the authenticator app, or (after "Use a backup code") one of the
 * backup codes. Used at sign-in and when turning two-factor off.
 */
export function SecondFactorField({
  useBackupCode,
  onToggle,
  value,
  onChange,
  error,
  autoFocus,
}: {
  useBackupCode: boolean;
  onToggle: () => void;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  autoFocus?: boolean;
}) {
  const { t } = useTranslation("auth");
  return (
    <div className="flex flex-col gap-2">
      {useBackupCode ? (
        <TextField
          key="backup"
          label={t("backupCode")}
          name="backup_code"
          autoComplete="off"
          spellCheck={false}
          autoFocus={autoFocus}
          placeholder="ABCD-EFGH"
          maxLength={BACKUP_CODE_LENGTH + 1}
          value={value}
          onChange={(e) => onChange(cleanBackupCode(e.target.value))}
          error={error}
          hint={t("backupCodeHint")}
          data-testid="backup-code-input"
        />
      ) : (
        <TextField
          key="code"
          label={t("appCode")}
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          autoFocus={autoFocus}
          placeholder="123456"
          maxLength={CODE_LENGTH}
          value={value}
          onChange={(e) => onChange(cleanCode(e.target.value))}
          error={error}
          hint={t("appCodeHint")}
          data-testid="mfa-code-input"
        />
      )}
      <button type="button" className="self-start text-sm text-accent underline" onClick={onToggle} data-testid="toggle-backup-code">
        {useBackupCode ? t("useAppCode") : t("useBackupCode")}
      </button>
    </div>
  );
}
