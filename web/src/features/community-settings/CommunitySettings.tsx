import { useEffect, useMemo, useState } from "react";
import type { AuditEntry, AuditVerification, Ban, PermissionTable, Role } from "../../api/types";
import { describeError } from "../../api/errors";
import { loadMembers, rest } from "../../app/runtime";
import { useChannels } from "../../stores/channels";
import { useCommunities, type CommunityInfo } from "../../stores/communities";
import { useInvites } from "../../stores/invites";
import { displayName, useMembers } from "../../stores/members";
import { colorToHex, hexToColor, memberColor, rolesInHierarchy, useRoles } from "../../stores/roles";
import { useSession } from "../../stores/session";
import { useVoice } from "../../stores/voice";
import { useModalDialog } from "../../ui/Dialog";
import { Button, IconButton } from "../../ui/Button";
import { Isolated } from "../../ui/Isolated";
import { FormError } from "../../ui/TextField";
import { PicturePicker } from "../../ui/PicturePicker";
import { MemberActions, type ModeratorRights, anyModeration } from "./MemberActions";
import { ReportsSection } from "./ReportsSection";
import { AUDIT_ACTIONS, Bits, can, describeAuditEntry, permissionLabel, reorderedPositions } from "./rules";
import { PermissionSwitches } from "./PermissionSwitches";
import { RetentionControl } from "./RetentionControl";
import { Trans, useTranslation } from "react-i18next";
import { formatDateTime } from "../../i18n/format";

type Section = "overview" | "roles" | "members" | "reports" | "invites" | "audit";

/** What the viewer may manage in a community, from their community-wide permissions (the owner: everything). */
export function useSettingsRights(community: CommunityInfo) {
  const myId = useSession((s) => s.user?.id);
  const perms = useVoice((s) => s.perms[community.id]?.community);
  const owner = myId === community.owner_id;
  const rights: ModeratorRights = {
    manageRoles: can(perms, Bits.MANAGE_ROLES, owner),
    kick: can(perms, Bits.KICK_MEMBERS, owner),
    ban: can(perms, Bits.BAN_MEMBERS, owner),
    moderate: can(perms, Bits.MODERATE_MEMBERS, owner),
  };
  return {
    rights,
    manageCommunity: can(perms, Bits.MANAGE_COMMUNITY, owner),
    viewAudit: can(perms, Bits.VIEW_AUDIT_LOG, owner),
    // The report queue needs MANAGE_MESSAGES community-wide (ReportsEndpoints).
    handleReports: can(perms, Bits.MANAGE_MESSAGES, owner),
  };
}

/** Fetches a community's roles once (colours on names need them too); live afterwards through COMMUNITY_ROLE_*. */
export function useCommunityRoles(communityId: string): Record<string, Role> | undefined {
  const roles = useRoles((s) => s.byCommunity[communityId]);
  useEffect(() => {
    if (roles) return;
    rest.roles(communityId).then((list) => useRoles.getState().setAll(communityId, list), () => undefined);
  }, [communityId, roles]);
  return roles;
}

