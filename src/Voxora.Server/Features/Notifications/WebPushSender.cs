using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Presence;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using WebPushSubscription = Lib.Net.Http.WebPush.PushSubscription;

namespace Voxora.Server.Features.Notifications;

/// <summary>
/// Sends a Web Push (RFC 8030; payload encrypted with RFC 8291 <c>aes128gcm</c>, signed with the server's VAPID key,
/// RFC 8292) for each notification of a person who has no live gateway connection anywhere in the cluster.
/// Notifications of one person in one channel within <see cref="PushOptions.BatchMilliseconds"/> of the first become one
/// push. Runs off the message's request (the decider's loop raises the event; batches flush on timers). A 404 or 410
/// from the push service removes the subscription; other failures are retried up to <see cref="PushOptions.MaxAttempts"/>
/// times and then logged. Only the node that saved the message sends its pushes (domain events are node-local).
/// </summary>
public sealed class WebPushSender : IDomainEventHandler<NotificationRaised>, IAsyncDisposable
{
    private readonly IServiceScopeFactory scopes;
    private readonly VapidKeys keys;
    private readonly PushOptions options;
    private readonly PublicOrigin origin;
    private readonly PresenceDirectory presence;
    private readonly TimeProvider clock;
    private readonly ILogger<WebPushSender> logger;
    private readonly HttpClient http;
    private readonly ConcurrentDictionary<(string UserId, string ChannelId), Batch> batches = new();
    private readonly ConcurrentDictionary<Task, byte> sending = new();
    private readonly CancellationTokenSource stopping = new();
    private PushServiceClient? client;

