using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>Read markers and unread counts.</summary>
public sealed partial class VoxoraClient
{
    public Task MarkChannelReadAsync(string channelId, string? messageId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"api/v1/channels/{Id(channelId)}/read", new MarkReadRequest(messageId), Json.MarkReadRequest, ct);

    public Task MarkCommunityReadAsync(string communityId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/communities/{Id(communityId)}/read", ct);

    public Task<UnreadCounts> GetUnreadCountsAsync(CancellationToken ct = default) => GetAsync("api/v1/unread-counts", Json.UnreadCounts, ct);
}
