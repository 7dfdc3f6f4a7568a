import { Link } from "@tanstack/react-router";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Trans, useTranslation } from "react-i18next";
import { formatDate, formatDateTime, formatNumber } from "../../i18n/format";
import { rest } from "../../app/runtime";
import { ApiError, describeError } from "../../api/errors";
import type { AdminCommunity, AdminUser, PodDashboard, PodRole, PodSelf, PodSettings, RegistrationMode, SessionInfo } from "../../api/types";
import { Button } from "../../ui/Button";
import { Dialog, DialogActions } from "../../ui/Dialog";
import { Isolated } from "../../ui/Isolated";
import { Loading } from "../../ui/Loading";
import { FormError, TextField } from "../../ui/TextField";
import { useAction } from "../../ui/useAction";
import { useSession } from "../../stores/session";
import { adminSections, formatBytes, formatUptime, megabytes, uploadLimitBytes } from "./podAdmin";
import { PodAuditSection } from "./PodAuditSection";
import { PodRoleName, PodRolesSection, podRolesInOrder } from "./PodRolesSection";
import { reloadPodInfo } from "./podInfo";
import { DescriptionField, ModeChoice } from "./SetupPage";

function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section aria-labelledby={`admin-${id}-title`} data-testid={`admin-${id}`} className="rounded-lg bg-sidebar p-4 sm:p-6">
      <h2 id={`admin-${id}-title`} className="mb-4 text-lg font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** Server administration (seed 000 §A-3): each part shown to those whose pod permissions allow it. */
export function AdminPage() {
  const { t } = useTranslation("admin");
  const [self, setSelf] = useState<PodSelf | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    rest.podSelf().then(setSelf, (e) => setError(describeError(e)));
  }, []);
  const sections = adminSections(self?.permissions);
  const me = useSession((s) => s.user);
  // Pod roles are readable by everyone signed in; the users list (POD_BAN_MEMBERS) names the audit log's people.
  const [roles, setRoles] = useState<PodRole[]>([]);
  const [userNames, setUserNames] = useState<Record<string, string>>({});
  const wantsRoles = sections.roles || sections.users || sections.audit;
  useEffect(() => {
    if (wantsRoles) rest.podRoles().then(setRoles, (e) => setError(describeError(e)));
  }, [wantsRoles]);
  const canListUsers = sections.users;
  useEffect(() => {
    if (!sections.audit || !canListUsers) return;
    let live = true;
    void (async () => {
      const found: Record<string, string> = {};
      let cursor: string | undefined;
      for (let page = 0; page < 4; page++) {
        const batch = await rest.adminUsers("", cursor);
        for (const u of batch.users) found[u.id] = u.display_name ? `${u.display_name} (${u.username})` : u.username;
        if (!batch.next_cursor) break;
        cursor = batch.next_cursor;
      }
      if (live) setUserNames(found);
    })().catch(() => undefined);
    return () => {
      live = false;
    };
  }, [sections.audit, canListUsers]);
  const names = me && !userNames[me.id] ? { ...userNames, [me.id]: me.display_name ? `${me.display_name} (${me.username})` : me.username } : userNames;
  const nothing = !sections.settings && !sections.users && !sections.communities && !sections.roles && !sections.audit;
  return (
    <main className="mx-auto flex min-h-full max-w-3xl flex-col gap-4 p-3 sm:p-8" data-testid="admin-page">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-bold">{t("title")}</h1>
        <div className="flex gap-1">
          <Link to="/settings" className="rounded px-3 py-2 text-accent underline">{t("settingsLink")}</Link>
          <Link to="/app" className="rounded px-3 py-2 text-accent underline">{t("backToChat")}</Link>
        </div>
      </div>
      <FormError message={error} />
      {!self && !error ? <Loading /> : null}
      {self && nothing ? (
        <p role="status" className="text-muted">{t("noPermissions")}</p>
      ) : null}
      {sections.settings ? <DashboardSection /> : null}
      {sections.settings ? <SettingsSection /> : null}
      {sections.users ? <UsersSection roles={roles} canGiveRoles={sections.roles} /> : null}
      {sections.roles ? (
        <Section id="roles" title={t("roles.title")}>
          <PodRolesSection roles={roles} onChange={setRoles} />
        </Section>
      ) : null}
      {sections.communities ? <CommunitiesSection /> : null}
      {sections.audit ? (
        <Section id="audit" title={t("audit.title")}>
          <PodAuditSection users={names} roles={roles} />
        </Section>
      ) : null}
    </main>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="rounded bg-main p-3">
      <dt className="text-xs uppercase tracking-wide text-muted">{label}</dt>
      <dd className="mt-1 text-xl font-semibold" data-testid={testId}>{value}</dd>
    </div>
  );
}

