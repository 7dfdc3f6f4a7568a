using System.Text.Json.Nodes;
using Voxora.Protocol;
using Voxora.Server.Features.Audit;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Messages;

/// <summary>
/// Domain event: a message was saved. <paramref name="Message"/> is the wire form every reader of the channel gets
/// (it carries the sender's nonce); raising it costs this one record, the hot path allocates nothing else for it.
/// In a direct channel (no community) <paramref name="DirectRecipients"/> are its participants, who are its readers.
/// </summary>
public sealed record MessageCreated(Message Message, IReadOnlyList<string>? DirectRecipients = null);

/// <summary>Domain event: a message's content was edited and saved; <paramref name="Message"/> is the form every reader gets (no per-user <c>me</c>).</summary>
public sealed record MessageUpdated(Message Message, IReadOnlyList<string>? DirectRecipients = null);

/// <summary>Domain event: one message (and its reactions) was deleted, by its author or by a moderator (<paramref name="DeletedBy"/>).</summary>
public sealed record MessageRemoved(string? CommunityId, string ChannelId, string MessageId, string AuthorId, string DeletedBy, IReadOnlyList<string>? DirectRecipients = null);

/// <summary>Domain event: several messages of one channel were deleted at once by a moderator; <paramref name="MessageIds"/> are in id order.</summary>
public sealed record MessagesBulkDeleted(string CommunityId, string ChannelId, IReadOnlyList<string> MessageIds, string DeletedBy);

/// <summary>
/// Domain event: messages of one channel were deleted by the server, not a moderator's bulk delete (<paramref name="MessageIds"/>
/// in id order): a banned member's recent messages with the ban, or messages past the community's retention. The ban's
/// (or the retention sweep's) own audit entry counts them, so this is not audited as a bulk delete.
/// </summary>
public sealed record MessagesPurged(string CommunityId, string ChannelId, IReadOnlyList<string> MessageIds);

/// <summary>Domain event: a user's reaction was added to a message (it was not there before).</summary>
public sealed record ReactionAdded(ReactionEvent Reaction, IReadOnlyList<string>? DirectRecipients = null);

/// <summary>Domain event: a user's reaction was removed from a message (it was there).</summary>
public sealed record ReactionRemoved(ReactionEvent Reaction, IReadOnlyList<string>? DirectRecipients = null);

/// <summary>The gateway's side of messages and reactions: each change goes to the connections that can read the channel.</summary>
public sealed class MessagesGateway(GatewayHub hub) :
    IDomainEventHandler<MessageCreated>, IDomainEventHandler<MessageUpdated>, IDomainEventHandler<MessageRemoved>,
    IDomainEventHandler<MessagesBulkDeleted>, IDomainEventHandler<MessagesPurged>, IDomainEventHandler<ReactionAdded>, IDomainEventHandler<ReactionRemoved>
{
    public Task HandleAsync(MessageCreated created, CancellationToken ct)
    {
        var message = created.Message;
        hub.Publish(GatewayEvents.MessageCreate, message, VoxoraJsonContext.Default.Message, Audience.ChannelOf(message.CommunityId, message.ChannelId, created.DirectRecipients));
        return Task.CompletedTask;
    }

    public Task HandleAsync(MessageUpdated updated, CancellationToken ct)
    {
        var message = updated.Message;
        hub.Publish(GatewayEvents.MessageUpdate, message, VoxoraJsonContext.Default.Message, Audience.ChannelOf(message.CommunityId, message.ChannelId, updated.DirectRecipients));
        return Task.CompletedTask;
    }

    public Task HandleAsync(MessageRemoved deleted, CancellationToken ct)
    {
        hub.Publish(GatewayEvents.MessageDelete, new MessageDeleted(deleted.MessageId, deleted.ChannelId, deleted.CommunityId),
            VoxoraJsonContext.Default.MessageDeleted, Audience.ChannelOf(deleted.CommunityId, deleted.ChannelId, deleted.DirectRecipients));
        return Task.CompletedTask;
    }

    public Task HandleAsync(MessagesBulkDeleted deleted, CancellationToken ct)
    {
        hub.Publish(GatewayEvents.MessageDeleteBulk, new MessagesDeleted(deleted.MessageIds, deleted.ChannelId, deleted.CommunityId),
            VoxoraJsonContext.Default.MessagesDeleted, Audience.Channel(deleted.CommunityId, deleted.ChannelId));
        return Task.CompletedTask;
    }

    public Task HandleAsync(MessagesPurged purged, CancellationToken ct)
    {
        hub.Publish(GatewayEvents.MessageDeleteBulk, new MessagesDeleted(purged.MessageIds, purged.ChannelId, purged.CommunityId),
            VoxoraJsonContext.Default.MessagesDeleted, Audience.Channel(purged.CommunityId, purged.ChannelId));
        return Task.CompletedTask;
    }

    public Task HandleAsync(ReactionAdded added, CancellationToken ct)
    {
        var reaction = added.Reaction;
        hub.Publish(GatewayEvents.MessageReactionAdd, reaction, VoxoraJsonContext.Default.ReactionEvent, Audience.ChannelOf(reaction.CommunityId, reaction.ChannelId, added.DirectRecipients));
        return Task.CompletedTask;
    }

    public Task HandleAsync(ReactionRemoved removed, CancellationToken ct)
    {
        var reaction = removed.Reaction;
        hub.Publish(GatewayEvents.MessageReactionRemove, reaction, VoxoraJsonContext.Default.ReactionEvent, Audience.ChannelOf(reaction.CommunityId, reaction.ChannelId, removed.DirectRecipients));
        return Task.CompletedTask;
    }
}

/// <summary>
/// The audit log's side of message deletions: a moderator deleting someone else's message, and every bulk delete,
/// leave an entry (an author deleting their own message does not).
/// </summary>
public sealed class MessagesAudit(AuditLog audit) : IDomainEventHandler<MessageRemoved>, IDomainEventHandler<MessagesBulkDeleted>
{
    public async Task HandleAsync(MessageRemoved deleted, CancellationToken ct)
    {
        if (deleted.DeletedBy != deleted.AuthorId && deleted.CommunityId is { } communityId)
        {
            await audit.AppendAsync(communityId, deleted.DeletedBy, AuditActions.MessageDelete, "message", deleted.MessageId,
                new JsonObject { ["channel_id"] = deleted.ChannelId, ["author_id"] = deleted.AuthorId });
        }
    }

    public async Task HandleAsync(MessagesBulkDeleted deleted, CancellationToken ct)
    {
        var ids = deleted.MessageIds;
        await audit.AppendAsync(deleted.CommunityId, deleted.DeletedBy, AuditActions.MessageBulkDelete, "channel", deleted.ChannelId,
            new JsonObject { ["count"] = ids.Count, ["ids"] = new JsonArray(ids.Select(w => (JsonNode?)w).ToArray()) });
    }
}
