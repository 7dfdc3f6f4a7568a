using Voxora.Protocol;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Typing;

/// <summary>
/// Domain event: <paramref name="Typist"/> started typing in a text channel at <paramref name="At"/> (accepted, and not
/// within the throttle interval of their previous one there). Nothing is saved; this event is all there is.
/// In a direct channel (no community) <paramref name="DirectRecipients"/> are its participants.
/// </summary>
public sealed record TypingStarted(string? CommunityId, string ChannelId, UserSummary Typist, DateTimeOffset At, IReadOnlyList<string>? DirectRecipients = null);

/// <summary>
/// The gateway's side of typing: TYPING_START to the connections of everyone else who can view the channel (on every
/// node: <see cref="GatewayHub.Publish{T}"/> carries it on the cluster bus), never to the typist's own connections.
/// </summary>
public sealed class TypingGateway(GatewayHub hub) : IDomainEventHandler<TypingStarted>
{
    public Task HandleAsync(TypingStarted started, CancellationToken ct)
    {
        var typist = started.Typist;
        hub.Publish(GatewayEvents.TypingStart,
            new TypingStart(started.ChannelId, started.CommunityId, typist.Id, typist.Username, started.At, typist.DisplayName),
            VoxoraJsonContext.Default.TypingStart, Audience.ChannelOf(started.CommunityId, started.ChannelId, started.DirectRecipients, typist.Id));
        return Task.CompletedTask;
    }
}