export function CommunitySettings({ community, onClose }: { community: CommunityInfo; onClose: () => void }) {
  const { t } = useTranslation("communitySettings");
  const { rights, manageCommunity, viewAudit, handleReports } = useSettingsRights(community);
  const sections = (
    [
      { id: "overview", label: t("tabs.overview"), show: manageCommunity },
      { id: "roles", label: t("tabs.roles"), show: rights.manageRoles },
      { id: "members", label: t("tabs.members"), show: anyModeration(rights) },
      { id: "reports", label: t("tabs.reports"), show: handleReports },
      { id: "invites", label: t("tabs.invites"), show: manageCommunity },
      { id: "audit", label: t("tabs.audit"), show: viewAudit },
    ] as { id: Section; label: string; show: boolean }[]
  ).filter((s) => s.show);
  const [section, setSection] = useState<Section | undefined>(sections[0]?.id);
  const ref = useModalDialog();
  useCommunityRoles(community.id);
  const membersComplete = useMembers((s) => s.complete[community.id]);
  useEffect(() => {
    if (!membersComplete) void loadMembers(community.id).catch(() => undefined);
  }, [community.id, membersComplete]);
  const current = sections.find((s) => s.id === section)?.id ?? sections[0]?.id;
  return (
    <dialog
      ref={ref}
      aria-label={t("settingsOf", { name: community.name })}
      data-testid="community-settings"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className="m-auto h-[min(44rem,calc(100vh-2rem))] w-[min(60rem,calc(100vw-2rem))] rounded-lg bg-main p-0 text-fg shadow-xl"
    >
      <div className="flex h-full">
        <nav aria-label={t("sections")} className="flex w-48 shrink-0 flex-col gap-1 bg-sidebar p-3">
          <h2 className="mb-2 truncate px-2 text-xs font-semibold uppercase tracking-wide text-muted"><Isolated text={community.name} /></h2>
          {sections.map((s) => (
            <button
              key={s.id}
              type="button"
              data-testid={`settings-tab-${s.id}`}
              aria-current={current === s.id ? "page" : undefined}
              onClick={() => setSection(s.id)}
              className={`rounded px-2 py-1.5 text-left text-sm ${current === s.id ? "bg-hover font-semibold text-fg" : "text-muted hover:bg-hover hover:text-fg"}`}
            >
              {s.label}
            </button>
          ))}
          <div className="mt-auto"><Button variant="secondary" className="w-full" onClick={onClose}>{t("close")}</Button></div>
        </nav>
        <div className="flex-1 overflow-y-auto p-5">
          {current === "overview" ? <OverviewSection community={community} /> : null}
          {current === "roles" ? <RolesSection communityId={community.id} /> : null}
          {current === "members" ? <MembersSection community={community} rights={rights} /> : null}
          {current === "reports" ? <ReportsSection communityId={community.id} rights={rights} onClose={onClose} /> : null}
          {current === "invites" ? <InvitesSection communityId={community.id} /> : null}
          {current === "audit" ? <AuditSection communityId={community.id} /> : null}
          {!current ? <p className="text-muted">{t("nothingToManage")}</p> : null}
        </div>
      </div>
    </dialog>
  );
}

/** The community's icon (shown in everyone's community rail at once, through COMMUNITY_UPDATE) and message retention. */
function OverviewSection({ community }: { community: CommunityInfo }) {
  const { t } = useTranslation("communitySettings");
  const icon = useCommunities((s) => s.byId[community.id]?.icon_url);
  const retention = useCommunities((s) => s.byId[community.id]?.message_retention_days ?? null);
  return (
    <section aria-labelledby="settings-overview-title" data-testid="settings-overview" className="flex flex-col gap-4">
      <h3 id="settings-overview-title" className="text-lg font-semibold">{t("tabs.overview")}</h3>
      <div>
        <h4 className="mb-2 text-sm font-semibold">{t("icon")}</h4>
        <PicturePicker
          preview={
            icon ? (
              <img src={icon} alt="" className="h-20 w-20 rounded-2xl object-cover" data-testid="community-icon-preview" />
            ) : (
              <span aria-hidden="true" className="flex h-20 w-20 items-center justify-center rounded-2xl bg-sidebar text-2xl font-semibold">
                {community.name.trim().slice(0, 1).toUpperCase()}
              </span>
            )
          }
          hasPicture={!!icon}
          label={t("iconLabel")}
          testId="icon-picker"
          onUpload={async (file) => useCommunities.getState().upsert(await rest.setCommunityIcon(community.id, file))}
          onRemove={async () => useCommunities.getState().upsert(await rest.removeCommunityIcon(community.id))}
        />
      </div>
      <RetentionControl
        value={retention}
        onSave={async (days) => useCommunities.getState().upsert(await rest.updateCommunity(community.id, { message_retention_days: days ?? 0 }))}
      />
    </section>
  );
}

