import type { AuditEntry, RegistrationMode } from "../../api/types";
import { describeAuditEntry, type AuditNames } from "../community-settings/rules";
import { inviteCodeFrom } from "../invites/inviteCode";
import i18n from "../../i18n";
import { formatNumber } from "../../i18n/format";

/** Pod permission bits (docs/permissions.md "Pod permissions"). */
export const PodBits = {
  manageCommunities: 1n << 1n,
  banMembers: 1n << 2n,
  viewAuditLog: 1n << 4n,
  manageSettings: 1n << 5n,
  administrator: 1n << 15n,
} as const;

export interface AdminSections {
  settings: boolean;
  users: boolean;
  communities: boolean;
  /** Pod roles: creating, editing and giving them needs POD_ADMINISTRATOR. */
  roles: boolean;
  audit: boolean;
}

function bits(permissions: string | null | undefined): bigint {
  try {
    return permissions ? BigInt(permissions) : 0n;
  } catch {
    return 0n;
  }
}

/** Which parts of /admin a pod permission set (a decimal string) opens; POD_ADMINISTRATOR opens all. */
export function adminSections(permissions: string | null | undefined): AdminSections {
  const held = bits(permissions);
  const has = (bit: bigint) => (held & PodBits.administrator) !== 0n || (held & bit) !== 0n;
  return {
    settings: has(PodBits.manageSettings),
    users: has(PodBits.banMembers),
    communities: has(PodBits.manageCommunities),
    roles: (held & PodBits.administrator) !== 0n,
    audit: has(PodBits.viewAuditLog),
  };
}

/** Whether /admin has anything for this person (the settings page links there only then). */
export function canAdminister(permissions: string | null | undefined): boolean {
  const s = adminSections(permissions);
  return s.settings || s.users || s.communities || s.roles || s.audit;
}

