import { useCallback, useEffect, useId, useMemo, useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import { loadMembers, rest } from "../../app/runtime";
import { describeError } from "../../api/errors";
import { ChannelType, type Channel, type ChannelOverride, type PermissionDefinition, type Role } from "../../api/types";
import { useChannels } from "../../stores/channels";
import { applyDispatch } from "../../stores/dispatch";
import { displayName, useMembers } from "../../stores/members";
import { rolesInHierarchy } from "../../stores/roles";
import { useModalDialog } from "../../ui/Dialog";
import { Button } from "../../ui/Button";
import { Isolated } from "../../ui/Isolated";
import { FormError } from "../../ui/TextField";
import { useAction } from "../../ui/useAction";
import { stripBidiControls } from "../../ui/safeText";
import { useCommunityRoles } from "../community-settings/CommunitySettings";
import { permissionLabel } from "../community-settings/rules";
import { channelScopedMask, permissionsAsRole, permissionsFor, stateOf, withState, type OverrideState } from "./overrides";

type Target = { type: "role" | "user"; id: string };
const keyOf = (t: Target) => `${t.type}:${t.id}`;

/**
 * A channel's settings (seed 000 §C2-9): the Permissions tab edits the role and member overrides in three states
 * (allow / inherit / deny), shows and changes the category sync, and checks what a role can do here. Each change is
 * saved at once; the server enforces who may change what (role overrides: MANAGE_ROLES, member overrides:
 * MANAGE_CHANNELS, only bits the editor holds) and its refusals are shown in words.
 */
export function ChannelSettings({ channel: initial, rights, onClose }: { channel: Channel; rights: { roles: boolean; users: boolean }; onClose: () => void }) {
  const channel = useChannels((s) => s.byId[initial.id]) ?? initial;
  const ref = useModalDialog();
  const deleted = !useChannels((s) => s.byId[initial.id]);
  useEffect(() => {
    if (deleted) onClose(); // deleted, or no longer visible to the viewer
  }, [deleted, onClose]);
  const { t } = useTranslation("channels");
  const label = channel.type === ChannelType.Category ? t("permissionEditor.settingsLabelCategory", { name: channel.name }) : t("permissionEditor.settingsLabel", { name: channel.name });
  return (
    <dialog
      ref={ref}
      aria-label={label}
      data-testid="channel-settings"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      className="m-auto h-[min(44rem,calc(100vh-2rem))] w-[min(60rem,calc(100vw-2rem))] rounded-lg bg-main p-0 text-fg shadow-xl"
    >
      <div className="flex h-full">
        <nav aria-label={t("permissionEditor.settingsSections")} className="flex w-44 shrink-0 flex-col gap-1 bg-sidebar p-3">
          <h2 className="mb-2 truncate px-2 text-xs font-semibold uppercase tracking-wide text-muted">
            {channel.type === ChannelType.Category ? "" : "# "}
            <Isolated text={channel.name} />
          </h2>
          <button type="button" aria-current="page" data-testid="channel-settings-tab-permissions" className="rounded bg-hover px-2 py-1.5 text-left text-sm font-semibold text-fg">
            {t("permissionEditor.permissionsTab")}
          </button>
          <div className="mt-auto">
            <Button variant="secondary" className="w-full" onClick={onClose}>{t("permissionEditor.close")}</Button>
          </div>
        </nav>
        <div className="flex-1 overflow-y-auto p-5">
          <PermissionsTab channel={channel} rights={rights} />
        </div>
      </div>
    </dialog>
  );
}

function PermissionsTab({ channel, rights }: { channel: Channel; rights: { roles: boolean; users: boolean } }) {
  const { t: tr } = useTranslation("channels", { keyPrefix: "permissionEditor" });
  const roles = useCommunityRoles(channel.community_id);
  const members = useMembers((s) => s.byCommunity[channel.community_id]);
  const membersComplete = useMembers((s) => s.complete[channel.community_id]);
  const parent = useChannels((s) => (channel.parent_id ? s.byId[channel.parent_id] : undefined));
  const synced = !!(channel.permissions_synced && parent);
  // A synced channel follows its category's overrides: those are the ones shown (and, edited, copied and un-synced).
  const source = synced && parent ? parent.id : channel.id;
  const [table, setTable] = useState<PermissionDefinition[] | null>(null);
  const [overrides, setOverrides] = useState<ChannelOverride[] | null>(null);
  const [selected, setSelected] = useState<string>("");
  const [adding, setAdding] = useState("");
  const [viewAs, setViewAs] = useState("");
  const { busy, error, status, run, setError } = useAction();
  const addId = useId();
  const viewAsId = useId();

  useEffect(() => {
    rest.permissionTable().then((t) => setTable(t.community), (e) => setError(describeError(e)));
  }, [setError]);
  useEffect(() => {
    if (!membersComplete) void loadMembers(channel.community_id).catch(() => undefined);
  }, [channel.community_id, membersComplete]);
  const reload = useCallback(
    () => rest.channelOverrides(source).then(setOverrides, (e) => setError(describeError(e))),
    [source, setError],
  );
  useEffect(() => {
    void reload();
  }, [reload]);

  const ordered = rolesInHierarchy(roles);
  const everyone = ordered.find((r) => r.is_everyone);
  const applicable = useMemo(() => (table ? permissionsFor(table, channel.type) : []), [table, channel.type]);

  // @everyone is always listed (no override = everything inherited); then roles by hierarchy, then members.
  const targets: Target[] = useMemo(() => {
    const list: Target[] = everyone ? [{ type: "role", id: everyone.id }] : [];
    for (const r of ordered) if (!r.is_everyone && overrides?.some((o) => o.type === "role" && o.id === r.id)) list.push({ type: "role", id: r.id });
    for (const o of overrides ?? []) if (o.type === "user") list.push({ type: "user", id: o.id });
    return list;
  }, [everyone, ordered, overrides]);
  const current = targets.find((t) => keyOf(t) === selected) ?? targets[0];
  const currentOverride = current ? overrides?.find((o) => o.type === current.type && o.id === current.id) : undefined;
  const nameOf = (t: Target) =>
    t.type === "role" ? (roles?.[t.id]?.is_everyone ? "@everyone" : stripBidiControls(roles?.[t.id]?.name ?? tr("deletedRole"))) : displayName(members?.[t.id]?.user ?? useMembers.getState().users[t.id]);
  const mayEdit = (t: Target) => (t.type === "role" ? rights.roles : rights.users);

  // An edit on a synced channel copies the category's overrides onto it and un-syncs it (docs/permissions.md).
  const afterEdit = async () => {
    if (synced) applyDispatch({ t: "CHANNEL_UPDATE", d: { ...channel, permissions_synced: false } });
    setOverrides(await rest.channelOverrides(channel.id));
  };

  const setState = (t: Target, bit: number, state: OverrideState) =>
    run(async () => {
      const existing = overrides?.find((o) => o.type === t.type && o.id === t.id);
      await rest.setChannelOverride(channel.id, t.type, t.id, withState(existing, bit, state));
      await afterEdit();
    }, tr("saved", { name: nameOf(t) }));

  const remove = (t: Target) =>
    run(async () => {
      await rest.removeChannelOverride(channel.id, t.type, t.id);
      await afterEdit();
      setSelected("");
    }, tr("removedOverride", { name: nameOf(t) }));

  const add = () => {
    const [type, id] = adding.split(":") as ["role" | "user", string];
    if (!id) return;
    const t = { type, id };
    void run(async () => {
      await rest.setChannelOverride(channel.id, type, id, { allow: "0", deny: "0" });
      await afterEdit();
      setSelected(keyOf(t));
      setAdding("");
    }, tr("added", { name: nameOf(t) }));
  };

  const sync = () =>
    run(async () => {
      applyDispatch({ t: "CHANNEL_UPDATE", d: await rest.updateChannel(channel.id, { permissions_synced: true }) });
    }, tr("syncedWith", { name: parent?.name ?? tr("theCategory") }));

  const listed = new Set(targets.map(keyOf));
  const addableRoles = rights.roles ? ordered.filter((r) => !listed.has(`role:${r.id}`)) : [];
  const addableMembers = rights.users ? Object.values(members ?? {}).filter((m) => !listed.has(`user:${m.user.id}`)) : [];
  const viewRole: Role | undefined = roles?.[viewAs] ?? everyone;
  const viewBits = table && everyone && viewRole && overrides ? permissionsAsRole(everyone, viewRole, overrides, channelScopedMask(table)) : null;

  return (
    <section aria-labelledby="channel-permissions-heading" className="flex flex-col gap-4" data-testid="channel-permissions">
      <h3 id="channel-permissions-heading" className="text-lg font-semibold">{tr("permissionsTab")}</h3>
      {parent ? (
        <div className="flex flex-wrap items-center gap-3 rounded border border-line bg-elevated px-3 py-2 text-sm" data-testid="sync-status" data-synced={synced ? "true" : "false"}>
          {synced ? (
            <span>
              <Trans t={tr} i18nKey="syncedNote" components={{ name: <Isolated className="font-semibold" text={parent.name} /> }} />
            </span>
          ) : (
            <>
              <span className="flex-1">
                <Trans t={tr} i18nKey="notSyncedNote" components={{ name: <Isolated className="font-semibold" text={parent.name} /> }} />
              </span>
              <Button variant="secondary" disabled={busy} onClick={() => void sync()} data-testid="sync-with-category">
                {tr("syncWithCategory")}
              </Button>
            </>
          )}
        </div>
      ) : null}
      <FormError message={error} />
      <p role="status" className="min-h-5 text-sm text-muted" data-testid="override-status">{status}</p>
      {!overrides || !table ? (
        <p className="text-muted">{tr("loadingPermissions")}</p>
      ) : (
        <div className="flex flex-col gap-4 md:flex-row">
          <div className="flex w-full shrink-0 flex-col gap-2 md:w-52">
            <h4 className="text-xs font-semibold uppercase tracking-wide text-muted">{tr("rolesAndMembers")}</h4>
            <ul className="flex flex-col gap-0.5" aria-label={tr("overrides")}>
              {targets.map((t) => (
                <li key={keyOf(t)}>
                  <button
                    type="button"
                    data-testid="override-target"
                    data-target-name={nameOf(t)}
                    aria-current={current && keyOf(current) === keyOf(t) ? "true" : undefined}
                    onClick={() => setSelected(keyOf(t))}
                    className={`w-full truncate rounded px-2 py-1.5 text-left text-sm ${current && keyOf(current) === keyOf(t) ? "bg-hover font-semibold text-fg" : "text-muted hover:bg-hover hover:text-fg"}`}
                  >
                    <span aria-hidden="true" className="mr-1">{t.type === "role" ? "◆" : "●"}</span>
                    <Isolated text={nameOf(t)} />
                  </button>
                </li>
              ))}
            </ul>
            {addableRoles.length + addableMembers.length > 0 ? (
              <div className="flex flex-col gap-1">
                <label htmlFor={addId} className="text-xs font-semibold uppercase tracking-wide text-muted">{tr("addRoleOrMember")}</label>
                <div className="flex gap-1">
                  <select id={addId} data-testid="add-override-target" value={adding} onChange={(e) => setAdding(e.target.value)} className="min-w-0 flex-1 rounded border border-line bg-elevated px-2 py-1.5 text-sm">
                    <option value="">{tr("choose")}</option>
                    {addableRoles.length ? (
                      <optgroup label={tr("roles")}>
                        {addableRoles.map((r) => <option key={r.id} value={`role:${r.id}`}>{r.is_everyone ? "@everyone" : stripBidiControls(r.name)}</option>)}
                      </optgroup>
                    ) : null}
                    {addableMembers.length ? (
                      <optgroup label={tr("members")}>
                        {addableMembers.map((m) => <option key={m.user.id} value={`user:${m.user.id}`}>{displayName(m.user)}</option>)}
                      </optgroup>
                    ) : null}
                  </select>
                  <Button variant="secondary" disabled={!adding || busy} onClick={add}>{tr("add")}</Button>
                </div>
              </div>
            ) : null}
            {everyone ? (
              <section aria-labelledby="view-as-heading" className="flex flex-col gap-2 rounded border border-line p-3" data-testid="view-as-role">
                <h4 id="view-as-heading" className="font-semibold">{tr("viewAsRole")}</h4>
                <p className="text-xs text-muted">{tr("viewAsHint")}</p>
                <label htmlFor={viewAsId} className="sr-only">{tr("roleToViewAs")}</label>
                <select id={viewAsId} data-testid="view-as-select" value={viewRole?.id ?? ""} onChange={(e) => setViewAs(e.target.value)} className="w-full rounded border border-line bg-elevated px-2 py-1.5 text-sm">
                  {ordered.map((r) => <option key={r.id} value={r.id}>{r.is_everyone ? "@everyone" : stripBidiControls(r.name)}</option>)}
                </select>
                {viewBits?.administrator ? <p className="text-sm">{tr("viewAsAdministrator")}</p> : null}
                <ul className="flex flex-col gap-0.5" data-testid="view-as-result">
                  {applicable.map((p) => {
                    const yes = viewBits ? (viewBits.bits & (1n << BigInt(p.bit))) !== 0n : false;
                    return (
                      <li key={p.name} data-permission={p.name} data-allowed={yes ? "true" : "false"} className="flex items-center gap-2 text-sm">
                        <span aria-hidden="true" className={yes ? "text-ok" : "text-danger"}>{yes ? "✓" : "✕"}</span>
                        <span>{permissionLabel(p.name)}</span>
                        <span className="sr-only">{yes ? tr("allowed") : tr("notAllowed")}</span>
                      </li>
                    );
                  })}
                </ul>
              </section>
            ) : null}
          </div>

          {current ? (
            <div className="flex min-w-0 flex-1 flex-col gap-2" data-testid="override-editor" data-target-name={nameOf(current)}>
              <div className="flex items-center gap-2">
                <h4 className="flex-1 truncate font-semibold">
                  <Isolated text={nameOf(current)} />
                </h4>
                {currentOverride && mayEdit(current) ? (
                  <Button variant="secondary" disabled={busy} onClick={() => void remove(current)} data-testid="remove-override">
                    {tr("removeOverride")}
                  </Button>
                ) : null}
              </div>
              {!mayEdit(current) ? (
                <p className="text-sm text-muted">
                  {current.type === "role" ? tr("needsManageRoles") : tr("needsManageChannels")}
                </p>
              ) : null}
              <ul className="flex flex-col divide-y divide-line">
                {applicable.map((p) => (
                  <li key={p.name} className="flex items-center gap-3 py-2">
                    <span className="flex min-w-0 flex-1 flex-col">
                      <span className="text-sm font-medium">{permissionLabel(p.name)}</span>
                      <span className="text-xs text-muted">{p.description}</span>
                    </span>
                    <TriState
                      name={`${keyOf(current)}-${p.name}`}
                      permission={p.name}
                      label={permissionLabel(p.name)}
                      value={stateOf(currentOverride, p.bit)}
                      disabled={busy || !mayEdit(current)}
                      onChange={(s) => void setState(current, p.bit, s)}
                    />
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
      )}

    </section>
  );
}

const STATES: { value: OverrideState; label: "stateDeny" | "stateInherit" | "stateAllow"; glyph: string; on: string }[] = [
  { value: "deny", label: "stateDeny", glyph: "✕", on: "peer-checked:bg-danger peer-checked:text-white" },
  { value: "inherit", label: "stateInherit", glyph: "–", on: "peer-checked:bg-muted peer-checked:font-bold peer-checked:text-main" },
  { value: "allow", label: "stateAllow", glyph: "✓", on: "peer-checked:bg-ok peer-checked:text-white" },
];

/** Deny / inherit / allow for one permission: a radio group, so arrow keys move between the three. */
function TriState({ name, permission, label, value, disabled, onChange }: {
  name: string; permission: string; label: string; value: OverrideState; disabled: boolean; onChange: (s: OverrideState) => void;
}) {
  const { t } = useTranslation("channels", { keyPrefix: "permissionEditor" });
  return (
    <fieldset className="flex shrink-0 overflow-hidden rounded border border-line" data-permission={permission} data-state={value}>
      <legend className="sr-only">{label}</legend>
      {STATES.map((s) => (
        <label key={s.value} className="relative" title={t(s.label)}>
          <input
            type="radio"
            name={name}
            value={s.value}
            aria-label={t("stateFor", { state: t(s.label), permission: label })}
            checked={value === s.value}
            disabled={disabled}
            onChange={() => onChange(s.value)}
            className="peer sr-only"
          />
          <span
            aria-hidden="true"
            className={`flex h-8 w-9 cursor-pointer items-center justify-center text-sm text-muted peer-focus-visible:outline peer-focus-visible:outline-2 peer-focus-visible:outline-accent peer-disabled:cursor-not-allowed peer-disabled:opacity-60 ${s.on}`}
          >
            {s.glyph}
          </span>
        </label>
      ))}
    </fieldset>
  );
}
