using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.DirectMessages;
using Voxora.Server.Features.Roles;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Messages;

/// <summary>Messages of a text channel: send (SEND_MESSAGES), page through history (READ_MESSAGE_HISTORY), edit one's own, delete one's own or anyone's (MANAGE_MESSAGES), bulk-delete.</summary>
public static class MessagesEndpoints
{
    public static RouteGroupBuilder MapMessagesEndpoints(this RouteGroupBuilder api)
    {
        var messages = api.MapGroup("/channels/{channelId}/messages").WithTags("Messages").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        messages.MapPost("", Create).WithSummary("Send a message to a channel").ProducesForbidden();
        messages.MapGet("", List).WithSummary("The messages of a channel, newest first, paged by before/after/around").ProducesForbidden();
        messages.MapPatch("/{messageId}", Update).WithSummary("Edit one of the caller's messages").ProducesForbidden();
        messages.MapDelete("/{messageId}", Delete).WithSummary("Delete a message (one's own, or MANAGE_MESSAGES)").ProducesForbidden();
        messages.MapPost("/bulk-delete", BulkDelete).WithSummary("Delete many messages at once (MANAGE_MESSAGES)").ProducesForbidden();
        return api;
    }

    private static async Task<Results<Created<Message>, Ok<Message>, ValidationProblem, ProblemHttpResult>> Create(
        string channelId, CreateMessageRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        SnowflakeGenerator snowflakes, MessageWriter writer, NonceRegistry nonces, DomainEvents events, Attachments.MediaLinks links, CancellationToken ct)
    {
        var found = await access.FindChannelAsync(channelId, http.User.UserId(), ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

        if (!ChannelTypes.HoldsMessages(found.Channel.Type))
        {
            return NotText();
        }

        // In a thread posting needs SEND_MESSAGES_IN_THREADS instead; a message to an archived thread unarchives it
        // (seed 000 §P2-7; the Threads feature does that when the message is created).
        if (MissingSend(found) is { } missing)
        {
            return found.IsDirect ? DirectMessagesEndpoints.CannotMessage() : missing;
        }

        var channel = found.Channel;
        var errors = new Dictionary<string, string[]>();
        var attachmentIds = request.Attachments ?? [];
        string content;
        if (attachmentIds.Count > 0 && string.IsNullOrWhiteSpace(request.Content))
        {
            // A message may be attachments only.
            content = "";
        }
        else if (MessageRules.ContentError(request.Content, out content) is { } contentError)
        {
            errors["content"] = [contentError];
        }

        if (Attachments.AttachmentClaims.ListError(request.Attachments) is { } attachmentsError) errors["attachments"] = [attachmentsError];
        if (MessageRules.NonceError(request.Nonce) is { } nonceError) errors["nonce"] = [nonceError];
        else if (request.EnforceNonce == true && request.Nonce is null) errors["nonce"] = ["enforce_nonce needs a nonce."];
        long? replyTo = null;
        if (request.ReplyTo is not null)
        {
            if (Snowflake.TryParse(request.ReplyTo, out var replyId)
                && await db.Messages.AnyAsync(m => m.Id == replyId && m.ChannelId == channel.Id, ct))
            {
                replyTo = replyId;
            }
            else
            {
                errors["reply_to"] = ["Reply_to must be the id of a message in this channel."];
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var resolved = Resolve(content, found);
        var mentions = await MentionableAmongAsync(db, found, resolved.Users, ct);
        var id = snowflakes.Next();
        var message = new MessageEntity
        {
            Id = id,
            ChannelId = channel.Id,
            CommunityId = channel.CommunityId,
            AuthorId = found.Me.Id,
            Content = content,
            ReplyToId = replyTo,
            MentionIds = MentionParser.Join(mentions),
            MentionRoleIds = MentionParser.Join(resolved.Roles),
            MentionEveryone = resolved.Everyone,
            CreatedAt = Snowflake.TimeOf(id),
        };

        // The uploads become this message's before it is written (a racing sweep or second message cannot take them).
        if (attachmentIds.Count > 0 && !await Attachments.AttachmentClaims.ClaimAsync(db, attachmentIds, found.Me.Id, channel.Id, id, ct))
        {
            return Problems.Validation("attachments", Attachments.AttachmentClaims.ClaimError);
        }

        // enforce_nonce: a repeat of a nonce the author already used here gets the first message back. Claimed right
        // before saving, so nothing in between can fail and strand the claim.
        object? ticket = null;
        if (request.EnforceNonce == true && request.Nonce is { } nonce)
        {
            var claim = await nonces.ClaimAsync(found.Me.Id, channel.Id, nonce, ct);
            if (claim.First is { } first)
            {
                if (attachmentIds.Count > 0)
                {
                    await Attachments.AttachmentClaims.ReleaseAsync(db, id);
                }

                return TypedResults.Ok(first);
            }

            ticket = claim.Ticket;
        }

        // Committed (with whatever else was queued meanwhile) before we answer or announce it. Not cancelled
        // with the request: once queued it may be saved, and then it must also be announced.
        try
        {
            await writer.SaveAsync(message);
        }
        catch (Exception ex)
        {
            if (ticket is not null)
            {
                await nonces.AbandonAsync(found.Me.Id, channel.Id, request.Nonce!, ticket);
            }

            if (attachmentIds.Count > 0)
            {
                await Attachments.AttachmentClaims.ReleaseAsync(db, id);
            }

            // The channel was deleted between the access check and the insert (foreign key): as if it never existed.
            if (ex is System.Data.Common.DbException && !await db.Channels.AnyAsync(c => c.Id == channel.Id, CancellationToken.None))
            {
                return Problems.NotFound("Channel");
            }

            throw;
        }

        var wire = new Message(Snowflake.Format(id), channel.Id, channel.CommunityId, found.Me, content, message.CreatedAt, null,
            replyTo is { } r ? Snowflake.Format(r) : null, mentions, [], request.Nonce, resolved.Roles, resolved.Everyone,
            Attachments: attachmentIds.Count > 0 ? await Attachments.AttachmentClaims.OfMessageAsync(db, links, id, CancellationToken.None) : null);
        await events.PublishAsync(new MessageCreated(wire, found.DirectRecipients));
        if (ticket is not null)
        {
            await nonces.CompleteAsync(ticket, wire);
        }

        return TypedResults.Created($"/api/v1/channels/{channel.Id}/messages/{wire.Id}", wire);
    }

    /// <summary>The content's mentions as the author may make them in this channel (roles from the community's snapshot).</summary>
    private static ResolvedMentions Resolve(string content, ChannelAccess found) =>
        MessageMentions.Resolve(content, found.Snapshot.Data.Roles.ContainsKey, found.Snapshot.Data.EveryoneRoleId, found.Has(Permission.MentionEveryone));

    /// <summary>
    /// The mentioned ids that belong to members of the community (in a direct channel: to its participants), in their
    /// original order. One query, none when there are no mentions or in a direct channel.
    /// </summary>
    private static async Task<IReadOnlyList<string>> MentionableAmongAsync(VoxoraDbContext db, ChannelAccess found, IReadOnlyList<string> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return ids;
        }

        if (found.Channel.CommunityId is not { } communityId)
        {
            var participants = found.DirectRecipients ?? [];
            return ids.Where(participants.Contains).ToList();
        }

        var members = await db.Members.AsNoTracking()
            .Where(m => m.CommunityId == communityId && ids.Contains(m.UserId))
            .Select(m => m.UserId)
            .ToListAsync(ct);
        return ids.Where(members.Contains).ToList();
    }

    private static async Task<Results<Ok<List<Message>>, ValidationProblem, ProblemHttpResult>> List(
        string channelId, string? before, string? after, string? around, string? limit,
        HttpContext http, CommunityAccess access, MessageStore store, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

        if (!ChannelTypes.HoldsMessages(found.Channel.Type))
        {
            return NotText();
        }

        if (!found.Has(Permission.ReadMessageHistory))
        {
            return RolesEndpoints.Missing("READ_MESSAGE_HISTORY");
        }

        var errors = new Dictionary<string, string[]>();
        if (Paging.LimitError(limit, out var take) is { } limitError) errors["limit"] = [limitError];
        var cursors = new[] { ("before", before, PageDirection.Before), ("after", after, PageDirection.After), ("around", around, PageDirection.Around) }
            .Where(c => c.Item2 is not null)
            .ToList();
        var direction = PageDirection.Latest;
        long cursor = 0;
        if (cursors.Count > 1)
        {
            errors["before"] = ["Give at most one of before, after and around."];
        }
        else if (cursors.Count == 1)
        {
            var (field, text, dir) = cursors[0];
            if (!Snowflake.TryParse(text, out cursor))
            {
                errors[field] = [$"{field} must be a message id (a decimal string)."];
            }

            direction = dir;
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        return TypedResults.Ok(await store.PageAsync(found.Channel.Id, direction, cursor, take, userId, ct));
    }

    private static async Task<Results<Ok<Message>, ValidationProblem, ProblemHttpResult>> Update(
        string channelId, string messageId, UpdateMessageRequest request, HttpContext http, VoxoraDbContext db,
        CommunityAccess access, MessageStore store, DomainEvents events, TimeProvider clock, Attachments.MediaLinks links,
        LinkPreviews.EmbedPresenter embeds, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null || !Snowflake.TryParse(messageId, out var id))
        {
            return Problems.NotFound("Message");
        }

        var message = await db.Messages.SingleOrDefaultAsync(m => m.Id == id && m.ChannelId == found.Channel.Id, ct);
        if (message is null)
        {
            return Problems.NotFound("Message");
        }

        if (message.AuthorId != userId)
        {
            return CommunitiesEndpoints.Forbidden("Only the author can edit a message.");
        }

        if (message.Type != MessageTypes.Default)
        {
            return SystemMessage("edited");
        }

        if (MissingSend(found) is { } missing)
        {
            return missing;
        }

        if (await Threads.ThreadsEndpoints.IsArchivedAsync(db, found.Channel, ct))
        {
            return Threads.ThreadsEndpoints.Archived("The thread is archived: messages in it cannot be edited until it is unarchived.");
        }

        if (MessageRules.ContentError(request.Content, out var content) is { } contentError)
        {
            return Problems.Validation("content", contentError);
        }

        var resolved = Resolve(content, found);
        var mentions = await MentionableAmongAsync(db, found, resolved.Users, ct);
        message.Content = content;
        message.MentionIds = MentionParser.Join(mentions);
        message.MentionRoleIds = MentionParser.Join(resolved.Roles);
        message.MentionEveryone = resolved.Everyone;
        message.EditedAt = clock.StoredUtcNow();
        await db.SaveChangesAsync(ct);

        var reactions = await store.ReactionsAsync([id], userId, ct);
        var pinnedAt = await db.MessagePins.Where(p => p.MessageId == id).Select(p => (DateTimeOffset?)p.PinnedAt).FirstOrDefaultAsync(ct);
        var attachments = await Attachments.AttachmentClaims.OfMessageAsync(db, links, id, ct);
        // Previews of links the edit kept stay; the link preview service computes the others and sends its own update.
        var mine = ToWire(message, found.Me, mentions, reactions.GetValueOrDefault(id) ?? []) with
        {
            Pinned = pinnedAt is not null,
            PinnedAt = pinnedAt,
            Attachments = attachments,
            Embeds = embeds.Present(message.Embeds, LinkPreviews.LinkFinder.Find(content)),
        };
        var shared = mine with { Reactions = mine.Reactions.Select(r => r with { Me = null }).ToList() };
        await events.PublishAsync(new MessageUpdated(shared, found.DirectRecipients));
        return TypedResults.Ok(mine);
    }

    private static Message ToWire(MessageEntity m, UserSummary author, IReadOnlyList<string> mentions, IReadOnlyList<ReactionCount> reactions) =>
        new(Snowflake.Format(m.Id), m.ChannelId, m.CommunityId, author, m.Content, m.CreatedAt, m.EditedAt,
            m.ReplyToId is { } r ? Snowflake.Format(r) : null, mentions, reactions,
            MentionRoles: MentionParser.Split(m.MentionRoleIds), MentionEveryone: m.MentionEveryone);

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string channelId, string messageId, HttpContext http, VoxoraDbContext db, CommunityAccess access, DomainEvents events, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null || !Snowflake.TryParse(messageId, out var id))
        {
            return Problems.NotFound("Message");
        }

        var authorId = await db.Messages.Where(m => m.Id == id && m.ChannelId == found.Channel.Id).Select(m => m.AuthorId).SingleOrDefaultAsync(ct);
        if (authorId is null)
        {
            return Problems.NotFound("Message");
        }

        if (authorId != userId && !found.Has(Permission.ManageMessages))
        {
            return CommunitiesEndpoints.Forbidden("Only the author, or a member with MANAGE_MESSAGES, can delete a message.");
        }

        // Reactions and its pin go with it (ON DELETE CASCADE).
        if (await db.Messages.Where(m => m.Id == id).ExecuteDeleteAsync(ct) > 0)
        {
            var channel = found.Channel;
            await events.PublishAsync(new MessageRemoved(channel.CommunityId, channel.Id, Snowflake.Format(id), authorId, userId, found.DirectRecipients));
        }

        return TypedResults.NoContent();
    }

