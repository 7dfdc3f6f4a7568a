using System.Net;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>Login back-off and REST rate limits, each on a server configured with small limits.</summary>
public abstract class LimitsTests(Provider provider)
{
    [Fact]
    public async Task Repeated_failures_on_one_account_back_off_with_429_and_retry_after()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["AUTH:ACCOUNT_FREE_FAILURES"] = "3" });
        var (client, user, password) = await server.NewUserAsync("victim");
        using var _c = client;
        using var attacker = server.NewClient();

        for (var i = 0; i < 4; i++)
        {
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials, () => attacker.LoginAsync(user.Username, "guess-" + i));
        }

        var blocked = await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.LoginBackoff, () => attacker.LoginAsync(user.Username, "guess-again"));
        Assert.True(int.Parse(blocked.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture) >= 1);

        // While backed off even the right password waits (otherwise the lock tells an attacker nothing)…
        await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.LoginBackoff, () => attacker.LoginAsync(user.Username.ToUpperInvariant(), password));

        // …other accounts are unaffected, and the user's existing session keeps working.
        var (other, _, _) = await server.NewUserAsync("bystander");
        other.Dispose();
        await client.GetMeAsync();

        // After the wait the right password works and clears the count.
        await Task.Delay(TimeSpan.FromSeconds(int.Parse(blocked.RetryAfter!, System.Globalization.CultureInfo.InvariantCulture) + 0.2));
        await attacker.LoginAsync(user.Username, password);
    }

    [Fact]
    public async Task Repeated_failures_from_one_address_back_off_across_accounts()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["AUTH:IP_FREE_FAILURES"] = "3" });
        using var attacker = server.NewClient();
        for (var i = 0; i < 4; i++)
        {
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials, () => attacker.LoginAsync("spray" + i, "password1"));
        }

        await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.LoginBackoff, () => attacker.LoginAsync("spray-next", "password1"));
    }

    [Fact]
    public async Task Auth_routes_are_rate_limited_per_address_with_retry_after()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["RATELIMITING:AUTH_PER_MINUTE"] = "3" });
        using var client = server.NewClient();
        for (var i = 0; i < 3; i++)
        {
            await client.RegisterAsync($"rl{i}_{Guid.NewGuid().ToString("N")[..6]}", "longenough1");
        }

        var limited = await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited, () => client.RegisterAsync("rl_over", "longenough1"));
        Assert.NotNull(limited.RetryAfter);

        // The limited request created nothing.
        using var other = server.NewClient();
        await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited, () => other.LoginAsync("rl_over", "longenough1"));
    }

    [Fact]
    public async Task Signed_in_routes_are_rate_limited_per_user_not_per_address()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["RATELIMITING:USER_PER_MINUTE"] = "5" });
        var (alice, _, _) = await server.NewUserAsync("alice");
        var (bob, _, _) = await server.NewUserAsync("bob");
        using var _a = alice;
        using var _b = bob;
        for (var i = 0; i < 5; i++)
        {
            await alice.GetMeAsync();
        }

        await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited, () => alice.GetMeAsync());
        await bob.GetMeAsync();
    }

    [Fact]
    public async Task The_rate_limit_switch_turns_limits_off()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?>
        {
            ["RATELIMITING:ENABLED"] = "false",
            ["RATELIMITING:USER_PER_MINUTE"] = "2",
        });
        var (client, _, _) = await server.NewUserAsync("bench");
        using var _c = client;
        for (var i = 0; i < 10; i++)
        {
            await client.GetMeAsync();
        }
    }
}

public sealed class LimitsTestsOnSqlite() : LimitsTests(Provider.Sqlite);

public sealed class LimitsTestsOnPostgres() : LimitsTests(Provider.Postgres);