function RolesSection({ communityId }: { communityId: string }) {
  const { t } = useTranslation("communitySettings");
  const byId = useRoles((s) => s.byCommunity[communityId]);
  const ordered = rolesInHierarchy(byId);
  const [table, setTable] = useState<PermissionTable | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [color, setColor] = useState("#5865f2");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    rest.permissionTable().then(setTable, (e) => setError(describeError(e)));
  }, []);
  const selected = selectedId ? byId?.[selectedId] : undefined;

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  // Moves a role one step in the hierarchy; the server checks each position against the viewer's own highest role.
  const move = (role: Role, delta: -1 | 1) =>
    run(async () => {
      for (const change of reorderedPositions(ordered.filter((r) => !r.is_everyone), role.id, delta)) {
        useRoles.getState().upsert(await rest.updateRole(communityId, change.id, { position: change.position }));
      }
    });

  return (
    <section aria-labelledby="roles-heading" className="flex flex-col gap-4" data-testid="settings-roles">
      <h2 id="roles-heading" className="text-lg font-semibold">{t("tabs.roles")}</h2>
      <p className="text-sm text-muted">{t("rolesHint")}</p>
      <FormError message={error} />
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          const trimmed = name.trim();
          if (!trimmed) return setError(t("roleNameNeeded"));
          void run(async () => {
            const role = await rest.createRole(communityId, { name: trimmed, color: hexToColor(color) });
            useRoles.getState().upsert(role);
            setSelectedId(role.id);
            setName("");
          });
        }}
      >
        <label className="flex flex-col gap-1 text-xs font-semibold uppercase tracking-wide text-muted">
          {t("newRole")}
          <input data-testid="new-role-name" className="rounded border border-line bg-elevated px-3 py-2 text-sm normal-case text-fg" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="flex flex-col gap-1 text-xs font-semibold uppercase tracking-wide text-muted">
          Colour
          <input data-testid="new-role-color" type="color" className="h-9 w-12 rounded border border-line bg-elevated" value={color} onChange={(e) => setColor(e.target.value)} />
        </label>
        <Button type="submit" disabled={busy}>{t("createRole")}</Button>
      </form>
      <div className="flex gap-4">
        <ul aria-label={t("rolesOrder")} className="sticky top-0 flex w-64 shrink-0 flex-col gap-1 self-start">
          {ordered.map((r, index) => (
            <li key={r.id} data-testid="role-row" data-role-name={r.name} className={`flex items-center gap-1 rounded px-2 py-1 ${r.id === selectedId ? "bg-hover" : ""}`}>
              <span aria-hidden="true" className="h-3 w-3 shrink-0 rounded-full" style={{ background: r.color != null ? colorToHex(r.color) : "#8a8f98" }} />
              <button type="button" className="min-w-0 flex-1 truncate text-left text-sm" style={{ color: r.color != null ? colorToHex(r.color) : undefined }} onClick={() => setSelectedId(r.id)}>
                <Isolated text={r.is_everyone ? "@everyone" : r.name} />
              </button>
              {!r.is_everyone ? (
                <>
                  <IconButton label={t("moveUp", { name: r.name })} disabled={busy || index === 0} onClick={() => void move(r, -1)}>↑</IconButton>
                  <IconButton label={t("moveDown", { name: r.name })} disabled={busy || ordered[index + 1]?.is_everyone !== false} onClick={() => void move(r, 1)}>↓</IconButton>
                </>
              ) : null}
            </li>
          ))}
        </ul>
        {selected ? <RoleEditor key={selected.id} role={selected} table={table} busy={busy} run={run} onDeleted={() => setSelectedId(null)} /> : (
          <p className="text-sm text-muted">{t("chooseRole")}</p>
        )}
      </div>
    </section>
  );
}

