// Wire types of the REST API and the gateway (JSON is snake_case, nulls are omitted, so every nullable field is
// optional). Where a type is generated from the server's OpenAPI document (./generated/schema.ts, made by
// scripts/openapi-types.sh; the tests fail when it drifts) it is an alias of the generated schema; the rest mirror
// src/Voxora.Protocol/*.cs by hand until the generated shapes agree with them (docs/architecture.md).
import type { components } from "./generated/schema";

type Schemas = components["schemas"];

export interface User {
  id: string;
  username: string;
  display_name?: string | null;
  created_at: string;
  email?: string | null;
  /** A path on the pod (public, immutable: a new avatar is a new URL); absent without an avatar. */
  avatar_url?: string | null;
  /** Only on your own user: two-factor sign-in is on. */
  mfa_enabled?: boolean;
}

export type UserSummary = Schemas["UserSummary"];

/** 2 and 3 are direct channels (no community); 5 is a thread, 6 reserved. */
export const ChannelType = { Text: 0, Voice: 1, DirectMessage: 2, GroupDirectMessage: 3, Category: 4, Thread: 5 } as const;
export type ChannelTypeValue = (typeof ChannelType)[keyof typeof ChannelType];

export interface Channel {
  id: string;
  community_id: string;
  name: string;
  type: number;
  topic?: string | null;
  parent_id?: string | null;
  position: number;
  created_at: string;
  /** Follows its category's overrides instead of its own (docs/permissions.md "Private channels and categories"). */
  permissions_synced?: boolean;
  /** Voice channels: Opus bits/s. */
  bitrate?: number;
  /** Voice channels: the most people at once (0 = no limit). */
  user_limit?: number;
}

export interface Community {
  id: string;
  name: string;
  description?: string | null;
  owner_id: string;
  created_at: string;
  member_count?: number | null;
  channels?: Channel[] | null;
  /** A path on the pod (public, immutable); absent without an icon. */
  icon_url?: string | null;
  /** Messages older than this many days are deleted (with their files); absent or null: kept forever. */
  message_retention_days?: number | null;
}

export interface Member {
  community_id: string;
  user: UserSummary;
  joined_at: string;
  /** Role ids (never @everyone), as the server sends them in member lists and COMMUNITY_MEMBER_UPDATE. */
  roles?: string[];
  /** Set while the member is timed out (seed 000 §C2-9): they can read but not write, react or speak. */
  timeout_until?: string | null;
}

export interface MemberRemoved {
  community_id: string;
  user: UserSummary;
}

export type Invite = Schemas["Invite"];

export type InvitePreview = Schemas["InvitePreview"];

export interface InviteDeleted {
  code: string;
  community_id: string;
}

export interface Deleted {
  id: string;
  community_id?: string | null;
}

export type ReactionCount = Schemas["ReactionCount"];

export interface Message {
  id: string;
  channel_id: string;
  /** Absent (null) in a direct channel. */
  community_id?: string | null;
  author: UserSummary;
  content: string;
  created_at: string;
  edited_at?: string | null;
  reply_to?: string | null;
  mentions: string[];
  reactions: ReactionCount[];
  nonce?: string | null;
  /** Mentioned roles of the community (always sent by the server; optional for locally built messages). */
  mention_roles?: string[];
  /** @everyone / @here by an author holding MENTION_EVERYONE. */
  mention_everyone?: boolean;
  /** MessageType: 0 written by a person, 6 the system line "alice pinned a message" (reply_to: the pinned message). */
  type?: number;
  /** Pinned in its channel (GET /channels/{id}/pins), since pinned_at. */
  pinned?: boolean;
  pinned_at?: string | null;
  /** The thread started from this message, if any. */
  thread?: ThreadSummary | null;
  /** Link previews the server fetched after the message was sent (MESSAGE_UPDATE); always sent, optional for locally built messages. */
  embeds?: Embed[];
  /** Files sent with the message (always sent by the server, possibly empty; optional for locally built messages). */
  attachments?: Attachment[];
}

/**
 * A file sent with a message. `url` and `thumbnail_url` are signed and expire: usable directly in
 * <img>/<video>/<a> without an Authorization header; fresh ones come with every message payload.
 */
export type Attachment = Schemas["Attachment"];

/** POST /channels/{id}/attachments: where to PUT the file's bytes (raw body, bearer token) before the URL expires. */
export type AttachmentUpload = Schemas["AttachmentUpload"];

