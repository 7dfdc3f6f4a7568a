import { ChannelType, type ChannelOverride, type PermissionDefinition, type Role } from "../../api/types";
import { parseBits } from "../community-settings/rules";

// Channel permission overrides in the client: the three-state editor's arithmetic and the "view as role" check,
// with the same rules as the server's PermissionResolver (docs/permissions.md "How permissions are resolved").

export type OverrideState = "allow" | "inherit" | "deny";

const bit = (b: number): bigint => 1n << BigInt(b);

export const PermissionBits = {
  VIEW_CHANNEL: 0,
  SEND_MESSAGES: 1,
  SEND_ATTACHMENTS: 2,
  MENTION_EVERYONE: 5,
  MANAGE_CHANNELS: 7,
  MANAGE_ROLES: 8,
  EMBED_LINKS: 14,
  ADMINISTRATOR: 31,
} as const;

/** Bits that only mean something in voice channels, and bits that only mean something where messages are written. */
const VOICE_ONLY = [21, 22, 23, 24, 25, 26];
const TEXT_ONLY = [1, 2, 3, 4, 5, 6, 14, 16, 17, 18];

/** The channel-scoped permissions (from GET /permissions) that apply to a channel of this type; a category carries all of them to its channels. */
export function permissionsFor(table: readonly PermissionDefinition[], channelType: number): PermissionDefinition[] {
  const scoped = table.filter((p) => p.channel_scoped);
  if (channelType === ChannelType.Text) return scoped.filter((p) => !VOICE_ONLY.includes(p.bit));
  if (channelType === ChannelType.Voice) return scoped.filter((p) => !TEXT_ONLY.includes(p.bit));
  return scoped;
}

/** Which of allow / inherit / deny an override sets for one permission (none: inherit). */
export function stateOf(o: Pick<ChannelOverride, "allow" | "deny"> | undefined, b: number): OverrideState {
  if (!o) return "inherit";
  if (parseBits(o.allow) & bit(b)) return "allow";
  if (parseBits(o.deny) & bit(b)) return "deny";
  return "inherit";
}

/** The override's bits with one permission set to `state` (a permission is never both allowed and denied). */
export function withState(o: Pick<ChannelOverride, "allow" | "deny"> | undefined, b: number, state: OverrideState): { allow: string; deny: string } {
  const mask = bit(b);
  let allow = parseBits(o?.allow) & ~mask;
  let deny = parseBits(o?.deny) & ~mask;
  if (state === "allow") allow |= mask;
  if (state === "deny") deny |= mask;
  return { allow: allow.toString(), deny: deny.toString() };
}

/**
 * What a member holding exactly `role` (and @everyone) may do in a channel whose applicable overrides are `overrides`
 * (a synced channel's are its category's): base = @everyone | role; ADMINISTRATOR gets everything; then the @everyone
 * override, then the role's override (deny removed, allow added); without VIEW_CHANNEL no channel-scoped bit counts,
 * without SEND_MESSAGES neither do attachments, link previews nor @everyone mentions. `channelScoped` is the mask of
 * bits overrides may touch (from GET /permissions). User overrides and timeouts play no part: this is a role's view.
 */
export function permissionsAsRole(
  everyone: Pick<Role, "id" | "permissions">,
  role: Pick<Role, "id" | "permissions">,
  overrides: readonly Pick<ChannelOverride, "type" | "id" | "allow" | "deny">[],
  channelScoped: bigint,
): { bits: bigint; administrator: boolean } {
  let bits = parseBits(everyone.permissions) | parseBits(role.permissions);
  if (bits & bit(PermissionBits.ADMINISTRATOR)) return { bits: ~0n & ((1n << 64n) - 1n), administrator: true };
  const apply = (target: string) => {
    const o = overrides.find((x) => x.type === "role" && x.id === target);
    if (o) bits = (bits & ~parseBits(o.deny)) | parseBits(o.allow);
  };
  apply(everyone.id);
  if (role.id !== everyone.id) apply(role.id);
  if (!(bits & bit(PermissionBits.VIEW_CHANNEL))) bits &= ~channelScoped;
  if (!(bits & bit(PermissionBits.SEND_MESSAGES))) bits &= ~(bit(PermissionBits.SEND_ATTACHMENTS) | bit(PermissionBits.EMBED_LINKS) | bit(PermissionBits.MENTION_EVERYONE));
  return { bits, administrator: false };
}

/** The mask of the permissions overrides may use. */
export const channelScopedMask = (table: readonly PermissionDefinition[]): bigint =>
  table.filter((p) => p.channel_scoped).reduce((m, p) => m | bit(p.bit), 0n);

/** May the viewer open a channel's permission editor: role overrides need MANAGE_ROLES there, user overrides MANAGE_CHANNELS. */
export function overrideRights(channelBits: string | undefined, isOwner: boolean): { roles: boolean; users: boolean } {
  if (isOwner) return { roles: true, users: true };
  const bits = parseBits(channelBits);
  const admin = (bits & bit(PermissionBits.ADMINISTRATOR)) !== 0n;
  return { roles: admin || (bits & bit(PermissionBits.MANAGE_ROLES)) !== 0n, users: admin || (bits & bit(PermissionBits.MANAGE_CHANNELS)) !== 0n };
}