function RoleEditor({ role, table, busy, run, onDeleted }: { role: Role; table: PermissionTable | null; busy: boolean; run: (a: () => Promise<unknown>) => Promise<void>; onDeleted: () => void }) {
  const { t } = useTranslation("communitySettings");
  const [name, setName] = useState(role.name);
  const save = (body: Parameters<typeof rest.updateRole>[2]) => run(async () => useRoles.getState().upsert(await rest.updateRole(role.community_id, role.id, body)));
  return (
    <div className="flex min-w-0 flex-1 flex-col gap-3" data-testid="role-editor">
      {!role.is_everyone ? (
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim() && name.trim() !== role.name) void save({ name: name.trim() });
          }}
        >
          <label className="flex flex-col gap-1 text-xs font-semibold uppercase tracking-wide text-muted">
            {t("roleName")}
            <input data-testid="role-name" className="rounded border border-line bg-elevated px-3 py-2 text-sm normal-case text-fg" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <Button type="submit" variant="secondary" disabled={busy}>{t("rename")}</Button>
          <label className="flex flex-col gap-1 text-xs font-semibold uppercase tracking-wide text-muted">
            Colour
            <input
              type="color"
              data-testid="role-color"
              className="h-9 w-12 rounded border border-line bg-elevated"
              defaultValue={role.color != null ? colorToHex(role.color) : "#8a8f98"}
              onBlur={(e) => {
                const next = hexToColor(e.target.value);
                if (next !== role.color) void save({ color: next });
              }}
            />
          </label>
          <Button variant="danger" disabled={busy} onClick={() => void run(async () => {
            await rest.deleteRole(role.community_id, role.id);
            useRoles.getState().remove(role.community_id, role.id);
            onDeleted();
          })}>{t("deleteRole")}</Button>
        </form>
      ) : <p className="text-sm text-muted">{t("everyoneHint")}</p>}
      <PermissionSwitches legend={t("permissions")} loadingText={t("loading")} permissions={table?.community} value={role.permissions} busy={busy}
        label={permissionLabel}
        onChange={(permissions) => void save({ permissions })} />
    </div>
  );
}

function MembersSection({ community, rights }: { community: CommunityInfo; rights: ModeratorRights }) {
  const { t } = useTranslation("communitySettings");
  const members = useMembers((s) => s.byCommunity[community.id]);
  const roles = useRoles((s) => s.byCommunity[community.id]);
  const [query, setQuery] = useState("");
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const list = useMemo(() => {
    const q = query.trim().toLowerCase();
    return Object.values(members ?? {})
      .filter((m) => !q || m.user.username.toLowerCase().includes(q) || (m.user.display_name ?? "").toLowerCase().includes(q))
      .sort((a, b) => displayName(a.user).localeCompare(displayName(b.user)));
  }, [members, query]);
  const selected = selectedId ? members?.[selectedId] : undefined;
  return (
    <section aria-labelledby="members-heading" className="flex flex-col gap-4" data-testid="settings-members">
      <h2 id="members-heading" className="text-lg font-semibold">{t("tabs.members")}</h2>
      <input
        type="search"
        aria-label={t("searchMembers")}
        placeholder={t("searchMembers")}
        data-testid="member-search"
        className="rounded border border-line bg-elevated px-3 py-2 text-sm"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <div className="flex gap-4">
        <ul aria-label={t("tabs.members")} className="flex w-64 shrink-0 flex-col gap-1">
          {list.map((m) => (
            <li key={m.user.id}>
              <button
                type="button"
                data-testid="settings-member-row"
                data-user-id={m.user.id}
                onClick={() => setSelectedId(m.user.id)}
                className={`flex w-full flex-col rounded px-2 py-1 text-left ${m.user.id === selectedId ? "bg-hover" : "hover:bg-hover"}`}
              >
                <span className="text-sm font-medium" style={{ color: memberColor(m.roles, roles) }}><Isolated text={displayName(m.user)} /></span>
                <span className="truncate text-xs text-muted">
                  {m.user.id === community.owner_id ? t("owner") : (m.roles ?? []).map((id) => roles?.[id]?.name).filter(Boolean).join(", ") || t("noRoles")}
                  {m.timeout_until && new Date(m.timeout_until).getTime() > Date.now() ? " · timed out" : ""}
                </span>
              </button>
            </li>
          ))}
        </ul>
        <div className="min-w-0 flex-1">
          {selected ? (
            <>
              <h3 className="mb-3 font-semibold"><Trans t={t} i18nKey="manage" components={{ name: <Isolated text={displayName(selected.user)} /> }} /></h3>
              <MemberActions key={selected.user.id} communityId={community.id} member={selected} rights={rights} onGone={() => setSelectedId(null)} />
            </>
          ) : <p className="text-sm text-muted">{t("chooseMember")}</p>}
        </div>
      </div>
      {rights.ban ? <BansList communityId={community.id} /> : null}
    </section>
  );
}

