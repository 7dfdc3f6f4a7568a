namespace Voxora.Protocol;

/// <summary>Who may create an account on this pod: <c>open</c>, <c>invite</c> (a community invite is needed) or <c>closed</c>.</summary>
public static class RegistrationModes
{
    public const string Open = "open";
    public const string Invite = "invite";
    public const string Closed = "closed";

    public static readonly IReadOnlyList<string> All = [Open, Invite, Closed];

    /// <summary>The mode named by <paramref name="value"/> (any casing, spaces around ignored), or null when it names none.</summary>
    public static string? Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        Open => Open,
        Invite => Invite,
        Closed => Closed,
        _ => null,
    };
}

/// <summary>What anyone may know about this pod before signing in: <c>GET /api/v1/pod</c>.</summary>
public sealed record PodInfo(string Name, string? Description, string RegistrationMode, bool SetupRequired);

/// <summary>
/// <c>POST /api/v1/pod/setup</c>, only while the pod has no accounts: the owner's account (as in register), the pod's name,
/// description and registration mode.
/// </summary>
public sealed record PodSetupRequest(
    string? Username, string? Password, string? Email = null, string? PodName = null, string? PodDescription = null, string? RegistrationMode = null);

/// <summary>
/// The pod's settings as its administrators see them: <c>GET/PATCH /api/v1/admin/settings</c>. <c>max_upload_bytes</c> is the
/// largest file one upload may be on this pod (absent: the server's maximum); <c>max_upload_bytes_limit</c> is that maximum
/// (<c>VOXORA_MEDIA__MAX_UPLOAD_BYTES</c>), which the pod's setting can lower but never raise.
/// </summary>
public sealed record PodSettings(
    string Name, string? Description, string RegistrationMode, DateTimeOffset? SetupCompletedAt, DateTimeOffset? UpdatedAt,
    long? MaxUploadBytes = null, long MaxUploadBytesLimit = 0);

/// <summary>
/// Changes to the pod's settings; a null field stays as it is, an empty description removes it, <c>max_upload_bytes</c> 0
/// goes back to the server's maximum.
/// </summary>
public sealed record UpdatePodSettingsRequest(string? Name = null, string? Description = null, string? RegistrationMode = null, long? MaxUploadBytes = null);

/// <summary>
/// The pod at a glance: <c>GET /api/v1/admin/dashboard</c>. <c>gateway_connections</c> counts the connected gateway sessions
/// (not the dropped ones kept for RESUME) of every node of the cluster (<c>gateway_nodes</c> of them; with Redis each node shares its count
/// there, without it this node is the pod); <c>in_voice</c> the people in a voice channel on the whole pod; <c>storage_used_bytes</c> the uploaded
/// attachments (thumbnails included).
/// </summary>
public sealed record PodDashboard(
    int Users,
    int Communities,
    int MessagesToday,
    int GatewayConnections,
    int InVoice,
    long StorageUsedBytes,
    string DatabaseProvider,
    string Version,
    long UptimeSeconds,
    DateTimeOffset StartedAt,
    int GatewayNodes = 1);

/// <summary>A user as <c>GET /api/v1/admin/users</c> lists them; <c>roles</c> are the ids of their pod roles (the default role not included).</summary>
public sealed record AdminUser(
    string Id, string Username, string? DisplayName, string? AvatarUrl, DateTimeOffset CreatedAt, bool IsOwner, bool Banned,
    IReadOnlyList<string>? Roles = null);

/// <summary>A page of users; pass <c>next_cursor</c> as <c>cursor</c> for the next one (absent on the last page).</summary>
public sealed record AdminUserPage(IReadOnlyList<AdminUser> Users, string? NextCursor);

/// <summary>A community as <c>GET /api/v1/admin/communities</c> lists them.</summary>
public sealed record AdminCommunity(string Id, string Name, string OwnerId, int MemberCount, DateTimeOffset CreatedAt);

/// <summary>A page of communities; pass <c>next_cursor</c> as <c>cursor</c> for the next one (absent on the last page).</summary>
public sealed record AdminCommunityPage(IReadOnlyList<AdminCommunity> Communities, string? NextCursor);
