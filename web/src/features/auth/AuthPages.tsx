import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { useState, type FormEvent, type ReactNode } from "react";
import { rest, signIn, verifySecondFactor } from "../../app/runtime";
import { ApiError, describeError } from "../../api/errors";
import { safeRedirect } from "../../app/redirect";
import { useSession } from "../../stores/session";
import { Button } from "../../ui/Button";
import { Redirect } from "../../ui/Redirect";
import { FormError, TextField } from "../../ui/TextField";
import type { MfaRequiredResponse } from "../../api/types";
import { SecondFactorField } from "./SecondFactorField";
import { isCompleteBackupCode, isCompleteCode, secondFactor, secondFactorError } from "./twoFactor";

function AuthCard({ title, subtitle, children }: { title: string; subtitle: string; children: ReactNode }) {
  return (
    <main className="flex min-h-full items-center justify-center bg-rail p-4">
      <div className="w-full max-w-md rounded-lg bg-main p-6 shadow-lg sm:p-8">
        <h1 className="text-center text-2xl font-bold">{title}</h1>
        <p className="mb-6 mt-1 text-center text-muted">{subtitle}</p>
        {children}
      </div>
    </main>
  );
}

export function SignInPage() {
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
          ? "That username or password is not right."
          : err instanceof ApiError && err.code === "login_backoff"
            ? `Too many attempts. Try again${err.retryAfterSeconds ? ` in ${err.retryAfterSeconds} seconds` : " shortly"}.`
            : err instanceof ApiError && Object.keys(err.fieldErrors).length
              ? null
              : describeError(err),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthCard title="Welcome back" subtitle="Sign in to continue.">
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        <FormError message={message} />
        <TextField label="Username or e-mail" name="login" autoComplete="username" value={login} onChange={(e) => setLogin(e.target.value)} error={error?.field("login")} required />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={error?.field("password")} required />
        <Button type="submit" disabled={busy} data-testid="signin-submit">
          {busy ? "Signing in…" : "Sign in"}
        </Button>
        <p className="text-sm text-muted">
          New here?{" "}
          <Link to="/register" search={search.redirect ? { redirect: search.redirect } : {}} className="text-accent underline">
            Create an account
          </Link>
        </p>
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

  const complete = useBackupCode ? isCompleteBackupCode(value) : isCompleteCode(value);
  return (
    <AuthCard title="Two-factor sign-in" subtitle={useBackupCode ? "Enter one of your backup codes." : "Enter the code from your authenticator app."}>
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
          {busy ? "Checking…" : "Verify"}
        </Button>
        <button type="button" className="self-start text-sm text-muted underline" onClick={() => onRestart(null)}>
          Back to sign in
        </button>
      </form>
    </AuthCard>
  );
}

export function RegisterPage() {
  const search = useSearch({ from: "/register" });
  const navigate = useNavigate();
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const target = safeRedirect(search.redirect);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const body: { username: string; password: string; email?: string } = { username: username.trim(), password };
      if (email.trim()) body.email = email.trim();
      await rest.register(body);
      await signIn(body.username, password);
      await navigate({ to: target, replace: true });
    } catch (err) {
      if (err instanceof ApiError) {
        setError(err);
        if (err.code === "username_taken") setMessage(null);
        else if (!Object.keys(err.fieldErrors).length) setMessage(describeError(err));
      } else setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  const usernameError = error?.field("username") ?? (error?.code === "username_taken" ? "That username is taken. Try another." : undefined);
  return (
    <AuthCard title="Create an account" subtitle="Pick a username and a password.">
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        <FormError message={message} />
        <TextField label="Username" name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} error={usernameError} hint="2–32 characters." required />
        <TextField label="E-mail (optional)" name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={error?.field("email")} />
        <TextField label="Password" name="password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={error?.field("password")} hint="At least 8 characters." required />
        <Button type="submit" disabled={busy} data-testid="register-submit">
          {busy ? "Creating account…" : "Create account"}
        </Button>
        <p className="text-sm text-muted">
          Already have an account?{" "}
          <Link to="/login" search={search.redirect ? { redirect: search.redirect } : {}} className="text-accent underline">
            Sign in
          </Link>
        </p>
      </form>
    </AuthCard>
  );
}
