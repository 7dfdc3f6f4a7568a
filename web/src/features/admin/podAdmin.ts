import type { AuditEntry, RegistrationMode } from "../../api/types";
import { describeAuditEntry, type AuditNames } from "../community-settings/rules";
import { inviteCodeFrom } from "../invites/inviteCode";

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
  const words = name.replace(/^POD_/, "").replaceAll("_", " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Every action the pod audit log records (docs/permissions.md "Audit log"), for the filter. */
export const POD_AUDIT_ACTIONS = [
  "pod.setup", "pod.settings_update", "pod_role.create", "pod_role.update", "pod_role.delete",
  "pod.member_role_update", "pod.ban", "pod.unban", "pod.sessions_end",
] as const;

function changedTo(entry: AuditEntry, field: string): unknown {
  const c = entry.changes?.[field];
  return c && typeof c === "object" && !Array.isArray(c) ? (c as { new?: unknown }).new : c;
}

function firstOf(v: unknown): string | undefined {
  if (Array.isArray(v)) return firstOf(v[0]);
  return typeof v === "string" ? v : undefined;
}

const settingWords: Record<string, string> = {
  name: "the name",
  description: "the description",
  registration_mode: "who can join",
  max_upload_bytes: "the upload limit",
};

/** A pod audit entry in words ("ana gave bia the pod role Auditors"); other actions as the community log words them. */
export function describePodAuditEntry(entry: AuditEntry, names: AuditNames): string {
  const actor = entry.actor_id ? names.user(entry.actor_id) : "The system";
  const target = entry.target_id ?? "";
  const roleName = () => firstOf(changedTo(entry, "name")) ?? names.role(target);
  switch (entry.action) {
    case "pod.setup": return `${actor} set up the server`;
    case "pod.settings_update": {
      const fields = Object.keys(entry.changes ?? {}).map((f) => settingWords[f] ?? f);
      return fields.length ? `${actor} changed ${fields.join(", ")} of the server` : `${actor} saved the server settings unchanged`;
    }
    case "pod_role.create": return `${actor} created the pod role ${roleName()}`;
    case "pod_role.update": return `${actor} updated the pod role ${roleName()}`;
    case "pod_role.delete": return `${actor} deleted the pod role ${roleName()}`;
    case "pod.member_role_update": {
      const added = firstOf(entry.changes?.["added"]);
      const removed = firstOf(entry.changes?.["removed"]);
      if (added) return `${actor} gave ${names.user(target)} the pod role ${names.role(added)}`;
      if (removed) return `${actor} took the pod role ${names.role(removed)} from ${names.user(target)}`;
      return `${actor} changed the pod roles of ${names.user(target)}`;
    }
    case "pod.ban": return `${actor} banned ${names.user(target)} from the server`;
    case "pod.unban": return `${actor} lifted the server ban of ${names.user(target)}`;
    case "pod.sessions_end": {
      const ended = entry.changes?.["sessions"];
      const count = Array.isArray(ended) ? ended.length : 0;
      return `${actor} signed ${names.user(target)} out (${count} ${count === 1 ? "session" : "sessions"} ended)`;
    }
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
  const shown = unit === 0 || value >= 10 ? Math.round(value).toString() : value.toFixed(1).replace(/\.0$/, "");
  return `${shown} ${units[unit]}`;
}

/** An uptime in words: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function formatUptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return `${minutes} min`;
  return `${s} s`;
}

export const registrationModes: { value: RegistrationMode; label: string; description: string }[] = [
  { value: "open", label: "Open", description: "Anyone who can reach this server can create an account." },
  { value: "invite", label: "Invite only", description: "New accounts need an invite link to one of the communities." },
  { value: "closed", label: "Closed", description: "Nobody can create an account." },
];

/** What the sign-up page says about the pod's registration mode (nothing when it is open). */
export function registrationNotice(mode: RegistrationMode | undefined): string | null {
  if (mode === "invite") return "Registration is invite only — ask for an invite link.";
  if (mode === "closed") return "Registration is closed.";
  return null;
}

/** The setup wizard's steps; the last is shown once the pod is set up. */
export const setupSteps = ["Your account", "Your server", "Who can join", "Done"] as const;

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
    if ([...name].length < 2 || [...name].length > 32) errors.username = "Username must be 2–32 characters.";
    if ([...v.password].length < 8) errors.password = "Password must be at least 8 characters.";
  } else if (step === 1) {
    const name = v.podName.trim();
    if (!name) errors.pod_name = "Give your server a name.";
    else if (name.length > 100) errors.pod_name = "Name must be at most 100 characters.";
    if (v.podDescription.trim().length > 1000) errors.pod_description = "Description must be at most 1000 characters.";
  }
  return errors;
}

/** The step where the server's complaint about a field belongs. */
export function stepOfField(field: string): number {
  if (field === "pod_name" || field === "pod_description") return 1;
  if (field === "registration_mode") return 2;
  return 0;
}
