using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>The pod's public face, its first-run setup and its administration (<c>/api/v1/pod</c>, <c>/api/v1/admin/*</c>).</summary>
public sealed partial class VoxoraClient
{
    public Task<User> RegisterWithInviteAsync(string username, string password, string inviteCode, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/auth/register", new RegisterRequest(username, password, null, inviteCode), Json.RegisterRequest, Json.User, ct, authenticated: false);

    public Task<PodInfo> GetPodInfoAsync(CancellationToken ct = default) => GetAsync("api/v1/pod", Json.PodInfo, ct);

    /// <summary>Sets up a pod with no accounts and keeps the owner's tokens.</summary>
    public async Task<TokenResponse> SetupPodAsync(PodSetupRequest request, CancellationToken ct = default)
    {
        var tokens = await SendAsync(HttpMethod.Post, "api/v1/pod/setup", request, Json.PodSetupRequest, Json.TokenResponse, ct, authenticated: false);
        Remember(tokens);
        return tokens;
    }

    public Task<PodSettings> GetPodSettingsAsync(CancellationToken ct = default) => GetAsync("api/v1/admin/settings", Json.PodSettings, ct);

    public Task<PodSettings> UpdatePodSettingsAsync(UpdatePodSettingsRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Patch, "api/v1/admin/settings", request, Json.UpdatePodSettingsRequest, Json.PodSettings, ct);

    public Task<PodDashboard> GetPodDashboardAsync(CancellationToken ct = default) => GetAsync("api/v1/admin/dashboard", Json.PodDashboard, ct);

    public Task<AdminUserPage> GetAdminUsersAsync(string? query = null, string? cursor = null, CancellationToken ct = default) =>
        GetAsync($"api/v1/admin/users{Query(("query", query), ("cursor", cursor))}", Json.AdminUserPage, ct);

    public Task<AdminCommunityPage> GetAdminCommunitiesAsync(string? cursor = null, CancellationToken ct = default) =>
        GetAsync($"api/v1/admin/communities{Query(("cursor", cursor))}", Json.AdminCommunityPage, ct);

    public Task<List<SessionInfo>> GetAdminUserSessionsAsync(string userId, CancellationToken ct = default) =>
        GetAsync($"api/v1/admin/users/{Id(userId)}/sessions", Json.ListSessionInfo, ct);

    public Task EndAdminUserSessionsAsync(string userId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/admin/users/{Id(userId)}/sessions", ct);

    public Task EndAdminUserSessionAsync(string userId, string sessionId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/admin/users/{Id(userId)}/sessions/{Id(sessionId)}", ct);

    public Task DeleteAdminCommunityAsync(string communityId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/admin/communities/{Id(communityId)}", ct);
}
