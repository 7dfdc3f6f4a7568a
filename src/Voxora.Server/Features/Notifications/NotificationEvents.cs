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

/// <summary>Domain event: a browser of <paramref name="UserId"/> subscribed to pushes (or subscribed again).</summary>
public sealed record PushSubscribed(string UserId);

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
    : BackgroundService, IDomainEventHandler<MessageCreated>, IDomainEventHandler<PushSubscribed>,
    IDomainEventHandler<Communities.CommunityMemberAdded>
{
    /// <summary>
    /// How long the members of a community who hold a push subscription are remembered. Looking them up for every
    /// message was a database query per message even when nobody had a subscription (a sixth of the server's CPU in the
    /// bench's <c>send</c>, docs/benchmarks.md). A subscription made on this node clears what is remembered at once
    /// (<see cref="PushSubscribed"/>), and so does someone joining a community here; a subscription or join on another node
    /// of a cluster counts from at most this long after.
    /// Ended subscriptions need nothing: the sender reads the subscriptions it delivers to when it sends.
    /// </summary>
    public static readonly TimeSpan SubscribedLifetime = TimeSpan.FromSeconds(2);

    /// <summary>Community id → its members with a push subscription, and when that was read. Used by the decider loop only.</summary>
    private readonly Dictionary<string, (long Generation, DateTimeOffset ReadAt, List<string> UserIds)> subscribedByCommunity = new(StringComparer.Ordinal);

    /// <summary>Bumped by every subscription and join on this node: what was read under an older generation is stale.</summary>
    private long subscriptionGeneration;

    public Task HandleAsync(PushSubscribed subscribed, CancellationToken ct)
    {
        Interlocked.Increment(ref subscriptionGeneration);
        return Task.CompletedTask;
    }

    public Task HandleAsync(Communities.CommunityMemberAdded added, CancellationToken ct)
    {
        Interlocked.Increment(ref subscriptionGeneration);
        return Task.CompletedTask;
    }

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

        var subscribed = await SubscribedMembersAsync(communityId, ct);
        if (subscribed.Count == 0)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();

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

    /// <summary>Who could get a push at all: the community's members with a subscription (usually nobody or few).</summary>
    private async Task<List<string>> SubscribedMembersAsync(string communityId, CancellationToken ct)
    {
        var generation = Interlocked.Read(ref subscriptionGeneration);
        var now = clock.GetUtcNow();
        if (subscribedByCommunity.TryGetValue(communityId, out var known) && known.Generation == generation && now - known.ReadAt < SubscribedLifetime)
        {
            return known.UserIds;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var userIds = await db.Set<PushSubscriptionEntity>().AsNoTracking()
            .Where(s => db.Members.Any(m => m.CommunityId == communityId && m.UserId == s.UserId))
            .Select(s => s.UserId).Distinct().ToListAsync(ct);
        if (subscribedByCommunity.Count >= MaxRememberedCommunities)
        {
            // Forget what is stale; if every entry is fresh (many busy communities), start over rather than grow.
            foreach (var stale in subscribedByCommunity.Where(e => e.Value.Generation != generation || now - e.Value.ReadAt >= SubscribedLifetime).Select(e => e.Key).ToList())
            {
                subscribedByCommunity.Remove(stale);
            }

            if (subscribedByCommunity.Count >= MaxRememberedCommunities)
            {
                subscribedByCommunity.Clear();
            }
        }

        subscribedByCommunity[communityId] = (generation, now, userIds);
        return userIds;
    }

    private const int MaxRememberedCommunities = 4_096;

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
