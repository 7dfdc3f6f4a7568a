using Microsoft.AspNetCore.Http.HttpResults;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Features.Health;

/// <summary>Liveness (the process answers) and readiness (the database answers, the node is not draining) for orchestrators.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health");
        health.MapGet("/live", () => TypedResults.Ok(new HealthReport("ok"))).WithName("healthLive").WithSummary("Liveness: the process answers");
        health.MapGet("/ready", Ready).WithSummary("Readiness: the database answers and the node is not draining (503 otherwise)")
            .Produces<HealthReport>(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> Ready(VoxoraDbContext db, ClusterConnection cluster, NodeDrain drain, ILoggerFactory logs, CancellationToken ct)
    {
        if (drain.IsDraining)
        {
            // The node is stopping: a load balancer must stop sending it anything.
            return TypedResults.Json(new HealthReport("draining", new Dictionary<string, string> { ["node"] = "draining" }),
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        bool reachable;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            reachable = await db.Database.CanConnectAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logs.CreateLogger("Voxora.Health").LogWarning(ex, "Readiness check: database unreachable");
            reachable = false;
        }

        var checks = new Dictionary<string, string> { ["database"] = reachable ? "ok" : "unreachable" };
        if (cluster.Enabled)
        {
            checks["redis"] = cluster.IsHealthy ? "ok" : "unreachable";
        }

        // Redis down is "degraded", not "unavailable": every node shares the same Redis, so taking nodes out of the
        // load balancer for it would turn a partial outage (no cross-node events) into a full one.
        return reachable
            ? TypedResults.Ok(new HealthReport(cluster.IsHealthy ? "ok" : "degraded", checks))
            : TypedResults.Json(new HealthReport("unavailable", checks), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
