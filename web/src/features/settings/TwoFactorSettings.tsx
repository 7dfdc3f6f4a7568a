import { useState, type FormEvent } from "react";
import { rest } from "../../app/runtime";
import { ApiError } from "../../api/errors";
import type { TotpEnrollment } from "../../api/types";
import { useSession } from "../../stores/session";
import { Button } from "../../ui/Button";
import { FormError, TextField } from "../../ui/TextField";
import { SecondFactorField } from "../auth/SecondFactorField";
import { backupCodesText, cleanCode, groupSecret, isCompleteBackupCode, isCompleteCode, secondFactor, secondFactorError } from "../auth/twoFactor";
import { useTranslation } from "react-i18next";

type Step =
  | { kind: "idle" }
  | { kind: "password" }
  | { kind: "scan"; enrollment: TotpEnrollment }
  | { kind: "codes"; codes: string[] }
  | { kind: "disable" }
  | { kind: "regenerate" };

/**
 * Settings → Two-factor authentication: enable (password, then the QR code and manual key, then a code from the app,
 * then the backup codes once), get new backup codes, or disable (each with the password and a code or backup code).
 */
export function TwoFactorSettings() {
  const { t } = useTranslation("settings");
  const user = useSession((s) => s.user);
  const setUser = useSession((s) => s.setUser);
  const [step, setStep] = useState<Step>({ kind: "idle" });
  const enabled = !!user?.mfa_enabled;

  const markEnabled = (on: boolean) => {
    if (user) setUser({ ...user, mfa_enabled: on });
  };

  switch (step.kind) {
    case "password":
      return <EnablePassword onCancel={() => setStep({ kind: "idle" })} onEnrolled={(enrollment) => setStep({ kind: "scan", enrollment })} />;
    case "scan":
      return (
        <ScanAndConfirm
          enrollment={step.enrollment}
          onCancel={() => setStep({ kind: "idle" })}
          onConfirmed={(codes) => {
            markEnabled(true);
            setStep({ kind: "codes", codes });
          }}
        />
      );
    case "codes":
      return <BackupCodesList codes={step.codes} onDone={() => setStep({ kind: "idle" })} />;
    case "disable":
      return (
        <ProofForm
          action="disable"
          onCancel={() => setStep({ kind: "idle" })}
          onDone={() => {
            markEnabled(false);
            setStep({ kind: "idle" });
          }}
        />
      );
    case "regenerate":
      return <ProofForm action="regenerate" onCancel={() => setStep({ kind: "idle" })} onDone={(codes) => setStep({ kind: "codes", codes })} />;
    case "idle":
      return (
        <div className="flex flex-col gap-3" data-testid="mfa-settings">
          <p data-testid="mfa-status">
            {enabled
              ? t("mfa.on")
              : t("mfa.off")}
          </p>
          <div className="flex gap-3">
            {enabled ? (
              <>
                <Button variant="secondary" onClick={() => setStep({ kind: "regenerate" })} data-testid="mfa-regenerate">{t("mfa.newBackupCodes")}</Button>
                <Button variant="danger" onClick={() => setStep({ kind: "disable" })} data-testid="mfa-disable">{t("mfa.turnOffTwoFactor")}</Button>
              </>
            ) : (
              <Button onClick={() => setStep({ kind: "password" })} data-testid="mfa-enable">{t("mfa.enable")}</Button>
            )}
          </div>
        </div>
      );
  }
}

function EnablePassword({ onCancel, onEnrolled }: { onCancel: () => void; onEnrolled: (enrollment: TotpEnrollment) => void }) {
  const { t } = useTranslation("settings");
  const [password, setPassword] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      onEnrolled(await rest.enableTotp({ password }));
    } catch (err) {
      setMessage(secondFactorError(err));
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" noValidate>
      <FormError message={message} />
      <TextField label={t("mfa.yourPassword")} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus data-testid="mfa-password" />
      <div className="flex gap-3">
        <Button type="submit" disabled={busy || !password} data-testid="mfa-password-submit">{t("mfa.continue")}</Button>
        <Button type="button" variant="secondary" onClick={onCancel}>{t("cancel")}</Button>
      </div>
    </form>
  );
}