/**
 * A link preview. thumbnail_url is the server's signed image proxy (/api/v1/media/proxy), never the remote image, so
 * the linked site does not learn readers' addresses. color is the page's theme colour as 0xRRGGBB.
 */
export interface Embed {
  type: "link";
  url: string;
  title?: string | null;
  description?: string | null;
  thumbnail_url?: string | null;
  site_name?: string | null;
  color?: number | null;
}

export const MessageType = {
  Default: 0,
  ChannelPinnedMessage: 6,
} as const;

/** CHANNEL_PINS_UPDATE: a message of the channel was pinned or unpinned; no last_pin_timestamp once none is left. */
export interface ChannelPinsUpdate {
  channel_id: string;
  community_id: string;
  last_pin_timestamp?: string | null;
}

/** What a parent message carries about its thread. */
export type ThreadSummary = Schemas["ThreadSummary"];

/** A thread (channel type 5): GET /channels/{thread_id}, the thread list, THREAD_CREATE / THREAD_UPDATE. */
export type ThreadChannel = Schemas["ThreadChannel"];

/** THREAD_MEMBERS_UPDATE. */
export interface ThreadMembersUpdate {
  id: string;
  community_id: string;
  parent_id: string;
  member_count: number;
  added_user_ids: string[];
  removed_user_ids: string[];
}

export interface MessageDeleted {
  id: string;
  channel_id: string;
  community_id?: string | null;
}

/** MESSAGE_DELETE_BULK: a moderator's bulk delete, or a ban's purge of the banned member's recent messages (ids in id order). */
export interface MessagesDeleted {
  ids: string[];
  channel_id: string;
  community_id?: string | null;
}

export interface ReactionEvent {
  message_id: string;
  channel_id: string;
  community_id?: string | null;
  user_id: string;
  emoji: string;
}

/** TYPING_START (docs/protocol.md "Typing"): never about ourselves; shown for 8 s or until their message arrives. */
export interface TypingStart {
  channel_id: string;
  community_id?: string | null;
  user_id: string;
  username: string;
  display_name?: string | null;
  timestamp: string;
}

export type TokenResponse = Schemas["TokenResponse"];

/** Login's answer for an account with two-factor sign-in: no tokens yet; finish at /users/@me/mfa/verify. */
export interface MfaRequiredResponse {
  mfa_required: true;
  mfa_token: string;
  mfa_methods: string[];
}

export type LoginResponse = TokenResponse | MfaRequiredResponse;

/** One of the two second factors the verify and disable calls take. */
export type SecondFactorInput = { code: string } | { backup_code: string };

/** One of the signed-in user's passkeys. */
export type Passkey = Schemas["Passkey"];

/** WebAuthn options (W3C JSON form) for navigator.credentials.create / get, under `public_key`. */
export interface PasskeyOptions {
  public_key: unknown;
}

/** A pending TOTP enrolment: the key, its otpauth:// URI and QR code (PNG data URI), and the 8 backup codes. */
export type TotpEnrollment = Schemas["TotpEnrollment"];

export type BackupCodesResponse = Schemas["BackupCodesResponse"];

export type SessionInfo = Schemas["SessionInfo"];

export interface ReadyPayload {
  session_id: string;
  user: User;
  communities: Community[];
  /** Who is in which voice channel, for every voice channel the user can see (newer servers). */
  voice_states?: VoiceState[] | null;
  /** The user's own presence (real status) and the visible members of their communities (docs/protocol.md "Presence"). */
  presences?: Presence[] | null;
  /** The user's DMs and group DMs, most recently active first. */
  private_channels?: DirectChannel[] | null;
  /** Communities with too many members online for READY: their presences are paged (GET /communities/{id}/presences) when needed. */
  lazy_presence_community_ids?: string[] | null;
}

/** A DM (type 2) or group DM (type 3): no community; `recipients` includes me. */
export type DirectChannel = Schemas["DirectChannel"];

/** CHANNEL_RECIPIENT_ADD / _REMOVE. */
export interface ChannelRecipient {
  channel_id: string;
  user: UserSummary;
}

export type UserProfile = Schemas["UserProfile"];

export type BlockedUser = Schemas["BlockedUser"];

/** A status the user can choose (op 9); others see `invisible` as `offline`. */
export type ChosenStatus = "online" | "idle" | "dnd" | "invisible";
/** A status as PRESENCE_UPDATE / READY carry it. */
export type PresenceStatus = ChosenStatus | "offline";

export interface Presence {
  user_id: string;
  status: PresenceStatus;
  activities: unknown[];
}

