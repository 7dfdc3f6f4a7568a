using System.Net;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests.Voice;

/// <summary>The voice REST surface without a Janus: status explains why voice is unavailable, ICE servers work.</summary>
public sealed class VoiceApiTests
{
    [Fact]
    public async Task Voice_endpoints_need_a_signed_in_user()
    {
        await using var server = await TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?> { ["VOICE:ENABLED"] = "false" });
        using var anonymous = server.NewClient();
        var status = await anonymous.Http.GetAsync("api/v1/voice/status");
        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
        var ice = await anonymous.Http.PostAsync("api/v1/voice/ice-servers", null);
        Assert.Equal(HttpStatusCode.Unauthorized, ice.StatusCode);
    }

    [Fact]
    public async Task Without_a_janus_binary_voice_is_unavailable_with_a_reason_and_the_rest_works()
    {
        await using var server = await TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?>
        {
            ["VOICE:ENABLED"] = "true",
            ["VOICE:JANUS_BINARY"] = "/nonexistent/janus",
        });
        var (client, _, _) = await server.NewUserAsync();
        VoiceStatus status;
        var waited = 0;
        do
        {
            status = await client.GetAsync("api/v1/voice/status", VoxoraJsonContext.Default.VoiceStatus);
            if (status.Reason != "voice is starting") break;
            await Task.Delay(50);
        }
        while (++waited < 100);

        Assert.False(status.Available);
        Assert.Contains("not installed", status.Reason, StringComparison.Ordinal);
        // Chat keeps working.
        var me = await client.GetAsync("api/v1/users/@me", VoxoraJsonContext.Default.User);
        Assert.NotNull(me.Id);
    }

    [Fact]
    public async Task Disabled_voice_says_so()
    {
        await using var server = await TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?> { ["VOICE:ENABLED"] = "false" });
        var (client, _, _) = await server.NewUserAsync();
        var status = await client.GetAsync("api/v1/voice/status", VoxoraJsonContext.Default.VoiceStatus);
        Assert.False(status.Available);
        Assert.Contains("disabled", status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ice_servers_carry_turn_credentials_for_the_caller()
    {
        await using var server = await TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?>
        {
            ["VOICE:ENABLED"] = "false",
            ["VOICE:STUN_URLS"] = "stun:turn.example.org:3478",
            ["VOICE:TURN_URLS"] = "turn:turn.example.org:3478?transport=udp",
            ["VOICE:TURN_SECRET"] = "north-wind-secret",
            ["VOICE:TURN_TTL_SECONDS"] = "600",
        });
        var (client, user, _) = await server.NewUserAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/voice/ice-servers");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", client.AccessToken);
        using var response = await client.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadAsStringAsync();
        var body = System.Text.Json.JsonSerializer.Deserialize(json, VoxoraJsonContext.Default.IceServersResponse)!;
        Assert.Contains("\"ice_servers\"", json, StringComparison.Ordinal);
        Assert.Equal(600, body.Ttl);
        var turn = Assert.Single(body.IceServers, s => s.Username is not null);
        var parts = turn.Username!.Split(':');
        Assert.Equal(user.Id, parts[1]);
        var expiry = long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiry - TimeProvider.System.GetUtcNow().ToUnixTimeSeconds(), 590, 610);
        Assert.Equal(Features.Voice.TurnCredentials.Credential("north-wind-secret", turn.Username), turn.Credential);
    }
}
