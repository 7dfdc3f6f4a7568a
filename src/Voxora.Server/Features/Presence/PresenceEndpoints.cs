using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Presence;

/// <summary>Presence's services, op 9, and <c>GET /communities/{id}/presences</c> (the lazy path READY leaves out for large communities).</summary>
public static class PresenceEndpoints
{
    public const int MaxPageSize = 1000;

    public static IServiceCollection AddPresence(this IServiceCollection services, PresenceOptions options, bool clustered)
    {
        services.AddSingleton(options);
        if (clustered)
        {
            services.AddSingleton<IPresenceStore, RedisPresenceStore>();
        }
        else
        {
            services.AddSingleton<IPresenceStore, LocalPresenceStore>();
        }

        services.AddSingleton<PresenceDirectory>();
        services.AddSingleton<PresenceService>();
        services.AddSingleton<IGatewayOpHandler, PresenceGatewayOps>();
        services.AddHostedService<PresenceSweeper>();
        return services;
    }

    public static RouteGroupBuilder MapPresenceEndpoints(this RouteGroupBuilder api)
    {
        var presences = api.MapGroup("/communities/{communityId}/presences").WithTags("Presence").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        presences.MapGet("", ListPresences).WithSummary("Who of a community's members is online").ProducesForbidden();
        return api;
    }

    private static async Task<Results<Ok<List<Protocol.Presence>>, ValidationProblem, ProblemHttpResult>> ListPresences(
        string communityId, string? after, string? limit, HttpContext http, VoxoraDbContext db, CommunityAccess access, PresenceService presence, CancellationToken ct)
    {
        var community = await access.FindCommunityAsync(communityId, http.User.UserId(), ct);
        if (community is null)
        {
            return Problems.NotFound("Community");
        }

        var errors = new Dictionary<string, string[]>();
        var take = MaxPageSize;
        if (limit is not null && (limit.Length > 4 || !int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxPageSize))
        {
            errors["limit"] = [$"Limit must be a whole number from 1 to {MaxPageSize}."];
        }

        if (after is not null && !Ids.IsWellFormed(after, Ids.User)) errors["after"] = ["After must be a user id."];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        return TypedResults.Ok(await presence.CommunityPresencesAsync(db, community.Id, after, take, ct));
    }
}

/// <summary>Op 9 PRESENCE_UPDATE: the user chooses a status (5 per minute per connection).</summary>
public sealed class PresenceGatewayOps(PresenceService presence) : IGatewayOpHandler
{
    public IReadOnlyList<int> Ops { get; } = [Protocol.GatewayOp.PresenceUpdate];

    public bool RequiresSession => true;

    public async ValueTask HandleAsync(GatewayOpContext context, Protocol.GatewayFrame frame, CancellationToken ct)
    {
        var request = context.DecodeOrClose(frame, Protocol.VoxoraJsonContext.Default.PresenceUpdateRequest, "PRESENCE_UPDATE needs d: {status, activities?}");
        if (request is null)
        {
            return;
        }

        if (PresenceRules.Requested(request) is not { } status)
        {
            context.Connection.Abort(Protocol.GatewayCloseCodes.DecodeError, "status must be online, idle, dnd or invisible; activities must be empty");
            return;
        }

        if (!await presence.TrySetAsync(context.Connection, context.IdentifiedSession.UserId, status))
        {
            context.Connection.Abort(Protocol.GatewayCloseCodes.RateLimited, $"at most {PresenceRules.UpdatesPerPeriod} presence updates per minute");
        }
    }
}

/// <summary>Ends graces (offline announcements) and keeps the cluster's presence tidy, a few times a second.</summary>
public sealed class PresenceSweeper(PresenceService presence, PresenceOptions options, ILogger<PresenceSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan MaintainEvery = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Guarded(presence.LoadVisibleAsync);
        // A quarter of the grace (so offline comes within 1.25 × the grace), between 100 ms and 1 s.
        var period = TimeSpan.FromMilliseconds(Math.Clamp(options.GraceSeconds * 250, 100, 1000));
        using var timer = new PeriodicTimer(period);
        var lastMaintain = Environment.TickCount64;
        await Guarded(presence.MaintainAsync);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await Guarded(presence.ExpireGracesAsync);
            if (Environment.TickCount64 - lastMaintain >= MaintainEvery.TotalMilliseconds)
            {
                lastMaintain = Environment.TickCount64;
                await Guarded(presence.MaintainAsync);
            }
        }
    }

    // Set while sweeps fail (Redis unreachable): logged once per outage, not several times a second.
    private bool failing;

    private async Task Guarded(Func<Task> work)
    {
        try
        {
            await work();
            if (failing)
            {
                failing = false;
                logger.LogWarning("Presence sweeps work again");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (!failing)
            {
                failing = true;
                logger.LogWarning(ex, "Presence sweep failed; retrying every sweep (graces end once it works again)");
            }
        }
    }
}
