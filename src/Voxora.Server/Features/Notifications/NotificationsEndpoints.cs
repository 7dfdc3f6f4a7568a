using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Notifications;

/// <summary>
/// Notification settings (per community, per channel, user-wide previews) and Web Push subscriptions. Communities and
/// channels the caller cannot see answer 404 like unknown ones. Only settings that differ from the defaults are stored.
/// </summary>
public static class NotificationsEndpoints
{
    public const string SubscriptionIdPrefix = "psh";

    /// <summary>Services and domain event subscribers: the decider after the gateway's MESSAGE_CREATE, the sender on each notification.</summary>
    public static void AddNotifications(IServiceCollection services, PushOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<VapidKeys>();
        services.AddSingleton<NotificationDecider>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationDecider>());
        services.AddDomainEventHandler<Messages.MessageCreated, NotificationDecider>();
        services.AddDomainEventHandler<PushSubscribed, NotificationDecider>();
        services.AddDomainEventHandler<CommunityMemberAdded, NotificationDecider>();
        services.AddSingleton<WebPushSender>();
        services.AddDomainEventHandler<NotificationRaised, WebPushSender>();
        services.AddSingleton<PushSessionCleanup>();
        services.AddDomainEventHandler<Auth.LoginSessionsEnded, PushSessionCleanup>();
    }

    public static RouteGroupBuilder MapNotificationsEndpoints(this RouteGroupBuilder api)
    {
        var me = api.MapGroup("/users/@me").WithTags("Notifications").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        me.MapGet("/notification-settings", GetSettings).WithSummary("The caller's notification settings: defaults and per community and channel");
        me.MapPatch("/notification-settings", UpdatePreferences).WithSummary("Change the caller's notification preferences");
        me.MapGet("/push-subscriptions", ListSubscriptions).WithSummary("The caller's Web Push subscriptions");
        me.MapPost("/push-subscriptions", Subscribe).WithSummary("Register a Web Push subscription of this browser");
        me.MapDelete("/push-subscriptions/{subscriptionId}", Unsubscribe).WithSummary("Remove a Web Push subscription");

        var scoped = api.MapGroup("").WithTags("Notifications").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        scoped.MapPut("/communities/{communityId}/notification-settings", SetCommunity).WithSummary("Set the caller's notification level for a community").ProducesForbidden();
        scoped.MapPut("/channels/{channelId}/notification-settings", SetChannel).WithSummary("Set the caller's notification level for a channel").ProducesForbidden();
        scoped.MapGet("/push/vapid-public-key", (VapidKeys keys) => TypedResults.Ok(new VapidPublicKey(keys.PublicKey))).WithName("notificationsVapidPublicKey").WithSummary("The pod's VAPID public key for Web Push subscriptions");
        return api;
    }

    private static async Task<Ok<NotificationSettings>> GetSettings(HttpContext http, VoxoraDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await SettingsOfAsync(db, http.User.UserId(), ct));

    internal static async Task<NotificationSettings> SettingsOfAsync(VoxoraDbContext db, string userId, CancellationToken ct)
    {
        var communities = await db.Set<CommunityNotificationSettingEntity>().AsNoTracking().Where(s => s.UserId == userId).ToListAsync(ct);
        var channels = await db.Set<ChannelNotificationSettingEntity>().AsNoTracking().Where(s => s.UserId == userId).ToListAsync(ct);
        var previews = await db.Set<NotificationPreferenceEntity>().AsNoTracking().Where(p => p.UserId == userId).Select(p => p.ShowPreviews).SingleOrDefaultAsync(ct);
        return new NotificationSettings(
            communities.OrderBy(c => c.CommunityId, StringComparer.Ordinal).Select(ToProtocol).ToList(),
            channels.OrderBy(c => c.ChannelId, StringComparer.Ordinal).Select(ToProtocol).ToList(),
            previews);
    }

    private static async Task<Ok<NotificationSettings>> UpdatePreferences(
        UpdateNotificationPreferencesRequest request, HttpContext http, VoxoraDbContext db, CancellationToken ct)
    {
        var userId = http.User.UserId();
        if (request.ShowPreviews is { } showPreviews)
        {
            var row = await db.Set<NotificationPreferenceEntity>().SingleOrDefaultAsync(p => p.UserId == userId, ct);
            if (row is null)
            {
                db.Set<NotificationPreferenceEntity>().Add(new NotificationPreferenceEntity { UserId = userId, ShowPreviews = showPreviews });
            }
            else
            {
                row.ShowPreviews = showPreviews;
            }

            await db.SaveChangesAsync(ct);
        }

        return TypedResults.Ok(await SettingsOfAsync(db, userId, ct));
    }

    private static async Task<Results<Ok<CommunityNotificationSettings>, ValidationProblem, ProblemHttpResult>> SetCommunity(
        string communityId, UpdateCommunityNotificationSettingsRequest request, HttpContext http, VoxoraDbContext db,
        CommunityAccess access, TimeProvider clock, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var level = request.Level ?? NotificationRules.DefaultLevel;
        var errors = new Dictionary<string, string[]>();
        if (!NotificationRules.IsCommunityLevel(level)) errors["level"] = ["Level must be 'all', 'mentions' or 'nothing'."];
        if (MuteError(request.MutedUntil, clock) is { } muteError) errors["muted_until"] = [muteError];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (await access.FindCommunityAsync(communityId, userId, ct) is null)
        {
            return Problems.NotFound("Community");
        }

        var mutedUntil = ActiveMute(request.MutedUntil, clock);
        var suppress = request.SuppressEveryone ?? false;
        var set = db.Set<CommunityNotificationSettingEntity>();
        var row = await set.SingleOrDefaultAsync(s => s.UserId == userId && s.CommunityId == communityId, ct);
        var isDefault = level == NotificationRules.DefaultLevel && mutedUntil is null && !suppress;
        if (isDefault)
        {
            if (row is not null) set.Remove(row);
        }
        else
        {
            row ??= set.Add(new CommunityNotificationSettingEntity { UserId = userId, CommunityId = communityId, Level = level }).Entity;
            row.Level = level;
            row.MutedUntil = mutedUntil;
            row.SuppressEveryone = suppress;
        }

        await SaveAsync(db, ct);
        return TypedResults.Ok(new CommunityNotificationSettings(communityId, level, mutedUntil, suppress));
    }

    private static async Task<Results<Ok<ChannelNotificationSettings>, ValidationProblem, ProblemHttpResult>> SetChannel(
        string channelId, UpdateChannelNotificationSettingsRequest request, HttpContext http, VoxoraDbContext db,
        CommunityAccess access, TimeProvider clock, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var level = request.Level ?? NotificationLevels.Inherit;
        var errors = new Dictionary<string, string[]>();
        if (!NotificationRules.IsChannelLevel(level)) errors["level"] = ["Level must be 'inherit', 'all', 'mentions' or 'nothing'."];
        if (MuteError(request.MutedUntil, clock) is { } muteError) errors["muted_until"] = [muteError];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (await access.FindChannelAsync(channelId, userId, ct) is not { } found)
        {
            return Problems.NotFound("Channel");
        }

        if (found.IsDirect)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.WrongChannelType, "Not a community channel",
                "Notification settings are per community channel; direct messages always notify.");
        }

        var mutedUntil = ActiveMute(request.MutedUntil, clock);
        var set = db.Set<ChannelNotificationSettingEntity>();
        var row = await set.SingleOrDefaultAsync(s => s.UserId == userId && s.ChannelId == channelId, ct);
        if (level == NotificationLevels.Inherit && mutedUntil is null)
        {
            if (row is not null) set.Remove(row);
        }
        else
        {
            row ??= set.Add(new ChannelNotificationSettingEntity { UserId = userId, ChannelId = channelId, CommunityId = found.Channel.OwningCommunityId }).Entity;
            row.Level = level == NotificationLevels.Inherit ? null : level;
            row.MutedUntil = mutedUntil;
        }

        await SaveAsync(db, ct);
        return TypedResults.Ok(new ChannelNotificationSettings(channelId, found.Channel.OwningCommunityId, level, mutedUntil));
    }

    /// <summary>Two requests of one user racing to create the same row: the second's insert loses; its values are as good, so it updates.</summary>
    private static async Task SaveAsync(VoxoraDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (db.ChangeTracker.Entries().Any(e => e.State == EntityState.Added))
        {
            foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).ToList())
            {
                entry.State = EntityState.Modified;
            }

            await db.SaveChangesAsync(ct);
        }
    }

    private static string? MuteError(DateTimeOffset? mutedUntil, TimeProvider clock) =>
        mutedUntil is { } until && until > clock.GetUtcNow() + NotificationRules.MaxMute
            ? "A mute ends within a year; omit muted_until and set the level to 'nothing' to turn notifications off."
            : null;

    /// <summary>A mute that has already ended is no mute.</summary>
    private static DateTimeOffset? ActiveMute(DateTimeOffset? mutedUntil, TimeProvider clock) =>
        mutedUntil is { } until && until > clock.GetUtcNow() ? until.ToUniversalTime() : null;

    private static CommunityNotificationSettings ToProtocol(CommunityNotificationSettingEntity s) =>
        new(s.CommunityId, s.Level, s.MutedUntil, s.SuppressEveryone);

    private static ChannelNotificationSettings ToProtocol(ChannelNotificationSettingEntity s) =>
        new(s.ChannelId, s.CommunityId, s.Level ?? NotificationLevels.Inherit, s.MutedUntil);

    private static async Task<Ok<List<PushSubscription>>> ListSubscriptions(HttpContext http, VoxoraDbContext db, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var rows = await db.Set<PushSubscriptionEntity>().AsNoTracking().Where(s => s.UserId == userId).ToListAsync(ct);
        return TypedResults.Ok(rows.OrderBy(s => s.Id, StringComparer.Ordinal).Select(s => s.ToProtocol()).ToList());
    }

    private static async Task<Results<Created<PushSubscription>, Ok<PushSubscription>, ValidationProblem, ProblemHttpResult>> Subscribe(
        CreatePushSubscriptionRequest request, HttpContext http, VoxoraDbContext db, PushOptions options, TimeProvider clock, DomainEvents events,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (PushRules.EndpointError(request.Endpoint, options.AllowLoopbackHttp) is { } endpointError) errors["endpoint"] = [endpointError];
        if (PushRules.PublicKeyError(request.Keys?.P256dh) is { } keyError) errors["keys.p256dh"] = [keyError];
        if (PushRules.AuthError(request.Keys?.Auth) is { } authError) errors["keys.auth"] = [authError];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var userId = http.User.UserId();
        var set = db.Set<PushSubscriptionEntity>();
        var existing = await set.SingleOrDefaultAsync(s => s.Endpoint == request.Endpoint, ct);
        if (existing is not null)
        {
            // The same browser subscribing again (new keys) or signed in as someone else now: the endpoint is that
            // browser's, so it now delivers to whoever presented it, with the keys it presented.
            var count = existing.UserId == userId ? 0 : await set.CountAsync(s => s.UserId == userId, ct);
            if (count >= PushRules.MaxSubscriptionsPerUser)
            {
                return TooMany();
            }

            existing.UserId = userId;
            existing.SessionId = http.User.SessionId();
            existing.P256dh = request.Keys!.P256dh!;
            existing.Auth = request.Keys.Auth!;
            await db.SaveChangesAsync(ct);
            await events.PublishAsync(new PushSubscribed(userId));
            return TypedResults.Ok(existing.ToProtocol());
        }

        if (await set.CountAsync(s => s.UserId == userId, ct) >= PushRules.MaxSubscriptionsPerUser)
        {
            return TooMany();
        }

        var row = new PushSubscriptionEntity
        {
            Id = Ids.New(SubscriptionIdPrefix),
            UserId = userId,
            SessionId = http.User.SessionId(),
            Endpoint = request.Endpoint!,
            P256dh = request.Keys!.P256dh!,
            Auth = request.Keys.Auth!,
            CreatedAt = clock.GetUtcNow(),
        };
        set.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.Conflict, "Conflict", "This endpoint was subscribed at the same moment; try again.");
        }

        await events.PublishAsync(new PushSubscribed(userId));
        return TypedResults.Created($"/api/v1/users/@me/push-subscriptions/{row.Id}", row.ToProtocol());
    }

    private static ProblemHttpResult TooMany() =>
        Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.TooManyPushSubscriptions, "Too many push subscriptions",
            $"A user has at most {PushRules.MaxSubscriptionsPerUser} push subscriptions; remove one first.");

    private static async Task<Results<NoContent, ProblemHttpResult>> Unsubscribe(string subscriptionId, HttpContext http, VoxoraDbContext db, CancellationToken ct)
    {
        var userId = http.User.UserId();
        if (!Ids.IsWellFormed(subscriptionId, SubscriptionIdPrefix))
        {
            return Problems.NotFound("Push subscription");
        }

        var deleted = await db.Set<PushSubscriptionEntity>().Where(s => s.Id == subscriptionId && s.UserId == userId).ExecuteDeleteAsync(ct);
        return deleted == 0 ? Problems.NotFound("Push subscription") : TypedResults.NoContent();
    }
}
