import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useState, type FormEvent, type ReactNode } from "react";
import { rest, signIn, signInWithPasskey, verifySecondFactor, verifySecondFactorWithPasskey } from "../../app/runtime";
import { passkeyError, passkeysSupported } from "./webauthn";
import { ApiError, describeError } from "../../api/errors";
import { safeRedirect } from "../../app/redirect";
import { useSession } from "../../stores/session";
import { Button } from "../../ui/Button";
import { Redirect } from "../../ui/Redirect";
import { FormError, TextField } from "../../ui/TextField";
import type { MfaRequiredResponse } from "../../api/types";
import { SecondFactorField } from "./SecondFactorField";
import { isCompleteBackupCode, isCompleteCode, secondFactor, secondFactorError } from "./twoFactor";
import { Isolated } from "../../ui/Isolated";
import { usePodInfo } from "../admin/podInfo";
import { inviteCodeFromRedirect, inviteCodeInput } from "../admin/podAdmin";
import i18n from "../../i18n";
import { useTranslation } from "react-i18next";

/** What this pod is, for a signed-out visitor: its name and description (and, on an empty pod, the way to set it up). */
function PodHeader() {
  const { t } = useTranslation("auth");
  const pod = usePodInfo();
  if (!pod) return null;
  return (
    <div className="mb-5 border-b border-line pb-4 text-center" data-testid="pod-header">
      <p className="text-lg font-semibold" data-testid="pod-name">
        <Isolated text={pod.name} />
      </p>
      {pod.description ? (
        <p className="mt-1 whitespace-pre-line break-words text-sm text-muted" data-testid="pod-description">
          <Isolated text={pod.description} />
        </p>
      ) : null}
      {pod.setup_required ? (
        <p className="mt-2 text-sm">
          {t("noAccountsYet")}{" "}
          <Link to="/setup" className="text-accent underline">
            {t("setItUp")}
          </Link>
        </p>
      ) : null}
    </div>
  );
}

function AuthCard({ title, subtitle, children, showPod = false }: { title: string; subtitle: string; children: ReactNode; showPod?: boolean }) {
  return (
    <main className="flex min-h-full items-center justify-center bg-rail p-4">
      <div className="w-full max-w-md rounded-lg bg-main p-6 shadow-lg sm:p-8">
        {showPod ? <PodHeader /> : null}
        <h1 className="text-center text-2xl font-bold">{title}</h1>
        <p className="mb-6 mt-1 text-center text-muted">{subtitle}</p>
        {children}
      </div>
    </main>
  );
}

