using System.Text.Json.Nodes;
using Voxora.Protocol;
using Voxora.Server.Features.Audit;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Pins;

/// <summary>
/// Domain event: <paramref name="ActorId"/> pinned <paramref name="Message"/> (as it is now, pinned, without per-user
/// <c>me</c>), and the server wrote <paramref name="Notice"/>, the channel's "pinned a message" line, with it. In a direct
/// channel <paramref name="DirectRecipients"/> are its participants.
/// </summary>
public sealed record MessagePinned(Message Message, Message Notice, string ActorId, IReadOnlyList<string>? DirectRecipients = null)
{
    /// <summary>Null in a direct channel.</summary>
    public string? CommunityId => Message.CommunityId;

    public string ChannelId => Message.ChannelId;
}

/// <summary>
/// Domain event: <paramref name="ActorId"/> unpinned <paramref name="Message"/> (as it is now); <paramref name="LastPinTimestamp"/>
/// is when the channel's newest remaining pin was made, null when none is left. In a direct channel
/// <paramref name="DirectRecipients"/> are its participants.
/// </summary>
public sealed record MessageUnpinned(Message Message, DateTimeOffset? LastPinTimestamp, string ActorId, IReadOnlyList<string>? DirectRecipients = null)
{
    /// <summary>Null in a direct channel.</summary>
    public string? CommunityId => Message.CommunityId;

    public string ChannelId => Message.ChannelId;
}

/// <summary>
/// The gateway's side of pins, to the connections that can view the channel: MESSAGE_UPDATE for the message whose
/// <c>pinned</c> changed, CHANNEL_PINS_UPDATE, and for a pin the MESSAGE_CREATE of its system line. The line is a
/// system message, so it is not handed to the notification decider: a pin pushes no notification.
/// </summary>
public sealed class PinsGateway(GatewayHub hub) : IDomainEventHandler<MessagePinned>, IDomainEventHandler<MessageUnpinned>
{
    public Task HandleAsync(MessagePinned pinned, CancellationToken ct)
    {
        var audience = Audience.ChannelOf(pinned.CommunityId, pinned.ChannelId, pinned.DirectRecipients);
        hub.Publish(GatewayEvents.MessageUpdate, pinned.Message, VoxoraJsonContext.Default.Message, audience);
        hub.Publish(GatewayEvents.ChannelPinsUpdate, new ChannelPinsUpdate(pinned.ChannelId, pinned.CommunityId, pinned.Message.PinnedAt),
            VoxoraJsonContext.Default.ChannelPinsUpdate, audience);
        hub.Publish(GatewayEvents.MessageCreate, pinned.Notice, VoxoraJsonContext.Default.Message, audience);
        return Task.CompletedTask;
    }

    public Task HandleAsync(MessageUnpinned unpinned, CancellationToken ct)
    {
        var audience = Audience.ChannelOf(unpinned.CommunityId, unpinned.ChannelId, unpinned.DirectRecipients);
        hub.Publish(GatewayEvents.MessageUpdate, unpinned.Message, VoxoraJsonContext.Default.Message, audience);
        hub.Publish(GatewayEvents.ChannelPinsUpdate, new ChannelPinsUpdate(unpinned.ChannelId, unpinned.CommunityId, unpinned.LastPinTimestamp),
            VoxoraJsonContext.Default.ChannelPinsUpdate, audience);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The audit log's side of pins: every pin and unpin in a community is a moderation action, recorded against the message.
/// A direct channel has no community and so no audit log (its participants pin as they write).
/// </summary>
public sealed class PinsAudit(AuditLog audit) : IDomainEventHandler<MessagePinned>, IDomainEventHandler<MessageUnpinned>
{
    public Task HandleAsync(MessagePinned pinned, CancellationToken ct) => pinned.CommunityId is null ? Task.CompletedTask :
        audit.AppendAsync(pinned.CommunityId, pinned.ActorId, AuditActions.MessagePin, "message", pinned.Message.Id,
            new JsonObject { ["channel_id"] = pinned.ChannelId, ["author_id"] = pinned.Message.Author.Id });

    public Task HandleAsync(MessageUnpinned unpinned, CancellationToken ct) => unpinned.CommunityId is null ? Task.CompletedTask :
        audit.AppendAsync(unpinned.CommunityId, unpinned.ActorId, AuditActions.MessageUnpin, "message", unpinned.Message.Id,
            new JsonObject { ["channel_id"] = unpinned.ChannelId, ["author_id"] = unpinned.Message.Author.Id });
}
