using System.Net.WebSockets;
using Voxora.Protocol;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Gateway;

/// <summary>
/// Once a second: closes connections that stopped heartbeating or never identified, and forgets
/// sessions whose resume window has passed. One sweep instead of a timer per connection keeps idle
/// connections cheap.
/// </summary>
public sealed class GatewaySweeper(GatewayServer server, GatewayHub hub, GatewayAdmission admission, GatewayOptions options, TimeProvider clock) : BackgroundService
{
    private long lastPruneTicks = Environment.TickCount64;
    private long lastSharedRefreshTicks = Environment.TickCount64;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromMilliseconds(Math.Clamp(options.HeartbeatIntervalMs / 4, 50, 1000));
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Sweep();
        }
    }

    internal void Sweep()
    {
        var nowTicks = Environment.TickCount64;
        var heartbeatDeadline = (long)(options.HeartbeatIntervalMs * 1.5) + 250;
        var identifyDeadline = options.IdentifyTimeoutSeconds * 1000L;
        foreach (var connection in server.Connections)
        {
            if (!connection.Identified && nowTicks - connection.ConnectedTicks > identifyDeadline)
            {
                connection.Abort(GatewayCloseCodes.NotAuthenticated, "identify timeout");
            }
            else if (nowTicks - connection.LastHeartbeatTicks > heartbeatDeadline)
            {
                connection.Abort(GatewayCloseCodes.SessionTimedOut, "heartbeat timeout");
            }
        }

        var now = clock.GetUtcNow();
        var window = TimeSpan.FromSeconds(options.ResumeWindowSeconds);
        foreach (var session in hub.Sessions)
        {
            if (session.DetachedAt is { } detached && (session.Invalidated || now - detached > window))
            {
                hub.Unregister(session);
            }
        }

        // Rate-limit buckets refill within a minute; forgetting the full ones twice a minute is enough.
        if (nowTicks - lastPruneTicks > 30_000)
        {
            lastPruneTicks = nowTicks;
            admission.Prune(nowTicks);
        }

        // On a cluster, open connections count in Redis only while their node keeps saying they are open.
        if (nowTicks - lastSharedRefreshTicks > GatewayAdmission.SharedRefreshPeriod.TotalMilliseconds)
        {
            lastSharedRefreshTicks = nowTicks;
            _ = admission.RefreshSharedAsync();
        }
    }
}

/// <summary>Maps <c>/gateway</c>: a WebSocket upgrade with <c>v=1&amp;encoding=json</c>.</summary>
public static class GatewayEndpoint
{
    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder app)
    {
        app.Map("/gateway", async (HttpContext http, GatewayServer server, GatewayAdmission admission, NodeDrain drain) =>
        {
            if (!http.WebSockets.IsWebSocketRequest)
            {
                return Problems.Of(StatusCodes.Status400BadRequest, "websocket_required", "WebSocket required",
                    "Connect to /gateway?v=1&encoding=json with a WebSocket upgrade.");
            }

            if (http.Request.Query["v"] != "1" || (http.Request.Query["encoding"] is { Count: > 0 } encoding && encoding != "json"))
            {
                return Problems.Of(StatusCodes.Status400BadRequest, "unsupported_gateway_version", "Unsupported gateway version",
                    "This server speaks gateway v=1 with encoding=json.");
            }

            var address = http.Ip();
            var (verdict, retryAfter) = await admission.TryOpenAsync(address, Environment.TickCount64);
            switch (verdict)
            {
                case UpgradeVerdict.TooManyConnections:
                    http.Response.SetRetryAfter(retryAfter);
                    return Problems.Of(StatusCodes.Status429TooManyRequests, ProblemCodes.TooManyConnections, "Too many connections",
                        "This address holds the maximum number of gateway connections; close one or retry after the seconds in Retry-After.");
                case UpgradeVerdict.RateLimited:
                    http.Response.SetRetryAfter(retryAfter);
                    return Problems.Of(StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited, "Too many requests",
                        "Too many gateway connections were opened from this address; retry after the seconds in Retry-After.");
            }

            try
            {
                using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = false });
                // Not ApplicationStopping: on SIGTERM that fires before the drain has told the clients to reconnect.
                await server.RunAsync(socket, address, drain.GatewayStopping);
            }
            finally
            {
                admission.Closed(address);
            }

            return Results.Empty;
        })
        // A gateway connection lives for hours; the REST request timeout must not cut it.
        .DisableRequestTimeout()
        .WithTags("Gateway").ExcludeFromDescription();
        return app;
    }
}
