import type {
  ChannelNotificationSettings,
  CommunityNotificationSettings,
  Message,
  NotificationLevel,
  NotificationSettings,
} from "../api/types";

/** The server's decision (NotificationRules), mirrored for desktop notifications while the tab is open. */
export type MentionKind = "none" | "direct" | "everyone";

export const DEFAULT_LEVEL: NotificationLevel = "mentions";

export function mentionKind(message: Message, myId: string, myRoles: readonly string[]): MentionKind {
  if (message.author.id === myId) return "none";
  // A direct message (no community) is addressed to me: it notifies as a mention would.
  if (!message.community_id) return "direct";
  if (message.mentions.includes(myId)) return "direct";
  if ((message.mention_roles ?? []).some((r) => myRoles.includes(r))) return "direct";
  return message.mention_everyone ? "everyone" : "none";
}

export interface Effective {
  level: NotificationLevel;
  muted: boolean;
  suppressEveryone: boolean;
}

const active = (until: string | null | undefined, now: number) => !!until && Date.parse(until) > now;

export function effective(
  community: CommunityNotificationSettings | undefined,
  channel: ChannelNotificationSettings | undefined,
  now: number,
): Effective {
  const level = channel && channel.level !== "inherit" ? channel.level : (community?.level ?? DEFAULT_LEVEL);
  return {
    level,
    muted: active(community?.muted_until, now) || active(channel?.muted_until, now),
    suppressEveryone: community?.suppress_everyone ?? false,
  };
}

export function shouldNotify(message: Message, myId: string, myRoles: readonly string[], settings: NotificationSettings, now: number): boolean {
  if (message.author.id === myId) return false;
  const community = settings.communities.find((c) => c.community_id === message.community_id);
  const channel = settings.channels.find((c) => c.channel_id === message.channel_id);
  const e = effective(community, channel, now);
  if (e.muted) return false;
  const mention = mentionKind(message, myId, myRoles);
  switch (e.level) {
    case "all":
      return true;
    case "mentions":
      return mention === "direct" || (mention === "everyone" && !e.suppressEveryone);
    default:
      return false;
  }
}

/** Mute choices of the settings dialog; `null` minutes: until turned back on (stored as the level "nothing"). */
export const MUTE_CHOICES: { label: string; minutes: number | null }[] = [
  { label: "15 minutes", minutes: 15 },
  { label: "1 hour", minutes: 60 },
  { label: "8 hours", minutes: 8 * 60 },
  { label: "24 hours", minutes: 24 * 60 },
  { label: "Until I turn it back on", minutes: null },
];

/** What a mute choice stores: an end time, or (forever) the level `nothing` with no end time. */
export function muteRequest<L extends string>(minutes: number | null, level: L, now: number): { level: L | "nothing"; muted_until?: string } {
  if (minutes === null) return { level: "nothing" };
  return { level, muted_until: new Date(now + minutes * 60_000).toISOString() };
}
