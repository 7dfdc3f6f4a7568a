using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>Threads: start one from a message, list a channel's, change one (PATCH on the thread's channel), join and leave.</summary>
public sealed partial class VoxoraClient
{
    public Task<ThreadChannel> CreateThreadAsync(string channelId, string messageId, string? name, int? autoArchiveSeconds = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/channels/{Id(channelId)}/messages/{Id(messageId)}/threads",
            new CreateThreadRequest(name, autoArchiveSeconds), Json.CreateThreadRequest, Json.ThreadChannel, ct);

    public Task<List<ThreadChannel>> GetThreadsAsync(string channelId, bool archived = false, CancellationToken ct = default) =>
        GetAsync($"api/v1/channels/{Id(channelId)}/threads{(archived ? "?archived=true" : "")}", Json.ListThreadChannel, ct);

    /// <summary><c>GET /channels/{thread_id}</c>: a thread answers as a thread.</summary>
    public Task<ThreadChannel> GetThreadAsync(string threadId, CancellationToken ct = default) =>
        GetAsync($"api/v1/channels/{Id(threadId)}", Json.ThreadChannel, ct);

    public Task<ThreadChannel> UpdateThreadAsync(string threadId, string? name = null, bool? archived = null, int? autoArchiveSeconds = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Patch, $"api/v1/channels/{Id(threadId)}",
            new UpdateChannelRequest(Name: name, Archived: archived, AutoArchiveSeconds: autoArchiveSeconds), Json.UpdateChannelRequest, Json.ThreadChannel, ct);

    public Task JoinThreadAsync(string threadId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"api/v1/channels/{Id(threadId)}/thread-members/@me", ct);

    public Task LeaveThreadAsync(string threadId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/channels/{Id(threadId)}/thread-members/@me", ct);
}