/** The pod at a glance, refreshed every 10 seconds while the page is open. */
/** The version inside the translated note (Trans replaces an element's children, so the text comes as a prop). */
function Version({ text }: { text: string; children?: React.ReactNode }) {
  return <span className="break-all" data-testid="dash-version">{text}</span>;
}

function DashboardSection() {
  const { t } = useTranslation("admin");
  const [figures, setFigures] = useState<PodDashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      rest.podDashboard().then(
        (d) => {
          if (!live) return;
          setFigures(d);
          setError(null);
        },
        (e) => live && setError(describeError(e)),
      );
    void load();
    const timer = window.setInterval(() => void load(), 10_000);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);
  const n = (value: number) => formatNumber(value);
  return (
    <Section id="dashboard" title={t("dashboard.title")}>
      <FormError message={error} />
      {figures ? (
        <>
          <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4">
            <Figure label={t("dashboard.users")} value={n(figures.users)} testId="dash-users" />
            <Figure label={t("dashboard.communities")} value={n(figures.communities)} testId="dash-communities" />
            <Figure label={t("dashboard.messagesToday")} value={n(figures.messages_today)} testId="dash-messages" />
            <Figure label={t("dashboard.connectedNow")} value={n(figures.gateway_connections)} testId="dash-connections" />
            <Figure label={t("dashboard.inVoice")} value={n(figures.in_voice)} testId="dash-voice" />
            <Figure label={t("dashboard.filesStored")} value={formatBytes(figures.storage_used_bytes)} testId="dash-storage" />
            <Figure label={t("dashboard.uptime")} value={formatUptime(figures.uptime_seconds)} testId="dash-uptime" />
            <Figure label={t("dashboard.database")} value={figures.database_provider === "postgres" ? "PostgreSQL" : "SQLite"} testId="dash-database" />
          </dl>
          <p className="mt-2 text-xs text-muted">
            <Trans
              t={t}
              i18nKey="dashboard.note"
              values={{ where: (figures.gateway_nodes ?? 1) > 1 ? t("dashboard.allNodes", { count: figures.gateway_nodes ?? 1 }) : t("dashboard.thisServer") }}
              components={{ version: <Version text={figures.version} /> }}
            />
          </p>
        </>
      ) : !error ? (
        <Loading />
      ) : null}
    </Section>
  );
}

