using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// Security review, issue 12, findings 4 (one password length everywhere), 5 (no lock-out switch for
/// strangers) and 9 (requests with invalid tokens are rate limited per address). Client addresses are
/// simulated with X-Forwarded-For from the trusted loopback proxy.
/// </summary>
public abstract class AuthHardeningTests(Provider provider)
{
    private static readonly Dictionary<string, string?> BehindProxy = new() { ["NETWORK:TRUSTED_PROXIES"] = "127.0.0.1" };

    private static string Repeat(string text, int count) => string.Concat(Enumerable.Repeat(text, count));

    private static VoxoraClient ClientFrom(TestServer server, string address)
    {
        var client = server.NewClient();
        client.Http.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }

    private static string NewName(string prefix) => $"{prefix}_{Guid.NewGuid().ToString("N")[..8]}";

    // ---- finding 4: one definition of password length ----

    [Fact]
    public async Task A_128_emoji_password_registers_logs_in_and_can_be_changed()
    {
        await using var server = await TestServer.StartAsync(provider);
        var name = NewName("emoji");
        var password = Repeat("😀", 128); // 128 code points, 256 UTF-16 units
        var replacement = Repeat("🎉", 127) + "!";
        using var client = server.NewClient();
        await client.RegisterAsync(name, password);
        await client.LoginAsync(name, password);
        await client.ChangePasswordAsync(password, replacement);

        using var again = server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials, () => again.LoginAsync(name, password));
        await again.LoginAsync(name, replacement);
    }

    [Fact]
    public async Task Length_counts_code_points_so_every_accepted_password_can_log_in()
    {
        await using var server = await TestServer.StartAsync(provider);
        using var client = server.NewClient();

        // 65 "thumbs up, medium skin tone" are 65 graphemes but 130 code points: over the limit, refused clearly…
        var name = NewName("tone");
        var error = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.RegisterAsync(name, Repeat("👍🏽", 65)));
        Assert.True(error.Problem?.Errors?.ContainsKey("password"));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials, () => client.LoginAsync(name, Repeat("👍🏽", 65)));

        // …and 64 of them (128 code points, 256 UTF-16 units) register and log in.
        await client.RegisterAsync(name, Repeat("👍🏽", 64));
        await client.LoginAsync(name, Repeat("👍🏽", 64));

        // The same rule guards a new password at change.
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.ChangePasswordAsync(Repeat("👍🏽", 64), Repeat("👍🏽", 65)));
        await client.LoginAsync(name, Repeat("👍🏽", 64));
    }

    [Fact]
    public async Task An_over_long_password_at_login_is_just_a_wrong_password()
    {
        await using var server = await TestServer.StartAsync(provider);
        var name = NewName("long");
        var password = Repeat("😀", 128);
        using var client = server.NewClient();
        await client.RegisterAsync(name, password);

        // The right password with anything after it is wrong (it must not be cut back to the right one).
        var wrong = await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials, () => client.LoginAsync(name, password + "x"));
        var huge = await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials, () => client.LoginAsync(name, new string('a', 200_000)));
        var unknown = await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials, () => client.LoginAsync(NewName("nobody"), password + "x"));
        Assert.Equal(wrong.Problem?.Detail, huge.Problem?.Detail);
        Assert.Equal(wrong.Problem?.Detail, unknown.Problem?.Detail);

        // At change, an over-long current password is a wrong one and changes nothing.
        await client.LoginAsync(name, password);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.InvalidCredentials, () => client.ChangePasswordAsync(password + "x", "a new password"));
        await client.LoginAsync(name, password);
    }

    // ---- finding 5: strangers cannot lock the owner out ----

    [Fact]
    public async Task Failures_from_one_address_do_not_lock_the_owner_out_from_another()
    {
        await using var server = await TestServer.StartAsync(provider, BehindProxy);
        var name = NewName("owner");
        const string password = "correct horse battery";
        using (var registrar = ClientFrom(server, "10.0.0.1"))
        {
            await registrar.RegisterAsync(name, password);
        }

        using var attacker = ClientFrom(server, "10.66.0.1");
        for (var i = 0; i < 6; i++)
        {
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials, () => attacker.LoginAsync(name, "guess-" + i));
        }

        // Keep guessing until the attacker's wait is long enough to check both sides inside it.
        var blocked = await BackOffUntilAsync(() => attacker, name, TimeSpan.FromSeconds(4));

        using var owner = ClientFrom(server, "10.0.0.2"); // a new device of the owner's, never used before
        await owner.LoginAsync(name, password);
        await owner.GetMeAsync();

        // The attacker is still backed off, even with the right password.
        await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.LoginBackoff, () => attacker.LoginAsync(name, password));
        Assert.NotNull(blocked.RetryAfter);
    }

    [Fact]
    public async Task The_account_wide_threshold_slows_new_addresses_but_not_known_ones()
    {
        var settings = new Dictionary<string, string?>(BehindProxy) { ["AUTH:ACCOUNT_WIDE_FREE_FAILURES"] = "8" };
        await using var server = await TestServer.StartAsync(provider, settings);
        var name = NewName("target");
        const string password = "correct horse battery";
        using var owner = ClientFrom(server, "10.1.0.1");
        await owner.RegisterAsync(name, password);
        await owner.LoginAsync(name, password); // 10.1.0.1 is now a known address of this account

        // Ten addresses, two guesses each: no pair nor address is over its own limit, the account is.
        for (var a = 0; a < 10; a++)
        {
            using var attacker = ClientFrom(server, $"10.77.0.{a + 1}");
            for (var i = 0; i < 2; i++)
            {
                var attempt = await Record(() => attacker.LoginAsync(name, $"guess-{a}-{i}"));
                if (a * 2 + i < 8)
                {
                    Assert.Equal(HttpStatusCode.Unauthorized, attempt?.Status);
                }
            }
        }

        // Keep guessing from fresh addresses until the account-wide wait is long enough to check inside it.
        var next = 0;
        await BackOffUntilAsync(() => ClientFrom(server, $"10.79.0.{++next}"), name, TimeSpan.FromSeconds(4));

        // A new address now waits, even with the right password…
        using var stranger = ClientFrom(server, "10.78.0.1");
        var wait = await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.LoginBackoff, () => stranger.LoginAsync(name, password));
        Assert.True(int.Parse(wait.RetryAfter!, CultureInfo.InvariantCulture) >= 1);

        // …the owner's known address does not, and other accounts are untouched.
        using var ownerAgain = ClientFrom(server, "10.1.0.1");
        await ownerAgain.LoginAsync(name, password);
        var (bystander, _, _) = await server.NewUserAsync("bystander");
        bystander.Dispose();
    }

    [Fact]
    public async Task Password_change_of_a_signed_in_owner_is_not_blocked_by_strangers()
    {
        var settings = new Dictionary<string, string?>(BehindProxy)
        {
            ["AUTH:ACCOUNT_WIDE_FREE_FAILURES"] = "4",
            ["AUTH:ACCOUNT_FREE_FAILURES"] = "2",
        };
        await using var server = await TestServer.StartAsync(provider, settings);
        var name = NewName("changer");
        const string password = "correct horse battery";
        using var owner = ClientFrom(server, "10.2.0.1");
        await owner.RegisterAsync(name, password);
        await owner.LoginAsync(name, password);

        // Strangers from the owner's own address and from others trip every login limit.
        using (var sameAddress = ClientFrom(server, "10.2.0.1"))
        {
            await BackOffUntilAsync(() => sameAddress, name, TimeSpan.FromSeconds(1));
        }

        for (var a = 0; a < 4; a++)
        {
            using var attacker = ClientFrom(server, $"10.88.0.{a + 1}");
            await Record(() => attacker.LoginAsync(name, "guess-" + a));
        }

        await owner.ChangePasswordAsync(password, "a brand new password");

        // The owner's own wrong guesses still back off that session (and change nothing).
        for (var i = 0; i < 2; i++)
        {
            await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.InvalidCredentials, () => owner.ChangePasswordAsync("wrong-" + i, "another new password"));
        }

        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.InvalidCredentials, () => owner.ChangePasswordAsync("wrong-again", "another new password"));
        var slowed = await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.LoginBackoff, () => owner.ChangePasswordAsync("a brand new password", "another new password"));
        Assert.NotNull(slowed.RetryAfter);
        await owner.GetMeAsync();
    }

    /// <summary>Wrong guesses (waiting out each back-off) until a 429 says to wait at least <paramref name="atLeast"/>.</summary>
    private static async Task<VoxoraApiException> BackOffUntilAsync(Func<VoxoraClient> attacker, string name, TimeSpan atLeast)
    {
        for (var i = 0; i < 40; i++)
        {
            var client = attacker();
            var error = await Record(() => client.LoginAsync(name, "backoff-guess-" + i));
            Assert.NotNull(error);
            if (error.Status == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal(ProblemCodes.LoginBackoff, error.Code);
                var seconds = int.Parse(error.RetryAfter!, CultureInfo.InvariantCulture);
                if (seconds >= atLeast.TotalSeconds)
                {
                    return error;
                }

                await Task.Delay(TimeSpan.FromSeconds(seconds) + TimeSpan.FromMilliseconds(100));
            }
            else
            {
                Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
            }
        }

        throw new InvalidOperationException("The back-off never reached the wanted wait.");
    }

    private static async Task<VoxoraApiException?> Record(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (VoxoraApiException error)
        {
            return error;
        }
    }

    // ---- finding 9: invalid tokens are rate limited per address ----

    [Fact]
    public async Task Requests_with_invalid_tokens_are_rate_limited_per_address()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["RATELIMITING:ANONYMOUS_PER_MINUTE"] = "5" });
        var (user, _, _) = await server.NewUserAsync("valid");
        using var _u = user;

        // A token whose session ended (logged out) is as invalid as garbage.
        var (ended, _, _) = await server.NewUserAsync("ended");
        using var _e = ended;
        var endedToken = ended.AccessToken!;
        await ended.LogoutAsync();

        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var tokens = new[] { "garbage", "eyJhbGciOiJFUzI1NiJ9.e30.AAAA", endedToken, "garbage", endedToken };
        foreach (var token in tokens)
        {
            using var response = await GetMeWith(http, token);
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, response);
        }

        using (var limited = await GetMeWith(http, "garbage"))
        {
            await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited, limited);
            Assert.NotNull(limited.Headers.RetryAfter);
        }

        using (var noToken = await http.GetAsync("api/v1/users/@me"))
        {
            await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited, noToken);
        }

        // A valid user on the same address keeps their own per-user allowance.
        for (var i = 0; i < 10; i++)
        {
            await user.GetMeAsync();
        }
    }

    [Fact]
    public async Task Invalid_refresh_tokens_are_rate_limited_per_address()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["RATELIMITING:AUTH_PER_MINUTE"] = "3" });
        using var client = server.NewClient();
        for (var i = 0; i < 3; i++)
        {
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken, () => client.RefreshAsync("not-a-refresh-token-" + i));
        }

        var limited = await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited, () => client.RefreshAsync("not-a-refresh-token"));
        Assert.NotNull(limited.RetryAfter);
    }

    private static Task<HttpResponseMessage> GetMeWith(HttpClient http, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/users/@me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(request);
    }
}

public sealed class AuthHardeningTestsOnSqlite() : AuthHardeningTests(Provider.Sqlite);

public sealed class AuthHardeningTestsOnPostgres() : AuthHardeningTests(Provider.Postgres);
