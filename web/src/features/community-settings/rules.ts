import type { AuditEntry } from "../../api/types";
import i18n from "../../i18n";

// Permission bit sets travel as decimal strings (bit 31 and above do not fit a JS bitwise int): BigInt here.

export function parseBits(raw: string | undefined | null): bigint {
  if (!raw) return 0n;
  try {
    return BigInt(raw);
  } catch {
    return 0n;
  }
}

export const hasBit = (bits: string | bigint, bit: number): boolean => ((typeof bits === "bigint" ? bits : parseBits(bits)) & (1n << BigInt(bit))) !== 0n;

/**
 * A permission's name as shown next to its switch: its identifier in words ("SEND_MESSAGES" → "Send messages"). The
 * identifiers are the server's, untranslated, as are the descriptions shown under them.
 */
export function permissionLabel(name: string): string {
  return name.replaceAll("_", " ").toLowerCase().replace(/^./, (c) => c.toUpperCase());
}

/** The bit set with one permission switched on or off, as the decimal string the server takes. */
export function withPermission(bits: string, bit: number, on: boolean): string {
  const mask = 1n << BigInt(bit);
  const current = parseBits(bits);
  return (on ? current | mask : current & ~mask).toString();
}

export const ADMINISTRATOR_BIT = 31;

/** May the holder of `perms` (community-wide bits) do what `bit` allows: ADMINISTRATOR, or the owner, always may. */
export function can(perms: string | undefined, bit: number, isOwner: boolean): boolean {
  if (isOwner) return true;
  const bits = parseBits(perms);
  return hasBit(bits, ADMINISTRATOR_BIT) || hasBit(bits, bit);
}

export const Bits = {
  MANAGE_MESSAGES: 6,
  MANAGE_ROLES: 8,
  MANAGE_COMMUNITY: 9,
  KICK_MEMBERS: 11,
  BAN_MEMBERS: 12,
  MODERATE_MEMBERS: 13,
  VIEW_AUDIT_LOG: 20,
} as const;

/** Timeout durations offered (seed 000 §C2-9), in seconds. */
export const TIMEOUTS: { label: string; seconds: number }[] = [
  { label: "60 seconds", seconds: 60 },
  { label: "5 minutes", seconds: 300 },
  { label: "10 minutes", seconds: 600 },
  { label: "1 hour", seconds: 3600 },
  { label: "1 day", seconds: 86400 },
  { label: "1 week", seconds: 604800 },
];

/** How much of a banned member's history goes with the ban. */
export const BAN_HISTORY: { label: string; seconds: number }[] = [
  { label: "Don't delete any", seconds: 0 },
  { label: "Previous hour", seconds: 3600 },
  { label: "Previous 24 hours", seconds: 86400 },
  { label: "Previous 7 days", seconds: 604800 },
];

/** Every action the audit log records (docs/permissions.md "Audit log"), for the filter. */
export const AUDIT_ACTIONS = [
  "community.update", "community.delete", "channel.create", "channel.update", "channel.delete",
  "channel_override.update", "channel_override.delete", "role.create", "role.update", "role.delete",
  "member.role_update", "member.kick", "member.ban", "member.unban", "member.timeout", "member.timeout_remove",
  "message.delete", "message.bulk_delete", "message.retention_delete", "message.pin", "message.unpin", "invite.create", "invite.delete",
  "report.resolve", "report.dismiss",
] as const;

export interface AuditNames {
  user: (id: string) => string;
  role: (id: string) => string;
  channel: (id: string) => string;
}

function changed(entry: AuditEntry, field: string): { old?: unknown; new?: unknown } | undefined {
  const c = entry.changes?.[field];
  return c && typeof c === "object" ? (c as { old?: unknown; new?: unknown }) : undefined;
}

