using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>Typing indicators.</summary>
public sealed partial class VoxoraClient
{
    /// <summary>Says the user is typing in a text channel (<c>POST /channels/{id}/typing</c>, 204; at most one per 5 s is announced).</summary>
    public Task StartTypingAsync(string channelId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/channels/{Id(channelId)}/typing", ct);
}
