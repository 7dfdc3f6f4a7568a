using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Messages;
using Voxora.Server.Features.Roles;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Pins;

/// <summary>
/// Pinned messages of a text channel: pin and unpin (MANAGE_MESSAGES; in a direct channel any participant who may write
/// there), list them newest pin first (READ_MESSAGE_HISTORY). A pin writes a system line ("alice pinned a message") into
/// the channel in the same transaction.
/// </summary>
public static class PinsEndpoints
{
    /// <summary>The most pins one channel holds; the next pin is refused with <c>too_many_pins</c>.</summary>
    public const int MaxPinsPerChannel = 50;

    public static RouteGroupBuilder MapPinsEndpoints(this RouteGroupBuilder api)
    {
        var pins = api.MapGroup("/channels/{channelId}/pins").WithTags("Pins").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        pins.MapGet("", List).WithSummary("The pinned messages of a channel").ProducesForbidden();
        pins.MapPut("/{messageId}", Pin).WithSummary("Pin a message (MANAGE_MESSAGES)").ProducesForbidden();
        pins.MapDelete("/{messageId}", Unpin).WithSummary("Unpin a message (MANAGE_MESSAGES)").ProducesForbidden();
        return api;
    }

    private static async Task<Results<Ok<List<Message>>, ProblemHttpResult>> List(
        string channelId, HttpContext http, VoxoraDbContext db, CommunityAccess access, MessageStore store, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

        // Threads and direct channels hold messages too, so their (possibly empty) pin list is readable.
        if (!ChannelTypes.HoldsMessages(found.Channel.Type))
        {
            return MessagesEndpoints.NotText();
        }

        if (!found.Has(Permission.ReadMessageHistory))
        {
            return RolesEndpoints.Missing("READ_MESSAGE_HISTORY");
        }

        var order = await db.MessagePins.AsNoTracking()
            .Where(p => p.ChannelId == found.Channel.Id)
            .OrderByDescending(p => p.PinOrder)
            .Select(p => p.MessageId)
            .ToListAsync(ct);
        var messages = (await store.ManyAsync(found.Channel.Id, order, userId, ct)).ToDictionary(m => m.Id);
        return TypedResults.Ok(order.Select(Snowflake.Format).Where(messages.ContainsKey).Select(id => messages[id]).ToList());
    }

    /// <summary>The channel and message a pin request is about, or the problem to answer instead.</summary>
    private sealed record Target(ChannelAccess Access, long MessageId, string AuthorId);

    private static async Task<(Target? Target, ProblemHttpResult? Problem)> FindAsync(
        string channelId, string messageId, string userId, VoxoraDbContext db, CommunityAccess access, CancellationToken ct)
    {
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null)
        {
            return (null, Problems.NotFound("Channel"));
        }

        // Nobody moderates a DM: its participants pin, as long as they may write there (not across a block).
        if (found.IsDirect ? !found.Has(Permission.SendMessages) : !found.Has(Permission.ManageMessages))
        {
            return (null, found.IsDirect ? DirectMessages.DirectMessagesEndpoints.CannotMessage() : RolesEndpoints.Missing("MANAGE_MESSAGES"));
        }

        if (!Snowflake.TryParse(messageId, out var id))
        {
            return (null, Problems.NotFound("Message"));
        }

        var message = await db.Messages.AsNoTracking()
            .Where(m => m.Id == id && m.ChannelId == found.Channel.Id)
            .Select(m => new { m.AuthorId, m.Type })
            .SingleOrDefaultAsync(ct);
        if (message is null)
        {
            return (null, Problems.NotFound("Message"));
        }

