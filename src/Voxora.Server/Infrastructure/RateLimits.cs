using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Voxora.Protocol;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Infrastructure;

/// <summary>
/// REST rate limits: per client address on anonymous routes, stricter on the auth routes, per user on
/// everything behind a token (so a school sharing one address is not one bucket once signed in). A
/// request to a signed-in route without a valid token is limited per address at the anonymous rate.
/// On a cluster every partition is counted in Redis (<see cref="SharedWindowRateLimiter"/>), so a limit of 30 a
/// minute is 30 for the cluster; on one node it is the in-memory sliding window.
/// </summary>
public static class RateLimits
{
    public const string Anonymous = "anonymous";
    public const string Auth = "auth";
    public const string User = "user";

    /// <summary>Message search: its own per-user budget (<see cref="RateLimitingOptions.SearchPerMinute"/>).</summary>
    public const string Search = "search";

    public static IServiceCollection AddVoxoraRateLimits(this IServiceCollection services, RateLimitingOptions options)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(60);
                var http = context.HttpContext;
                http.Response.SetRetryAfter(retryAfter);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = "Slow down and retry after the number of seconds in Retry-After.",
                        Type = Problems.TypeFor(ProblemCodes.RateLimited),
                    },
                });
            };

            limiter.AddPolicy(Anonymous, context => PerMinute(context, "ip:" + context.Ip(), options.AnonymousPerMinute, options.Enabled));
            limiter.AddPolicy(Auth, context => PerMinute(context, "auth:" + context.Ip(), options.AuthPerMinute, options.Enabled));
            // Runs after authentication and before authorization (VoxoraHost), so a request whose token
            // failed validation (garbage, bad signature, expired, ended session) or that has none is
            // counted here, per address at the anonymous rate, before it is answered 401.
            limiter.AddPolicy(User, context =>
                context.User.Identity?.IsAuthenticated == true
                    ? PerMinute(context, "user:" + context.User.FindFirst("sub")?.Value, options.UserPerMinute, options.Enabled)
                    : PerMinute(context, "unauthenticated:" + context.Ip(), options.AnonymousPerMinute, options.Enabled));
            limiter.AddPolicy(Search, context =>
                context.User.Identity?.IsAuthenticated == true
                    ? PerMinute(context, "search:" + context.User.FindFirst("sub")?.Value, options.SearchPerMinute, options.Enabled)
                    : PerMinute(context, "unauthenticated:" + context.Ip(), options.AnonymousPerMinute, options.Enabled));
        });
        return services;
    }

    private static RateLimitPartition<string> PerMinute(HttpContext context, string key, int permits, bool enabled)
    {
        if (!enabled)
        {
            return RateLimitPartition.GetNoLimiter(key);
        }

        var window = new SlidingWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        var shared = context.RequestServices.GetRequiredService<SharedLimits>();
        return shared.Enabled
            ? RateLimitPartition.Get(key, partition => new SharedWindowRateLimiter(shared, partition, window))
            : RateLimitPartition.GetSlidingWindowLimiter(key, _ => window);
    }
}
