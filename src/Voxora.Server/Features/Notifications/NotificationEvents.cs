using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Messages;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Notifications;

/// <summary>
/// Domain event: <paramref name="Message"/> notifies <paramref name="UserId"/> (who can view its channel), as their
/// settings decided. <paramref name="PreviewAllowed"/>: the message text may be shown outside the app (the channel is one
/// every member can view, or the recipient turned previews on).
/// </summary>
public sealed record NotificationRaised(string UserId, Message Message, string CommunityName, string ChannelName, MentionKind Mention, bool PreviewAllowed);

/// <summary>
/// Decides who a new message notifies, off the message's request: <see cref="MessageCreated"/> only queues the message
/// (the send is answered without waiting), and a background loop decides and raises <see cref="NotificationRaised"/>
/// per recipient. Domain events are raised on the node that saved the message only, so in a cluster each message is
/// decided, and each push sent, by exactly one node.
/// <para>
/// Only members who can receive a notification away from the app — who hold a Web Push subscription — are decided here;
/// a connected web client decides its own desktop notifications from the same rules and the gateway's MESSAGE_CREATE.
/// </para>
/// </summary>
public sealed class NotificationDecider(
    IServiceScopeFactory scopes, PermissionCache permissions, DomainEvents events, TimeProvider clock, ILogger<NotificationDecider> logger)
    : BackgroundService, IDomainEventHandler<MessageCreated>
{
    /// <summary>Bounded so a stalled database cannot grow memory without end; notifications are best effort (unread counts catch up).</summary>
    public const int QueueCapacity = 10_000;

    private readonly System.Threading.Channels.Channel<MessageCreated> queue = System.Threading.Channels.Channel.CreateBounded<MessageCreated>(new System.Threading.Channels.BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true,
        FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite,
    });

    public Task HandleAsync(MessageCreated created, CancellationToken ct)
    {
        if (!queue.Writer.TryWrite(created))
        {
            logger.LogWarning("Notification queue full: message {MessageId} notifies nobody", created.Message.Id);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// At most this many queued messages are decided together. Under load the queue holds many messages of few
    /// communities, and one look at who in a community can get a push serves all of them: deciding one message at a time
    /// cost a database query per message even when nobody had a push subscription (a sixth of the server's CPU in the
    /// bench's <c>send</c>, docs/benchmarks.md).
    /// </summary>
    public const int BatchSize = 256;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<MessageCreated>(BatchSize);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < BatchSize && queue.Reader.TryRead(out var created))
                {
                    batch.Add(created);
                }

                await DecideBatchAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task DecideBatchAsync(List<MessageCreated> batch, CancellationToken ct)
    {
        foreach (var direct in batch.Where(c => c.Message.CommunityId is null))
        {
            await DecideSafelyAsync(direct.Message, () => DecideDirectAsync(direct.Message, direct.DirectRecipients ?? [], ct));
        }

        foreach (var community in batch.Where(c => c.Message.CommunityId is not null).GroupBy(c => c.Message.CommunityId!, StringComparer.Ordinal))
        {
            var messages = community.Select(c => c.Message).ToList();
            await DecideSafelyAsync(messages[0], () => DecideAsync(messages, community.Key, ct));
        }
    }

    private async Task DecideSafelyAsync(Message first, Func<Task> decide)
    {
        try
        {
            await decide();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Deciding the notifications of message {MessageId} (and those of its batch in the same community) failed", first.Id);
        }
    }

    /// <summary>
    /// A direct message notifies every other participant with a push subscription (as a mention would: it is
    /// addressed to them), except someone who blocked its author.
    /// </summary>
    private async Task DecideDirectAsync(Message message, IReadOnlyList<string> participants, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var authorId = message.Author.Id;
        var others = participants.Where(p => p != authorId).ToList();
        var recipients = await db.Set<PushSubscriptionEntity>().AsNoTracking()
            .Where(s => others.Contains(s.UserId)
                && !db.Set<DirectMessages.UserBlockEntity>().Any(b => b.UserId == s.UserId && b.BlockedUserId == authorId))
            .Select(s => s.UserId).Distinct().ToListAsync(ct);
        if (recipients.Count == 0)
        {
            return;
        }

        var channelName = await db.Channels.AsNoTracking().Where(c => c.Id == message.ChannelId).Select(c => c.Name).SingleOrDefaultAsync(ct);
        var withPreviews = (await db.Set<NotificationPreferenceEntity>().AsNoTracking()
            .Where(p => p.ShowPreviews && recipients.Contains(p.UserId)).Select(p => p.UserId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var now = clock.GetUtcNow();
        foreach (var userId in recipients)
        {
            if (NotificationRules.ShouldNotify(false, new RecipientSettings(null, null, false, null, null), MentionKind.Direct, now))
            {
                await events.PublishAsync(new NotificationRaised(userId, message, DirectMessagesName,
                    string.IsNullOrEmpty(channelName) ? message.Author.DisplayName ?? message.Author.Username : channelName, MentionKind.Direct,
                    withPreviews.Contains(userId)));
            }
        }
    }

    /// <summary>What a push says a direct message came from, where a community message names its community.</summary>
    public const string DirectMessagesName = "Direct messages";

    /// <summary>Decides <paramref name="messages"/>, all of community <paramref name="communityId"/>, in their order.</summary>
    private async Task DecideAsync(List<Message> messages, string communityId, CancellationToken ct)
    {
        var snapshot = await permissions.GetAsync(communityId, ct);
        if (snapshot is null)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        // Who could get a push at all: members with a subscription. Usually nobody or few, and then that is the only query.
        var subscribed = await db.Set<PushSubscriptionEntity>().AsNoTracking()
            .Where(s => db.Members.Any(m => m.CommunityId == communityId && m.UserId == s.UserId))
            .Select(s => s.UserId).Distinct().ToListAsync(ct);
        if (subscribed.Count == 0)
        {
            return;
        }

        string? communityName = null;
        foreach (var message in messages)
        {
            var channel = snapshot.Channels.FirstOrDefault(c => c.Id == message.ChannelId);
            if (channel is null)
            {
                continue;
            }

            // Never notify someone who cannot view the channel: the same rule that filters the channel's dispatches.
            var authorId = message.Author.Id;
            var recipients = subscribed.Where(u => u != authorId && snapshot.CanView(u, channel.Id)).ToList();
            if (recipients.Count == 0)
            {
                continue;
            }

            communityName ??= await db.Communities.AsNoTracking().Where(c => c.Id == communityId).Select(c => c.Name).SingleOrDefaultAsync(ct) ?? "";
            await DecideAsync(db, snapshot, message, communityId, communityName, channel, recipients, ct);
        }
    }

    private async Task DecideAsync(
        VoxoraDbContext db, PermissionSnapshot snapshot, Message message, string communityId, string communityName, Channel channel,
        List<string> recipients, CancellationToken ct)
    {
        var authorId = message.Author.Id;
        var communityRows = await db.Set<CommunityNotificationSettingEntity>().AsNoTracking()
            .Where(s => s.CommunityId == communityId && recipients.Contains(s.UserId)).ToDictionaryAsync(s => s.UserId, ct);
        var channelRows = await db.Set<ChannelNotificationSettingEntity>().AsNoTracking()
            .Where(s => s.ChannelId == channel.Id && recipients.Contains(s.UserId)).ToDictionaryAsync(s => s.UserId, ct);
        var withPreviews = (await db.Set<NotificationPreferenceEntity>().AsNoTracking()
            .Where(p => p.ShowPreviews && recipients.Contains(p.UserId)).Select(p => p.UserId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        // A channel every member can view (what someone with no roles sees) has nothing to hide from a lock screen.
        var everyoneCanView = snapshot.CanView(EveryoneProbe, channel.Id);

        var now = clock.GetUtcNow();
        foreach (var userId in recipients)
        {
            var community = communityRows.GetValueOrDefault(userId);
            var channelRow = channelRows.GetValueOrDefault(userId);
            var settings = new RecipientSettings(community?.Level, community?.MutedUntil, community?.SuppressEveryone ?? false, channelRow?.Level, channelRow?.MutedUntil);
            var mention = MentionOf(message, userId, snapshot.RolesOf(userId));
            if (NotificationRules.ShouldNotify(userId == authorId, settings, mention, now))
            {
                await events.PublishAsync(new NotificationRaised(userId, message, communityName, channel.Name, mention,
                    everyoneCanView || withPreviews.Contains(userId)));
            }
        }
    }

    /// <summary>No member has this id: the snapshot answers for someone holding only @everyone.</summary>
    private const string EveryoneProbe = "";

    /// <summary>
    /// Whether the message mentions the user (<see cref="MessageMentions.Mentions"/>, the rule unread mention counts use)
    /// and how: by name or role, or only through <c>@everyone</c>/<c>@here</c>, which a member may suppress.
    /// </summary>
    internal static MentionKind MentionOf(Message message, string userId, IReadOnlyList<string> roleIds)
    {
        if (!MessageMentions.Mentions(message, userId, roleIds))
        {
            return MentionKind.None;
        }

        var direct = message.Mentions.Contains(userId, StringComparer.Ordinal) || message.MentionRoles.Any(r => roleIds.Contains(r, StringComparer.Ordinal));
        return direct ? MentionKind.Direct : MentionKind.Everyone;
    }
}
