using Voxora.Protocol;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Channels;

/// <summary>Domain event: a channel was created (with any overrides it inherited from its category) and saved.</summary>
public sealed record ChannelCreated(Channel Channel) : ICommunityPermissionsChange
{
    public string CommunityId => Channel.CommunityId;
}

/// <summary>Domain event: a channel's settings (name, topic, category, position, sync, bitrate, user limit) were saved.</summary>
public sealed record ChannelUpdated(Channel Channel) : ICommunityPermissionsChange
{
    public string CommunityId => Channel.CommunityId;
}

/// <summary>
/// Domain event: a channel was deleted. Exactly the members who could see it just before hear CHANNEL_DELETE (each node
/// decides for its own sessions, <see cref="Audience.DeletedChannel"/>); <paramref name="Orphans"/> are a deleted
/// category's children, now without one.
/// </summary>
public sealed record ChannelDeleted(string CommunityId, string ChannelId, IReadOnlyList<Channel> Orphans)
    : ICommunityPermissionsChange;

/// <summary>
/// Domain event: a permission override of a channel was set or removed. <paramref name="Unsynced"/> is the channel
/// when the change ended its sync with its category (clients see <c>permissions_synced</c> turn false), else null.
/// </summary>
public sealed record ChannelOverridesChanged(string CommunityId, string ChannelId, Channel? Unsynced) : ICommunityPermissionsChange;

/// <summary>The gateway's side of channels: each change goes to the members who can see the channel (after the permission refresh).</summary>
public sealed class ChannelsGateway(GatewayHub hub) :
    IDomainEventHandler<ChannelCreated>, IDomainEventHandler<ChannelUpdated>, IDomainEventHandler<ChannelDeleted>, IDomainEventHandler<ChannelOverridesChanged>
{
    public Task HandleAsync(ChannelCreated created, CancellationToken ct)
    {
        var channel = created.Channel;
        hub.Publish(GatewayEvents.ChannelCreate, channel, VoxoraJsonContext.Default.Channel, Audience.Channel(channel.CommunityId, channel.Id));
        return Task.CompletedTask;
    }

    public Task HandleAsync(ChannelUpdated updated, CancellationToken ct)
    {
        var channel = updated.Channel;
        hub.Publish(GatewayEvents.ChannelUpdate, channel, VoxoraJsonContext.Default.Channel, Audience.Channel(channel.CommunityId, channel.Id));
        return Task.CompletedTask;
    }

    public Task HandleAsync(ChannelDeleted deleted, CancellationToken ct)
    {
        hub.Publish(GatewayEvents.ChannelDelete, new Deleted(deleted.ChannelId, deleted.CommunityId), VoxoraJsonContext.Default.Deleted, Audience.DeletedChannel(deleted.CommunityId, deleted.ChannelId));
        foreach (var orphan in deleted.Orphans)
        {
            hub.Publish(GatewayEvents.ChannelUpdate, orphan, VoxoraJsonContext.Default.Channel, Audience.Channel(deleted.CommunityId, orphan.Id));
        }

        return Task.CompletedTask;
    }

    public Task HandleAsync(ChannelOverridesChanged changed, CancellationToken ct)
    {
        if (changed.Unsynced is { } channel)
        {
            hub.Publish(GatewayEvents.ChannelUpdate, channel, VoxoraJsonContext.Default.Channel, Audience.Channel(channel.CommunityId, channel.Id));
        }

        return Task.CompletedTask;
    }
}
