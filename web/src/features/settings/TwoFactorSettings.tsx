import { useState, type FormEvent } from "react";
import { rest } from "../../app/runtime";
import { ApiError } from "../../api/errors";
import type { TotpEnrollment } from "../../api/types";
import { useSession } from "../../stores/session";
import { Button } from "../../ui/Button";
import { FormError, TextField } from "../../ui/TextField";
import { SecondFactorField } from "../auth/SecondFactorField";
import { backupCodesText, cleanCode, groupSecret, isCompleteBackupCode, isCompleteCode, secondFactor, secondFactorError } from "../auth/twoFactor";

type Step =
  | { kind: "idle" }
  | { kind: "password" }
  | { kind: "scan"; enrollment: TotpEnrollment }
  | { kind: "codes"; codes: string[] }
  | { kind: "disable" };

/**
 * Settings → Two-factor authentication: enable (password, then the QR code and manual key, then a code from the app,
 * then the backup codes once) or disable (password and a code or backup code).
 */
export function TwoFactorSettings() {
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
        <DisableForm
          onCancel={() => setStep({ kind: "idle" })}
          onDisabled={() => {
            markEnabled(false);
            setStep({ kind: "idle" });
          }}
        />
      );
    case "idle":
      return (
        <div className="flex flex-col gap-3" data-testid="mfa-settings">
          <p data-testid="mfa-status">
            {enabled
              ? "Two-factor sign-in is on: signing in needs your password and a code from your authenticator app."
              : "Two-factor sign-in is off. Turn it on to need a code from an authenticator app as well as your password."}
          </p>
          <div>
            {enabled ? (
              <Button variant="danger" onClick={() => setStep({ kind: "disable" })} data-testid="mfa-disable">Turn off two-factor</Button>
            ) : (
              <Button onClick={() => setStep({ kind: "password" })} data-testid="mfa-enable">Enable two-factor authentication</Button>
            )}
          </div>
        </div>
      );
  }
}

function EnablePassword({ onCancel, onEnrolled }: { onCancel: () => void; onEnrolled: (enrollment: TotpEnrollment) => void }) {
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
      <TextField label="Your password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus data-testid="mfa-password" />
      <div className="flex gap-3">
        <Button type="submit" disabled={busy || !password} data-testid="mfa-password-submit">Continue</Button>
        <Button type="button" variant="secondary" onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}

function ScanAndConfirm({ enrollment, onCancel, onConfirmed }: { enrollment: TotpEnrollment; onCancel: () => void; onConfirmed: (codes: string[]) => void }) {
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
      <p>Scan this QR code with your authenticator app (for example Aegis, Google Authenticator or 1Password).</p>
      <img src={enrollment.qr_code_data_uri} alt="QR code for your authenticator app" width={240} height={240} className="self-start rounded bg-white p-2" data-testid="totp-qr" />
      <div>
        <p className="text-sm text-muted">Can't scan it? Enter this key by hand:</p>
        <code className="select-all break-all font-mono text-lg" data-testid="totp-secret" data-secret={enrollment.secret}>
          {groupSecret(enrollment.secret)}
        </code>
      </div>
      <FormError message={message} />
      <TextField
        label="Code from your authenticator app"
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={6}
        placeholder="123456"
        value={code}
        onChange={(e) => setCode(cleanCode(e.target.value))}
        hint="Enter the 6 digits the app now shows, to prove it is set up."
        data-testid="mfa-confirm-code"
      />
      <div className="flex gap-3">
        <Button type="submit" disabled={busy || !isCompleteCode(code)} data-testid="mfa-confirm">Turn on</Button>
        <Button type="button" variant="secondary" onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}

function BackupCodesList({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  async function copyAll() {
    try {
      await navigator.clipboard.writeText(backupCodesText(codes));
      setCopied("Copied.");
    } catch {
      setCopied("Copying is not allowed here: select the codes and copy them by hand.");
    }
  }
  return (
    <div className="flex flex-col gap-3">
      <p role="alert" className="rounded border border-danger px-3 py-2 text-sm">
        Two-factor sign-in is on. Save these backup codes somewhere safe now: they are shown only this once. Each one signs you in once
        if you lose your phone.
      </p>
      <ul className="grid grid-cols-2 gap-2 font-mono text-lg" data-testid="backup-codes">
        {codes.map((c) => (
          <li key={c} className="rounded bg-main px-3 py-1 text-center">{c}</li>
        ))}
      </ul>
      <div className="flex items-center gap-3">
        <Button type="button" variant="secondary" onClick={copyAll} data-testid="backup-codes-copy">Copy all</Button>
        <Button type="button" onClick={onDone} data-testid="backup-codes-done">I saved them</Button>
        <span role="status" className="text-sm text-muted">{copied}</span>
      </div>
    </div>
  );
}

function DisableForm({ onCancel, onDisabled }: { onCancel: () => void; onDisabled: () => void }) {
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
      await rest.disableTotp({ password, ...secondFactor(useBackupCode, value) });
      onDisabled();
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      setMessage(secondFactorError(err));
      setValue("");
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" noValidate>
      <FormError message={message} />
      <TextField label="Your password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={error?.field("password")} data-testid="mfa-disable-password" />
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
        <Button type="submit" variant="danger" disabled={busy || !password || !complete} data-testid="mfa-disable-submit">Turn off</Button>
        <Button type="button" variant="secondary" onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
