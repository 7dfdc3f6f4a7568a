import { Link, useNavigate } from "@tanstack/react-router";
import { useRef, useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
import { setUpPod } from "../../app/runtime";
import { ApiError, describeError } from "../../api/errors";
import type { RegistrationMode } from "../../api/types";
import { useSession } from "../../stores/session";
import { Button } from "../../ui/Button";
import { Loading } from "../../ui/Loading";
import { Redirect } from "../../ui/Redirect";
import { FormError, TextField } from "../../ui/TextField";
import { registrationModes, setupStepErrors, setupStepTitle, setupSteps, stepOfField, type SetupValues } from "./podAdmin";
import { reloadPodInfo, usePodInfo } from "./podInfo";

/**
 * The first-run wizard of a pod with no accounts (seed 000 §A-2): the owner's account, the server's name and
 * description, who can join; then signed in as the owner. Nothing is sent before the last step, and the server
 * decides in one go (a second visitor racing this one gets "already set up").
 */
/** The pod's name inside a translated sentence (Trans replaces an element's children, so the name comes as a prop). */
function PodName({ name }: { name: string; children?: React.ReactNode }) {
  return <strong>{name}</strong>;
}

export function SetupPage() {
  const { t } = useTranslation("admin");
  const info = usePodInfo();
  const status = useSession((s) => s.status);
  const navigate = useNavigate();
  const [step, setStep] = useState(0);
  const [values, setValues] = useState<SetupValues>({ username: "", email: "", password: "", podName: "", podDescription: "", mode: "open" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [alreadySetUp, setAlreadySetUp] = useState(false);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  if (!info && step < 3) return <Loading label={t("setup.loading")} />;
  // A pod that has accounts needs no setup: to the app (or sign in), unless this wizard just finished.
  if (info && !info.setup_required && step < 3 && !alreadySetUp) return <Redirect to={status === "signedIn" ? "/app" : "/login"} replace />;

  const change = (field: keyof SetupValues) => (e: { target: { value: string } }) => setValues({ ...values, [field]: e.target.value });

  function goTo(next: number) {
    setStep(next);
    setMessage(null);
    // Keyboard and screen reader users land on the new step's title.
    requestAnimationFrame(() => heading.current?.focus());
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const found = setupStepErrors(step, values);
    setErrors(found);
    if (Object.keys(found).length) return;
    if (step < 2) {
      goTo(step + 1);
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const body = {
        username: values.username.trim(),
        password: values.password,
        pod_name: values.podName.trim(),
        registration_mode: values.mode,
        ...(values.email.trim() ? { email: values.email.trim() } : {}),
        ...(values.podDescription.trim() ? { pod_description: values.podDescription.trim() } : {}),
      };
      await setUpPod(body);
      goTo(3);
      void reloadPodInfo();
    } catch (err) {
      if (err instanceof ApiError && err.code === "setup_completed") {
        setAlreadySetUp(true);
        setMessage(t("setup.raced"));
      } else if (err instanceof ApiError && Object.keys(err.fieldErrors).length) {
        const fromServer = Object.fromEntries(Object.entries(err.fieldErrors).map(([k, v]) => [k, v[0] ?? ""]));
        setErrors(fromServer);
        goTo(Math.min(...Object.keys(fromServer).map(stepOfField)));
      } else setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="flex min-h-full items-center justify-center bg-rail p-4">
      <div className="w-full max-w-lg rounded-lg bg-main p-5 shadow-lg sm:p-8" data-testid="setup-wizard">
        <p className="text-center text-sm text-muted">{t("setup.welcome")}</p>
        <ol className="my-4 flex flex-wrap justify-center gap-x-3 gap-y-1 text-xs" aria-label={t("setup.stepsLabel")}>
          {setupSteps.map((label, i) => (
            <li key={label} aria-current={i === step ? "step" : undefined} className={i === step ? "font-semibold text-accent" : "text-muted"}>
              {i + 1}. {setupStepTitle(label)}
            </li>
          ))}
        </ol>
        <h1 ref={heading} tabIndex={-1} className="mb-4 text-center text-2xl font-bold outline-none">
          {setupStepTitle(setupSteps[step] ?? "account")}
        </h1>
        {step === 3 ? (
          <div className="flex flex-col gap-3 text-center" data-testid="setup-done">
            <p>
              <Trans t={t} i18nKey="setup.ready" components={{ name: <PodName name={info?.name ?? values.podName} /> }} />
            </p>
            <p className="text-sm text-muted">
              {t("setup.next")}
            </p>
            <Button onClick={() => void navigate({ to: "/app" })} data-testid="setup-open-app">
              {t("setup.openApp")}
            </Button>
            <Link to="/admin" className="text-sm text-accent underline">
              {t("setup.admin")}
            </Link>
          </div>
        ) : alreadySetUp ? (
          <div className="flex flex-col gap-3 text-center">
            <FormError message={message} />
            <Link to="/login" className="text-accent underline">
              {t("setup.signIn")}
            </Link>
          </div>
        ) : (
          <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
            <FormError message={message} />
            {step === 0 ? (
              <>
                <p className="text-sm text-muted">{t("setup.ownerNote")}</p>
                <TextField label={t("setup.username")} name="username" autoComplete="username" value={values.username} onChange={change("username")} error={errors.username} hint={t("setup.usernameHint")} required autoFocus />
                <TextField label={t("setup.email")} name="email" type="email" autoComplete="email" value={values.email} onChange={change("email")} error={errors.email} />
                <TextField label={t("setup.password")} name="password" type="password" autoComplete="new-password" value={values.password} onChange={change("password")} error={errors.password} hint={t("setup.passwordHint")} required />
              </>
            ) : step === 1 ? (
              <>
                <TextField label={t("setup.serverName")} name="pod_name" value={values.podName} onChange={change("podName")} error={errors.pod_name} maxLength={100} hint={t("setup.serverNameHint")} required autoFocus />
                <DescriptionField value={values.podDescription} onChange={change("podDescription")} error={errors.pod_description} />
              </>
            ) : (
              <ModeChoice value={values.mode} onChange={(mode) => setValues({ ...values, mode })} error={errors.registration_mode} />
            )}
            <div className="flex flex-wrap justify-between gap-2">
              {step > 0 ? (
                <Button variant="secondary" onClick={() => goTo(step - 1)} disabled={busy}>
                  {t("setup.back")}
                </Button>
              ) : (
                <span />
              )}
              <Button type="submit" disabled={busy} data-testid="setup-next">
                {step < 2 ? t("setup.nextButton") : busy ? t("setup.settingUp") : t("setup.finish")}
              </Button>
            </div>
          </form>
        )}
      </div>
    </main>
  );
}

export function DescriptionField({ value, onChange, error }: { value: string; onChange: (e: { target: { value: string } }) => void; error?: string | undefined }) {
  const { t } = useTranslation("admin");
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor="pod-description" className="text-xs font-semibold uppercase tracking-wide text-muted">
        {t("setup.description")}
      </label>
      <textarea
        id="pod-description"
        name="pod_description"
        rows={3}
        maxLength={1000}
        value={value}
        onChange={onChange}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "pod-description-error" : undefined}
        className={`rounded border bg-elevated px-3 py-2 text-fg outline-none focus-visible:border-accent ${error ? "border-danger" : "border-line"}`}
      />
      {error ? (
        <p id="pod-description-error" role="alert" className="text-sm text-danger">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The three registration modes as radio buttons, each with what it means. */
export function ModeChoice({ value, onChange, error }: { value: RegistrationMode; onChange: (mode: RegistrationMode) => void; error?: string | undefined }) {
  const { t } = useTranslation("admin");
  return (
    <fieldset className="flex flex-col gap-2" data-testid="registration-mode">
      <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted">{t("modes.legend")}</legend>
      {registrationModes().map((mode) => (
        <label key={mode.value} className={`flex cursor-pointer items-start gap-3 rounded border p-3 ${value === mode.value ? "border-accent" : "border-line"}`}>
          <input type="radio" name="registration_mode" value={mode.value} checked={value === mode.value} onChange={() => onChange(mode.value)} className="mt-1 h-4 w-4" />
          <span>
            <span className="block font-medium">{mode.label}</span>
            <span className="block text-sm text-muted">{mode.description}</span>
          </span>
        </label>
      ))}
      {error ? (
        <p role="alert" className="text-sm text-danger">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