function str(v: unknown): string | undefined {
  if (Array.isArray(v)) return v.length ? str(v[0]) : undefined; // member.role_update: {"added": ["rol_…"]}
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

/** An audit entry in words: "alice banned bob", "alice created the role Moderators". */
export function describeAuditEntry(entry: AuditEntry, names: AuditNames): string {
  const actor = entry.actor_id ? names.user(entry.actor_id) : i18n.t("communitySettings:audit.system");
  const target = entry.target_id ?? "";
  const user = () => names.user(target);
  const roleName = () => str(changed(entry, "name")?.new) ?? str(changed(entry, "name")?.old) ?? str(entry.changes?.["name"]) ?? names.role(target);
  const channelName = () => str(changed(entry, "name")?.new) ?? str(changed(entry, "name")?.old) ?? str(entry.changes?.["name"]) ?? names.channel(target);
  switch (entry.action) {
    case "community.update": return i18n.t("communitySettings:audit.community_update", { actor });
    case "community.delete": return i18n.t("communitySettings:audit.community_delete", { actor });
    case "channel.create": return i18n.t("communitySettings:audit.channel_create", { actor, channel: channelName() });
    case "channel.update": return i18n.t("communitySettings:audit.channel_update", { actor, channel: channelName() });
    case "channel.delete": return i18n.t("communitySettings:audit.channel_delete", { actor, channel: channelName() });
    case "channel_override.update": return i18n.t("communitySettings:audit.channel_override_update", { actor, channel: names.channel(target) });
    case "channel_override.delete": return i18n.t("communitySettings:audit.channel_override_delete", { actor, channel: names.channel(target) });
    case "role.create": return i18n.t("communitySettings:audit.role_create", { actor, role: roleName() });
    case "role.update": return i18n.t("communitySettings:audit.role_update", { actor, role: roleName() });
    case "role.delete": return i18n.t("communitySettings:audit.role_delete", { actor, role: roleName() });
    case "member.role_update": {
      const added = str(entry.changes?.["added"]);
      const removed = str(entry.changes?.["removed"]);
      if (added) return i18n.t("communitySettings:audit.role_added", { actor, user: user(), role: names.role(added) });
      if (removed) return i18n.t("communitySettings:audit.role_removed", { actor, user: user(), role: names.role(removed) });
      return i18n.t("communitySettings:audit.roles_changed", { actor, user: user() });
    }
    case "member.kick": return i18n.t("communitySettings:audit.member_kick", { actor, user: user() });
    case "member.ban": return i18n.t("communitySettings:audit.member_ban", { actor, user: user() });
    case "member.unban": return i18n.t("communitySettings:audit.member_unban", { actor, user: user() });
    case "member.timeout": return i18n.t("communitySettings:audit.member_timeout", { actor, user: user() });
    case "member.timeout_remove": return i18n.t("communitySettings:audit.member_timeout_remove", { actor, user: user() });
    case "message.delete": return i18n.t("communitySettings:audit.message_delete", { actor });
    case "message.bulk_delete": return i18n.t("communitySettings:audit.message_bulk_delete", { actor });
    case "message.retention_delete": {
      const changes = (entry.changes ?? {}) as { count?: number; days?: number };
      return i18n.t("communitySettings:audit.message_retention_delete", { count: changes.count ?? 0, days: changes.days ?? 0 });
    }
    case "message.pin": return i18n.t("communitySettings:audit.message_pin", { actor });
    case "message.unpin": return i18n.t("communitySettings:audit.message_unpin", { actor });
    case "invite.create": return i18n.t("communitySettings:audit.invite_create", { actor, target });
    case "invite.delete": return i18n.t("communitySettings:audit.invite_delete", { actor, target });
    case "report.resolve": return i18n.t("communitySettings:audit.report_resolve", { actor });
    case "report.dismiss": return i18n.t("communitySettings:audit.report_dismiss", { actor });
    default: return `${actor}: ${entry.action}`;
  }
}

/**
 * Moving a role one step up (-1) or down (+1) in the hierarchy (highest first, @everyone excluded): the list is
 * renumbered top to bottom (n … 1) and only the roles whose position changes are returned, so ties left by roles
 * created at the default position 1 are resolved by the first move.
 */
export function reorderedPositions(ordered: readonly { id: string; position: number }[], roleId: string, delta: -1 | 1): { id: string; position: number }[] {
  const list = [...ordered];
  const i = list.findIndex((r) => r.id === roleId);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= list.length) return [];
  [list[i], list[j]] = [list[j]!, list[i]!];
  return list.map((r, k) => ({ id: r.id, position: list.length - k, before: r.position })).filter((r) => r.position !== r.before).map(({ id, position }) => ({ id, position }));
}