/** A member's voice state in a community; `channel_id` null means they left voice. */
export interface VoiceState {
  community_id: string;
  channel_id: string | null;
  user_id: string;
  self_mute: boolean;
  self_deaf: boolean;
  server_mute: boolean;
  server_deaf: boolean;
}

export interface VoiceSpeaking {
  community_id: string;
  channel_id: string;
  user_id: string;
  speaking: boolean;
}

export interface VoiceErrorEvent {
  channel_id?: string | null;
  code: string;
  message: string;
}

export type IceServer = Schemas["IceServer"];

/** Gateway op 5: (re)start media for this channel with this voice session. */
export interface VoiceServerPayload {
  channel_id: string;
  voice_session_id: string;
  ice_servers: IceServer[];
  ttl: number;
}

export interface VoiceIceCandidate {
  candidate: string | null;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

/** Gateway op 13 (client → server) and DISPATCH VOICE_SIGNAL (server → client). */
export interface VoiceSignal {
  voice_session_id: string;
  pc: "send" | "recv";
  type: "offer" | "answer" | "candidate";
  sdp?: string | null;
  candidate?: VoiceIceCandidate | null;
}

export type VoiceStatus = Schemas["VoiceStatus"];

/** GET /communities/{id}/roles (ordered by position). */
export interface Role {
  id: string;
  community_id: string;
  name: string;
  permissions: string;
  position: number;
  is_everyone: boolean;
  color?: number | null;
  created_at: string;
}

/** GET /communities/{id}/permissions/@me: bit sets as decimal strings. */
export type MyPermissions = Schemas["MyPermissions"];

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: Record<string, string[]>;
  request_id?: string;
}

/** Every gateway dispatch (op 0) as a discriminated union on `t`. */
export type DispatchEvent =
  | { t: "READY"; d: ReadyPayload }
  | { t: "RESUMED"; d: null }
  | { t: "USER_UPDATE"; d: UserSummary }
  | { t: "MESSAGE_CREATE"; d: Message }
  | { t: "MESSAGE_UPDATE"; d: Message }
  | { t: "MESSAGE_DELETE"; d: MessageDeleted }
  | { t: "MESSAGE_DELETE_BULK"; d: MessagesDeleted }
  | { t: "MESSAGE_REACTION_ADD"; d: ReactionEvent }
  | { t: "MESSAGE_REACTION_REMOVE"; d: ReactionEvent }
  | { t: "TYPING_START"; d: TypingStart }
  | { t: "CHANNEL_CREATE"; d: Channel | DirectChannel }
  | { t: "CHANNEL_UPDATE"; d: Channel | DirectChannel }
  | { t: "CHANNEL_RECIPIENT_ADD"; d: ChannelRecipient }
  | { t: "CHANNEL_RECIPIENT_REMOVE"; d: ChannelRecipient }
  | { t: "CHANNEL_DELETE"; d: Deleted }
  | { t: "COMMUNITY_CREATE"; d: Community }
  | { t: "COMMUNITY_UPDATE"; d: Community }
  | { t: "COMMUNITY_DELETE"; d: Deleted }
  | { t: "COMMUNITY_MEMBER_ADD"; d: Member }
  | { t: "COMMUNITY_MEMBER_REMOVE"; d: MemberRemoved }
  | { t: "INVITE_CREATE"; d: Invite }
  | { t: "INVITE_DELETE"; d: InviteDeleted }
  /** To moderators (MANAGE_MESSAGES): a member reported a message. */
  | { t: "REPORT_CREATE"; d: Report }
  /** To moderators and the reporter: a report was resolved or dismissed. */
  | { t: "REPORT_UPDATE"; d: Report }
  | { t: "VOICE_STATE_UPDATE"; d: VoiceState }
  | { t: "VOICE_SPEAKING"; d: VoiceSpeaking }
  | { t: "VOICE_SIGNAL"; d: VoiceSignal }
  | { t: "VOICE_ERROR"; d: VoiceErrorEvent }
  | { t: "PRESENCE_UPDATE"; d: Presence }
  | { t: "CHANNEL_READ"; d: ChannelRead }
  | { t: "CHANNEL_PINS_UPDATE"; d: ChannelPinsUpdate }
  | { t: "THREAD_CREATE"; d: ThreadChannel }
  | { t: "THREAD_UPDATE"; d: ThreadChannel }
  | { t: "THREAD_MEMBERS_UPDATE"; d: ThreadMembersUpdate }
  | { t: "COMMUNITY_MEMBER_UPDATE"; d: Member }
  | { t: "COMMUNITY_ROLE_CREATE"; d: Role }
  | { t: "COMMUNITY_ROLE_UPDATE"; d: Role }
  | { t: "COMMUNITY_ROLE_DELETE"; d: Deleted };

