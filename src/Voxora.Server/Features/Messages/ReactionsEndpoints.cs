using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Avatars;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Messages;

/// <summary>Reactions on a message: add and remove one's own, list who reacted with an emoji.</summary>
public static class ReactionsEndpoints
{
    public static RouteGroupBuilder MapReactionsEndpoints(this RouteGroupBuilder api)
    {
        var reactions = api.MapGroup("/channels/{channelId}/messages/{messageId}/reactions/{emoji}")
            .WithTags("Messages").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        reactions.MapPut("/@me", Add).WithSummary("Add the caller's reaction to a message").ProducesForbidden();
        reactions.MapDelete("/@me", Remove).WithSummary("Remove the caller's reaction from a message").ProducesForbidden();
        reactions.MapGet("", List).WithSummary("The users who reacted to a message with an emoji").ProducesForbidden();
        return api;
    }

    private sealed record Target(ChannelAccess Access, long MessageId);

    /// <summary>The message, if the caller may see it: null for non-members, unknown or malformed ids alike.</summary>
    private static async Task<Target?> FindAsync(string channelId, string messageId, string userId, VoxoraDbContext db, CommunityAccess access, CancellationToken ct)
    {
        if (!Snowflake.TryParse(messageId, out var id))
        {
            return null;
        }

        var found = await access.FindChannelAsync(channelId, userId, ct);
        return found is not null && await db.Messages.AnyAsync(m => m.Id == id && m.ChannelId == found.Channel.Id, ct)
            ? new Target(found, id)
            : null;
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Add(
        string channelId, string messageId, string emoji, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var target = await FindAsync(channelId, messageId, userId, db, access, ct);
        if (target is null)
        {
            return Problems.NotFound("Message");
        }

        if (EmojiRules.EmojiError(emoji) is { } emojiError)
        {
            return Problems.Validation("emoji", emojiError);
        }

        if (!target.Access.Has(Permission.AddReactions))
        {
            return target.Access.IsDirect ? DirectMessages.DirectMessagesEndpoints.CannotMessage() : Roles.RolesEndpoints.Missing("ADD_REACTIONS");
        }

        if (await Threads.ThreadsEndpoints.IsArchivedAsync(db, target.Access.Channel, ct))
        {
            return Threads.ThreadsEndpoints.Archived("The thread is archived: no reactions until it is unarchived.");
        }

        if (await db.Reactions.AnyAsync(r => r.MessageId == target.MessageId && r.Emoji == emoji && r.UserId == userId, ct))
        {
            return TypedResults.NoContent();
        }

        // Count and insert under a per-message write lock, so simultaneous different emoji cannot pass the cap together:
        // SQLite's transactions begin IMMEDIATE (one writer); PostgreSQL locks the message row.
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            if (db.Database.IsNpgsql())
            {
                await db.Database.ExecuteSqlAsync($"SELECT 1 FROM messages WHERE id = {target.MessageId} FOR UPDATE", ct);
            }

            var emojis = await db.Reactions.Where(r => r.MessageId == target.MessageId).Select(r => r.Emoji).Distinct().ToListAsync(ct);
            if (!emojis.Contains(emoji) && emojis.Count >= EmojiRules.MaxDistinctPerMessage)
            {
                return Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.TooManyReactions, "Too many reactions",
                    $"A message can carry at most {EmojiRules.MaxDistinctPerMessage} different emoji.");
            }

            db.Reactions.Add(new ReactionEntity { MessageId = target.MessageId, Emoji = emoji, UserId = userId, CreatedAt = clock.StoredUtcNow() });
            try
            {
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }
            catch (DbUpdateException)
            {
                // The same reaction arrived twice at once (already there: nothing changed), or the message was just deleted.
                await transaction.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                return await db.Reactions.AnyAsync(r => r.MessageId == target.MessageId && r.Emoji == emoji && r.UserId == userId, ct)
                    ? TypedResults.NoContent()
                    : Problems.NotFound("Message");
            }
        }

        var channel = target.Access.Channel;
        await events.PublishAsync(new ReactionAdded(new ReactionEvent(Snowflake.Format(target.MessageId), channel.Id, channel.CommunityId, userId, emoji), target.Access.DirectRecipients));
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Remove(
        string channelId, string messageId, string emoji, HttpContext http, VoxoraDbContext db, CommunityAccess access, DomainEvents events, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var target = await FindAsync(channelId, messageId, userId, db, access, ct);
        if (target is null)
        {
            return Problems.NotFound("Message");
        }

        if (EmojiRules.EmojiError(emoji) is { } emojiError)
        {
            return Problems.Validation("emoji", emojiError);
        }

        var removed = await db.Reactions.Where(r => r.MessageId == target.MessageId && r.Emoji == emoji && r.UserId == userId).ExecuteDeleteAsync(ct);
        if (removed > 0)
        {
            var channel = target.Access.Channel;
            await events.PublishAsync(new ReactionRemoved(new ReactionEvent(Snowflake.Format(target.MessageId), channel.Id, channel.CommunityId, userId, emoji), target.Access.DirectRecipients));
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<List<UserSummary>>, ValidationProblem, ProblemHttpResult>> List(
        string channelId, string messageId, string emoji, string? after, string? limit, HttpContext http, VoxoraDbContext db,
        CommunityAccess access, CancellationToken ct)
    {
        var target = await FindAsync(channelId, messageId, http.User.UserId(), db, access, ct);
        if (target is null)
        {
            return Problems.NotFound("Message");
        }

        var errors = new Dictionary<string, string[]>();
        if (EmojiRules.EmojiError(emoji) is { } emojiError) errors["emoji"] = [emojiError];
        if (Paging.LimitError(limit, out var take, 25) is { } limitError) errors["limit"] = [limitError];
        if (after is not null && !Ids.IsWellFormed(after, Ids.User)) errors["after"] = ["After must be a user id."];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var query = from reaction in db.Reactions.AsNoTracking()
                    join user in db.Users on reaction.UserId equals user.Id
                    where reaction.MessageId == target.MessageId && reaction.Emoji == emoji
                    select new { reaction.UserId, user.Username, user.DisplayName, user.AvatarHash };
        if (after is not null)
        {
            query = query.Where(r => string.Compare(r.UserId, after) > 0);
        }

        var users = await query.OrderBy(r => r.UserId).Take(take)
            .Select(r => new UserSummary(r.UserId, r.Username, r.DisplayName, AvatarLinks.UserAvatarUrl(r.UserId, r.AvatarHash)))
            .ToListAsync(ct);
        return TypedResults.Ok(users);
    }
}
