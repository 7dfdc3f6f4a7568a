using Voxora.Protocol;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Typing;

/// <summary>What became of one "I am typing" from a client.</summary>
public enum TypingOutcome
{
    /// <summary>Announced: <see cref="TypingStarted"/> was raised.</summary>
    Started,

    /// <summary>Accepted but not announced: the user's previous one in this channel is less than 5 s old.</summary>
    Throttled,

    /// <summary>No such channel, or the user may not view it (the same answer, as on every channel route).</summary>
    UnknownChannel,

    /// <summary>A one-to-one DM across a block: the same neutral refusal as sending a message there.</summary>
    CannotMessageUser,

    /// <summary>A voice channel or a category: nobody types there.</summary>
    NotText,

    /// <summary>The user may view the channel but not send to it (no SEND_MESSAGES, or timed out).</summary>
    CannotSend,
}

/// <summary>
/// The one rule set behind <c>POST /channels/{id}/typing</c> and the gateway's TYPING command: a text channel the user
/// may view and send messages to, at most one announcement per 5 s per user and channel (<see cref="TypingThrottle"/>),
/// then <see cref="TypingStarted"/>. Nothing is persisted.
/// </summary>
public sealed class TypingService(TypingThrottle throttle, DomainEvents events, TimeProvider clock)
{
    /// <param name="access">The caller's scoped access checks (the request's, or a scope the gateway opened).</param>
    public async Task<TypingOutcome> StartAsync(CommunityAccess access, string userId, string channelId, CancellationToken ct)
    {
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null)
        {
            return TypingOutcome.UnknownChannel;
        }

        if (!ChannelTypes.HoldsMessages(found.Channel.Type))
        {
            return TypingOutcome.NotText;
        }

        // In a thread, what it takes to post there (SEND_MESSAGES_IN_THREADS).
        if (Messages.MessagesEndpoints.MissingSend(found) is not null)
        {
            return found.IsDirect ? TypingOutcome.CannotMessageUser : TypingOutcome.CannotSend;
        }

        if (!await throttle.TryClaimAsync(userId, found.Channel.Id))
        {
            return TypingOutcome.Throttled;
        }

        await events.PublishAsync(new TypingStarted(found.Channel.CommunityId, found.Channel.Id, found.Me, clock.GetUtcNow(), found.DirectRecipients));
        return TypingOutcome.Started;
    }
}
