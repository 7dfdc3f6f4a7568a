using System.Globalization;
using System.Text;
using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>Communities, channels, invites, messages and reactions.</summary>
public sealed partial class VoxoraClient
{
    private static string Id(string id) => Uri.EscapeDataString(id);

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var builder = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            if (value is null)
            {
                continue;
            }

            builder.Append(builder.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }

        return builder.ToString();
    }

    private static string? Number(int? value) => value?.ToString(CultureInfo.InvariantCulture);

    // ---- communities ----

    public Task<Community> CreateCommunityAsync(string? name, string? description = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/communities", new CreateCommunityRequest(name, description), Json.CreateCommunityRequest, Json.Community, ct);

    public Task<List<Community>> GetMyCommunitiesAsync(CancellationToken ct = default) =>
        GetAsync("api/v1/users/@me/communities", Json.ListCommunity, ct);

    public Task<Community> GetCommunityAsync(string communityId, CancellationToken ct = default) =>
        GetAsync($"api/v1/communities/{Id(communityId)}", Json.Community, ct);

    /// <summary><paramref name="messageRetentionDays"/>: 1–3650 deletes older messages, 0 turns retention off, null leaves it.</summary>
    public Task<Community> UpdateCommunityAsync(string communityId, string? name = null, string? description = null, int? messageRetentionDays = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Patch, $"api/v1/communities/{Id(communityId)}", new UpdateCommunityRequest(name, description, messageRetentionDays), Json.UpdateCommunityRequest, Json.Community, ct);

    public Task DeleteCommunityAsync(string communityId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/communities/{Id(communityId)}", ct);

    public Task<List<Member>> GetMembersAsync(string communityId, string? after = null, int? limit = null, CancellationToken ct = default) =>
        GetAsync($"api/v1/communities/{Id(communityId)}/members{Query(("after", after), ("limit", Number(limit)))}", Json.ListMember, ct);

    public Task LeaveCommunityAsync(string communityId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/communities/{Id(communityId)}/members/@me", ct);

    // ---- channels ----

    public Task<List<Channel>> GetChannelsAsync(string communityId, CancellationToken ct = default) =>
        GetAsync($"api/v1/communities/{Id(communityId)}/channels", Json.ListChannel, ct);

    public Task<Channel> CreateChannelAsync(string communityId, CreateChannelRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/communities/{Id(communityId)}/channels", request, Json.CreateChannelRequest, Json.Channel, ct);

    public Task<Channel> GetChannelAsync(string channelId, CancellationToken ct = default) =>
        GetAsync($"api/v1/channels/{Id(channelId)}", Json.Channel, ct);

    public Task<Channel> UpdateChannelAsync(string channelId, UpdateChannelRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Patch, $"api/v1/channels/{Id(channelId)}", request, Json.UpdateChannelRequest, Json.Channel, ct);

    public Task DeleteChannelAsync(string channelId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/channels/{Id(channelId)}", ct);

    // ---- invites ----

    public Task<Invite> CreateInviteAsync(string communityId, int? maxUses = null, int? maxAgeSeconds = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/communities/{Id(communityId)}/invites", new CreateInviteRequest(maxUses, maxAgeSeconds), Json.CreateInviteRequest, Json.Invite, ct);

    public Task<List<Invite>> GetInvitesAsync(string communityId, CancellationToken ct = default) =>
        GetAsync($"api/v1/communities/{Id(communityId)}/invites", Json.ListInvite, ct);

    /// <summary>What the invite leads to. Sent without a token: anyone holding the code may ask.</summary>
    public async Task<InvitePreview> PreviewInviteAsync(string code, CancellationToken ct = default)
    {
        using var request = NewRequest(HttpMethod.Get, $"api/v1/invites/{Id(code)}", authenticated: false);
        return await ReadAsync(request, Json.InvitePreview, ct);
    }

    public async Task<Community> AcceptInviteAsync(string code, CancellationToken ct = default)
    {
        using var request = NewRequest(HttpMethod.Post, $"api/v1/invites/{Id(code)}/accept", authenticated: true);
        return await ReadAsync(request, Json.Community, ct);
    }

    public Task RevokeInviteAsync(string code, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/invites/{Id(code)}", ct);

    // ---- messages ----

    /// <summary>Posts a message. With <paramref name="enforceNonce"/>, repeating a nonce returns the first message instead of a copy.</summary>
    public Task<Message> SendMessageAsync(string channelId, string? content, string? nonce = null, string? replyTo = null, CancellationToken ct = default,
        bool? enforceNonce = null) =>
        SendAsync(HttpMethod.Post, $"api/v1/channels/{Id(channelId)}/messages", new CreateMessageRequest(content, nonce, replyTo, enforceNonce),
            Json.CreateMessageRequest, Json.Message, ct);

    /// <summary>A page of history, newest first. Give at most one of the cursors.</summary>
    public Task<List<Message>> GetMessagesAsync(
        string channelId, string? before = null, string? after = null, string? around = null, int? limit = null, CancellationToken ct = default) =>
        GetAsync(
            $"api/v1/channels/{Id(channelId)}/messages{Query(("before", before), ("after", after), ("around", around), ("limit", Number(limit)))}",
            Json.ListMessage, ct);

    public Task<Message> EditMessageAsync(string channelId, string messageId, string? content, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Patch, $"api/v1/channels/{Id(channelId)}/messages/{Id(messageId)}", new UpdateMessageRequest(content), Json.UpdateMessageRequest, Json.Message, ct);

    public Task DeleteMessageAsync(string channelId, string messageId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/channels/{Id(channelId)}/messages/{Id(messageId)}", ct);

    /// <summary>Removes the message's link previews for good (its author, or MANAGE_MESSAGES).</summary>
    public Task RemoveEmbedsAsync(string channelId, string messageId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/channels/{Id(channelId)}/messages/{Id(messageId)}/embeds", ct);

    // ---- reactions ----

    public Task AddReactionAsync(string channelId, string messageId, string emoji, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"api/v1/channels/{Id(channelId)}/messages/{Id(messageId)}/reactions/{Id(emoji)}/@me", ct);

    public Task RemoveReactionAsync(string channelId, string messageId, string emoji, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/channels/{Id(channelId)}/messages/{Id(messageId)}/reactions/{Id(emoji)}/@me", ct);

    public Task<List<UserSummary>> GetReactionsAsync(
        string channelId, string messageId, string emoji, string? after = null, int? limit = null, CancellationToken ct = default) =>
        GetAsync(
            $"api/v1/channels/{Id(channelId)}/messages/{Id(messageId)}/reactions/{Id(emoji)}{Query(("after", after), ("limit", Number(limit)))}",
            Json.ListUserSummary, ct);
}