    public const int BulkMin = 2;
    public const int BulkMax = 100;

    /// <summary>
    /// Deletes 2–100 messages of this channel at once (MANAGE_MESSAGES). Ids of messages that do not exist (or are in
    /// another channel) are skipped; one MESSAGE_DELETE_BULK lists the ones actually deleted.
    /// </summary>
    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> BulkDelete(
        string channelId, BulkDeleteRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access, DomainEvents events, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

        if (!found.Has(Permission.ManageMessages))
        {
            return RolesEndpoints.Missing("MANAGE_MESSAGES");
        }

        var texts = request.Ids ?? [];
        if (texts.Count is < BulkMin or > BulkMax)
        {
            return Problems.Validation("ids", $"Give from {BulkMin} to {BulkMax} message ids.");
        }

        var ids = new HashSet<long>();
        foreach (var text in texts)
        {
            if (!Snowflake.TryParse(text, out var id))
            {
                return Problems.Validation("ids", "Every id must be a message id (a decimal string).");
            }

            ids.Add(id);
        }

        if (ids.Count != texts.Count)
        {
            return Problems.Validation("ids", "Ids must not repeat.");
        }

        var channel = found.Channel;
        List<long> deleted;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            deleted = await db.Messages.Where(m => m.ChannelId == channel.Id && ids.Contains(m.Id)).Select(m => m.Id).ToListAsync(ct);
            await db.Messages.Where(m => m.ChannelId == channel.Id && deleted.Contains(m.Id)).ExecuteDeleteAsync(ct);
            await transaction.CommitAsync(ct);
        }