function SettingsSection() {
  const { t } = useTranslation("admin");
  const [settings, setSettings] = useState<PodSettings | null>(null);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [mode, setMode] = useState<RegistrationMode>("open");
  const [uploadMb, setUploadMb] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const { busy, error, status, run, setError } = useAction();
  const show = useCallback((s: PodSettings) => {
    setSettings(s);
    setName(s.name);
    setDescription(s.description ?? "");
    setMode(s.registration_mode);
    setUploadMb(s.max_upload_bytes != null ? megabytes(s.max_upload_bytes) : "");
  }, []);
  useEffect(() => {
    rest.podSettings().then(show, (e) => setError(describeError(e)));
  }, [show, setError]);

  async function save(e: FormEvent) {
    e.preventDefault();
    setFieldErrors({});
    const maxUpload = uploadLimitBytes(uploadMb);
    if (maxUpload === null) {
      setFieldErrors({ max_upload_bytes: t("settings.maxUploadInvalid") });
      return;
    }
    await run(async () => {
      try {
        show(await rest.updatePodSettings({ name: name.trim(), description: description.trim(), registration_mode: mode, max_upload_bytes: maxUpload }));
        void reloadPodInfo();
      } catch (err) {
        if (err instanceof ApiError) setFieldErrors(Object.fromEntries(Object.entries(err.fieldErrors).map(([k, v]) => [k, v[0] ?? ""])));
        throw err;
      }
    }, t("settings.saved"));
  }

  return (
    <Section id="settings" title={t("settings.title")}>
      {!settings ? (
        error ? <FormError message={error} /> : <Loading />
      ) : (
        <form onSubmit={save} className="flex flex-col gap-4" noValidate>
          <TextField label={t("settings.serverName")} name="name" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} error={fieldErrors.name} required />
          <DescriptionField value={description} onChange={(e) => setDescription(e.target.value)} error={fieldErrors.description} />
          <ModeChoice value={mode} onChange={setMode} error={fieldErrors.registration_mode} />
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-sm font-semibold">{t("settings.defaultLimits")}</legend>
            <TextField
              label={t("settings.maxUpload")}
              name="max-upload"
              inputMode="decimal"
              value={uploadMb}
              onChange={(e) => setUploadMb(e.target.value)}
              placeholder={megabytes(settings.max_upload_bytes_limit)}
              error={fieldErrors.max_upload_bytes}
              hint={t("settings.maxUploadHint", { size: formatBytes(settings.max_upload_bytes_limit) })}
              data-testid="admin-max-upload"
            />
          </fieldset>
          <FormError message={error} />
          <div className="flex items-center gap-3">
            <Button type="submit" disabled={busy} data-testid="admin-settings-save">
              {busy ? t("settings.saving") : t("settings.save")}
            </Button>
            {status ? <p role="status" className="text-sm text-muted">{status}</p> : null}
          </div>
        </form>
      )}
    </Section>
  );
}

function UsersSection({ roles, canGiveRoles }: { roles: PodRole[]; canGiveRoles: boolean }) {
  const { t } = useTranslation("admin");
  const [query, setQuery] = useState("");
  const [users, setUsers] = useState<AdminUser[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [sessionsOf, setSessionsOf] = useState<string | null>(null);
  const [rolesOf, setRolesOf] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const given = podRolesInOrder(roles).filter((r) => !r.is_default);
  const setRole = (user: AdminUser, role: PodRole, on: boolean) =>
    run(async () => {
      if (on) await rest.addPodRole(user.id, role.id);
      else await rest.removePodRole(user.id, role.id);
      setUsers((shown) =>
        shown.map((u) => (u.id === user.id ? { ...u, roles: on ? [...(u.roles ?? []), role.id] : (u.roles ?? []).filter((id) => id !== role.id) } : u)),
      );
    }, "");

  const search = useCallback(
    (q: string, after?: string) =>
      run(async () => {
        const page = await rest.adminUsers(q.trim(), after);
        setUsers((shown) => (after ? [...shown, ...page.users] : page.users));
        setCursor(page.next_cursor ?? null);
      }, ""),
    [run],
  );
  useEffect(() => {
    void search("");
  }, [search]);

  const setBanned = (user: AdminUser, banned: boolean) =>
    run(async () => {
      if (banned) await rest.podBan(user.id);
      else await rest.podUnban(user.id);
      setUsers((shown) => shown.map((u) => (u.id === user.id ? { ...u, banned } : u)));
    }, "");

  return (
    <Section id="users" title={t("users.title")}>
      <form
        role="search"
        className="mb-3 flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void search(query);
        }}
      >
        <TextField label={t("users.search")} name="user-search" value={query} onChange={(e) => setQuery(e.target.value)} className="min-w-0 flex-1" />
        <Button type="submit" className="h-[42px] self-end" disabled={busy}>{t("users.searchButton")}</Button>
      </form>
      <FormError message={error} />
      <ul className="divide-y divide-line" aria-label={t("users.list")}>
        {users.map((u) => (
          <li key={u.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
            <span className="min-w-0">
              <Isolated className="font-medium" text={u.username} />
              {u.display_name ? (
                <span className="ml-1 text-sm text-muted">
                  (<Isolated text={u.display_name} />)
                </span>
              ) : null}
              {u.is_owner ? <span className="ml-2 rounded bg-main px-1.5 text-xs">{t("users.owner")}</span> : null}
              {u.banned ? <span className="ml-2 rounded bg-danger px-1.5 text-xs text-white">{t("users.banned")}</span> : null}
              {given.filter((r) => u.roles?.includes(r.id)).map((r) => (
                <span key={r.id} className="ml-2 rounded bg-main px-1.5 text-xs" data-testid="admin-user-role">
                  <PodRoleName role={r} />
                </span>
              ))}
            </span>
            <span className="flex gap-2">
              {canGiveRoles && !u.is_owner ? (
                <Button
                  variant="secondary"
                  aria-expanded={rolesOf === u.id}
                  aria-label={t("users.rolesOf", { name: u.username })}
                  onClick={() => setRolesOf((shown) => (shown === u.id ? null : u.id))}
                >
                  {t("users.roles")}
                </Button>
              ) : null}
              <Button
                variant="secondary"
                aria-expanded={sessionsOf === u.id}
                aria-label={t("users.sessionsOf", { name: u.username })}
                onClick={() => setSessionsOf((shown) => (shown === u.id ? null : u.id))}
              >
                {t("users.sessions")}
              </Button>
              {u.is_owner ? null : (
                <Button variant={u.banned ? "secondary" : "danger"} disabled={busy} onClick={() => void setBanned(u, !u.banned)} aria-label={u.banned ? t("users.unbanLabel", { name: u.username }) : t("users.banLabel", { name: u.username })}>
                  {u.banned ? t("users.unban") : t("users.ban")}
                </Button>
              )}
            </span>
            {rolesOf === u.id ? (
              <fieldset className="w-full rounded bg-main p-3" data-testid="admin-user-roles">
                <legend className="sr-only">{t("users.rolesOf", { name: u.username })}</legend>
                {!given.length ? <p className="text-sm text-muted">{t("users.noRoles")}</p> : null}
                {given.map((r) => {
                  const on = u.roles?.includes(r.id) ?? false;
                  return (
                    <label key={r.id} className="flex items-center gap-2 py-1 text-sm">
                      <input type="checkbox" checked={on} disabled={busy} onChange={() => void setRole(u, r, !on)} data-role-name={r.name} />
                      <PodRoleName role={r} />
                    </label>
                  );
                })}
              </fieldset>
            ) : null}
            {sessionsOf === u.id ? <UserSessions user={u} /> : null}
          </li>
        ))}
      </ul>
      {!users.length && !busy ? <p className="text-sm text-muted">{t("users.noMatch")}</p> : null}
      {cursor ? (
        <Button variant="secondary" className="mt-2" disabled={busy} onClick={() => void search(query, cursor)}>{t("users.showMore")}</Button>
      ) : null}
    </Section>
  );
}

