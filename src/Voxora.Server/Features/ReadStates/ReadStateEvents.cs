using Voxora.Protocol;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.ReadStates;

/// <summary>Domain event: a user moved their read marker forward in one or more channels (<paramref name="Channels"/>: the new state of each).</summary>
public sealed record ChannelsRead(string UserId, IReadOnlyList<ChannelRead> Channels);

/// <summary>The gateway's side of read markers: every connection of the user (on any node) gets CHANNEL_READ, so badges clear everywhere.</summary>
public sealed class ReadStatesGateway(GatewayHub hub) : IDomainEventHandler<ChannelsRead>
{
    public Task HandleAsync(ChannelsRead read, CancellationToken ct)
    {
        var audience = Audience.User(read.UserId);
        foreach (var channel in read.Channels)
        {
            hub.Publish(GatewayEvents.ChannelRead, channel, VoxoraJsonContext.Default.ChannelRead, audience);
        }

        return Task.CompletedTask;
    }
}