export type DispatchType = DispatchEvent["t"];

/** GET /unread-counts: one entry per text channel the user can view. */
export type UnreadCounts = Schemas["UnreadCounts"];

/** CHANNEL_READ: my read marker moved (on this or another device). */
export interface ChannelRead {
  channel_id: string;
  community_id?: string | null;
  last_read_id: string;
  unread_count: number;
  mention_count: number;
}

// ---- notifications (docs/protocol.md "Notifications and Web Push") ----

export type NotificationLevel = "all" | "mentions" | "nothing";
export type ChannelNotificationLevel = NotificationLevel | "inherit";

export interface CommunityNotificationSettings {
  community_id: string;
  level: NotificationLevel;
  muted_until?: string | null;
  suppress_everyone: boolean;
}

export interface ChannelNotificationSettings {
  channel_id: string;
  community_id: string;
  level: ChannelNotificationLevel;
  muted_until?: string | null;
}

/** Only what differs from the defaults (community: mentions, not muted; channel: inherit). */
export interface NotificationSettings {
  communities: CommunityNotificationSettings[];
  channels: ChannelNotificationSettings[];
  show_previews: boolean;
}

export interface PushSubscriptionInfo {
  id: string;
  endpoint: string;
  created_at: string;
}

/** The decrypted payload of a Web Push (the service worker reads it). */
export interface PushPayload {
  title: string;
  body: string;
  community_id: string;
  channel_id: string;
  message_id: string;
  count: number;
  url: string;
}

// ---- community settings: roles, moderation, audit (docs/permissions.md) ----

/** A community role; `permissions` is a bit set as a decimal string, `color` 0xRRGGBB (none when absent). */
export interface Role {
  id: string;
  community_id: string;
  name: string;
  permissions: string;
  position: number;
  is_everyone: boolean;
  color?: number | null;
  created_at: string;
}

/** GET /channels/{id}/overrides: one role's or member's allow/deny bits in a channel (decimal strings). */
export interface ChannelOverride {
  channel_id: string;
  type: "role" | "user";
  id: string;
  allow: string;
  deny: string;
}

export type PermissionDefinition = Schemas["PermissionDefinition"];

/** GET /permissions: what every bit means. */
export type PermissionTable = Schemas["PermissionTable"];

export type Ban = Schemas["Ban"];

/** A report of a message (status open, resolved or dismissed). `message_content` is the text when it was reported. */
export interface Report {
  id: string;
  community_id: string;
  channel_id: string;
  message_id: string;
  message_author_id: string;
  message_content: string;
  reporter_id: string;
  reason: string;
  status: "open" | "resolved" | "dismissed";
  resolver_id?: string | null;
  note?: string | null;
  created_at: string;
  resolved_at?: string | null;
}

export interface AuditEntry {
  id: string;
  community_id: string;
  seq: number;
  actor_id?: string | null;
  action: string;
  target_type?: string | null;
  target_id?: string | null;
  changes?: Record<string, unknown> | null;
  reason?: string | null;
  created_at: string;
  prev_hash: string;
  hash: string;
}

export interface AuditVerification {
  intact: boolean;
  checked: number;
  first_broken_id?: string | null;
  truncated?: boolean;
  checkpoint_seq?: number | null;
  legacy_entries?: number;
}

// ---- message search (src/Voxora.Protocol/Search.cs, issue 19) ----

/**
 * `SearchResults`: the answer of GET /communities/{id}/messages/search and GET /users/@me/messages/search.
 * `total_results` counts every match the caller may read, up to {@link SearchLimits.MaxCountedResults}; `total_capped`
 * says the real number may be higher. `next_cursor` asks for the next page of the same query; absent on the last page.
 */
export interface SearchResults {
  total_results: number;
  total_capped: boolean;
  hits: SearchHit[];
  next_cursor?: string | null;
}

/**
 * `SearchHit`: one matching message, the channel it is in, up to {@link SearchLimits.ContextMessages} messages just
 * before and after it in that channel (oldest first), and where the query matched: `highlights` are ranges of UTF-16
 * code units (JavaScript string indices) into `message.content`, in order, not overlapping.
 */
export interface SearchHit {
  message: Message;
  channel: SearchChannel;
  context_before: Message[];
  context_after: Message[];
  highlights: TextRange[];
}

