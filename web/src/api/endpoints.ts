import type { ApiClient, RequestOptions } from "./client";
import type {
  AdminCommunityPage,
  AdminUserPage,
  PodDashboard,
  PodInfo,
  PodRole,
  PodSelf,
  PodSettings,
  PodSetupRequest,
  UpdatePodSettingsRequest,
  AttachmentUpload,
  BlockedUser,
  Channel,
  DirectChannel,
  UserProfile,
  AuditEntry,
  AuditVerification,
  BackupCodesResponse,
  LoginResponse,
  SecondFactorInput,
  TotpEnrollment,
  Passkey,
  PasskeyOptions,
  Ban,
  PermissionTable,
  ChannelOverride,
  Community,
  Invite,
  InvitePreview,
  Report,
  Member,
  Message,
  MyPermissions,
  Role,
  Presence,
  SearchParams,
  SearchResults,
  SessionInfo,
  ThreadChannel,
  TokenResponse,
  User,
  UnreadCounts,
  UserSummary,
  VoiceState,
  VoiceStatus,
} from "./types";

const enc = encodeURIComponent;

/** Typed wrappers for the REST endpoints under /api/v1. */
export function endpoints(api: ApiClient) {
  return {
    register: (body: { username: string; password: string; email?: string; invite_code?: string }) =>
      api.request<User>("POST", "/auth/register", { body, auth: false }),

    pod: () => api.request<PodInfo>("GET", "/pod", { auth: false }),
    setupPod: (body: PodSetupRequest) => api.request<TokenResponse>("POST", "/pod/setup", { body, auth: false }),
    podSelf: () => api.request<PodSelf>("GET", "/pod/@me"),
    podSettings: () => api.request<PodSettings>("GET", "/admin/settings"),
    updatePodSettings: (body: UpdatePodSettingsRequest) => api.request<PodSettings>("PATCH", "/admin/settings", { body }),
    podDashboard: () => api.request<PodDashboard>("GET", "/admin/dashboard"),
    adminUsers: (query?: string, cursor?: string) =>
      api.request<AdminUserPage>("GET", "/admin/users", { query: { query: query || undefined, cursor } }),
    adminCommunities: (cursor?: string) => api.request<AdminCommunityPage>("GET", "/admin/communities", { query: { cursor } }),
    adminDeleteCommunity: (communityId: string) => api.request<void>("DELETE", `/admin/communities/${enc(communityId)}`),
    adminUserSessions: (userId: string) => api.request<SessionInfo[]>("GET", `/admin/users/${enc(userId)}/sessions`),
    adminEndUserSessions: (userId: string) => api.request<void>("DELETE", `/admin/users/${enc(userId)}/sessions`),
    adminEndUserSession: (userId: string, sessionId: string) =>
      api.request<void>("DELETE", `/admin/users/${enc(userId)}/sessions/${enc(sessionId)}`),
    podBan: (userId: string) => api.request<void>("PUT", `/pod/bans/${enc(userId)}`, { body: {} }),
    podUnban: (userId: string) => api.request<void>("DELETE", `/pod/bans/${enc(userId)}`),
    podRoles: () => api.request<PodRole[]>("GET", "/pod/roles"),
    createPodRole: (body: { name: string; permissions?: string; position?: number; color?: number }) =>
      api.request<PodRole>("POST", "/pod/roles", { body }),
    /** `color` -1 removes the colour. */
    updatePodRole: (roleId: string, body: { name?: string; permissions?: string; position?: number; color?: number }) =>
      api.request<PodRole>("PATCH", `/pod/roles/${enc(roleId)}`, { body }),
    deletePodRole: (roleId: string) => api.request<void>("DELETE", `/pod/roles/${enc(roleId)}`),
    addPodRole: (userId: string, roleId: string) => api.request<void>("PUT", `/pod/members/${enc(userId)}/roles/${enc(roleId)}`),
    removePodRole: (userId: string, roleId: string) => api.request<void>("DELETE", `/pod/members/${enc(userId)}/roles/${enc(roleId)}`),
    /** `since` (inclusive) and `until` (exclusive): a date (its UTC midnight) or a date-time with an offset. */
    podAuditLog: (query: { user_id?: string; action?: string; since?: string; until?: string; before?: string; limit?: number } = {}) =>
      api.request<AuditEntry[]>("GET", "/pod/audit-log", { query: { limit: 50, ...query } }),
    verifyPodAuditLog: () => api.request<AuditVerification>("GET", "/pod/audit-log/verify", { cache: "no-cache" }),
    login: (body: { login: string; password: string }) =>
      api.request<LoginResponse>("POST", "/auth/login", { body, auth: false }),
    /** The second step of login; part of signing in, so no bearer token. */
    verifyMfa: (body: { mfa_token: string } & (SecondFactorInput | { credential: unknown })) =>
      api.request<TokenResponse>("POST", "/users/@me/mfa/verify", { body, auth: false }),
    /** Options for finishing a login's second factor with a passkey. */
    beginMfaPasskey: (body: { mfa_token: string }) =>
      api.request<PasskeyOptions>("POST", "/users/@me/mfa/webauthn/begin", { body, auth: false }),
    beginPasskeySignIn: () => api.request<PasskeyOptions>("POST", "/auth/passkey/begin", { auth: false }),
    completePasskeySignIn: (body: { credential: unknown }) =>
      api.request<TokenResponse>("POST", "/auth/passkey/complete", { body, auth: false }),
    passkeys: () => api.request<Passkey[]>("GET", "/users/@me/passkeys"),
    beginPasskeyRegistration: (body: { password: string }) =>
      api.request<PasskeyOptions>("POST", "/users/@me/passkeys/register/begin", { body }),
    completePasskeyRegistration: (body: { credential: unknown; name: string }) =>
      api.request<Passkey>("POST", "/users/@me/passkeys/register/complete", { body }),
    renamePasskey: (id: string, body: { name: string }) => api.request<Passkey>("PATCH", `/users/@me/passkeys/${enc(id)}`, { body }),
    deletePasskey: (id: string, body: { password: string }) => api.request<void>("DELETE", `/users/@me/passkeys/${enc(id)}`, { body }),
    logout: () => api.request<void>("POST", "/auth/logout"),
    sessions: () => api.request<SessionInfo[]>("GET", "/auth/sessions"),
    revokeSession: (id: string) => api.request<void>("DELETE", `/auth/sessions/${enc(id)}`),

    me: () => api.request<User>("GET", "/users/@me"),
    updateMe: (body: { display_name: string }) => api.request<User>("PATCH", "/users/@me", { body }),
    setAvatar: (picture: Blob) => api.request<User>("PUT", "/users/@me/avatar", { file: picture }),
    removeAvatar: () => api.request<User>("DELETE", "/users/@me/avatar"),
    changePassword: (body: { current_password: string; new_password: string }) =>
      api.request<void>("POST", "/users/@me/password", { body }),
    enableTotp: (body: { password: string }) => api.request<TotpEnrollment>("POST", "/users/@me/mfa/totp/enable", { body }),
    confirmTotp: (body: { code: string }) => api.request<BackupCodesResponse>("POST", "/users/@me/mfa/totp/confirm", { body }),
    disableTotp: (body: { password: string } & SecondFactorInput) => api.request<void>("POST", "/users/@me/mfa/totp/disable", { body }),
    regenerateBackupCodes: (body: { password: string } & SecondFactorInput) =>
      api.request<BackupCodesResponse>("POST", "/users/@me/mfa/backup-codes", { body }),

    myCommunities: () => api.request<Community[]>("GET", "/users/@me/communities"),
    createCommunity: (body: { name: string; description?: string }) => api.request<Community>("POST", "/communities", { body }),
    /** `message_retention_days`: 1–3650, or 0 to keep messages forever. */
    updateCommunity: (id: string, body: { name?: string; description?: string; message_retention_days?: number }) =>
      api.request<Community>("PATCH", `/communities/${enc(id)}`, { body }),
    setCommunityIcon: (id: string, picture: Blob) => api.request<Community>("PUT", `/communities/${enc(id)}/icon`, { file: picture }),
    removeCommunityIcon: (id: string) => api.request<Community>("DELETE", `/communities/${enc(id)}/icon`),
    deleteCommunity: (id: string) => api.request<void>("DELETE", `/communities/${enc(id)}`),
    leaveCommunity: (id: string) => api.request<void>("DELETE", `/communities/${enc(id)}/members/@me`),
    members: (id: string, after?: string) =>
      api.request<Member[]>("GET", `/communities/${enc(id)}/members`, { query: { after, limit: 100 } }),

    channels: (communityId: string) => api.request<Channel[]>("GET", `/communities/${enc(communityId)}/channels`),
    createChannel: (communityId: string, body: { name: string; type?: number; topic?: string; parent_id?: string; bitrate?: number; user_limit?: number }) =>
      api.request<Channel>("POST", `/communities/${enc(communityId)}/channels`, { body }),
    updateChannel: (
      id: string,
      body: { name?: string; topic?: string; parent_id?: string; position?: number; bitrate?: number; user_limit?: number; permissions_synced?: boolean },
    ) => api.request<Channel>("PATCH", `/channels/${enc(id)}`, { body }),
    channelOverrides: (channelId: string) => api.request<ChannelOverride[]>("GET", `/channels/${enc(channelId)}/overrides`),
    setChannelOverride: (channelId: string, type: "role" | "user", targetId: string, body: { allow: string; deny: string }) =>
      api.request<ChannelOverride>("PUT", `/channels/${enc(channelId)}/overrides/${type}/${enc(targetId)}`, { body }),
    removeChannelOverride: (channelId: string, type: "role" | "user", targetId: string) =>
      api.request<void>("DELETE", `/channels/${enc(channelId)}/overrides/${type}/${enc(targetId)}`),
    deleteChannel: (id: string) => api.request<void>("DELETE", `/channels/${enc(id)}`),

    createInvite: (communityId: string, body: { max_uses?: number; max_age_seconds?: number } = {}) =>
      api.request<Invite>("POST", `/communities/${enc(communityId)}/invites`, { body }),
    invites: (communityId: string) => api.request<Invite[]>("GET", `/communities/${enc(communityId)}/invites`),
    previewInvite: (code: string) => api.request<InvitePreview>("GET", `/invites/${enc(code)}`, { auth: false }),
    acceptInvite: (code: string) => api.request<Community>("POST", `/invites/${enc(code)}/accept`),
    revokeInvite: (code: string) => api.request<void>("DELETE", `/invites/${enc(code)}`),

    messages: (channelId: string, query: { before?: string; after?: string; around?: string; limit?: number } = {}) =>
      api.request<Message[]>("GET", `/channels/${enc(channelId)}/messages`, { query: { limit: 50, ...query } }),
    sendMessage: (channelId: string, body: { content: string; nonce?: string; enforce_nonce?: boolean; reply_to?: string; attachments?: string[] }) =>
      api.request<Message>("POST", `/channels/${enc(channelId)}/messages`, { body }),
    /** Step 1 of an upload (SEND_ATTACHMENTS): the file's bytes then go to `upload_url` (see features/attachments/upload.ts). */
    createAttachment: (channelId: string, body: { filename: string; content_type: string; size_bytes: number }) =>
      api.request<AttachmentUpload>("POST", `/channels/${enc(channelId)}/attachments`, { body }),
    editMessage: (channelId: string, id: string, body: { content: string }) =>
      api.request<Message>("PATCH", `/channels/${enc(channelId)}/messages/${enc(id)}`, { body }),
    deleteMessage: (channelId: string, id: string) =>
      api.request<void>("DELETE", `/channels/${enc(channelId)}/messages/${enc(id)}`),
    /** Removes the message's link previews for good (its author, or MANAGE_MESSAGES); MESSAGE_UPDATE follows with embeds []. */
    removeEmbeds: (channelId: string, id: string) =>
      api.request<void>("DELETE", `/channels/${enc(channelId)}/messages/${enc(id)}/embeds`),

    addReaction: (channelId: string, id: string, emoji: string) =>
      api.request<void>("PUT", `/channels/${enc(channelId)}/messages/${enc(id)}/reactions/${enc(emoji)}/@me`),
    removeReaction: (channelId: string, id: string, emoji: string) =>
      api.request<void>("DELETE", `/channels/${enc(channelId)}/messages/${enc(id)}/reactions/${enc(emoji)}/@me`),
    reactors: (channelId: string, id: string, emoji: string) =>
      api.request<UserSummary[]>("GET", `/channels/${enc(channelId)}/messages/${enc(id)}/reactions/${enc(emoji)}`, {
        query: { limit: 25 },
      }),

    pins: (channelId: string) => api.request<Message[]>("GET", `/channels/${enc(channelId)}/pins`),
    pinMessage: (channelId: string, id: string) => api.request<void>("PUT", `/channels/${enc(channelId)}/pins/${enc(id)}`),
    unpinMessage: (channelId: string, id: string) => api.request<void>("DELETE", `/channels/${enc(channelId)}/pins/${enc(id)}`),
    createThread: (channelId: string, messageId: string, body: { name: string; auto_archive_seconds?: number }) =>
      api.request<ThreadChannel>("POST", `/channels/${enc(channelId)}/messages/${enc(messageId)}/threads`, { body }),
    threads: (channelId: string, archived = false) =>
      api.request<ThreadChannel[]>("GET", `/channels/${enc(channelId)}/threads`, archived ? { query: { archived: "true" } } : {}),
    thread: (threadId: string) => api.request<ThreadChannel>("GET", `/channels/${enc(threadId)}`),
    updateThread: (threadId: string, body: { name?: string; archived?: boolean; auto_archive_seconds?: number }) =>
      api.request<ThreadChannel>("PATCH", `/channels/${enc(threadId)}`, { body }),
    joinThread: (threadId: string) => api.request<void>("PUT", `/channels/${enc(threadId)}/thread-members/@me`),
    leaveThread: (threadId: string) => api.request<void>("DELETE", `/channels/${enc(threadId)}/thread-members/@me`),

    /** Messages of the community's channels and threads the caller may read (Search.cs; 60 searches a minute per user). */
    searchCommunity: (communityId: string, params: SearchParams, signal?: AbortSignal) =>
      api.request<SearchResults>("GET", `/communities/${enc(communityId)}/messages/search`, { query: searchQuery(params), ...(signal ? { signal } : {}) }),
    /** Messages of the caller's DMs and group DMs. */
    searchDirect: (params: SearchParams, signal?: AbortSignal) =>
      api.request<SearchResults>("GET", "/users/@me/messages/search", { query: searchQuery(params), ...(signal ? { signal } : {}) }),

    roles: (communityId: string) => api.request<Role[]>("GET", `/communities/${enc(communityId)}/roles`),
    permissionTable: () => api.request<PermissionTable>("GET", "/permissions", { auth: false }),
    createRole: (communityId: string, body: { name: string; permissions?: string; color?: number | null; position?: number }) =>
      api.request<Role>("POST", `/communities/${enc(communityId)}/roles`, { body }),
    updateRole: (communityId: string, roleId: string, body: { name?: string; permissions?: string; color?: number | null; position?: number }) =>
      api.request<Role>("PATCH", `/communities/${enc(communityId)}/roles/${enc(roleId)}`, { body }),
    deleteRole: (communityId: string, roleId: string) => api.request<void>("DELETE", `/communities/${enc(communityId)}/roles/${enc(roleId)}`),
    grantRole: (communityId: string, userId: string, roleId: string) =>
      api.request<void>("PUT", `/communities/${enc(communityId)}/members/${enc(userId)}/roles/${enc(roleId)}`),
    revokeRole: (communityId: string, userId: string, roleId: string) =>
      api.request<void>("DELETE", `/communities/${enc(communityId)}/members/${enc(userId)}/roles/${enc(roleId)}`),
    kickMember: (communityId: string, userId: string) => api.request<void>("DELETE", `/communities/${enc(communityId)}/members/${enc(userId)}`),
    timeoutMember: (communityId: string, userId: string, until: string | null) =>
      api.request<Member>("PATCH", `/communities/${enc(communityId)}/members/${enc(userId)}`, { body: { timeout_until: until } }),
    bans: (communityId: string) => api.request<Ban[]>("GET", `/communities/${enc(communityId)}/bans`),
    ban: (communityId: string, userId: string, body: { reason?: string; delete_message_seconds?: number }) =>
      api.request<void>("PUT", `/communities/${enc(communityId)}/bans/${enc(userId)}`, { body }),
    unban: (communityId: string, userId: string) => api.request<void>("DELETE", `/communities/${enc(communityId)}/bans/${enc(userId)}`),
    auditLog: (communityId: string, query: { user_id?: string; action?: string; before?: string; limit?: number } = {}) =>
      api.request<AuditEntry[]>("GET", `/communities/${enc(communityId)}/audit-log`, { query: { limit: 50, ...query } }),
    verifyAuditLog: (communityId: string) =>
      api.request<AuditVerification>("GET", `/communities/${enc(communityId)}/audit-log/verify`, { cache: "no-cache" }),
    reportMessage: (channelId: string, messageId: string, reason: string) =>
      api.request<Report>("POST", `/channels/${enc(channelId)}/messages/${enc(messageId)}/reports`, { body: { reason } }),
    reports: (communityId: string, status: Report["status"] = "open") =>
      api.request<Report[]>("GET", `/communities/${enc(communityId)}/reports`, { query: { status, limit: 100 }, cache: "no-cache" }),
    decideReport: (communityId: string, reportId: string, body: { status: "resolved" | "dismissed"; note?: string }) =>
      api.request<Report>("PATCH", `/communities/${enc(communityId)}/reports/${enc(reportId)}`, { body }),
    myPermissions: (communityId: string) => api.request<MyPermissions>("GET", `/communities/${enc(communityId)}/permissions/@me`),

    // no-cache: the answer may be cached 10 s, but after READY (a reload, a reconnect) the client needs it fresh.
    unreadCounts: () => api.request<UnreadCounts>("GET", "/unread-counts", { cache: "no-cache" }),
    markChannelRead: (channelId: string, messageId: string) =>
      api.request<void>("PUT", `/channels/${enc(channelId)}/read`, { body: { message_id: messageId } }),
    markCommunityRead: (communityId: string) => api.request<void>("POST", `/communities/${enc(communityId)}/read`),

    directChannels: () => api.request<DirectChannel[]>("GET", "/users/@me/channels"),
    /** 201 a new DM or group; 200 the existing one-to-one DM of the two. */
    openDirect: (body: { recipient_id: string } | { recipient_ids: string[]; name?: string }) =>
      api.request<DirectChannel>("POST", "/users/@me/channels", { body }),
    renameDirect: (id: string, name: string) => api.request<DirectChannel>("PATCH", `/channels/${enc(id)}`, { body: { name } }),
    leaveDirect: (id: string) => api.request<void>("DELETE", `/channels/${enc(id)}`),
    addRecipient: (id: string, userId: string) => api.request<void>("PUT", `/channels/${enc(id)}/recipients/${enc(userId)}`),
    removeRecipient: (id: string, userId: string) => api.request<void>("DELETE", `/channels/${enc(id)}/recipients/${enc(userId)}`),
    profile: (userId: string) => api.request<UserProfile>("GET", `/users/${enc(userId)}/profile`),
    blocks: () => api.request<BlockedUser[]>("GET", "/users/@me/blocks"),
    block: (userId: string) => api.request<void>("PUT", `/users/@me/blocks/${enc(userId)}`),
    unblock: (userId: string) => api.request<void>("DELETE", `/users/@me/blocks/${enc(userId)}`),
    userSettings: () => api.request<{ allow_dms_from_members: boolean }>("GET", "/users/@me/settings"),
    updateUserSettings: (body: { allow_dms_from_members: boolean }) =>
      api.request<{ allow_dms_from_members: boolean }>("PATCH", "/users/@me/settings", { body }),

    voiceStatus: () => api.request<VoiceStatus>("GET", "/voice/status"),
    voiceStates: (communityId: string) => api.request<VoiceState[]>("GET", `/communities/${enc(communityId)}/voice-states`),
    presences: (communityId: string, after?: string) =>
      api.request<Presence[]>("GET", `/communities/${enc(communityId)}/presences${after ? `?after=${enc(after)}` : ""}`),
    updateVoiceState: (communityId: string, userId: string, body: { server_mute?: boolean; server_deaf?: boolean; channel_id?: string | null }) =>
      api.request<VoiceState>("PATCH", `/communities/${enc(communityId)}/voice-states/${enc(userId)}`, { body }),
  };
}

/** SearchParams as query parameters: repeated names for lists, `pinned` as true/false. */
export function searchQuery(p: SearchParams): NonNullable<RequestOptions["query"]> {
  return {
    q: p.q,
    author_id: p.author_id,
    channel_id: p.channel_id,
    mentions: p.mentions,
    has: p.has,
    pinned: p.pinned,
    before: p.before,
    after: p.after,
    sort: p.sort,
    limit: p.limit,
    cursor: p.cursor,
  };
}

export type Endpoints = ReturnType<typeof endpoints>;