function BansList({ communityId }: { communityId: string }) {
  const { t } = useTranslation("communitySettings");
  const [bans, setBans] = useState<Ban[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const memberCount = useMembers((s) => Object.keys(s.byCommunity[communityId] ?? {}).length);
  // Refetched when membership changes (a ban removes the member), so a new ban shows without reopening.
  useEffect(() => {
    rest.bans(communityId).then(setBans, (e) => setError(describeError(e)));
  }, [communityId, memberCount]);
  return (
    <section aria-labelledby="bans-heading" className="flex flex-col gap-2" data-testid="bans-list">
      <h3 id="bans-heading" className="font-semibold">{t("bans")}</h3>
      <FormError message={error} />
      {bans?.length === 0 ? <p className="text-sm text-muted">{t("noBans")}</p> : null}
      <ul className="flex flex-col gap-1">
        {bans?.map((b) => (
          <li key={b.user.id} className="flex items-center gap-2 rounded px-2 py-1 hover:bg-hover" data-testid="ban-row">
            <Isolated className="font-medium" text={displayName(b.user)} />
            {b.reason ? <span className="truncate text-sm text-muted">— <Isolated text={b.reason} /></span> : null}
            <Button variant="secondary" className="ml-auto" onClick={() => void rest.unban(communityId, b.user.id).then(
              () => setBans((list) => list?.filter((x) => x.user.id !== b.user.id) ?? null),
              (e) => setError(describeError(e)),
            )}>{t("unban")}</Button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function InvitesSection({ communityId }: { communityId: string }) {
  const { t } = useTranslation("communitySettings");
  const invites = useInvites((s) => s.byCommunity[communityId]);
  const users = useMembers((s) => s.users);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    rest.invites(communityId).then((list) => list.forEach((i) => useInvites.getState().upsert(i)), (e) => setError(describeError(e)));
  }, [communityId]);
  const list = Object.values(invites ?? {}).sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
  return (
    <section aria-labelledby="invites-heading" className="flex flex-col gap-3" data-testid="settings-invites">
      <h2 id="invites-heading" className="text-lg font-semibold">{t("tabs.invites")}</h2>
      <FormError message={error} />
      {list.length === 0 ? <p className="text-sm text-muted">{t("noInvites")}</p> : null}
      <table className="w-full text-left text-sm">
        <thead className="text-xs uppercase text-muted"><tr><th className="py-1">{t("code")}</th><th>{t("createdBy")}</th><th>{t("uses")}</th><th>{t("expires")}</th><th /></tr></thead>
        <tbody>
          {list.map((i) => (
            <tr key={i.code} data-testid="invite-row" className="border-t border-line">
              <td className="py-2 font-mono">{i.code}</td>
              <td>{i.inviter_id ? displayName(users[i.inviter_id]) : "—"}</td>
              <td>{i.uses}{i.max_uses ? ` / ${i.max_uses}` : ""}</td>
              <td>{i.expires_at ? formatDateTime(i.expires_at) : t("never")}</td>
              <td className="text-right">
                <Button variant="danger" onClick={() => void rest.revokeInvite(i.code).then(
                  () => useInvites.getState().remove(communityId, i.code),
                  (e) => setError(describeError(e)),
                )}>{t("revoke")}</Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function AuditSection({ communityId }: { communityId: string }) {
  const { t } = useTranslation("communitySettings");
  const members = useMembers((s) => s.byCommunity[communityId]);
  const users = useMembers((s) => s.users);
  const roles = useRoles((s) => s.byCommunity[communityId]);
  const channels = useChannels((s) => s.byId);
  const [action, setAction] = useState("");
  const [actor, setActor] = useState("");
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [verification, setVerification] = useState<AuditVerification | null>(null);
  const [verifying, setVerifying] = useState(false);
  useEffect(() => {
    setEntries(null);
    rest.auditLog(communityId, { action: action || undefined, user_id: actor || undefined, limit: 100 }).then(setEntries, (e) => setError(describeError(e)));
  }, [communityId, action, actor]);
  const names = {
    user: (id: string) => (users[id] ? displayName(users[id]) : t("audit.formerMember")),
    role: (id: string) => roles?.[id]?.name ?? t("audit.deletedRole"),
    channel: (id: string) => channels[id]?.name ?? t("deletedChannel"),
  };
  const broken = verification?.first_broken_id ? entries?.find((e) => e.id === verification.first_broken_id) : undefined;
  return (
    <section aria-labelledby="audit-heading" className="flex flex-col gap-3" data-testid="settings-audit">
      <h2 id="audit-heading" className="text-lg font-semibold">{t("tabs.audit")}</h2>
      <div className="flex flex-wrap items-end gap-2">
        <label className="flex flex-col gap-1 text-xs font-semibold uppercase tracking-wide text-muted">
          {t("action")}
          <select data-testid="audit-action" className="rounded border border-line bg-elevated px-2 py-2 text-sm normal-case text-fg" value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">{t("allActions")}</option>
            {AUDIT_ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-xs font-semibold uppercase tracking-wide text-muted">
          {t("who")}
          <select data-testid="audit-actor" className="rounded border border-line bg-elevated px-2 py-2 text-sm normal-case text-fg" value={actor} onChange={(e) => setActor(e.target.value)}>
            <option value="">{t("anyone")}</option>
            {Object.values(members ?? {}).map((m) => <option key={m.user.id} value={m.user.id}>{displayName(m.user)}</option>)}
          </select>
        </label>
        <Button
          className="ml-auto"
          data-testid="verify-chain"
          disabled={verifying}
          onClick={() => {
            setVerifying(true);
            rest.verifyAuditLog(communityId).then(setVerification, (e) => setError(describeError(e))).finally(() => setVerifying(false));
          }}
        >
          {t("verifyChain")}
        </Button>
      </div>
      {verification ? (
        <p role="status" data-testid="verify-result" className={`rounded border px-3 py-2 text-sm ${verification.intact ? "border-green-600 text-green-600" : "border-danger text-danger"}`}>
          {verification.intact
            ? t("chainIntact", { count: verification.checked })
            : verification.first_broken_id
              ? broken
                ? t("chainBrokenAtDescribed", { id: verification.first_broken_id, what: describeAuditEntry(broken, names) })
                : t("chainBrokenAt", { id: verification.first_broken_id })
              : t("chainTruncated")}
        </p>
      ) : null}
      <FormError message={error} />
      {entries?.length === 0 ? <p className="text-sm text-muted">{t("noEntries")}</p> : null}
      <ol className="flex flex-col gap-1">
        {entries?.map((e) => (
          <li key={e.id} data-testid="audit-entry" data-action={e.action} className={`flex items-baseline gap-3 rounded px-2 py-1.5 ${e.id === verification?.first_broken_id ? "bg-danger/20" : "hover:bg-hover"}`}>
            <span className="text-sm">{describeAuditEntry(e, names)}</span>
            {e.reason ? <span className="text-xs text-muted">— <Isolated text={e.reason} /></span> : null}
            <time className="ml-auto shrink-0 text-xs text-muted" dateTime={e.created_at}>{new Date(e.created_at).toLocaleString()}</time>
          </li>
        ))}
      </ol>
    </section>
  );
}
