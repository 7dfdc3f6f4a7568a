using System.Text.Json;
using System.Text.Json.Serialization;

namespace Voxora.Protocol;

/// <summary>A community role. <c>@everyone</c> (<c>is_everyone</c>) always exists, at position 0.</summary>
public sealed record Role(
    string Id,
    string CommunityId,
    string Name,
    [property: JsonConverter(typeof(PermissionBitsConverter))] long Permissions,
    int Position,
    bool IsEveryone,
    int? Color,
    DateTimeOffset CreatedAt);

public sealed record CreateRoleRequest(
    string? Name,
    [property: JsonConverter(typeof(NullablePermissionBitsConverter))] long? Permissions = null,
    int? Color = null,
    int? Position = null);

/// <summary>Fields left out are unchanged. <c>@everyone</c> keeps its name and position.</summary>
public sealed record UpdateRoleRequest(
    string? Name = null,
    [property: JsonConverter(typeof(NullablePermissionBitsConverter))] long? Permissions = null,
    int? Color = null,
    int? Position = null);

/// <summary>A channel permission override: <c>type</c> is <c>role</c> or <c>user</c>, <c>id</c> the role or user id.</summary>
public sealed record ChannelOverride(
    string ChannelId,
    string Type,
    string Id,
    [property: JsonConverter(typeof(PermissionBitsConverter))] long Allow,
    [property: JsonConverter(typeof(PermissionBitsConverter))] long Deny);

public sealed record SetOverrideRequest(
    [property: JsonConverter(typeof(NullablePermissionBitsConverter))] long? Allow = null,
    [property: JsonConverter(typeof(NullablePermissionBitsConverter))] long? Deny = null);

/// <summary><c>timeout_until</c> in the future times the member out; null (or left out) ends a timeout.</summary>
public sealed record UpdateMemberRequest(DateTimeOffset? TimeoutUntil = null);

public sealed record BanRequest(string? Reason = null, int? DeleteMessageSeconds = null);

public sealed record Ban(UserSummary User, string? Reason, string? ActorId, DateTimeOffset CreatedAt);

public sealed record PodBanRequest(string? Reason = null);

public sealed record PodBan(UserSummary User, string? Reason, string? ActorId, DateTimeOffset CreatedAt);

public sealed record BulkDeleteRequest(IReadOnlyList<string>? Ids);

/// <summary>Payload of MESSAGE_DELETE_BULK.</summary>
public sealed record MessagesDeleted(IReadOnlyList<string> Ids, string ChannelId, string CommunityId);

public static class ReportStatus
{
    public const string Open = "open";
    public const string Resolved = "resolved";
    public const string Dismissed = "dismissed";
}

public sealed record CreateReportRequest(string? Reason);

/// <summary><c>status</c>: <c>resolved</c> or <c>dismissed</c>; <c>note</c> is shown to the reporter.</summary>
public sealed record ResolveReportRequest(string? Status, string? Note = null);

/// <summary>
/// A report of a message. <c>message_content</c> is the content when it was reported, so the report
/// survives the message's deletion. Reporters see their own reports (GET /users/@me/reports).
/// </summary>
public sealed record Report(
    string Id,
    string CommunityId,
    string ChannelId,
    string MessageId,
    string MessageAuthorId,
    string MessageContent,
    string ReporterId,
    string Reason,
    string Status,
    string? ResolverId,
    string? Note,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ResolvedAt);

/// <summary>
/// One audit log entry. <c>hash</c> is SHA-256 over the entry's canonical content including <c>prev_hash</c>,
/// the previous entry's hash (64 zeros for the first), so editing or removing any entry breaks the chain.
/// </summary>
public sealed record AuditEntry(
    string Id,
    string CommunityId,
    long Seq,
    string? ActorId,
    string Action,
    string? TargetType,
    string? TargetId,
    JsonElement? Changes,
    string? Reason,
    DateTimeOffset CreatedAt,
    string PrevHash,
    string Hash);

/// <summary>
/// The result of walking one audit chain. <c>intact</c> is false when an entry does not fit (<c>first_broken_id</c>)
/// or when entries are missing after the last one (<c>truncated</c>: the chain ends before <c>checkpoint_seq</c>,
/// the newest entry this node appended, or before its legacy seal). <c>legacy_entries</c> counts the entries that
/// predate the keyed log and are checked by plain SHA-256 only.
/// </summary>
public sealed record AuditVerification(
    bool Intact, int Checked, string? FirstBrokenId, bool Truncated = false, long? CheckpointSeq = null, int LegacyEntries = 0);

/// <summary>
/// A pod role (seed 000 §P2-9). The default role (<c>is_default</c>) applies to every user. <c>color</c> is an RGB value
/// (0–16777215) shown in /admin, absent when the role has none.
/// </summary>
public sealed record PodRole(
    string Id,
    string Name,
    [property: JsonConverter(typeof(PermissionBitsConverter))] long Permissions,
    int Position,
    bool IsDefault,
    DateTimeOffset CreatedAt,
    int? Color = null);

public sealed record CreatePodRoleRequest(
    string? Name,
    [property: JsonConverter(typeof(NullablePermissionBitsConverter))] long? Permissions = null,
    int? Position = null,
    int? Color = null);

/// <summary>Fields left out are unchanged; <c>color</c> -1 removes the role's colour.</summary>
public sealed record UpdatePodRoleRequest(
    string? Name = null,
    [property: JsonConverter(typeof(NullablePermissionBitsConverter))] long? Permissions = null,
    int? Position = null,
    int? Color = null);

/// <summary>What the signed-in user may do on this pod: <c>GET /api/v1/pod/@me</c>.</summary>
public sealed record PodSelf(
    bool IsOwner,
    [property: JsonConverter(typeof(PermissionBitsConverter))] long Permissions,
    IReadOnlyList<string> Roles);

/// <summary>What the signed-in user may do in a community: <c>GET /api/v1/communities/{id}/permissions/@me</c>.</summary>
public sealed record MyPermissions(
    [property: JsonConverter(typeof(PermissionBitsConverter))] long Community,
    IReadOnlyDictionary<string, string> Channels);
