import type { AuditEntry } from "../../api/types";

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
  "message.delete", "message.bulk_delete", "message.pin", "message.unpin", "invite.create", "invite.delete",
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
  const actor = entry.actor_id ? names.user(entry.actor_id) : "The system";
  const target = entry.target_id ?? "";
  const user = () => names.user(target);
  const roleName = () => str(changed(entry, "name")?.new) ?? str(changed(entry, "name")?.old) ?? str(entry.changes?.["name"]) ?? names.role(target);
  const channelName = () => str(changed(entry, "name")?.new) ?? str(changed(entry, "name")?.old) ?? str(entry.changes?.["name"]) ?? names.channel(target);
  switch (entry.action) {
    case "community.update": return `${actor} updated the community`;
    case "community.delete": return `${actor} deleted the community`;
    case "channel.create": return `${actor} created the channel #${channelName()}`;
    case "channel.update": return `${actor} updated the channel #${channelName()}`;
    case "channel.delete": return `${actor} deleted the channel #${channelName()}`;
    case "channel_override.update": return `${actor} changed permission overrides in #${names.channel(target)}`;
    case "channel_override.delete": return `${actor} removed a permission override in #${names.channel(target)}`;
    case "role.create": return `${actor} created the role ${roleName()}`;
    case "role.update": return `${actor} updated the role ${roleName()}`;
    case "role.delete": return `${actor} deleted the role ${roleName()}`;
    case "member.role_update": {
      const added = str(entry.changes?.["added"]);
      const removed = str(entry.changes?.["removed"]);
      if (added) return `${actor} gave ${user()} the role ${names.role(added)}`;
      if (removed) return `${actor} took the role ${names.role(removed)} from ${user()}`;
      return `${actor} changed the roles of ${user()}`;
    }
    case "member.kick": return `${actor} kicked ${user()}`;
    case "member.ban": return `${actor} banned ${user()}`;
    case "member.unban": return `${actor} unbanned ${user()}`;
    case "member.timeout": return `${actor} timed out ${user()}`;
    case "member.timeout_remove": return `${actor} ended the timeout of ${user()}`;
    case "message.delete": return `${actor} deleted a message`;
    case "message.bulk_delete": return `${actor} deleted messages in bulk`;
    case "message.pin": return `${actor} pinned a message`;
    case "message.unpin": return `${actor} unpinned a message`;
    case "invite.create": return `${actor} created the invite ${target}`;
    case "invite.delete": return `${actor} revoked the invite ${target}`;
    case "report.resolve": return `${actor} resolved a report`;
    case "report.dismiss": return `${actor} dismissed a report`;
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

