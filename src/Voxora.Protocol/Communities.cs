namespace Voxora.Protocol;

public static class ChannelTypes
{
    public const int Text = 0;
    public const int Voice = 1;
    public const int Category = 4;

    /// <summary>A thread: a channel started from one message of a text channel (<c>parent_id</c>), seed 000 §P2-7.</summary>
    public const int Thread = 5;
    /// <summary>A one-to-one direct message channel (no community). 5 is a thread and 6 is reserved.</summary>
    public const int DirectMessage = 2;

    /// <summary>A group direct message channel of up to 10 people (no community).</summary>
    public const int GroupDirectMessage = 3;

    public static bool IsDirect(int type) => type is DirectMessage or GroupDirectMessage;

    /// <summary>Channels that hold messages: text channels, threads and direct channels.</summary>
    public static bool HoldsMessages(int type) => type is Text or Thread || IsDirect(type);
}

/// <summary>
/// A community. <c>channels</c> is present where the community is sent whole (READY, COMMUNITY_CREATE).
/// <c>message_retention_days</c>: messages older than this many days are deleted (with their files); null keeps them forever.
/// </summary>
public sealed record Community(
    string Id,
    string Name,
    string? Description,
    string OwnerId,
    DateTimeOffset CreatedAt,
    int? MemberCount = null,
    IReadOnlyList<Channel>? Channels = null,
    string? IconUrl = null,
    int? MessageRetentionDays = null);

public sealed record CreateCommunityRequest(string? Name, string? Description = null);

/// <summary>
/// Fields left out are unchanged; <c>description</c> set to "" clears it. <c>message_retention_days</c>: 1–3650 deletes
/// messages older than that many days, 0 turns retention off (keep forever).
/// </summary>
public sealed record UpdateCommunityRequest(string? Name = null, string? Description = null, int? MessageRetentionDays = null);

public sealed record Channel(
    string Id,
    string CommunityId,
    string Name,
    int Type,
    string? Topic,
    string? ParentId,
    int Position,
    DateTimeOffset CreatedAt,
    bool PermissionsSynced = false,
    int? Bitrate = null,
    int? UserLimit = null);

/// <summary>
/// <c>permissions_synced</c> (default true when <c>parent_id</c> is given): the channel uses its category's overrides
/// (the caller must be allowed to set each of them, as on the overrides endpoints; see docs/permissions.md).
/// Voice channels only: <c>bitrate</c> (Opus bits/s, 32,000–128,000, default 64,000) and <c>user_limit</c> (0–99, 0 = no limit).
/// </summary>
public sealed record CreateChannelRequest(string? Name, int? Type = null, string? Topic = null, string? ParentId = null, int? Position = null, bool? PermissionsSynced = null,
    int? Bitrate = null, int? UserLimit = null);

/// <summary>
/// Fields left out are unchanged; <c>topic</c> "" clears it; <c>parent_id</c> "" moves the channel out of its category.
/// <c>permissions_synced</c> true drops the channel's own overrides and follows its category's again; that, and moving a
/// synced channel, needs the right to make each resulting override change (as on the overrides endpoints).
/// </summary>
/// <summary><c>PATCH /channels/{id}</c>. On a thread only <c>name</c>, <c>archived</c> and <c>auto_archive_seconds</c> apply.</summary>
public sealed record UpdateChannelRequest(string? Name = null, string? Topic = null, string? ParentId = null, int? Position = null, bool? PermissionsSynced = null,
    int? Bitrate = null, int? UserLimit = null, bool? Archived = null, int? AutoArchiveSeconds = null);

/// <summary>
/// A user as others see them. <c>avatar_url</c> (absent without an avatar) is a path on the pod, public and immutable: a
/// new avatar gets a new URL.
/// </summary>
public sealed record UserSummary(string Id, string Username, string? DisplayName, string? AvatarUrl);

/// <summary>A member: <c>roles</c> lists role ids (never <c>@everyone</c>, which everyone has); <c>timeout_until</c> is set while timed out.</summary>
public sealed record Member(string CommunityId, UserSummary User, DateTimeOffset JoinedAt, IReadOnlyList<string>? Roles = null, DateTimeOffset? TimeoutUntil = null);

/// <summary>Payload of COMMUNITY_MEMBER_REMOVE and the body of a leave.</summary>
public sealed record MemberRemoved(string CommunityId, UserSummary User);

public sealed record CreateInviteRequest(int? MaxUses = null, int? MaxAgeSeconds = null);

public sealed record Invite(
    string Code,
    string CommunityId,
    string? InviterId,
    int MaxUses,
    int Uses,
    int MaxAgeSeconds,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset CreatedAt);

/// <summary>What anyone holding a code may learn before joining.</summary>
public sealed record InvitePreview(string Code, string CommunityId, string CommunityName, string? CommunityDescription, int MemberCount, DateTimeOffset? ExpiresAt);

/// <summary>Payload of INVITE_DELETE.</summary>
public sealed record InviteDeleted(string Code, string CommunityId);

/// <summary>Payload of CHANNEL_DELETE and COMMUNITY_DELETE.</summary>
public sealed record Deleted(string Id, string? CommunityId = null);
