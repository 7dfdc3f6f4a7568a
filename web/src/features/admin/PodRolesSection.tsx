import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { rest } from "../../app/runtime";
import { describeError } from "../../api/errors";
import type { PermissionTable, PodRole } from "../../api/types";
import { Button, IconButton } from "../../ui/Button";
import { Isolated } from "../../ui/Isolated";
import { FormError } from "../../ui/TextField";
import { colorToHex, hexToColor } from "../../stores/roles";
import { reorderedPositions } from "../community-settings/rules";
import { PermissionSwitches } from "../community-settings/PermissionSwitches";
import { podPermissionLabel } from "./podAdmin";

const NO_COLOUR = "#8a8f98";
const fieldLabel = "flex flex-col gap-1 text-xs font-semibold uppercase tracking-wide text-muted";
const input = "rounded border border-line bg-elevated px-3 py-2 text-sm normal-case text-fg";

/** Pod roles, highest first (the default role, everyone's, last), as the server orders them. */
export function podRolesInOrder(roles: readonly PodRole[]): PodRole[] {
  return [...roles].sort((a, b) => Number(a.is_default) - Number(b.is_default) || b.position - a.position || a.id.localeCompare(b.id));
}

/** A pod role's name in its colour, as the roles list and the users list show it. */
export function PodRoleName({ role }: { role: PodRole }) {
  const { t } = useTranslation("admin");
  return (
    <span className="inline-flex items-center gap-1">
      <span aria-hidden="true" className="h-2.5 w-2.5 shrink-0 rounded-full" style={{ background: role.color != null ? colorToHex(role.color) : NO_COLOUR }} />
      <span style={{ color: role.color != null ? colorToHex(role.color) : undefined }}>
        <Isolated text={role.is_default ? t("roles.everyone") : role.name} />
      </span>
    </span>
  );
}

/**
 * Pod roles at /admin (POD_ADMINISTRATOR): create, rename, colour, move, the pod permissions with their descriptions
 * from GET /permissions, delete. The server applies the role hierarchy and words its refusals.
 */
export function PodRolesSection({ roles, onChange }: { roles: PodRole[]; onChange: (roles: PodRole[]) => void }) {
  const { t } = useTranslation("admin");
  const [table, setTable] = useState<PermissionTable | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [color, setColor] = useState("#1abc9c");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    rest.permissionTable().then(setTable, (e) => setError(describeError(e)));
  }, []);
  const ordered = podRolesInOrder(roles);
  const selected = roles.find((r) => r.id === selectedId);
  const upsert = (role: PodRole) => onChange(roles.some((r) => r.id === role.id) ? roles.map((r) => (r.id === role.id ? role : r)) : [...roles, role]);

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

  const move = (role: PodRole, delta: -1 | 1) =>
    run(async () => {
      let current = roles;
      for (const change of reorderedPositions(ordered.filter((r) => !r.is_default), role.id, delta)) {
        const updated = await rest.updatePodRole(change.id, { position: change.position });
        current = current.map((r) => (r.id === updated.id ? updated : r));
      }
      onChange(current);
    });

  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm text-muted">
        {t("roles.intro")}
      </p>
      <FormError message={error} />
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          const trimmed = name.trim();
          if (!trimmed) return setError(t("roles.nameRequired"));
          void run(async () => {
            const role = await rest.createPodRole({ name: trimmed, color: hexToColor(color) });
            upsert(role);
            setSelectedId(role.id);
            setName("");
          });
        }}
      >
        <label className={fieldLabel}>
          {t("roles.newRole")}
          <input data-testid="new-pod-role-name" className={input} maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className={fieldLabel}>
          {t("roles.colour")}
          <input data-testid="new-pod-role-color" type="color" className="h-9 w-12 rounded border border-line bg-elevated" value={color} onChange={(e) => setColor(e.target.value)} />
        </label>
        <Button type="submit" disabled={busy}>{t("roles.create")}</Button>
      </form>
      <div className="flex flex-col gap-4 sm:flex-row">
        <ul aria-label={t("roles.list")} className="flex shrink-0 flex-col gap-1 self-start sm:w-56">
          {ordered.map((r, index) => (
            <li key={r.id} data-testid="pod-role-row" data-role-name={r.name} className={`flex items-center gap-1 rounded px-2 py-1 ${r.id === selectedId ? "bg-hover" : ""}`}>
              <button type="button" className="min-w-0 flex-1 truncate text-left text-sm" aria-pressed={r.id === selectedId} onClick={() => setSelectedId(r.id)}>
                <PodRoleName role={r} />
              </button>
              {!r.is_default ? (
                <>
                  <IconButton label={t("roles.moveUp", { name: r.name })} disabled={busy || index === 0} onClick={() => void move(r, -1)}>↑</IconButton>
                  <IconButton label={t("roles.moveDown", { name: r.name })} disabled={busy || ordered[index + 1]?.is_default !== false} onClick={() => void move(r, 1)}>↓</IconButton>
                </>
              ) : null}
            </li>
          ))}
        </ul>
        {selected ? (
          <PodRoleEditor
            key={selected.id}
            role={selected}
            table={table}
            busy={busy}
            run={run}
            onSaved={upsert}
            onDeleted={() => {
              onChange(roles.filter((r) => r.id !== selected.id));
              setSelectedId(null);
            }}
          />
        ) : (
          <p className="text-sm text-muted">{t("roles.choose")}</p>
        )}
      </div>
    </div>
  );
}

function PodRoleEditor({ role, table, busy, run, onSaved, onDeleted }: {
  role: PodRole;
  table: PermissionTable | null;
  busy: boolean;
  run: (a: () => Promise<unknown>) => Promise<void>;
  onSaved: (role: PodRole) => void;
  onDeleted: () => void;
}) {
  const { t } = useTranslation("admin");
  const [name, setName] = useState(role.name);
  const save = (body: Parameters<typeof rest.updatePodRole>[1]) => run(async () => onSaved(await rest.updatePodRole(role.id, body)));
  return (
    <div className="flex min-w-0 flex-1 flex-col gap-3" data-testid="pod-role-editor">
      {!role.is_default ? (
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim() && name.trim() !== role.name) void save({ name: name.trim() });
          }}
        >
          <label className={fieldLabel}>
            {t("roles.roleName")}
            <input data-testid="pod-role-name" className={input} maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <Button type="submit" variant="secondary" disabled={busy}>{t("roles.rename")}</Button>
          <label className={fieldLabel}>
            {t("roles.colour")}
            <input
              type="color"
              data-testid="pod-role-color"
              className="h-9 w-12 rounded border border-line bg-elevated"
              defaultValue={role.color != null ? colorToHex(role.color) : NO_COLOUR}
              onBlur={(e) => {
                const next = hexToColor(e.target.value);
                if (next !== role.color) void save({ color: next });
              }}
            />
          </label>
          {role.color != null ? <Button variant="secondary" disabled={busy} onClick={() => void save({ color: -1 })}>{t("roles.noColour")}</Button> : null}
          <Button variant="danger" disabled={busy} onClick={() => void run(async () => {
            await rest.deletePodRole(role.id);
            onDeleted();
          })}>{t("roles.delete")}</Button>
        </form>
      ) : (
        <p className="text-sm text-muted">{t("roles.everyoneNote")}</p>
      )}
      <PermissionSwitches legend={t("roles.permissions")} loadingText={t("loading")} permissions={table?.pod} value={role.permissions} busy={busy}
        label={podPermissionLabel} onChange={(permissions) => void save({ permissions })} />
    </div>
  );
}