        return message.Type != MessageTypes.Default
            ? (null, MessagesEndpoints.SystemMessage("pinned"))
            : (new Target(found, id, message.AuthorId), null);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Pin(
        string channelId, string messageId, HttpContext http, VoxoraDbContext db, CommunityAccess access, MessageStore store,
        SnowflakeGenerator snowflakes, DomainEvents events, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var (target, problem) = await FindAsync(channelId, messageId, userId, db, access, ct);
        if (target is null)
        {
            return problem!;
        }

        var channel = target.Access.Channel;
        var noticeId = snowflakes.Next();
        var pinnedAt = Snowflake.TimeOf(noticeId);

        // Count and insert under a per-channel write lock, so simultaneous pins cannot pass the limit together:
        // SQLite's transactions begin IMMEDIATE (one writer at a time); PostgreSQL locks the channel's row.
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            if (db.Database.IsNpgsql())
            {
                await db.Database.ExecuteSqlAsync($"SELECT 1 FROM channels WHERE id = {channel.Id} FOR UPDATE", ct);
            }

            if (await db.MessagePins.AnyAsync(p => p.MessageId == target.MessageId, ct))
            {
                // Already pinned: PUT is idempotent, nothing changes and nothing is announced.
                return TypedResults.NoContent();
            }

            if (await db.MessagePins.CountAsync(p => p.ChannelId == channel.Id, ct) >= MaxPinsPerChannel)
            {
                return Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.TooManyPins, "Too many pins",
                    $"A channel holds at most {MaxPinsPerChannel} pinned messages; unpin one first.");
            }

            db.MessagePins.Add(new MessagePinEntity
            {
                MessageId = target.MessageId,
                ChannelId = channel.Id,
                PinnedBy = userId,
                PinOrder = noticeId,
                PinnedAt = pinnedAt,
            });
            db.Messages.Add(new MessageEntity
            {
                Id = noticeId,
                ChannelId = channel.Id,
                CommunityId = channel.CommunityId,
                AuthorId = userId,
                Content = "",
                ReplyToId = target.MessageId,
                CreatedAt = pinnedAt,
                Type = MessageTypes.ChannelPinnedMessage,
            });
            try
            {
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }
            catch (DbUpdateException)
            {
                // The same message pinned twice at once on SQLite's deferred path (already pinned: nothing changed),
                // or the message was deleted meanwhile (foreign key).
                await transaction.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                return await db.MessagePins.AnyAsync(p => p.MessageId == target.MessageId, ct)
                    ? TypedResults.NoContent()
                    : Problems.NotFound("Message");
            }
        }

        var pinned = await store.FindAsync(channel.Id, target.MessageId, null, ct);
        if (pinned is not null)
        {
            var notice = new Message(Snowflake.Format(noticeId), channel.Id, channel.CommunityId, target.Access.Me, "", pinnedAt, null,
                Snowflake.Format(target.MessageId), [], [], Type: MessageTypes.ChannelPinnedMessage);
            await events.PublishAsync(new MessagePinned(pinned, notice, userId, target.Access.DirectRecipients));
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Unpin(
        string channelId, string messageId, HttpContext http, VoxoraDbContext db, CommunityAccess access, MessageStore store,
        DomainEvents events, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var (target, problem) = await FindAsync(channelId, messageId, userId, db, access, ct);
        if (target is null)
        {
            return problem!;
        }

        var channel = target.Access.Channel;
        if (await db.MessagePins.Where(p => p.MessageId == target.MessageId && p.ChannelId == channel.Id).ExecuteDeleteAsync(ct) == 0)
        {
            // Not pinned (or unpinned by someone else just now): nothing changed, nothing to announce.
            return TypedResults.NoContent();
        }

        var lastPin = await db.MessagePins.AsNoTracking()
            .Where(p => p.ChannelId == channel.Id)
            .OrderByDescending(p => p.PinOrder)
            .Select(p => (DateTimeOffset?)p.PinnedAt)
            .FirstOrDefaultAsync(ct);
        var unpinned = await store.FindAsync(channel.Id, target.MessageId, null, ct);
        if (unpinned is not null)
        {
            await events.PublishAsync(new MessageUnpinned(unpinned, lastPin, userId, target.Access.DirectRecipients));
        }

        return TypedResults.NoContent();
    }
}