function ScanAndConfirm({ enrollment, onCancel, onConfirmed }: { enrollment: TotpEnrollment; onCancel: () => void; onConfirmed: (codes: string[]) => void }) {
  const { t } = useTranslation("settings");
  const [code, setCode] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function confirm(entered: string) {
    setBusy(true);
    setMessage(null);
    try {
      onConfirmed((await rest.confirmTotp({ code: entered })).backup_codes);
    } catch (err) {
      setMessage(secondFactorError(err));
      setCode("");
      setBusy(false);
    }
  }
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (isCompleteCode(code) && !busy) void confirm(code);
      }}
      className="flex flex-col gap-4"
      noValidate
      data-testid="mfa-scan"
    >
      <p>{t("mfa.scan")}</p>
      <img src={enrollment.qr_code_data_uri} alt={t("mfa.qrAlt")} width={240} height={240} className="self-start rounded bg-white p-2" data-testid="totp-qr" />
      <div>
        <p className="text-sm text-muted">{t("mfa.cantScan")}</p>
        <code className="select-all break-all font-mono text-lg" data-testid="totp-secret" data-secret={enrollment.secret}>
          {groupSecret(enrollment.secret)}
        </code>
      </div>
      <FormError message={message} />
      <TextField
        label={t("mfa.appCode")}
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={6}
        placeholder="123456"
        value={code}
        onChange={(e) => setCode(cleanCode(e.target.value))}
        hint={t("mfa.appCodeHint")}
        data-testid="mfa-confirm-code"
      />
      <div className="flex gap-3">
        <Button type="submit" disabled={busy || !isCompleteCode(code)} data-testid="mfa-confirm">{t("mfa.turnOn")}</Button>
        <Button type="button" variant="secondary" onClick={onCancel}>{t("cancel")}</Button>
      </div>
    </form>
  );
}

function BackupCodesList({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useTranslation("settings");
  const [copied, setCopied] = useState<string | null>(null);
  async function copyAll() {
    try {
      await navigator.clipboard.writeText(backupCodesText(codes));
      setCopied(t("mfa.copied"));
    } catch {
      setCopied(t("mfa.copyBlocked"));
    }
  }
  return (
    <div className="flex flex-col gap-3">
      <p role="alert" className="rounded border border-danger px-3 py-2 text-sm">
        {t("mfa.saveCodes")}
      </p>
      <ul className="grid grid-cols-2 gap-2 font-mono text-lg" data-testid="backup-codes">
        {codes.map((c) => (
          <li key={c} className="rounded bg-main px-3 py-1 text-center">{c}</li>
        ))}
      </ul>
      <div className="flex items-center gap-3">
        <Button type="button" variant="secondary" onClick={copyAll} data-testid="backup-codes-copy">{t("mfa.copyAll")}</Button>
        <Button type="button" onClick={onDone} data-testid="backup-codes-done">{t("mfa.savedThem")}</Button>
        <span role="status" className="text-sm text-muted">{copied}</span>
      </div>
    </div>
  );
}

/** The password and a code or backup code, to turn two-factor off or to replace the backup codes (whose new list it hands on). */
function ProofForm({ action, onCancel, onDone }: { action: "disable" | "regenerate"; onCancel: () => void; onDone: (codes: string[]) => void }) {
  const { t } = useTranslation("settings");
  const [password, setPassword] = useState("");
  const [useBackupCode, setUseBackupCode] = useState(false);
  const [value, setValue] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const complete = useBackupCode ? isCompleteBackupCode(value) : isCompleteCode(value);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const proof = { password, ...secondFactor(useBackupCode, value) };
      if (action === "disable") {
        await rest.disableTotp(proof);
        onDone([]);
      } else {
        onDone((await rest.regenerateBackupCodes(proof)).backup_codes);
      }
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      setMessage(secondFactorError(err));
      setValue("");
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" noValidate data-testid={`mfa-${action}-form`}>
      {action === "regenerate" && <p>{t("mfa.newBackupCodesHint")}</p>}
      <FormError message={message} />
      <TextField label={t("mfa.yourPassword")} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={error?.field("password")} data-testid="mfa-disable-password" />
      <SecondFactorField
        useBackupCode={useBackupCode}
        onToggle={() => {
          setUseBackupCode(!useBackupCode);
          setValue("");
        }}
        value={value}
        onChange={setValue}
      />
      <div className="flex gap-3">
        {action === "disable" ? (
          <Button type="submit" variant="danger" disabled={busy || !password || !complete} data-testid="mfa-disable-submit">{t("mfa.turnOff")}</Button>
        ) : (
          <Button type="submit" disabled={busy || !password || !complete} data-testid="mfa-regenerate-submit">{t("mfa.getNewBackupCodes")}</Button>
        )}
        <Button type="button" variant="secondary" onClick={onCancel}>{t("cancel")}</Button>
      </div>
    </form>
  );
}
