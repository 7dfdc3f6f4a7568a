using System.Net;
using System.Net.Http.Json;
using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>Direct messages, blocks, DM privacy settings and profiles. Messages in a DM use the ordinary channel calls.</summary>
public sealed partial class VoxoraClient
{
    /// <summary>Opens a DM or creates a group; <c>Created</c> is false when the one-to-one DM already existed (200, not 201).</summary>
    public async Task<(DirectChannel Channel, bool Created)> OpenDirectChannelAsync(CreateDirectChannelRequest request, CancellationToken ct = default)
    {
        using var message = NewRequest(HttpMethod.Post, "api/v1/users/@me/channels", authenticated: true);
        message.Content = JsonContent.Create(request, Json.CreateDirectChannelRequest);
        using var response = await Http.SendAsync(message, ct);
        await EnsureSuccessAsync(response, ct);
        var channel = await response.Content.ReadFromJsonAsync(Json.DirectChannel, ct) ?? throw new VoxoraApiException(response.StatusCode, null, null);
        return (channel, response.StatusCode == HttpStatusCode.Created);
    }

    public async Task<DirectChannel> OpenDirectMessageAsync(string recipientId, CancellationToken ct = default) =>
        (await OpenDirectChannelAsync(new CreateDirectChannelRequest(RecipientId: recipientId), ct)).Channel;

    public async Task<DirectChannel> CreateGroupDirectMessageAsync(IReadOnlyList<string> recipientIds, string? name = null, CancellationToken ct = default) =>
        (await OpenDirectChannelAsync(new CreateDirectChannelRequest(RecipientIds: recipientIds, Name: name), ct)).Channel;

    public Task<List<DirectChannel>> GetDirectChannelsAsync(CancellationToken ct = default) => GetAsync("api/v1/users/@me/channels", Json.ListDirectChannel, ct);

    public Task<DirectChannel> GetDirectChannelAsync(string channelId, CancellationToken ct = default) =>
        GetAsync($"api/v1/channels/{Id(channelId)}", Json.DirectChannel, ct);

    public Task<DirectChannel> RenameDirectChannelAsync(string channelId, string name, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Patch, $"api/v1/channels/{Id(channelId)}", new UpdateChannelRequest(Name: name), Json.UpdateChannelRequest, Json.DirectChannel, ct);

    public Task AddDirectRecipientAsync(string channelId, string userId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"api/v1/channels/{Id(channelId)}/recipients/{Id(userId)}", ct);

    public Task RemoveDirectRecipientAsync(string channelId, string userId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/channels/{Id(channelId)}/recipients/{Id(userId)}", ct);

    /// <summary>Leaves a group DM (<c>DELETE /channels/{id}</c>).</summary>
    public Task LeaveDirectChannelAsync(string channelId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/channels/{Id(channelId)}", ct);

    public Task<UserSettings> GetUserSettingsAsync(CancellationToken ct = default) => GetAsync("api/v1/users/@me/settings", Json.UserSettings, ct);

    public Task<UserSettings> UpdateUserSettingsAsync(UpdateUserSettingsRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Patch, "api/v1/users/@me/settings", request, Json.UpdateUserSettingsRequest, Json.UserSettings, ct);

    public Task BlockUserAsync(string userId, CancellationToken ct = default) => SendAsync(HttpMethod.Put, $"api/v1/users/@me/blocks/{Id(userId)}", ct);

    public Task UnblockUserAsync(string userId, CancellationToken ct = default) => SendAsync(HttpMethod.Delete, $"api/v1/users/@me/blocks/{Id(userId)}", ct);

    public Task<List<BlockedUser>> GetBlocksAsync(CancellationToken ct = default) => GetAsync("api/v1/users/@me/blocks", Json.ListBlockedUser, ct);

    public Task<UserProfile> GetUserProfileAsync(string userId, CancellationToken ct = default) =>
        GetAsync($"api/v1/users/{Id(userId)}/profile", Json.UserProfile, ct);
}
