using Voxora.Server.Features.Voice;

namespace Voxora.Server.Tests.Voice;

public sealed class VoiceUnitTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void Turn_credential_matches_coturn_rest_scheme()
    {
        // printf '%s' "1739232000:usr_01HTEST" | openssl dgst -sha1 -hmac "north-wind-secret" -binary | base64
        Assert.Equal("jxLA8HciBW6vWTTpNpmdCe3QMYM=", TurnCredentials.Credential("north-wind-secret", "1739232000:usr_01HTEST"));
        Assert.Equal("1739232000:usr_01HTEST", TurnCredentials.Username(1_739_232_000, "usr_01HTEST"));
    }

    [Fact]
    public void Ice_servers_hold_stun_and_turn_with_expiring_credentials()
    {
        var options = new VoiceOptions
        {
            StunUrls = "stun:turn.example.org:3478",
            TurnUrls = "turn:turn.example.org:3478?transport=udp, turns:turn.example.org:443?transport=tcp",
            TurnSecret = "north-wind-secret",
            TurnTtlSeconds = 3600,
        };
        var now = DateTimeOffset.FromUnixTimeSeconds(1_739_228_400);
        var response = new TurnCredentials(options, new FixedClock(now)).For("usr_01HTEST");

        Assert.Equal(3600, response.Ttl);
        Assert.Equal(2, response.IceServers.Count);
        Assert.Equal(["stun:turn.example.org:3478"], response.IceServers[0].Urls);
        Assert.Null(response.IceServers[0].Username);
        var turn = response.IceServers[1];
        Assert.Equal(2, turn.Urls.Count);
        Assert.Equal("1739232000:usr_01HTEST", turn.Username);
        Assert.Equal("jxLA8HciBW6vWTTpNpmdCe3QMYM=", turn.Credential);
    }

    [Fact]
    public void Without_a_turn_secret_only_stun_is_handed_out()
    {
        var response = new TurnCredentials(new VoiceOptions { StunUrls = "stun:a.example:3478" }, TimeProvider.System).For("usr_x");
        Assert.Single(response.IceServers);
        Assert.Empty(new TurnCredentials(new VoiceOptions(), TimeProvider.System).For("usr_x").IceServers);
    }

    [Fact]
    public void Options_name_the_bad_setting()
    {
        var errors = new VoiceOptions
        {
            JanusUrl = "http://janus:8088/janus",
            RtpPortMin = 30000,
            RtpPortMax = 20000,
            TurnUrls = "turn:x.example:3478",
            StunUrls = "x.example",
            Nat11 = "not-an-ip",
        }.Validate().ToList();
        Assert.Contains(errors, e => e.Contains("VOXORA_VOICE__JANUS_URL", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("VOXORA_VOICE__RTP_PORT_MIN", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("VOXORA_VOICE__TURN_SECRET", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("VOXORA_VOICE__STUN_URLS", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("VOXORA_VOICE__NAT_1_1", StringComparison.Ordinal));
        Assert.Empty(new VoiceOptions { JanusUrl = "ws://10.0.0.5:8188, wss://janus2.example/ws" }.Validate());
        Assert.Equal(2, new VoiceOptions { JanusUrl = "ws://10.0.0.5:8188, wss://janus2.example/ws" }.JanusUrls.Count);
    }

    [Fact]
    public void Janus_config_binds_loopback_and_carries_the_settings()
    {
        var launch = new JanusLaunch("/data/janus", 41234, "apisecret1", "adminsecret1", "roomkey1");
        var options = new VoiceOptions { RtpPortMin = 30000, RtpPortMax = 30099, Nat11 = "203.0.113.7", IceEnforceList = "eth0" };
        var core = JanusConfig.Core(launch, options);
        Assert.Contains("api_secret = \"apisecret1\"", core, StringComparison.Ordinal);
        Assert.Contains("rtp_port_range = \"30000-30099\"", core, StringComparison.Ordinal);
        Assert.Contains("nat_1_1_mapping = \"203.0.113.7\"", core, StringComparison.Ordinal);
        Assert.Contains("ice_enforce_list = \"eth0\"", core, StringComparison.Ordinal);
        Assert.Contains("plugins_folder = \"/data/janus/plugins\"", core, StringComparison.Ordinal);
        Assert.Contains("log_to_file = \"/data/janus/janus.log\"", core, StringComparison.Ordinal);

        var ws = JanusConfig.WebSockets(launch);
        Assert.Contains("ws_ip = \"127.0.0.1\"", ws, StringComparison.Ordinal);
        Assert.Contains("ws_port = 41234", ws, StringComparison.Ordinal);
        Assert.Contains("admin_ws = false", ws, StringComparison.Ordinal);
        Assert.Contains("admin_key = \"roomkey1\"", JanusConfig.VideoRoomPlugin(launch), StringComparison.Ordinal);
        Assert.Equal(new Uri("ws://127.0.0.1:41234/"), launch.Url);
    }
}