/** A user's active sessions, each with "End", and "End all": ended sessions are signed out at once. */
function UserSessions({ user }: { user: AdminUser }) {
  const { t } = useTranslation("admin");
  const [list, setList] = useState<SessionInfo[] | null>(null);
  const { busy, error, status, run, setError } = useAction();
  // The server refuses ending the owner's sessions and one's own here (one's own are in Settings), so neither is offered.
  const isMe = useSession((s) => s.user?.id === user.id);
  const canEnd = !user.is_owner && !isMe;
  const load = useCallback(() => rest.adminUserSessions(user.id).then(setList), [user.id]);
  useEffect(() => {
    load().catch((e: unknown) => setError(describeError(e)));
  }, [load, setError]);
  const end = (session?: SessionInfo) =>
    run(async () => {
      if (session) await rest.adminEndUserSession(user.id, session.id);
      else await rest.adminEndUserSessions(user.id);
      await load();
    }, session ? t("sessions.ended") : t("sessions.allEnded"));
  return (
    <div className="w-full rounded bg-main p-3" data-testid="admin-user-sessions" aria-label={t("users.sessionsOf", { name: user.username })} role="region">
      <FormError message={error} />
      {!list && !error ? <Loading /> : null}
      {list && !list.length ? <p className="text-sm text-muted">{t("sessions.none")}</p> : null}
      <ul className="flex flex-col gap-2">
        {list?.map((s) => (
          <li key={s.id} className="flex flex-wrap items-center gap-2" data-testid="admin-session">
            <div className="min-w-0 flex-1">
              <div className="truncate text-sm font-medium">{s.user_agent || t("sessions.unknownDevice")}{s.current ? t("sessions.yours") : ""}</div>
              <div className="text-xs text-muted">
                {s.ip ? `${s.ip} · ` : ""}{t("sessions.details", { lastActive: formatDateTime(s.last_used_at), signedIn: formatDate(s.created_at) })}
              </div>
            </div>
            {!canEnd ? null : (
              <Button variant="secondary" disabled={busy} onClick={() => void end(s)} aria-label={t("sessions.endOn", { device: s.user_agent || t("sessions.unknownDeviceLower") })}>
                {t("sessions.end")}
              </Button>
            )}
          </li>
        ))}
      </ul>
      <div className="mt-2 flex items-center gap-3">
        {isMe ? <p className="text-sm text-muted">{t("sessions.ownElsewhere")}</p> : null}
        {canEnd && list?.length ? (
          <Button variant="danger" disabled={busy} onClick={() => void end()} data-testid="admin-end-all-sessions">
            {t("sessions.endAll")}
          </Button>
        ) : null}
        {status ? <p role="status" className="text-sm text-muted">{status}</p> : null}
      </div>
    </div>
  );
}

