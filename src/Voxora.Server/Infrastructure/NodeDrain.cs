using Voxora.Protocol;
using Voxora.Server.Gateway;

namespace Voxora.Server.Infrastructure;

/// <summary>
/// Stopping a node (SIGTERM, or the host stopping) drains it before the web server and the background
/// writers stop: from the first moment new requests and gateway upgrades are answered 503 <c>draining</c>
/// (so is <c>/health/ready</c>, so a load balancer stops routing here), every gateway client gets op 7
/// RECONNECT and a clean close (it resumes on another node), and the requests already running finish.
/// Only then does Kestrel stop, and after it the message writer commits what is still queued
/// (docs/architecture.md, "Stopping a node").
/// </summary>
/// <remarks>
/// The drain runs in <see cref="StoppingAsync"/>, which the host calls before any hosted service's
/// StopAsync (Kestrel's included) whichever way the stop began. On SIGTERM the host fires
/// ApplicationStopping even earlier, so nothing that must outlive the drain listens to that token:
/// the gateway's connections stop on <see cref="GatewayStopping"/> instead.
/// </remarks>
public sealed class NodeDrain(GatewayServer gateway, ServerOptions options, ILogger<NodeDrain> logger) : IHostedLifecycleService
{
    /// <summary>What a refused request is told to wait before retrying (by then a load balancer routes elsewhere).</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    private readonly TaskCompletionSource idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource gatewayStopping = new();
    private int draining;
    private long inFlight;

    public bool IsDraining => Volatile.Read(ref draining) == 1;

    /// <summary>Requests (gateway connections included) that were admitted and have not finished.</summary>
    public long InFlight => Interlocked.Read(ref inFlight);

    /// <summary>Cancelled when the drain stops waiting: gateway connections still open then are cut off.</summary>
    public CancellationToken GatewayStopping => gatewayStopping.Token;

    /// <summary>
    /// How long the drain waits for running requests: the shutdown budget minus the time kept for what stops
    /// after it (Kestrel, the message writer's last commit, voice).
    /// </summary>
    public TimeSpan Budget
    {
        get
        {
            var total = TimeSpan.FromSeconds(options.ShutdownSeconds);
            return total - TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(10).Ticks, total.Ticks / 3));
        }
    }

    /// <summary>Counts a request in; false (and nothing counted) once the node drains.</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref inFlight);
        // Counted before the look at the flag; StoppingAsync sets the flag before its look at the count,
        // so either this request is refused or the drain waits for it.
        if (IsDraining)
        {
            Exit();
            return false;
        }

        return true;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref inFlight) == 0 && IsDraining)
        {
            idle.TrySetResult();
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref draining, 1) == 1)
        {
            return;
        }

        logger.LogInformation("Stopping: draining {Requests} running request(s) and {Connections} gateway connection(s)", InFlight, gateway.ConnectionCount);
        gateway.Drain();
        if (InFlight == 0)
        {
            idle.TrySetResult();
        }

        try
        {
            await idle.Task.WaitAsync(Budget, cancellationToken);
            logger.LogInformation("Drained: every running request finished and every gateway client was told to reconnect");
        }
        catch (TimeoutException)
        {
            logger.LogWarning("Stopping: {Requests} request(s) still running after {Seconds} s of draining; stopping anyway", InFlight, Budget.TotalSeconds);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Stopping: the shutdown timeout ended the drain with {Requests} request(s) still running", InFlight);
        }

        await gatewayStopping.CancelAsync();
    }

    public Task StopAsync(CancellationToken cancellationToken) => gatewayStopping.CancelAsync();

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class NodeDrainMiddleware
{
    /// <summary>
    /// Counts every request (gateway connections too) for <see cref="NodeDrain"/>, and once the node drains
    /// refuses new ones with 503 <c>draining</c> and <c>Retry-After</c>. The health endpoints are not counted:
    /// liveness stays 200 and readiness reports the drain itself.
    /// </summary>
    public static IApplicationBuilder UseVoxoraDrain(this IApplicationBuilder app) =>
        app.Use(static async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
            {
                await next(context);
                return;
            }

            var drain = context.RequestServices.GetRequiredService<NodeDrain>();
            if (!drain.TryEnter())
            {
                context.Response.SetRetryAfter(NodeDrain.RetryAfter);
                // Kept-alive connections end here too, so the client's retry dials (through the balancer) another node.
                context.Response.Headers.Connection = "close";
                await Problems.Of(StatusCodes.Status503ServiceUnavailable, ProblemCodes.Draining, "Draining",
                    "This node is stopping; retry after the seconds in Retry-After (another node will answer).").ExecuteAsync(context);
                return;
            }

            try
            {
                await next(context);
            }
            finally
            {
                drain.Exit();
            }
        });
}