/**
 * `SearchChannel`: a text channel or a thread (`parent_id` its channel) of the community, or a direct channel
 * (`name` absent; `type` as in {@link ChannelType}).
 */
export type SearchChannel = Schemas["SearchChannel"];

/** `TextRange`: `start` and `length` in UTF-16 code units. */
export type TextRange = Schemas["TextRange"];

/** `SearchLimits`: beyond these a query is refused with a 400. */
export const SearchLimits = {
  /** Longest `q`, in characters. */
  MaxQueryLength: 256,
  /** Most hits per page (`limit`; 25 when not given). */
  MaxPageSize: 25,
  /** Most words and phrases a query may hold (exclusions included). */
  MaxTerms: 10,
  /** Most `-exclusions` a query may hold. */
  MaxExclusions: 5,
  /** How deep paging goes: a cursor past this many hits is refused. */
  MaxOffset: 1000,
  /** `total_results` stops counting here. */
  MaxCountedResults: 1000,
  /** Messages of context before and after each hit. */
  ContextMessages: 2,
} as const;

/** What `has=` filters on. */
export const SearchHasKinds = ["link", "file", "image", "video", "embed"] as const;
export type SearchHas = (typeof SearchHasKinds)[number];

export type SearchSort = "relevance" | "newest";

/**
 * The query parameters of both search endpoints. `author_id`, `channel_id` and `has` may repeat (any of them matches);
 * `before` / `after` take a message id (Snowflake) or an ISO date `YYYY-MM-DD`; `cursor` comes from `next_cursor`.
 */
export interface SearchParams {
  q?: string;
  author_id?: string[];
  channel_id?: string[];
  mentions?: string;
  has?: SearchHas[];
  pinned?: boolean;
  before?: string;
  after?: string;
  sort?: SearchSort;
  limit?: number;
  cursor?: string;
}

// ---- the pod: what it is, setup and administration (docs/protocol.md "The pod") ----

export type RegistrationMode = "open" | "invite" | "closed";

/** GET /pod: what anyone may know about this pod before signing in. */
export interface PodInfo {
  name: string;
  description?: string | null;
  registration_mode: RegistrationMode;
  setup_required: boolean;
}

/** A pod role (GET /pod/roles); `permissions` is a bit set as a decimal string, `color` an RGB value. */
export interface PodRole {
  id: string;
  name: string;
  permissions: string;
  position: number;
  is_default: boolean;
  created_at: string;
  color?: number | null;
}

/** GET /pod/@me: what the signed-in user may do on this pod; `permissions` is a bit set as a decimal string. */
export type PodSelf = Schemas["PodSelf"];

/** POST /pod/setup, only while the pod has no accounts. */
export interface PodSetupRequest {
  username: string;
  password: string;
  email?: string;
  pod_name: string;
  pod_description?: string;
  registration_mode: RegistrationMode;
}

/** GET/PATCH /admin/settings. */
export interface PodSettings {
  name: string;
  description?: string | null;
  registration_mode: RegistrationMode;
  setup_completed_at?: string | null;
  updated_at?: string | null;
  /** The largest file one upload may be on this pod; absent: the server's maximum, `max_upload_bytes_limit`. */
  max_upload_bytes?: number | null;
  /** The server's hard maximum (VOXORA_MEDIA__MAX_UPLOAD_BYTES), which caps the pod's setting. */
  max_upload_bytes_limit: number;
}

/** PATCH /admin/settings: a field left out stays; `max_upload_bytes` 0 goes back to the server's maximum. */
export interface UpdatePodSettingsRequest {
  name?: string;
  description?: string;
  registration_mode?: RegistrationMode;
  max_upload_bytes?: number;
}

/**
 * GET /admin/dashboard: `gateway_connections` counts every node of the cluster (`gateway_nodes` of them); uptime and
 * start are the answering node's.
 */
export interface PodDashboard {
  users: number;
  communities: number;
  messages_today: number;
  gateway_connections: number;
  in_voice: number;
  storage_used_bytes: number;
  database_provider: string;
  version: string;
  uptime_seconds: number;
  started_at: string;
  gateway_nodes?: number;
}

export interface AdminUser {
  id: string;
  username: string;
  display_name?: string | null;
  avatar_url?: string | null;
  created_at: string;
  is_owner: boolean;
  banned: boolean;
  /** The ids of the user's pod roles (the default role is everyone's and not listed). */
  roles?: string[] | null;
}

export type AdminUserPage = Schemas["AdminUserPage"];

export type AdminCommunity = Schemas["AdminCommunity"];

export type AdminCommunityPage = Schemas["AdminCommunityPage"];