        if (deleted.Count > 0)
        {
            await events.PublishAsync(new MessagesBulkDeleted(channel.OwningCommunityId, channel.Id, deleted.Order().Select(Snowflake.Format).ToList(), userId));
        }

        return TypedResults.NoContent();
    }

    /// <summary>400 for a system line ("alice pinned a message"): the server wrote it, nobody edits or pins it.</summary>
    internal static ProblemHttpResult SystemMessage(string verb) =>
        Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.SystemMessage, "System message", $"A system message cannot be {verb}.");

    /// <summary>Text channels, threads and direct channels hold messages.</summary>
    internal static bool HoldsMessages(Channels.ChannelEntity channel) => ChannelTypes.HoldsMessages(channel.Type);

    /// <summary>The permission writing here needs (SEND_MESSAGES_IN_THREADS in a thread, SEND_MESSAGES elsewhere), when the caller lacks it.</summary>
    internal static ProblemHttpResult? MissingSend(ChannelAccess found) => found.Channel.Type == ChannelTypes.Thread
        ? found.Has(Permission.SendMessagesInThreads) ? null : RolesEndpoints.Missing("SEND_MESSAGES_IN_THREADS")
        : found.Has(Permission.SendMessages) ? null : RolesEndpoints.Missing("SEND_MESSAGES");

    internal static ProblemHttpResult NotText() =>
        Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.WrongChannelType, "Not a text channel", "Messages can only be sent to and read from text channels.");
}
