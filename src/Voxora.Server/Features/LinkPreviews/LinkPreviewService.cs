using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Messages;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.LinkPreviews;

/// <summary>
/// Link previews (seed 000 §P2-6), off every request: <see cref="MessageCreated"/> and <see cref="MessageUpdated"/> only
/// queue the message; a background loop finds its links (<see cref="LinkFinder"/>), checks the author holds EMBED_LINKS in
/// the channel, fetches each page through <see cref="SafeHttpFetcher"/> (cache first, then the channel's fetch limit), stores
/// the previews on the message and raises <see cref="MessageUpdated"/>, which the gateway sends as MESSAGE_UPDATE.
/// An edit that keeps the links changes nothing (the links the previews were made for are stored with them); one that
/// changes them computes them again. Removed previews (<c>embeds_suppressed</c>) never come back.
/// </summary>
public sealed class LinkPreviewService(
    IServiceScopeFactory scopes, SafeHttpFetcher fetcher, PreviewCache cache, PermissionCache permissions, DomainEvents events,
    LinkPreviewOptions options, ILogger<LinkPreviewService> logger)
    : BackgroundService, IDomainEventHandler<MessageCreated>, IDomainEventHandler<MessageUpdated>
{
    public const int QueueCapacity = 10_000;
    public const int MaxPageBytes = 1024 * 1024;
    public const string PageAccept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1";

    private sealed record Work(Message Message, IReadOnlyList<string>? DirectRecipients);

    private readonly System.Threading.Channels.Channel<Work> queue = System.Threading.Channels.Channel.CreateBounded<Work>(
        new System.Threading.Channels.BoundedChannelOptions(QueueCapacity)
        {
            SingleReader = true,
            FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite,
        });

    /// <summary>Raised after each message was looked at (tests wait on it); never on the request path.</summary>
    internal event Action<string>? Processed;

    public Task HandleAsync(MessageCreated created, CancellationToken ct) => Enqueue(created.Message, created.DirectRecipients);

    public Task HandleAsync(MessageUpdated updated, CancellationToken ct) => Enqueue(updated.Message, updated.DirectRecipients);

    private Task Enqueue(Message message, IReadOnlyList<string>? recipients)
    {
        // Content without "http" has no link now; an update of such a message may still need its old previews dropped.
        if (options.Enabled && message.Type == MessageTypes.Default
            && (message.Content.Contains("http", StringComparison.OrdinalIgnoreCase) || message.Embeds.Count > 0)
            && !queue.Writer.TryWrite(new Work(message, recipients)))
        {
            logger.LogWarning("Link preview queue full: message {MessageId} gets no previews", message.Id);
        }

        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var work in queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await ProcessAsync(work, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Link previews of message {MessageId} failed", work.Message.Id);
                }
                finally
                {
                    Processed?.Invoke(work.Message.Id);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ProcessAsync(Work work, CancellationToken ct)
    {
        var message = work.Message;
        if (!Snowflake.TryParse(message.Id, out var id))
        {
            return;
        }

        var urls = LinkFinder.Find(message.Content);
        StoredEmbeds? before;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
            var row = await db.Messages.AsNoTracking().Where(m => m.Id == id)
                .Select(m => new { m.Content, m.Embeds, m.EmbedsSuppressed }).SingleOrDefaultAsync(ct);
            if (row is null || row.EmbedsSuppressed || row.Content != message.Content)
            {
                return; // deleted, previews removed, or edited again since (that edit is queued too)
            }

            before = StoredEmbeds.FromJson(row.Embeds);
        }

        if (before is not null && before.Urls.SequenceEqual(urls, StringComparer.Ordinal))
        {
            return;
        }

        var items = new List<StoredEmbed>();
        if (urls.Count > 0 && await MayEmbedAsync(message, ct))
        {
            var fetched = await Task.WhenAll(urls.Select(u => PreviewAsync(u, message.ChannelId, ct)));
            items.AddRange(fetched.OfType<StoredEmbed>());
        }

        if (items.Count == 0 && (before is null || before.Items.Count == 0))
        {
            return; // nothing was shown and nothing will be: no update to send
        }

        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
            var json = items.Count == 0 ? null : new StoredEmbeds(urls, items).ToJson();
            // Only while the message still says what was looked at and its previews were not removed meanwhile.
            var changed = await db.Messages.Where(m => m.Id == id && m.Content == message.Content && !m.EmbedsSuppressed)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Embeds, json), ct);
            if (changed == 0)
            {
                return;
            }

            var store = scope.ServiceProvider.GetRequiredService<MessageStore>();
            if (await store.FindAsync(message.ChannelId, id, null, ct) is { } wire)
            {
                await events.PublishAsync(new MessageUpdated(wire, work.DirectRecipients));
            }
        }
    }

    /// <summary>EMBED_LINKS of the author in the channel (direct messages have no permissions: previews are on).</summary>
    private async Task<bool> MayEmbedAsync(Message message, CancellationToken ct)
    {
        if (message.CommunityId is not { } communityId)
        {
            return true;
        }

        var snapshot = await permissions.GetAsync(communityId, ct);
        return snapshot is not null && snapshot.HasChannel(message.ChannelId)
            && PermissionResolver.Has(snapshot.For(message.Author.Id, message.ChannelId, permissions.Now), Permission.EmbedLinks);
    }

    private async Task<StoredEmbed?> PreviewAsync(string url, string channelId, CancellationToken ct)
    {
        var (found, cached) = await cache.GetAsync(url);
        if (found)
        {
            return cached;
        }

        if (!await cache.TryTakeFetchAsync(channelId))
        {
            return null; // over the channel's fetches for this minute: no preview, and nothing cached
        }

        var embed = await FetchPreviewAsync(url, ct);
        await cache.SetAsync(url, embed);
        return embed;
    }

    internal async Task<StoredEmbed?> FetchPreviewAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var page = await fetcher.FetchAsync(uri, PageAccept, IsHtml, MaxPageBytes, allowTruncated: true, ct);
        if (!page.Ok)
        {
            logger.LogDebug("No preview for {Url}: {Reason}", url, page.Error);
            return null;
        }

        var preview = PreviewParser.Parse(page.Body!, page.FinalUrl!);
        if (!preview.HasOpenGraph && preview.OEmbedUrl is { } oembedUrl && Uri.TryCreate(oembedUrl, UriKind.Absolute, out var oembedUri))
        {
            // The discovery link is fetched under the same guards as the page.
            var oembed = await fetcher.FetchAsync(oembedUri, "application/json", IsJson, MaxPageBytes, allowTruncated: false, ct);
            if (oembed.Ok)
            {
                preview = PreviewParser.Merge(preview, PreviewParser.ParseOEmbed(oembed.Body!, oembed.FinalUrl!));
            }
        }

        return preview.IsEmpty
            ? null
            : new StoredEmbed(url, preview.Title, preview.Description, preview.ImageUrl, preview.SiteName, preview.Color);
    }

    private static bool IsHtml(string? mediaType) => mediaType is "text/html" or "application/xhtml+xml";

    private static bool IsJson(string? mediaType) => mediaType is "application/json" or "application/json+oembed" or "text/json" or "text/javascript";
}
