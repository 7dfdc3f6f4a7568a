using Voxora.Protocol;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.DirectMessages;

/// <summary>Domain event: a direct channel was created with its people (<see cref="DirectChannel.Recipients"/>).</summary>
public sealed record DirectChannelCreated(DirectChannel Channel);

/// <summary>Domain event: a group DM was renamed, or its owner changed.</summary>
public sealed record DirectChannelUpdated(DirectChannel Channel);

/// <summary>Domain event: <paramref name="User"/> was added to a group DM; <paramref name="Channel"/> is the group with them.</summary>
public sealed record DirectRecipientAdded(DirectChannel Channel, UserSummary User);

/// <summary>
/// Domain event: <paramref name="User"/> left or was removed from a group DM; <paramref name="Channel"/> is the group
/// without them (no recipients when it was the last person, and the channel is gone), <paramref name="OwnerChanged"/>
/// when the owner left and the ownership passed on.
/// </summary>
public sealed record DirectRecipientRemoved(DirectChannel Channel, UserSummary User, bool OwnerChanged);

/// <summary>
/// The gateway's side of direct channels: each change goes to the channel's participants only (a direct channel has
/// no community, so the publisher names them). A person added gets the whole channel (CHANNEL_CREATE), a person
/// removed gets CHANNEL_DELETE and nothing from it afterwards.
/// </summary>
public sealed class DirectMessagesGateway(GatewayHub hub) :
    IDomainEventHandler<DirectChannelCreated>, IDomainEventHandler<DirectChannelUpdated>, IDomainEventHandler<DirectRecipientAdded>, IDomainEventHandler<DirectRecipientRemoved>
{
    public Task HandleAsync(DirectChannelCreated created, CancellationToken ct)
    {
        var channel = created.Channel;
        hub.Publish(GatewayEvents.ChannelCreate, channel, VoxoraJsonContext.Default.DirectChannel, Audience.Users(Ids(channel)));
        return Task.CompletedTask;
    }

    public Task HandleAsync(DirectChannelUpdated updated, CancellationToken ct)
    {
        var channel = updated.Channel;
        hub.Publish(GatewayEvents.ChannelUpdate, channel, VoxoraJsonContext.Default.DirectChannel, Audience.Users(Ids(channel)));
        return Task.CompletedTask;
    }

    public Task HandleAsync(DirectRecipientAdded added, CancellationToken ct)
    {
        var channel = added.Channel;
        var others = Ids(channel).Where(id => id != added.User.Id).ToList();
        hub.Publish(GatewayEvents.ChannelRecipientAdd, new ChannelRecipient(channel.Id, added.User), VoxoraJsonContext.Default.ChannelRecipient, Audience.Users(others));
        hub.Publish(GatewayEvents.ChannelCreate, channel, VoxoraJsonContext.Default.DirectChannel, Audience.User(added.User.Id));
        return Task.CompletedTask;
    }

    public Task HandleAsync(DirectRecipientRemoved removed, CancellationToken ct)
    {
        var channel = removed.Channel;
        var remaining = Ids(channel);
        hub.Publish(GatewayEvents.ChannelRecipientRemove, new ChannelRecipient(channel.Id, removed.User), VoxoraJsonContext.Default.ChannelRecipient, Audience.Users(remaining));
        if (removed.OwnerChanged && remaining.Count > 0)
        {
            hub.Publish(GatewayEvents.ChannelUpdate, channel, VoxoraJsonContext.Default.DirectChannel, Audience.Users(remaining));
        }

        hub.Publish(GatewayEvents.ChannelDelete, new Deleted(channel.Id), VoxoraJsonContext.Default.Deleted, Audience.User(removed.User.Id));
        return Task.CompletedTask;
    }

    private static List<string> Ids(DirectChannel channel) => channel.Recipients.Select(r => r.Id).ToList();
}
