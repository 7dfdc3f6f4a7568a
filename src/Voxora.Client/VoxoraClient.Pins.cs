using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>Pinned messages of a channel.</summary>
public sealed partial class VoxoraClient
{
    public Task PinMessageAsync(string channelId, string messageId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"api/v1/channels/{Id(channelId)}/pins/{Id(messageId)}", ct);

    public Task UnpinMessageAsync(string channelId, string messageId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/channels/{Id(channelId)}/pins/{Id(messageId)}", ct);

    /// <summary>The channel's pinned messages, newest pin first.</summary>
    public Task<List<Message>> GetPinsAsync(string channelId, CancellationToken ct = default) =>
        GetAsync($"api/v1/channels/{Id(channelId)}/pins", Json.ListMessage, ct);
}