export function SignInPage() {
  const { t } = useTranslation("auth");
  const search = useSearch({ from: "/login" });
  const navigate = useNavigate();
  const status = useSession((s) => s.status);
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [challenge, setChallenge] = useState<MfaRequiredResponse | null>(null);
  const target = safeRedirect(search.redirect);
  const pod = usePodInfo();

  if (status === "signedIn" && !busy) return <Redirect to={target} replace />;

  if (challenge) {
    return (
      <SecondFactorStep
        challenge={challenge}
        onDone={() => navigate({ to: target, replace: true })}
        onRestart={(why) => {
          setChallenge(null);
          setPassword("");
          setMessage(why);
        }}
      />
    );
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const pending = await signIn(login.trim(), password);
      if (pending) setChallenge(pending);
      else await navigate({ to: target, replace: true });
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      setMessage(
        err instanceof ApiError && err.code === "invalid_credentials"
          ? t("wrongCredentials")
          : err instanceof ApiError && err.code === "login_backoff"
            ? tooManyAttempts(err.retryAfterSeconds)
            : err instanceof ApiError && Object.keys(err.fieldErrors).length
              ? null
              : describeError(err),
      );
    } finally {
      setBusy(false);
    }
  }

  async function withPasskey() {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      await signInWithPasskey();
      await navigate({ to: target, replace: true });
    } catch (err) {
      setMessage(passkeyError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthCard title={t("welcomeBack")} subtitle={t("signInToContinue")} showPod>
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        <FormError message={message} />
        <TextField label={t("usernameOrEmail")} name="login" autoComplete="username" value={login} onChange={(e) => setLogin(e.target.value)} error={error?.field("login")} required />
        <TextField label={t("password")} name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={error?.field("password")} required />
        <Button type="submit" disabled={busy} data-testid="signin-submit">
          {busy ? t("signingIn") : t("signIn")}
        </Button>
        {passkeysSupported() ? (
          <>
            <p className="text-center text-sm text-muted" aria-hidden="true">{t("or")}</p>
            <Button type="button" variant="secondary" disabled={busy} onClick={() => void withPasskey()} data-testid="signin-passkey">
              {busy ? t("waitingForPasskey") : t("signInWithPasskey")}
            </Button>
          </>
        ) : null}
        {pod?.registration_mode === "closed" && !pod.setup_required ? (
          <p className="text-sm text-muted" data-testid="registration-notice">{registrationNotice("closed")}</p>
        ) : (
          <p className="text-sm text-muted">
            {t("newHere")}{" "}
            <Link to="/register" search={search.redirect ? { redirect: search.redirect } : {}} className="text-accent underline">
              {t("createAnAccount")}
            </Link>
            {pod?.registration_mode === "invite" && !pod.setup_required ? t("withInviteLink") : null}
          </p>
        )}
      </form>
    </AuthCard>
  );
}

/** Sign-in's second step: the code from the authenticator app (sent by itself at six digits) or a backup code. */
function SecondFactorStep({ challenge, onDone, onRestart }: {
  challenge: MfaRequiredResponse;
  onDone: () => Promise<unknown>;
  onRestart: (why: string | null) => void;
}) {
  const { t } = useTranslation("auth");
  const [useBackupCode, setUseBackupCode] = useState(false);
  const [value, setValue] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function verify(entered: string) {
    setBusy(true);
    setMessage(null);
    try {
      await verifySecondFactor(challenge.mfa_token, secondFactor(useBackupCode, entered));
      await onDone();
    } catch (err) {
      if (err instanceof ApiError && err.code === "invalid_mfa_token") {
        onRestart(secondFactorError(err));
        return;
      }
      setMessage(secondFactorError(err));
      setValue("");
      setBusy(false);
    }
  }

  function change(next: string) {
    setValue(next);
    if (!useBackupCode && !busy && isCompleteCode(next)) void verify(next);
  }

  async function withPasskey() {
    setBusy(true);
    setMessage(null);
    try {
      await verifySecondFactorWithPasskey(challenge.mfa_token);
      await onDone();
    } catch (err) {
      if (err instanceof ApiError && err.code === "invalid_mfa_token") {
        onRestart(secondFactorError(err));
        return;
      }
      setMessage(passkeyError(err));
      setBusy(false);
    }
  }

  const offersPasskey = challenge.mfa_methods.includes("webauthn") && passkeysSupported();
  const complete = useBackupCode ? isCompleteBackupCode(value) : isCompleteCode(value);
  return (
    <AuthCard title={t("twoFactorTitle")} subtitle={useBackupCode ? t("enterBackupCode") : t("enterAppCode")}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (complete && !busy) void verify(value);
        }}
        className="flex flex-col gap-4"
        noValidate
        data-testid="mfa-step"
      >
        <FormError message={message} />
        <SecondFactorField
          useBackupCode={useBackupCode}
          onToggle={() => {
            setUseBackupCode(!useBackupCode);
            setValue("");
            setMessage(null);
          }}
          value={value}
          onChange={change}
          autoFocus
        />
        <Button type="submit" disabled={busy || !complete} data-testid="mfa-submit">
          {busy ? t("checking") : t("verify")}
        </Button>
        {offersPasskey ? (
          <Button type="button" variant="secondary" disabled={busy} onClick={() => void withPasskey()} data-testid="mfa-passkey">
            {t("usePasskey")}
          </Button>
        ) : null}
        <button type="button" className="self-start text-sm text-muted underline" onClick={() => onRestart(null)}>
          {t("backToSignIn")}
        </button>
      </form>
    </AuthCard>
  );
}

