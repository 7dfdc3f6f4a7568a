using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>Permissions, roles, channel overrides, moderation, reports, the audit log and the pod.</summary>
public sealed partial class VoxoraClient
{
    // ---- permissions ----

    /// <summary>The permission table. Sent without a token: it is public.</summary>
    public async Task<PermissionTable> GetPermissionTableAsync(CancellationToken ct = default)
    {
        using var request = NewRequest(HttpMethod.Get, "api/v1/permissions", authenticated: false);
        return await ReadAsync(request, Json.PermissionTable, ct);
    }

    public Task<MyPermissions> GetMyPermissionsAsync(string communityId, CancellationToken ct = default) =>
        GetAsync($"api/v1/communities/{Id(communityId)}/permissions/@me", Json.MyPermissions, ct);

    // ---- roles ----

    public Task<List<Role>> GetRolesAsync(string communityId, CancellationToken ct = default) =>
        GetAsync($"api/v1/communities/{Id(communityId)}/roles", Json.ListRole, ct);

    public Task<Role> CreateRoleAsync(string communityId, CreateRoleRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/communities/{Id(communityId)}/roles", request, Json.CreateRoleRequest, Json.Role, ct);

    public Task<Role> UpdateRoleAsync(string communityId, string roleId, UpdateRoleRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Patch, $"api/v1/communities/{Id(communityId)}/roles/{Id(roleId)}", request, Json.UpdateRoleRequest, Json.Role, ct);

    public Task DeleteRoleAsync(string communityId, string roleId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/communities/{Id(communityId)}/roles/{Id(roleId)}", ct);

    public async Task<Member> AddMemberRoleAsync(string communityId, string userId, string roleId, CancellationToken ct = default)
    {
        using var request = NewRequest(HttpMethod.Put, $"api/v1/communities/{Id(communityId)}/members/{Id(userId)}/roles/{Id(roleId)}", authenticated: true);
        return await ReadAsync(request, Json.Member, ct);
    }

    public async Task<Member> RemoveMemberRoleAsync(string communityId, string userId, string roleId, CancellationToken ct = default)
    {
        using var request = NewRequest(HttpMethod.Delete, $"api/v1/communities/{Id(communityId)}/members/{Id(userId)}/roles/{Id(roleId)}", authenticated: true);
        return await ReadAsync(request, Json.Member, ct);
    }

    // ---- channel overrides ----

    public Task<List<ChannelOverride>> GetOverridesAsync(string channelId, CancellationToken ct = default) =>
        GetAsync($"api/v1/channels/{Id(channelId)}/overrides", Json.ListChannelOverride, ct);

    /// <summary><paramref name="targetType"/>: "role" or "user".</summary>
    public Task<ChannelOverride> SetOverrideAsync(string channelId, string targetType, string targetId, long allow, long deny, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"api/v1/channels/{Id(channelId)}/overrides/{Id(targetType)}/{Id(targetId)}",
            new SetOverrideRequest(allow, deny), Json.SetOverrideRequest, Json.ChannelOverride, ct);

    public Task DeleteOverrideAsync(string channelId, string targetType, string targetId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/channels/{Id(channelId)}/overrides/{Id(targetType)}/{Id(targetId)}", ct);

    // ---- moderation ----

    public Task KickAsync(string communityId, string userId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/communities/{Id(communityId)}/members/{Id(userId)}", ct);

    /// <summary>Times the member out until <paramref name="until"/>; null ends a timeout.</summary>
    public Task<Member> TimeoutAsync(string communityId, string userId, DateTimeOffset? until, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Patch, $"api/v1/communities/{Id(communityId)}/members/{Id(userId)}", new UpdateMemberRequest(until), Json.UpdateMemberRequest, Json.Member, ct);

    public Task BanAsync(string communityId, string userId, string? reason = null, int? deleteMessageSeconds = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"api/v1/communities/{Id(communityId)}/bans/{Id(userId)}", new BanRequest(reason, deleteMessageSeconds), Json.BanRequest, ct);

    public Task UnbanAsync(string communityId, string userId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/communities/{Id(communityId)}/bans/{Id(userId)}", ct);

    public Task<List<Ban>> GetBansAsync(string communityId, CancellationToken ct = default) =>
        GetAsync($"api/v1/communities/{Id(communityId)}/bans", Json.ListBan, ct);

    public Task BulkDeleteMessagesAsync(string channelId, IReadOnlyList<string> ids, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/channels/{Id(channelId)}/messages/bulk-delete", new BulkDeleteRequest(ids), Json.BulkDeleteRequest, ct);

    // ---- reports ----

    public Task<Report> ReportMessageAsync(string channelId, string messageId, string? reason, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/channels/{Id(channelId)}/messages/{Id(messageId)}/reports", new CreateReportRequest(reason), Json.CreateReportRequest, Json.Report, ct);

    public Task<List<Report>> GetReportsAsync(string communityId, string? status = null, CancellationToken ct = default) =>
        GetAsync($"api/v1/communities/{Id(communityId)}/reports{Query(("status", status))}", Json.ListReport, ct);

    public Task<Report> ResolveReportAsync(string communityId, string reportId, string status, string? note = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Patch, $"api/v1/communities/{Id(communityId)}/reports/{Id(reportId)}", new ResolveReportRequest(status, note), Json.ResolveReportRequest, Json.Report, ct);

    public Task<List<Report>> GetMyReportsAsync(CancellationToken ct = default) => GetAsync("api/v1/users/@me/reports", Json.ListReport, ct);

    // ---- audit log ----

    public Task<List<AuditEntry>> GetAuditLogAsync(
        string communityId, string? userId = null, string? action = null, string? before = null, int? limit = null, CancellationToken ct = default) =>
        GetAsync($"api/v1/communities/{Id(communityId)}/audit-log{Query(("user_id", userId), ("action", action), ("before", before), ("limit", Number(limit)))}",
            Json.ListAuditEntry, ct);

    public Task<AuditVerification> VerifyAuditLogAsync(string communityId, CancellationToken ct = default) =>
        GetAsync($"api/v1/communities/{Id(communityId)}/audit-log/verify", Json.AuditVerification, ct);

    // ---- pod ----

    public Task<PodSelf> GetPodSelfAsync(CancellationToken ct = default) => GetAsync("api/v1/pod/@me", Json.PodSelf, ct);

    public Task<List<PodRole>> GetPodRolesAsync(CancellationToken ct = default) => GetAsync("api/v1/pod/roles", Json.ListPodRole, ct);

    public Task<PodRole> CreatePodRoleAsync(CreatePodRoleRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/pod/roles", request, Json.CreatePodRoleRequest, Json.PodRole, ct);

    public Task<PodRole> UpdatePodRoleAsync(string roleId, UpdatePodRoleRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Patch, $"api/v1/pod/roles/{Id(roleId)}", request, Json.UpdatePodRoleRequest, Json.PodRole, ct);

    public Task DeletePodRoleAsync(string roleId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/pod/roles/{Id(roleId)}", ct);

    public Task AddPodRoleAsync(string userId, string roleId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"api/v1/pod/members/{Id(userId)}/roles/{Id(roleId)}", ct);

    public Task RemovePodRoleAsync(string userId, string roleId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/pod/members/{Id(userId)}/roles/{Id(roleId)}", ct);

    public Task PodBanAsync(string userId, string? reason = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"api/v1/pod/bans/{Id(userId)}", new PodBanRequest(reason), Json.PodBanRequest, ct);

    public Task PodUnbanAsync(string userId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/pod/bans/{Id(userId)}", ct);

    public Task<List<PodBan>> GetPodBansAsync(CancellationToken ct = default) => GetAsync("api/v1/pod/bans", Json.ListPodBan, ct);

    public Task<List<AuditEntry>> GetPodAuditLogAsync(CancellationToken ct = default) => GetAsync("api/v1/pod/audit-log", Json.ListAuditEntry, ct);

    /// <summary>The pod log filtered: <paramref name="since"/> and <paramref name="until"/> are sent as written (ISO 8601), so bad ones can be tried.</summary>
    public Task<List<AuditEntry>> GetPodAuditLogAsync(
        string? userId, string? action = null, string? since = null, string? until = null, string? before = null, int? limit = null, CancellationToken ct = default) =>
        GetAsync($"api/v1/pod/audit-log{Query(("user_id", userId), ("action", action), ("since", since), ("until", until), ("before", before), ("limit", Number(limit)))}",
            Json.ListAuditEntry, ct);

    public Task<AuditVerification> VerifyPodAuditLogAsync(CancellationToken ct = default) => GetAsync("api/v1/pod/audit-log/verify", Json.AuditVerification, ct);
}
