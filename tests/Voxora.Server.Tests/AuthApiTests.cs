using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>Registration, login, refresh rotation, logout and sessions, on each database provider.</summary>
public abstract class AuthApiTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private static string UniqueName(string prefix = "u") => $"{prefix}{Guid.NewGuid().ToString("N")[..10]}";

    [Fact]
    public async Task Register_returns_201_with_the_user_and_hides_the_password()
    {
        using var client = Server.NewClient();
        var name = UniqueName("Reg.");
        var response = await client.Http.PostAsync("api/v1/auth/register",
            new StringContent($$"""{"username":"{{name}}","password":"hunter2hunter2","email":"a@example.org"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains($"\"username\":\"{name}\"", body, StringComparison.Ordinal);
        Assert.Contains("\"id\":\"usr_", body, StringComparison.Ordinal);
        Assert.Contains("\"email\":\"a@example.org\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("password", body, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("a", "longenough1", "username")]
    [InlineData("thisnameiswaytoolongforvoxora1234", "longenough1", "username")]
    [InlineData("bad name", "longenough1", "username")]
    [InlineData("b@d", "longenough1", "username")]
    [InlineData("ünï", "longenough1", "username")]
    [InlineData("", "longenough1", "username")]
    [InlineData("validname", "short", "password")]
    [InlineData("validname", "", "password")]
    public async Task Register_rejects_invalid_input_with_field_errors_and_creates_nothing(string username, string password, string field)
    {
        using var client = Server.NewClient();
        var error = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => client.RegisterAsync(username, password));
        Assert.NotNull(error.Problem?.Errors);
        Assert.True(error.Problem!.Errors!.ContainsKey(field), $"expected an error for '{field}'");

        if (field == "password" && username == "validname")
        {
            // Nothing was stored: the name is still free.
            var name = UniqueName("free");
            await Assert.ThrowsAsync<VoxoraApiException>(() => client.RegisterAsync(name, "short"));
            await client.RegisterAsync(name, "longenough1");
        }
    }

    [Fact]
    public async Task Register_rejects_a_129_character_password_and_a_bad_email()
    {
        using var client = Server.NewClient();
        var tooLong = new string('p', 129);
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.RegisterAsync(UniqueName(), tooLong));
        var error = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => client.RegisterAsync(UniqueName(), "longenough1", "not-an-email"));
        Assert.True(error.Problem!.Errors!.ContainsKey("email"));

        // The bounds themselves are allowed.
        await client.RegisterAsync(UniqueName(), new string('p', 128));
        await client.RegisterAsync(UniqueName(), "8chars!!");
    }

    [Fact]
    public async Task Usernames_are_unique_regardless_of_case()
    {
        using var client = Server.NewClient();
        var name = UniqueName("Case");
        await client.RegisterAsync(name, "longenough1");
        await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.UsernameTaken, () => client.RegisterAsync(name.ToUpperInvariant(), "longenough2"));
        await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.UsernameTaken, () => client.RegisterAsync(name.ToLowerInvariant(), "longenough2"));

        // The first account still logs in with its own password; the rejected ones changed nothing.
        await client.LoginAsync(name, "longenough1");
        await Assert.ThrowsAsync<VoxoraApiException>(() => client.LoginAsync(name, "longenough2"));
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_name_create_exactly_one_account()
    {
        var name = UniqueName("race");
        var attempts = Enumerable.Range(0, 4).Select(async i =>
        {
            using var client = Server.NewClient();
            try
            {
                await client.RegisterAsync(i % 2 == 0 ? name : name.ToUpperInvariant(), "longenough1");
                return HttpStatusCode.Created;
            }
            catch (VoxoraApiException ex)
            {
                return ex.Status;
            }
        });
        var results = await Task.WhenAll(attempts);
        Assert.Equal(1, results.Count(r => r == HttpStatusCode.Created));
        Assert.All(results.Where(r => r != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r));
    }

    [Fact]
    public async Task Login_accepts_any_casing_and_returns_a_bearer_pair()
    {
        using var client = Server.NewClient();
        var name = UniqueName("Mixed");
        var user = await client.RegisterAsync(name, "longenough1");

        var tokens = await client.LoginAsync(name.ToUpperInvariant(), "longenough1");
        Assert.Equal("Bearer", tokens.TokenType);
        Assert.InRange(tokens.ExpiresIn, 1, 900);
        Assert.False(string.IsNullOrEmpty(tokens.RefreshToken));
        var me = await client.GetMeAsync();
        Assert.Equal(user.Id, me.Id);
        Assert.Equal(name, me.Username);
    }

    [Fact]
    public async Task Unknown_user_and_wrong_password_get_the_same_answer()
    {
        using var client = Server.NewClient();
        var name = UniqueName();
        await client.RegisterAsync(name, "longenough1");

        var wrongPassword = await RawLoginAsync(client, name, "wrong-password");
        var unknownUser = await RawLoginAsync(client, UniqueName("ghost"), "wrong-password");

        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.Status);
        Assert.Equal(wrongPassword.Status, unknownUser.Status);
        Assert.Equal(wrongPassword.Body, unknownUser.Body);
    }

    [Fact]
    public async Task Unknown_user_and_wrong_password_take_comparable_time()
    {
        // Both paths run one Argon2id verification. Without the dummy verification an unknown user
        // answers in about a millisecond against tens of milliseconds: a ratio far outside these bounds.
        using var client = Server.NewClient();
        var names = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var name = UniqueName("t");
            await client.RegisterAsync(name, "longenough1");
            names.Add(name);
        }

        var known = new List<double>();
        var unknown = new List<double>();
        foreach (var name in names)
        {
            known.Add((await RawLoginAsync(client, name, "not-the-password")).Elapsed.TotalMilliseconds);
            unknown.Add((await RawLoginAsync(client, UniqueName("nobody"), "not-the-password")).Elapsed.TotalMilliseconds);
        }

        // The property under test is the lower bound: an unknown user must not answer much faster.
        // The upper bound only catches nonsense; a busy shared machine can slow either path.
        var ratio = Median(unknown) / Median(known);
        Assert.InRange(ratio, 0.33, 5.0);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static async Task<(HttpStatusCode Status, string Body, TimeSpan Elapsed)> RawLoginAsync(VoxoraClient client, string login, string password)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var response = await client.Http.PostAsync("api/v1/auth/login",
            new StringContent($$"""{"login":"{{login}}","password":"{{password}}"}""", Encoding.UTF8, "application/json"));
        var elapsed = started.Elapsed;
        var body = await response.Content.ReadAsStringAsync();
        // request_id and trace_id differ per request by design; everything else must match.
        body = System.Text.RegularExpressions.Regex.Replace(body, "\"(request_id|trace_id)\":\"[^\"]*\"", "");
        return (response.StatusCode, body, elapsed);
    }

    [Fact]
    public async Task Login_with_missing_fields_is_a_validation_error()
    {
        using var client = Server.NewClient();
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.LoginAsync("", "x"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.LoginAsync("someone", ""));
    }

    [Fact]
    public async Task Refresh_rotates_and_each_refresh_token_works_once()
    {
        var (client, _, _) = await Server.NewUserAsync("rot");
        using var _c = client;
        var first = client.RefreshToken!;
        var second = await client.RefreshAsync();
        Assert.NotEqual(first, second.RefreshToken);
        Assert.NotNull((await client.GetMeAsync()).Id);

        var third = await client.RefreshAsync();
        Assert.NotEqual(second.RefreshToken, third.RefreshToken);
        await client.GetMeAsync();
    }

    [Fact]
    public async Task Replaying_a_used_refresh_token_revokes_the_whole_session()
    {
        var (client, _, _) = await Server.NewUserAsync("replay");
        using var _c = client;
        var stolen = client.RefreshToken!;
        var rotated = await client.RefreshAsync();

        // The attacker replays the old token: refused, and the legitimate chain dies with it.
        using var attacker = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken, () => attacker.RefreshAsync(stolen));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken, () => client.RefreshAsync(rotated.RefreshToken));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => client.GetMeAsync());
    }

    [Fact]
    public async Task Concurrent_uses_of_one_refresh_token_let_at_most_one_through()
    {
        var (client, _, _) = await Server.NewUserAsync("conc");
        using var _c = client;
        var token = client.RefreshToken!;
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var other = Server.NewClient();
            try
            {
                await other.RefreshAsync(token);
                return true;
            }
            catch (VoxoraApiException ex) when (ex.Status == HttpStatusCode.Unauthorized)
            {
                return false;
            }
        }));
        Assert.True(results.Count(ok => ok) <= 1, "a refresh token was spent twice");
        // The losers were replays, so the session is gone whatever the winner got.
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => client.GetMeAsync());
    }

    [Theory]
    [InlineData("not-a-real-token")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Refresh_with_an_unknown_token_is_401(string token)
    {
        using var client = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken, () => client.RefreshAsync(token));
    }

    [Fact]
    public async Task Refresh_without_a_token_is_a_validation_error()
    {
        using var client = Server.NewClient();
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.RefreshAsync(""));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken, () => client.RefreshAsync(new string('x', 5000)));
    }

    [Fact]
    public async Task Logout_ends_the_session_for_access_and_refresh_tokens()
    {
        var (client, _, _) = await Server.NewUserAsync("out");
        using var _c = client;
        var refresh = client.RefreshToken!;
        await client.LogoutAsync();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => client.GetMeAsync());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken, () => client.RefreshAsync(refresh));
    }

    [Fact]
    public async Task Sessions_are_listed_with_device_details_and_can_be_revoked()
    {
        var (laptop, user, password) = await Server.NewUserAsync("dev");
        using var _l = laptop;
        using var phone = Server.NewClient();
        phone.Http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("VoxoraPhone", "1.0"));
        await phone.LoginAsync(user.Username, password);

        var sessions = await laptop.GetSessionsAsync();
        Assert.Equal(2, sessions.Count);
        Assert.Single(sessions, s => s.Current);
        var phoneSession = Assert.Single(sessions, s => !s.Current);
        Assert.Equal("VoxoraPhone/1.0", phoneSession.UserAgent);
        Assert.Equal("127.0.0.1", phoneSession.Ip);
        Assert.True(phoneSession.CreatedAt <= phoneSession.LastUsedAt);

        await laptop.RevokeSessionAsync(phoneSession.Id);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => phone.GetMeAsync());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken, () => phone.RefreshAsync());
        Assert.Single(await laptop.GetSessionsAsync());

        // Revoking it again, or a made-up id, is a 404.
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => laptop.RevokeSessionAsync(phoneSession.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => laptop.RevokeSessionAsync("ses_01ARZ3NDEKTSV4RRFFQ69G5FAV"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => laptop.RevokeSessionAsync("not-an-id"));
    }

    [Fact]
    public async Task Another_users_session_cannot_be_seen_or_revoked()
    {
        var (alice, _, _) = await Server.NewUserAsync("alice");
        var (mallory, _, _) = await Server.NewUserAsync("mallory");
        using var _a = alice;
        using var _m = mallory;
        var aliceSession = Assert.Single(await alice.GetSessionsAsync());

        Assert.DoesNotContain(await mallory.GetSessionsAsync(), s => s.Id == aliceSession.Id);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => mallory.RevokeSessionAsync(aliceSession.Id));
        await alice.GetMeAsync();
    }

    [Fact]
    public async Task Auth_endpoints_that_need_a_session_refuse_anonymous_callers()
    {
        using var anonymous = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.LogoutAsync());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetSessionsAsync());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.RevokeSessionAsync("ses_01ARZ3NDEKTSV4RRFFQ69G5FAV"));
    }
}

public sealed class AuthApiTestsOnSqlite(SqliteServerFixture fixture) : AuthApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class AuthApiTestsOnPostgres(PostgresServerFixture fixture) : AuthApiTests(fixture), IClassFixture<PostgresServerFixture>;