    public WebPushSender(IServiceScopeFactory scopes, VapidKeys keys, PushOptions options, PublicOrigin origin, PresenceDirectory presence,
        TimeProvider clock, ILogger<WebPushSender> logger)
    {
        this.scopes = scopes;
        this.keys = keys;
        this.options = options;
        this.origin = origin;
        this.presence = presence;
        this.clock = clock;
        this.logger = logger;
        // Push services answer quickly or not at all; a short timeout keeps a dead one from holding batches.
        var sockets = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false };
        http = new HttpClient(new VapidAudienceHandler(keys, () => Subject) { InnerHandler = sockets })
        {
            Timeout = TimeSpan.FromSeconds(15),
        };
    }

    public async Task HandleAsync(NotificationRaised raised, CancellationToken ct)
    {
        if (!options.Enabled || await IsReachedOtherwiseAsync(raised.UserId))
        {
            return;
        }

        var key = (raised.UserId, raised.Message.ChannelId);
        while (true)
        {
            var batch = batches.GetOrAdd(key, _ => new Batch());
            lock (batch)
            {
                if (batch.Closed)
                {
                    continue;
                }

                batch.Add(raised);
                if (batch.Count == 1)
                {
                    Track(FlushLaterAsync(key, batch));
                }

                return;
            }
        }
    }

    private async Task FlushLaterAsync((string UserId, string ChannelId) key, Batch batch)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(options.BatchMilliseconds), clock, stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        NotificationRaised first;
        NotificationRaised last;
        int count;
        lock (batch)
        {
            batch.Closed = true;
            batches.TryRemove(new KeyValuePair<(string, string), Batch>(key, batch));
            (first, last, count) = (batch.First!, batch.Last!, batch.Count);
        }

        // Connected meanwhile: the app shows these messages itself.
        if (await IsReachedOtherwiseAsync(key.UserId))
        {
            return;
        }

        await SendAsync(first, last, count);
    }

    /// <summary>
    /// No push while the person has a live gateway connection on any node (the app tells them), nor while their chosen
    /// status is do-not-disturb (it lasts through the grace after their last connection closed).
    /// </summary>
    private async Task<bool> IsReachedOtherwiseAsync(string userId) =>
        await presence.IsConnectedAnywhereAsync(userId) || await presence.GetStatusAsync(userId) == PresenceStatuses.Dnd;

    private async Task SendAsync(NotificationRaised first, NotificationRaised last, int count)
    {
        var message = last.Message;
        // Several messages are counted, never quoted; one is quoted only where its preview is allowed.
        var (title, body) = PushRules.Text(last.CommunityName, last.ChannelName, message.Author.DisplayName ?? message.Author.Username,
            message.Content, count, count == 1 && first.PreviewAllowed);
        var payload = new PushPayload(title, body, message.CommunityId, message.ChannelId, message.Id, count,
            $"/app/{message.CommunityId ?? "@me"}/{message.ChannelId}");
        var json = JsonSerializer.Serialize(payload, VoxoraJsonContext.Default.PushPayload);

        List<PushSubscriptionEntity> subscriptions;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
            // A session that lapsed (never refreshed until it expired) raises no event: its browser is signed out all the same.
            var now = clock.GetUtcNow();
            subscriptions = await db.Set<PushSubscriptionEntity>().AsNoTracking()
                .Where(s => s.UserId == first.UserId
                    && (s.SessionId == null || db.Sessions.Any(l => l.Id == s.SessionId && l.RevokedAt == null && l.ExpiresAt > now)))
                .ToListAsync(stopping.Token);
        }

        foreach (var subscription in subscriptions)
        {
            await DeliverAsync(subscription, json, message.ChannelId);
        }
    }

    private async Task DeliverAsync(PushSubscriptionEntity subscription, string json, string channelId)
    {
        var target = new WebPushSubscription { Endpoint = subscription.Endpoint };
        target.SetKey(PushEncryptionKeyName.P256DH, subscription.P256dh);
        target.SetKey(PushEncryptionKeyName.Auth, subscription.Auth);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Topic: a newer push for the same channel replaces an undelivered older one at the push service.
                var push = new PushMessage(json) { Topic = TopicOf(channelId), Urgency = PushMessageUrgency.Normal, TimeToLive = 24 * 3600 };
                await Client.RequestPushMessageDeliveryAsync(target, push, stopping.Token);
                return;
            }
            catch (PushServiceClientException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                await RemoveAsync(subscription);
                logger.LogInformation("Push subscription {SubscriptionId} expired ({Status}); removed", subscription.Id, (int)e.StatusCode);
                return;
            }
            catch (Exception e) when (e is PushServiceClientException or HttpRequestException or TaskCanceledException && !stopping.IsCancellationRequested)
            {
                if (attempt >= options.MaxAttempts)
                {
                    logger.LogWarning(e, "Push to subscription {SubscriptionId} failed {Attempts} times; dropped", subscription.Id, attempt);
                    return;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250 * (1 << attempt)), clock, stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task RemoveAsync(PushSubscriptionEntity subscription)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        // Only the row as it was: if the browser subscribed again meanwhile (new keys), that newer row stays.
        await db.Set<PushSubscriptionEntity>()
            .Where(s => s.Id == subscription.Id && s.Endpoint == subscription.Endpoint && s.P256dh == subscription.P256dh)
            .ExecuteDeleteAsync(stopping.Token);
    }

    /// <summary>RFC 8030 §5.4: at most 32 base64url characters. The channel id's ULID part is 26.</summary>
    private static string TopicOf(string channelId) => channelId[(channelId.IndexOf('_', StringComparison.Ordinal) + 1)..];

    private PushServiceClient Client => client ??= new PushServiceClient(http)
    {
        // Required by the library; the Authorization header it makes is replaced by VapidAudienceHandler's.
        DefaultAuthentication = new VapidAuthentication(keys.PublicKey, keys.PrivateKey),
        DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid,
        AutoRetryAfter = false,
    };

    /// <summary>The contact for push services: the configured one, else the public URL when it is https (RFC 8292 §2.1 allows only mailto: and https:), else none.</summary>
    private string? Subject => options.Subject is { Length: > 0 } subject ? subject
        : origin.Url.StartsWith("https://", StringComparison.Ordinal) ? origin.Url : null;

    /// <summary>
    /// Signs each push's VAPID token itself: Lib.Net.Http.WebPush 3.3.1 sets the JWT's <c>aud</c> to scheme and host
    /// only, dropping a non-default port, while RFC 8292 §2 asks for the push resource's origin; a push service on
    /// its own port (self-hosted ones often are) would refuse it. The library still encrypts the payload (RFC 8291).
    /// </summary>
    private sealed class VapidAudienceHandler(VapidKeys keys, Func<string?> subject) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("vapid", keys.Authorization(request.RequestUri!, subject()));
            return base.SendAsync(request, cancellationToken);
        }
    }

    private void Track(Task task)
    {
        sending.TryAdd(task, 0);
        _ = task.ContinueWith(t =>
        {
            sending.TryRemove(t, out _);
            if (t.Exception is { } e)
            {
                logger.LogError(e, "Sending a push failed");
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // The container disposes this twice: as the singleton and as the instance its domain-event handler registration
    // (a factory) returned. The second call must not touch the disposed token source.
    private int disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stopping.CancelAsync();
        try
        {
            await Task.WhenAll(sending.Keys).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }

        stopping.Dispose();
        http.Dispose();
    }

    private sealed class Batch
    {
        public NotificationRaised? First { get; private set; }
        public NotificationRaised? Last { get; private set; }
        public int Count { get; private set; }
        public bool Closed { get; set; }

        public void Add(NotificationRaised raised)
        {
            First ??= raised;
            Last = raised;
            Count++;
        }
    }
}
