import { Link, useNavigate } from "@tanstack/react-router";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { rest, setBlocked, signOut } from "../../app/runtime";
import { ApiError, describeError } from "../../api/errors";
import type { BlockedUser, SessionInfo } from "../../api/types";
import { displayName } from "../../stores/members";
import { Isolated } from "../../ui/Isolated";
import { useSession } from "../../stores/session";
import { useUi } from "../../stores/ui";
import { Avatar } from "../../ui/Avatar";
import { Button } from "../../ui/Button";
import { PicturePicker } from "../../ui/PicturePicker";
import { ConfirmDialog } from "../../ui/FormDialogs";
import { FormError, TextField } from "../../ui/TextField";
import { VoiceSettingsForm } from "../voice/VoiceSettings";
import { TwoFactorSettings } from "./TwoFactorSettings";
import { PasskeySettings } from "./PasskeySettings";
import { canAdminister } from "../admin/podAdmin";
import { chooseLanguage, storedLanguage, type Language } from "../../i18n";
import { formatDate, formatDateTime } from "../../i18n/format";
import { useTranslation } from "react-i18next";

/** A way to /admin, only for people holding pod permissions that open some part of it. */
function ServerAdministrationLink() {
  const { t } = useTranslation("settings");
  const [allowed, setAllowed] = useState(false);
  useEffect(() => {
    let live = true;
    rest.podSelf().then((self) => live && setAllowed(canAdminister(self.permissions)), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  if (!allowed) return null;
  return (
    <Link to="/admin" className="rounded px-3 py-2 text-accent underline" data-testid="open-admin">
      {t("serverAdministration")}
    </Link>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section aria-labelledby={`s-${id}`} className="rounded-lg bg-sidebar p-4 sm:p-6">
      <h2 id={`s-${id}`} className="mb-4 text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

function ProfileForm() {
  const { t } = useTranslation("settings");
  const user = useSession((s) => s.user);
  const setUser = useSession((s) => s.setUser);
  const [name, setName] = useState(user?.display_name ?? "");
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setUser(await rest.updateMe({ display_name: name.trim() }));
      setDone(t("saved"));
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      else setDone(describeError(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" noValidate>
      <TextField label={t("displayName")} value={name} onChange={(e) => setName(e.target.value)} error={error?.field("display_name") ?? (error && !Object.keys(error.fieldErrors).length ? describeError(error) : undefined)} hint={t("displayNameHint", { username: user?.username })} />
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={busy}>{t("save")}</Button>
        <span role="status" className="text-sm text-muted">{done}</span>
      </div>
    </form>
  );
}

/** The avatar: shown to everyone at once (USER_UPDATE), wherever the name is. */
function AvatarForm() {
  const { t } = useTranslation("settings");
  const user = useSession((s) => s.user);
  const setUser = useSession((s) => s.setUser);
  if (!user) return null;
  return (
    <PicturePicker
      preview={<Avatar id={user.id} name={user.display_name || user.username} url={user.avatar_url} size="lg" />}
      hasPicture={!!user.avatar_url}
      label={t("avatar")}
      testId="avatar-picker"
      onUpload={async (file) => setUser(await rest.setAvatar(file))}
      onRemove={async () => setUser(await rest.removeAvatar())}
    />
  );
}

/** Who may open a DM with me, and the people I blocked (unblocking them here; the server never tells them either way). */
function PrivacyForm() {
  const { t } = useTranslation("settings");
  const [allow, setAllow] = useState<boolean | null>(null);
  const [blocked, setBlockedList] = useState<BlockedUser[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const load = useCallback(() => {
    rest.userSettings().then((s) => setAllow(s.allow_dms_from_members), (e) => setError(describeError(e)));
    rest.blocks().then(setBlockedList, (e) => setError(describeError(e)));
  }, []);
  useEffect(load, [load]);

  async function change(next: boolean) {
    setError(null);
    setStatus(null);
    setAllow(next);
    try {
      setAllow((await rest.updateUserSettings({ allow_dms_from_members: next })).allow_dms_from_members);
      setStatus(t("saved"));
    } catch (e) {
      setAllow(!next);
      setError(describeError(e));
    }
  }

  async function unblock(user: BlockedUser["user"]) {
    setError(null);
    setStatus(null);
    try {
      await setBlocked(user.id, false);
      setBlockedList((list) => list?.filter((b) => b.user.id !== user.id) ?? null);
      setStatus(t("unblocked", { name: displayName(user) }));
    } catch (e) {
      setError(describeError(e));
    }
  }

  return (
    <div className="flex flex-col gap-4" data-testid="privacy-settings">
      <label className="flex items-center gap-3">
        <input
          type="checkbox"
          className="h-4 w-4"
          disabled={allow === null}
          checked={allow ?? true}
          onChange={(e) => void change(e.target.checked)}
          data-testid="allow-dms"
        />
        {t("allowDms")}
      </label>
      <div>
        <h3 className="mb-2 text-sm font-semibold">{t("blockedPeople")}</h3>
        {blocked === null ? (
          <p className="text-sm text-muted">{t("loading")}</p>
        ) : blocked.length === 0 ? (
          <p className="text-sm text-muted">{t("noBlocked")}</p>
        ) : (
          <ul className="flex flex-col gap-1" data-testid="blocked-list">
            {blocked.map((b) => (
              <li key={b.user.id} className="flex items-center gap-2 rounded px-2 py-1 hover:bg-hover" data-testid="blocked-person">
                <Avatar id={b.user.id} name={displayName(b.user)} url={b.user.avatar_url} size="xs" />
                <span className="min-w-0 flex-1 truncate"><Isolated text={displayName(b.user)} /></span>
                <Button variant="ghost" className="px-2 py-0.5 text-xs" onClick={() => void unblock(b.user)} aria-label={t("unblockName", { name: displayName(b.user) })}>
                  {t("unblock")}
                </Button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {error ? <p role="alert" className="text-sm text-danger">{error}</p> : null}
      <span role="status" className="text-sm text-muted">{status}</span>
    </div>
  );
}

function PasswordForm() {
  const { t } = useTranslation("settings");
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setMessage(null);
    setDone(null);
    try {
      await rest.changePassword({ current_password: current, new_password: next });
      setCurrent("");
      setNext("");
      setDone(t("passwordChanged"));
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      if (!(err instanceof ApiError && Object.keys(err.fieldErrors).length)) setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" noValidate>
      <FormError message={message} />
      <TextField label={t("currentPassword")} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} error={error?.field("current_password")} />
      <TextField label={t("newPassword")} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} error={error?.field("new_password")} hint={t("passwordHint")} />
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={busy || !current || !next}>{t("changePassword")}</Button>
        <span role="status" className="text-sm text-muted">{done}</span>
      </div>
    </form>
  );
}

function Sessions() {
  const { t } = useTranslation("settings");
  const [list, setList] = useState<SessionInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<SessionInfo | null>(null);
  const load = useCallback(() => {
    rest.sessions().then(setList, (e) => setError(describeError(e)));
  }, []);
  useEffect(load, [load]);
  return (
    <>
      <FormError message={error} />
      {!list ? <p role="status" className="text-muted">{t("loadingSessions")}</p> : null}
      <ul className="flex flex-col gap-2" data-testid="session-list">
        {list?.map((s) => (
          <li key={s.id} className="flex flex-wrap items-center gap-3 rounded bg-main p-3">
            <div className="min-w-0 flex-1">
              <div className="truncate font-medium">{s.user_agent || t("unknownDevice")}{s.current ? t("thisDevice") : ""}</div>
              <div className="text-sm text-muted">
                {s.ip ? `${s.ip} · ` : ""}{t("sessionTimes", { lastActive: formatDateTime(s.last_used_at), signedIn: formatDate(s.created_at) })}
              </div>
            </div>
            {!s.current ? (
              <Button variant="secondary" onClick={() => setRevoking(s)} aria-label={t("signOutSessionOn", { device: s.user_agent || t("unknownDevice") })}>
                {t("signOut")}
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
      {revoking ? (
        <ConfirmDialog
          title={t("signOutSessionTitle")}
          body={t("signOutSessionBody")}
          confirmLabel={t("signItOut")}
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await rest.revokeSession(revoking.id);
            load();
          }}
        />
      ) : null}
    </>
  );
}

/** The client's language: the browser's by default, or one chosen here (kept in localStorage); switches live. */
function LanguagePicker() {
  const { t, i18n } = useTranslation("settings");
  const [choice, setChoice] = useState<Language | "auto">(storedLanguage() ?? "auto");
  return (
    <label className="flex flex-col gap-1">
      <span className="text-sm font-medium">{t("language")}</span>
      <select
        className="w-full max-w-xs rounded bg-main px-3 py-2"
        value={choice}
        data-testid="language-picker"
        onChange={(e) => {
          const next = e.target.value as Language | "auto";
          setChoice(next);
          void chooseLanguage(next === "auto" ? null : next);
        }}
      >
        <option value="auto">{t("languageAuto")}</option>
        {/* Each language is named in itself, so a person who cannot read the current one still finds theirs. */}
        <option value="en" lang="en">English</option>
        <option value="pt-BR" lang="pt-BR">Português (Brasil)</option>
      </select>
      <span className="text-sm text-muted">{t("languageHint", { current: i18n.resolvedLanguage === "pt-BR" ? "Português (Brasil)" : "English" })}</span>
    </label>
  );
}

export function SettingsPage() {
  const { t } = useTranslation("settings");
  const navigate = useNavigate();
  const theme = useUi((s) => s.theme);
  const setTheme = useUi((s) => s.setTheme);
  return (
    <main className="mx-auto flex min-h-full max-w-2xl flex-col gap-4 p-4 sm:p-8">
      <div className="flex items-center justify-between">
        <h1 className="text-2xl font-bold">{t("title")}</h1>
        <div className="flex flex-wrap justify-end">
          <ServerAdministrationLink />
          <Link to="/app" className="rounded px-3 py-2 text-accent underline">{t("backToChat")}</Link>
        </div>
      </div>
      <Section id="profile" title={t("profile")}>
        <div className="flex flex-col gap-5">
          <AvatarForm />
          <ProfileForm />
        </div>
      </Section>
      <Section id="appearance" title={t("appearance")}>
        <div className="flex flex-col gap-4">
        <LanguagePicker />
        <label className="flex items-center gap-3">
          <input type="checkbox" checked={theme === "light"} onChange={(e) => setTheme(e.target.checked ? "light" : "dark")} className="h-4 w-4" />
          {t("lightTheme")}
        </label>
        </div>
      </Section>
      <Section id="privacy" title={t("privacy")}><PrivacyForm /></Section>
      <Section id="voice" title={t("voice")}><VoiceSettingsForm /></Section>
      <Section id="password" title={t("password")}><PasswordForm /></Section>
      <Section id="2fa" title={t("twoFactor")}><TwoFactorSettings /></Section>
      <Section id="passkeys" title={t("passkeys")}><PasskeySettings /></Section>
      <Section id="sessions" title={t("sessions")}><Sessions /></Section>
      <Section id="sign-out" title={t("signOut")}>
        <Button variant="danger" data-testid="sign-out" onClick={async () => { await signOut(); await navigate({ to: "/login" }); }}>
          {t("signOutHere")}
        </Button>
      </Section>
    </main>
  );
}