/** A pod permission's name as a person reads it: POD_BAN_MEMBERS → "Ban members". */
export function podPermissionLabel(name: string): string {
  const known = i18n.t("admin:permissions", { returnObjects: true }) as Record<string, string>;
  if (typeof known[name] === "string") return known[name];
  // A permission newer than this client: its name in words.
  const words = name.replace(/^POD_/, "").replaceAll("_", " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Every action the pod audit log records (docs/permissions.md "Audit log"), for the filter. */
export const POD_AUDIT_ACTIONS = [
  "pod.setup", "pod.settings_update", "pod_role.create", "pod_role.update", "pod_role.delete",
  "pod.member_role_update", "pod.ban", "pod.unban", "pod.sessions_end", "user.passkey_add", "user.passkey_remove",
] as const;

function changedTo(entry: AuditEntry, field: string): unknown {
  const c = entry.changes?.[field];
  return c && typeof c === "object" && !Array.isArray(c) ? (c as { new?: unknown }).new : c;
}

function firstOf(v: unknown): string | undefined {
  if (Array.isArray(v)) return firstOf(v[0]);
  return typeof v === "string" ? v : undefined;
}

const settingWords: Record<string, () => string> = {
  name: () => i18n.t("admin:audit.fieldName"),
  description: () => i18n.t("admin:audit.fieldDescription"),
  registration_mode: () => i18n.t("admin:audit.fieldRegistrationMode"),
  max_upload_bytes: () => i18n.t("admin:audit.fieldMaxUpload"),
};

/** A pod audit entry in words ("ana gave bia the pod role Auditors"); other actions as the community log words them. */
export function describePodAuditEntry(entry: AuditEntry, names: AuditNames): string {
  const actor = entry.actor_id ? names.user(entry.actor_id) : i18n.t("admin:audit.system");
  const target = entry.target_id ?? "";
  const roleName = () => firstOf(changedTo(entry, "name")) ?? names.role(target);
  switch (entry.action) {
    case "pod.setup": return i18n.t("admin:audit.pod_setup", { actor });
    case "pod.settings_update": {
      const fields = Object.keys(entry.changes ?? {}).map((f) => settingWords[f]?.() ?? f);
      return fields.length
        ? i18n.t("admin:audit.settings_changed", { actor, fields: fields.join(i18n.t("admin:audit.listSeparator")) })
        : i18n.t("admin:audit.settings_unchanged", { actor });
    }
    case "pod_role.create": return i18n.t("admin:audit.role_create", { actor, role: roleName() });
    case "pod_role.update": return i18n.t("admin:audit.role_update", { actor, role: roleName() });
    case "pod_role.delete": return i18n.t("admin:audit.role_delete", { actor, role: roleName() });
    case "pod.member_role_update": {
      const added = firstOf(entry.changes?.["added"]);
      const removed = firstOf(entry.changes?.["removed"]);
      if (added) return i18n.t("admin:audit.role_added", { actor, user: names.user(target), role: names.role(added) });
      if (removed) return i18n.t("admin:audit.role_removed", { actor, user: names.user(target), role: names.role(removed) });
      return i18n.t("admin:audit.roles_changed", { actor, user: names.user(target) });
    }
    case "pod.ban": return i18n.t("admin:audit.ban", { actor, user: names.user(target) });
    case "pod.unban": return i18n.t("admin:audit.unban", { actor, user: names.user(target) });
    case "pod.sessions_end": {
      const ended = entry.changes?.["sessions"];
      const count = Array.isArray(ended) ? ended.length : 0;
      return i18n.t("admin:audit.sessions_end", { actor, user: names.user(target), count });
    }
    case "user.passkey_add": return i18n.t("admin:audit.passkey_add", { actor, name: firstOf(entry.changes?.["name"]) ?? "" });
    case "user.passkey_remove": return i18n.t("admin:audit.passkey_remove", { actor, name: firstOf(entry.changes?.["name"]) ?? "" });
    default: return describeAuditEntry(entry, names);
  }
}

/** The `until` to send for a "to" day chosen inclusively (YYYY-MM-DD): the next day's UTC midnight. */
export function dayAfter(day: string): string {
  const at = new Date(`${day}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + 1);
  return at.toISOString().slice(0, 10);
}

const MiB = 1024 * 1024;

/** An upload limit typed in MB as the bytes to send: empty is 0 (the server's maximum); null when it is not a positive number. */
export function uploadLimitBytes(typed: string): number | null {
  const text = typed.trim().replace(",", ".");
  if (!text) return 0;
  const mb = Number(text);
  if (!Number.isFinite(mb) || mb <= 0) return null;
  return Math.max(1, Math.round(mb * MiB));
}

/** Bytes shown in the MB field: up to two decimals, no trailing zeros. */
export function megabytes(bytes: number): string {
  return String(Math.round((bytes / MiB) * 100) / 100);
}

/** The invite code in a redirect to an invite page of this site (`/invite/CODE`), so registering from an invite link can use it. */
export function inviteCodeFromRedirect(redirect: unknown): string | null {
  return typeof redirect === "string" && redirect.startsWith("/invite/") ? inviteCodeFrom(redirect) : null;
}

/** The invite code from what was typed: a bare code, or a whole invite link; otherwise what was typed, for the server to judge. */
export function inviteCodeInput(typed: string): string {
  return inviteCodeFrom(typed) ?? typed.trim();
}

/** A byte count in words: "0 B", "1.5 KB", "20 MB" (powers of 1024). */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = formatNumber(unit === 0 || value >= 10 ? Math.round(value) : Math.round(value * 10) / 10);
  return `${shown} ${units[unit]}`;
}

/** An uptime in words: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const n = formatNumber;
  if (days > 0) return `${n(days)} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return `${minutes} min`;
  return `${n(s)} s`;
}

/** The registration modes with their names and what they mean, in the current language. */
export function registrationModes(): { value: RegistrationMode; label: string; description: string }[] {
  return [
    { value: "open", label: i18n.t("admin:modes.open"), description: i18n.t("admin:modes.openDescription") },
    { value: "invite", label: i18n.t("admin:modes.invite"), description: i18n.t("admin:modes.inviteDescription") },
    { value: "closed", label: i18n.t("admin:modes.closed"), description: i18n.t("admin:modes.closedDescription") },
  ];
}

/** What the sign-up page says about the pod's registration mode (nothing when it is open). */
export function registrationNotice(mode: RegistrationMode | undefined): string | null {
  if (mode === "invite") return i18n.t("admin:modes.inviteNotice");
  if (mode === "closed") return i18n.t("admin:modes.closedNotice");
  return null;
}

/** The setup wizard's steps (translation keys); the last is shown once the pod is set up. */
export const setupSteps = ["account", "server", "join", "done"] as const;

/** A setup step's title in the current language. */
export function setupStepTitle(step: (typeof setupSteps)[number]): string {
  return i18n.t(`admin:setup.steps.${step}`);
}

export interface SetupValues {
  username: string;
  email: string;
  password: string;
  podName: string;
  podDescription: string;
  mode: RegistrationMode;
}

/** The checks the server makes too, per step, so a mistake is shown on its own step before anything is sent. */
export function setupStepErrors(step: number, v: SetupValues): Record<string, string> {
  const errors: Record<string, string> = {};
  if (step === 0) {
    const name = v.username.trim();
    if ([...name].length < 2 || [...name].length > 32) errors.username = i18n.t("admin:setup.errors.username");
    if ([...v.password].length < 8) errors.password = i18n.t("admin:setup.errors.password");
  } else if (step === 1) {
    const name = v.podName.trim();
    if (!name) errors.pod_name = i18n.t("admin:setup.errors.podNameRequired");
    else if (name.length > 100) errors.pod_name = i18n.t("admin:setup.errors.podNameLong");
    if (v.podDescription.trim().length > 1000) errors.pod_description = i18n.t("admin:setup.errors.descriptionLong");
  }
  return errors;
}

/** The step where the server's complaint about a field belongs. */
export function stepOfField(field: string): number {
  if (field === "pod_name" || field === "pod_description") return 1;
  if (field === "registration_mode") return 2;
  return 0;
}
