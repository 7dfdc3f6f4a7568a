using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Messages;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.ReadStates;

/// <summary>
/// Read markers (seed 000 §P2-10): mark a channel read up to a message, mark a whole community read, and the unread
/// and mention counts of every channel the user can view (hydration after READY, and a polling fallback).
/// </summary>
public static class ReadStatesEndpoints
{
    public static RouteGroupBuilder MapReadStatesEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("").WithTags("Read states").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        group.MapPut("/channels/{channelId}/read", MarkChannel).WithSummary("Mark a channel read up to a message").ProducesForbidden();
        group.MapPost("/communities/{communityId}/read", MarkCommunity).WithSummary("Mark every channel of a community read").ProducesForbidden();
        group.MapGet("/unread-counts", Counts).WithSummary("Unread and mention counts of the caller's channels");
        return api;
    }

    /// <summary>
    /// Moves the caller's marker to <c>message_id</c>, which must be a message of this channel (a deleted or foreign
    /// id is refused, 400). The marker never moves backwards: an older id is accepted (204) and changes nothing.
    /// </summary>
    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> MarkChannel(
        string channelId, MarkReadRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access, ReadStateStore store,
        DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

        if (!ChannelTypes.HoldsMessages(found.Channel.Type))
        {
            return MessagesEndpoints.NotText();
        }

        if (!Snowflake.TryParse(request.MessageId, out var messageId))
        {
            return Problems.Validation("message_id", "message_id must be a message id (a decimal string).");
        }

        var channel = found.Channel;
        if (!await db.Messages.AnyAsync(m => m.Id == messageId && m.ChannelId == channel.Id, ct))
        {
            return Problems.Validation("message_id", "message_id must be the id of a message in this channel.");
        }

        if (await store.AdvanceAsync(userId, channel.Id, messageId, clock.StoredUtcNow(), ct))
        {
            var watched = await store.WatchedAsync(userId, channel.CommunityId, channel.Id, ct);
            var counts = await store.CountAsync(userId, watched, ct);
            var state = counts.Count == 1 ? counts[0] : null;
            await events.PublishAsync(new ChannelsRead(userId,
                [new ChannelRead(channel.Id, channel.CommunityId, Snowflake.Format(messageId), state?.UnreadCount ?? 0, state?.MentionCount ?? 0)]));
        }

        return TypedResults.NoContent();
    }

    /// <summary>Marks every text channel of the community the caller can view as read up to its newest message.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> MarkCommunity(
        string communityId, HttpContext http, CommunityAccess access, ReadStateStore store, DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var community = await access.FindCommunityAsync(communityId, userId, ct);
        if (community is null)
        {
            return Problems.NotFound("Community");
        }

        var watched = await store.WatchedAsync(userId, community.Id, null, ct);
        var after = watched.ToDictionary(w => w.ChannelId, w => w.After, StringComparer.Ordinal);
        var now = clock.StoredUtcNow();
        var read = new List<ChannelRead>();
        foreach (var channel in await store.CountAsync(userId, watched, ct))
        {
            if (channel.LastMessageId is { } text && Snowflake.TryParse(text, out var last) && last > after[channel.ChannelId]
                && await store.AdvanceAsync(userId, channel.ChannelId, last, now, ct))
            {
                read.Add(new ChannelRead(channel.ChannelId, channel.CommunityId, text, 0, 0));
            }
        }

        if (read.Count > 0)
        {
            await events.PublishAsync(new ChannelsRead(userId, read));
        }

        return TypedResults.NoContent();
    }

    /// <summary>
    /// Per text channel the caller can view, in every community: unread and mention counts and the newest message.
    /// Three queries whatever the number of channels. Cacheable privately for 10 seconds (seed 000 §P2-10).
    /// </summary>
    private static async Task<Ok<UnreadCounts>> Counts(HttpContext http, ReadStateStore store, TimeProvider clock, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var counts = await store.CountAsync(userId, await store.WatchedAsync(userId, null, null, ct), ct);
        http.Response.Headers.CacheControl = "private, max-age=10";
        return TypedResults.Ok(new UnreadCounts(counts, clock.StoredUtcNow()));
    }
}