/** Deleting a community from /admin: confirmed by typing its name, as the deletion cannot be undone. */
/** The community's name inside the translated warning (Trans replaces an element's children, so it comes as a prop). */
function CommunityName({ name }: { name: string; children?: React.ReactNode }) {
  return <Isolated className="font-semibold" text={name} />;
}

function DeleteCommunityDialog({ community, onDeleted, onClose }: { community: AdminCommunity; onDeleted: () => void; onClose: () => void }) {
  const { t } = useTranslation("admin");
  const [typed, setTyped] = useState("");
  const { busy, error, run } = useAction();
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (typed.trim() !== community.name) return;
    await run(async () => {
      await rest.adminDeleteCommunity(community.id);
      onDeleted();
      onClose();
    }, "");
  }
  return (
    <Dialog title={t("communities.deleteTitle")} onClose={onClose} testId="admin-delete-community">
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        <p>
          <Trans
            t={t}
            i18nKey="communities.deleteWarning"
            count={community.member_count}
            components={{ name: <CommunityName name={community.name} /> }}
          />
        </p>
        <TextField label={t("communities.confirmName")} name="confirm-name" value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus />
        <FormError message={error} />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>{t("communities.cancel")}</Button>
          <Button type="submit" variant="danger" disabled={busy || typed.trim() !== community.name} data-testid="confirm-button">
            {t("communities.deleteCommunity")}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

function CommunitiesSection() {
  const { t } = useTranslation("admin");
  const [communities, setCommunities] = useState<AdminCommunity[]>([]);
  const [deleting, setDeleting] = useState<AdminCommunity | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const load = useCallback(
    (after?: string) =>
      run(async () => {
        const page = await rest.adminCommunities(after);
        setCommunities((shown) => (after ? [...shown, ...page.communities] : page.communities));
        setCursor(page.next_cursor ?? null);
      }, ""),
    [run],
  );
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <Section id="communities" title={t("communities.title")}>
      <FormError message={error} />
      <ul className="divide-y divide-line" aria-label={t("communities.list")}>
        {communities.map((c) => (
          <li key={c.id} className="flex items-center justify-between gap-2 py-2">
            <Isolated className="min-w-0 truncate font-medium" text={c.name} />
            <span className="flex shrink-0 items-center gap-2">
              <span className="text-sm text-muted">
                {t("communities.members", { count: c.member_count })}
              </span>
              <Button variant="danger" onClick={() => setDeleting(c)} aria-label={t("communities.deleteLabel", { name: c.name })}>{t("communities.delete")}</Button>
            </span>
          </li>
        ))}
      </ul>
      {!communities.length && !busy ? <p className="text-sm text-muted">{t("communities.none")}</p> : null}
      {deleting ? (
        <DeleteCommunityDialog
          community={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => setCommunities((shown) => shown.filter((c) => c.id !== deleting.id))}
        />
      ) : null}
      {cursor ? (
        <Button variant="secondary" className="mt-2" disabled={busy} onClick={() => void load(cursor)}>{t("communities.showMore")}</Button>
      ) : null}
    </Section>
  );
}
