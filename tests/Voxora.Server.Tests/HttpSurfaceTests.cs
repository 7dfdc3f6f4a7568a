using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>What every endpoint shares: problem documents, body limits, headers, health, discovery.</summary>
public abstract class HttpSurfaceTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("{")]
    [InlineData("{\"username\": 42, \"password\": true}")]
    [InlineData("[1,2,3]")]
    [InlineData("not json at all")]
    public async Task Malformed_json_is_a_400_problem_not_a_500(string body)
    {
        using var client = Server.NewClient();
        using var response = await client.Http.PostAsync("api/v1/auth/register", Json(body));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.MalformedRequest, response);
    }

    [Fact]
    public async Task An_empty_body_is_a_400_problem()
    {
        using var client = Server.NewClient();
        using var response = await client.Http.PostAsync("api/v1/auth/login", Json(""));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.MalformedRequest, response);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415_problem()
    {
        using var client = Server.NewClient();
        using var response = await client.Http.PostAsync("api/v1/auth/login", new StringContent("login=a&password=b", Encoding.UTF8, "application/x-www-form-urlencoded"));
        await Expect.Problem(HttpStatusCode.UnsupportedMediaType, ProblemCodes.UnsupportedMediaType, response);
    }

    [Fact]
    public async Task A_body_over_one_mebibyte_is_a_413_problem_and_creates_nothing()
    {
        using var client = Server.NewClient();
        var name = "big" + Guid.NewGuid().ToString("N")[..8];
        var padding = new string('x', 1024 * 1024);
        // Expect: 100-continue, as large uploads do: the server answers 413 before the body is sent. Without it the
        // server may answer and close while the client is still writing the megabyte (a broken pipe, not a 413).
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/auth/register")
        {
            Content = Json($$"""{"username":"{{name}}","password":"longenough1","email":"{{padding}}@example.org"}"""),
        };
        request.Headers.ExpectContinue = true;
        using var response = await client.Http.SendAsync(request);
        await Expect.Problem(HttpStatusCode.RequestEntityTooLarge, ProblemCodes.PayloadTooLarge, response);

        // The name is still free.
        await client.RegisterAsync(name, "longenough1");
    }

    [Fact]
    public async Task Unknown_api_routes_are_404_problems()
    {
        using var client = Server.NewClient();
        using var response = await client.Http.GetAsync("api/v1/does-not-exist");
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, response);
    }

    [Fact]
    public async Task Wrong_methods_are_405_problems()
    {
        using var client = Server.NewClient();
        using var response = await client.Http.GetAsync("api/v1/auth/login");
        await Expect.Problem(HttpStatusCode.MethodNotAllowed, ProblemCodes.MethodNotAllowed, response);
    }

    [Fact]
    public async Task Responses_carry_security_headers_even_on_errors()
    {
        using var client = Server.NewClient();
        foreach (var path in new[] { "health/live", "api/v1/users/@me", "api/v1/nope" })
        {
            using var response = await client.Http.GetAsync(path);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.False(response.Headers.Contains("Server"));
        }

        using var malformed = await client.Http.PostAsync("api/v1/auth/login", Json("{"));
        Assert.Equal("nosniff", malformed.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Health_endpoints_report_live_and_ready()
    {
        using var client = Server.NewClient();
        var live = await client.Http.GetFromJsonAsync("health/live", VoxoraJsonContext.Default.HealthReport);
        Assert.Equal("ok", live!.Status);
        var ready = await client.Http.GetFromJsonAsync("health/ready", VoxoraJsonContext.Default.HealthReport);
        Assert.Equal("ok", ready!.Status);
        Assert.Equal("ok", ready.Checks!["database"]);
    }

    [Fact]
    public async Task Access_tokens_verify_against_the_published_jwks()
    {
        var (client, user, _) = await Server.NewUserAsync("jwks");
        using var _c = client;
        var discovery = JsonNode.Parse(await client.Http.GetStringAsync(".well-known/openid-configuration"))!;
        var jwksUri = new Uri(discovery["jwks_uri"]!.GetValue<string>());
        Assert.Equal(Server.BaseAddress.Authority, jwksUri.Authority);

        var jwks = new JsonWebKeySet(await client.Http.GetStringAsync(jwksUri));
        Assert.NotEmpty(jwks.Keys);
        Assert.All(jwks.Keys, k => Assert.False(k.HasPrivateKey));

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(client.AccessToken, new TokenValidationParameters
        {
            ValidIssuer = discovery["issuer"]!.GetValue<string>(),
            ValidAudience = "voxora-api",
            IssuerSigningKeys = jwks.GetSigningKeys(),
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(user.Id, result.Claims["sub"]);
        var lifetime = ((JsonWebToken)result.SecurityToken).ValidTo - ((JsonWebToken)result.SecurityToken).IssuedAt;
        Assert.True(lifetime <= TimeSpan.FromMinutes(15));
    }

    [Fact]
    public async Task OpenApi_document_describes_the_auth_endpoints()
    {
        using var client = Server.NewClient();
        var document = JsonNode.Parse(await client.Http.GetStringAsync("openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject();
        foreach (var path in new[]
                 {
                     "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/sessions", "/api/v1/users/@me",
                     "/api/v1/communities", "/api/v1/communities/{communityId}", "/api/v1/communities/{communityId}/members",
                     "/api/v1/communities/{communityId}/channels", "/api/v1/channels/{channelId}", "/api/v1/communities/{communityId}/invites",
                     "/api/v1/invites/{code}", "/api/v1/invites/{code}/accept", "/api/v1/channels/{channelId}/messages",
                     "/api/v1/channels/{channelId}/messages/{messageId}", "/api/v1/users/@me/communities",
                 })
        {
            Assert.True(paths.ContainsKey(path), $"OpenAPI lacks {path}; it has {string.Join(", ", paths.Select(p => p.Key))}");
        }
    }
}

public sealed class HttpSurfaceTestsOnSqlite(SqliteServerFixture fixture) : HttpSurfaceTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class HttpSurfaceTestsOnPostgres(PostgresServerFixture fixture) : HttpSurfaceTests(fixture), IClassFixture<PostgresServerFixture>;
