using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Features.Auth;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// The public origin comes from configuration, never from a request's Host header (security review, issue 12
/// finding 8): discovery, JWKS links and the <c>iss</c> of issued tokens, and the API accepts only tokens with
/// exactly that issuer. On each provider.
/// </summary>
public abstract class PublicOriginTests(Provider provider)
{
    private const string ForgedHost = "evil.example";

    private static async Task<JsonObject> DiscoveryAsync(TestServer server, string? host)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, ".well-known/openid-configuration");
        if (host is not null) request.Headers.Host = host;
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>Logs in with the Host header set to <paramref name="host"/> and returns the access token.</summary>
    private static async Task<string> LoginAsync(TestServer server, string username, string password, string host)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/auth/login")
        {
            Content = JsonContent.Create(new LoginRequest(username, password), VoxoraJsonContext.Default.LoginRequest),
        };
        request.Headers.Host = host;
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = await response.Content.ReadFromJsonAsync(VoxoraJsonContext.Default.TokenResponse);
        return tokens!.AccessToken;
    }

    private static string Issuer(string token) => new JsonWebToken(token).Issuer;

    [Fact]
    public async Task A_forged_host_does_not_change_the_discovery_document_or_the_issuer_of_tokens()
    {
        await using var server = await TestServer.StartAsync(provider);
        var self = server.BaseAddress.ToString().TrimEnd('/');
        var (client, user, password) = await server.NewUserAsync("origin");
        using var _c = client;

        var discovery = await DiscoveryAsync(server, ForgedHost);
        Assert.Equal(self, (string?)discovery["issuer"]);
        Assert.Equal(self + "/.well-known/jwks.json", (string?)discovery["jwks_uri"]);
        Assert.Equal(self + "/api/v1/auth/login", (string?)discovery["token_endpoint"]);
        Assert.Equal(self, Issuer(client.AccessToken!));

        var forged = await LoginAsync(server, user.Username, password, ForgedHost);
        Assert.Equal(self, Issuer(forged));
        client.AccessToken = forged;
        await client.GetMeAsync();
        await client.RefreshAsync();
        Assert.Equal(self, Issuer(client.AccessToken!));
    }

    [Fact]
    public async Task The_configured_public_url_is_the_issuer_and_the_base_of_discovery_links()
    {
        const string publicUrl = "https://chat.example.org";
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["PUBLIC_URL"] = publicUrl + "/" });
        var (client, user, password) = await server.NewUserAsync("configured");
        using var _c = client;

        foreach (var host in new[] { null, ForgedHost })
        {
            var discovery = await DiscoveryAsync(server, host);
            Assert.Equal(publicUrl, (string?)discovery["issuer"]);
            Assert.Equal(publicUrl + "/.well-known/jwks.json", (string?)discovery["jwks_uri"]);
            Assert.Equal(publicUrl + "/api/v1/auth/login", (string?)discovery["token_endpoint"]);
        }

        Assert.Equal(publicUrl, Issuer(client.AccessToken!));
        Assert.Equal(publicUrl, Issuer(await LoginAsync(server, user.Username, password, ForgedHost)));
        await client.GetMeAsync();
    }

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("")]
    public async Task A_token_signed_by_this_server_with_another_issuer_is_refused(string issuer)
    {
        await using var server = await TestServer.StartAsync(provider);
        var (client, user, _) = await server.NewUserAsync("issuer");
        using var _c = client;
        var genuine = new JsonWebToken(client.AccessToken!);

        // Same key, same live session, same audience: only the issuer differs.
        var keys = server.Services.GetRequiredService<SigningKeyStore>();
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        var minted = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer.Length == 0 ? null : issuer,
            Audience = AccessTokens.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, user.Id),
                new Claim(AccessTokens.SessionClaim, genuine.GetClaim(AccessTokens.SessionClaim).Value),
            ]),
            SigningCredentials = new SigningCredentials(keys.Current, SecurityAlgorithms.EcdsaSha256),
        });

        await client.GetMeAsync();
        using var forged = server.NewClient();
        forged.AccessToken = minted;
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => forged.GetMeAsync());

        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/users/@me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", minted);
        request.Headers.Host = issuer.Length == 0 ? ForgedHost : new Uri(issuer).Authority;
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        await using var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await gateway.SendAsync(GatewayOp.Identify, new IdentifyPayload(minted), VoxoraJsonContext.Default.IdentifyPayload);
        var closed = await gateway.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(GatewayCloseCodes.AuthenticationFailed, (int?)closed.Status);
    }
}

public sealed class PublicOriginTestsOnSqlite() : PublicOriginTests(Provider.Sqlite);

public sealed class PublicOriginTestsOnPostgres() : PublicOriginTests(Provider.Postgres);