export function RegisterPage() {
  const { t } = useTranslation("auth");
  const search = useSearch({ from: "/register" });
  const navigate = useNavigate();
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [inviteCode, setInviteCode] = useState(() => inviteCodeFromRedirect(search.redirect) ?? "");
  const [error, setError] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const target = safeRedirect(search.redirect);
  const pod = usePodInfo();
  // An empty pod takes its first account (the owner) whatever the mode.
  const mode = pod && !pod.setup_required ? pod.registration_mode : "open";

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const body: { username: string; password: string; email?: string; invite_code?: string } = { username: username.trim(), password };
      if (email.trim()) body.email = email.trim();
      // Only an invite-only pod needs the code here; elsewhere the invite page joins after signing up.
      const code = inviteCodeInput(inviteCode);
      if (mode === "invite" && code) body.invite_code = code;
      await rest.register(body);
      await signIn(body.username, password);
      await navigate({ to: target, replace: true });
    } catch (err) {
      if (err instanceof ApiError) {
        setError(err);
        if (err.code === "username_taken") setMessage(null);
        else if ((registrationProblems as readonly string[]).includes(err.code)) setMessage(t(`registrationProblem.${err.code as RegistrationProblem}`));
        else if (!Object.keys(err.fieldErrors).length) setMessage(describeError(err));
      } else setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  const usernameError = error?.field("username") ?? (error?.code === "username_taken" ? t("usernameTaken") : undefined);
  const notice = registrationNotice(mode);
  return (
    <AuthCard title={t("createAnAccount")} subtitle={t("pickUsernamePassword")} showPod>
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {notice ? (
          <p role="status" className="rounded border border-line bg-elevated px-3 py-2 text-sm" data-testid="registration-notice">
            {notice}
          </p>
        ) : null}
        <FormError message={message} />
        {mode === "closed" ? null : (
          <>
            {mode === "invite" ? (
              <TextField label={t("inviteLinkOrCode")} name="invite_code" value={inviteCode} onChange={(e) => setInviteCode(e.target.value)} hint={t("inviteLinkHint")} required />
            ) : null}
            <TextField label={t("username")} name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} error={usernameError} hint={t("usernameHint")} required />
            <TextField label={t("emailOptional")} name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={error?.field("email")} />
            <TextField label={t("password")} name="password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={error?.field("password")} hint={t("passwordHint")} required />
            <Button type="submit" disabled={busy} data-testid="register-submit">
              {busy ? t("creatingAccount") : t("createAccount")}
            </Button>
          </>
        )}
        <p className="text-sm text-muted">
          {t("haveAccount")}{" "}
          <Link to="/login" search={search.redirect ? { redirect: search.redirect } : {}} className="text-accent underline">
            {t("signIn")}
          </Link>
        </p>
      </form>
    </AuthCard>
  );
}

/** What registration's refusals mean for the person signing up (docs/protocol.md "Registration modes"). */
const registrationProblems = ["registration_closed", "registration_invite_only", "invite_not_found", "invite_expired", "invite_exhausted", "invite_revoked"] as const;
type RegistrationProblem = (typeof registrationProblems)[number];

/** The notice above the sign-in and register forms for a pod that is not open. */
function registrationNotice(mode: "open" | "invite" | "closed" | undefined): string | null {
  if (mode === "invite") return i18n.t("auth:registrationInvite");
  if (mode === "closed") return i18n.t("auth:registrationClosed");
  return null;
}

/** "Too many attempts. Try again in 30 seconds." */
export function tooManyAttempts(seconds: number | undefined): string {
  return seconds ? i18n.t("auth:tooManyAttemptsIn", { count: seconds }) : i18n.t("auth:tooManyAttempts");
}

