using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Server.Features.Voice;
using Voxora.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Voxora.Server.Tests.Voice;

/// <summary>
/// The two deployment shapes docs/voice.md describes besides the default, for real, inside the private network
/// namespace: an external Janus that Voxora did not start (VOXORA_VOICE__JANUS_URL), and browsers that may only
/// reach Janus through a real coturn with the TURN credentials Voxora hands out.
/// </summary>
public sealed class JanusLiveDeploymentTests(ITestOutputHelper output)
{
    /// <summary>The veth address inside the test namespace (scripts/voice-netns.sh) that coturn listens on.</summary>
    private const string TurnAddress = "10.213.0.1";

    [JanusFact]
    public async Task An_external_janus_is_used_and_rejoined_after_it_restarts()
    {
        var binary = JanusConfig.FindBinary("janus")!;
        var libDir = JanusConfig.FindLibDir(null, binary, out var searched) ?? throw new InvalidOperationException("no Janus libraries: " + searched);
        var folder = Directory.CreateTempSubdirectory("voxora-external-janus-").FullName;
        var launch = new JanusLaunch(folder, FreePort(), Secret(), Secret(), Secret());
        JanusConfig.Write(launch, libDir, new VoiceOptions());
        var janus = StartProcess(binary, "--config=" + launch.ConfigFile, "--configs-folder=" + folder, "--disable-stdout");
        try
        {
            await using var server = await TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?>
            {
                ["VOICE:ENABLED"] = "true",
                ["VOICE:JANUS_URL"] = launch.Url.ToString(),
                ["VOICE:JANUS_API_SECRET"] = launch.ApiSecret,
                ["VOICE:JANUS_ADMIN_KEY"] = launch.RoomAdminKey,
            });
            var supervisor = server.Services.GetRequiredService<JanusSupervisor>();
            var node = await supervisor.WaitForNodeAsync(TimeSpan.FromSeconds(20));
            Assert.Null(node.ProcessId); // not a child of Voxora
            await using var browser = await VoiceCall.BrowserAsync(server);

            var (ownerApi, _, community) = await server.NewCommunityAsync();
            var (memberApi, _) = await server.NewMemberAsync(ownerApi, community.Id);
            var channel = community.VoiceChannel().Id;
            await using var a = await VoiceCall.IdentifyAsync(server, browser, ownerApi, "a", output);
            await using var b = await VoiceCall.IdentifyAsync(server, browser, memberApi, "b", output);
            await VoiceCall.TalkAsync(a, b, channel);
            Assert.Equal(1, node.RoomCount);

            // The operator restarts their Janus: Voxora reconnects and puts both members into a fresh room.
            var restart = Stopwatch.StartNew();
            janus.Kill();
            await janus.WaitForExitAsync();
            janus.Dispose();
            janus = StartProcess(binary, "--config=" + launch.ConfigFile, "--configs-folder=" + folder, "--disable-stdout");
            await a.ExpectVoiceServerAsync(channel);
            await b.ExpectVoiceServerAsync(channel);
            output.WriteLine($"both members got a new VOICE_SERVER {restart.ElapsedMilliseconds} ms after the external Janus was restarted");
            a.CloseConnections();
            b.CloseConnections();
            await VoiceCall.TalkAsync(a, b, channel, join: false);
        }
        finally
        {
            janus.Kill();
            await janus.WaitForExitAsync();
            janus.Dispose();
            Directory.Delete(folder, recursive: true);
        }
    }

    [JanusFact]
    public async Task Browsers_limited_to_turn_talk_through_coturn_with_the_credentials_voxora_issues()
    {
        var turnserver = JanusConfig.FindBinary("turnserver");
        Assert.True(turnserver is not null, "coturn is not installed (Debian package 'coturn'; scripts/test.sh installs it)");
        var secret = Secret();
        var folder = Directory.CreateTempSubdirectory("voxora-coturn-").FullName;
        var config = Path.Combine(folder, "turnserver.conf");
        await File.WriteAllTextAsync(config, $"""
            listening-ip={TurnAddress}
            listening-port=3478
            relay-ip={TurnAddress}
            min-port=49152
            max-port=49300
            use-auth-secret
            static-auth-secret={secret}
            realm=voxora.test
            fingerprint
            no-tls
            no-dtls
            no-cli
            no-multicast-peers
            allowed-peer-ip=10.213.0.0-10.213.0.3
            userdb={folder}/turndb
            pidfile={folder}/turnserver.pid
            log-file={folder}/turnserver.log
            simple-log
            """);
        using var coturn = StartProcess(turnserver!, "-c", config);
        try
        {
            await using var server = await TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?>
            {
                ["VOICE:ENABLED"] = "true",
                ["VOICE:TURN_URLS"] = $"turn:{TurnAddress}:3478?transport=udp",
                ["VOICE:TURN_SECRET"] = secret,
            });
            await server.Services.GetRequiredService<JanusSupervisor>().WaitForNodeAsync(TimeSpan.FromSeconds(20));
            await using var browser = await VoiceCall.BrowserAsync(server);

            var (ownerApi, _, community) = await server.NewCommunityAsync();
            var (memberApi, _) = await server.NewMemberAsync(ownerApi, community.Id);
            var channel = community.VoiceChannel().Id;
            await using var a = await VoiceCall.IdentifyAsync(server, browser, ownerApi, "a", output, relayOnly: true);
            await using var b = await VoiceCall.IdentifyAsync(server, browser, memberApi, "b", output, relayOnly: true);
            await VoiceCall.TalkAsync(a, b, channel);
            var turn = Assert.Single(a.IceServers, s => s.Username is not null);
            Assert.Matches(@"^\d+:usr_", turn.Username!);
            foreach (var (call, pc) in new[] { (a, "send"), (a, "recv"), (b, "send"), (b, "recv") })
            {
                var (local, remote) = await call.SelectedPairAsync(pc);
                output.WriteLine($"{pc}: {local} → {remote}");
                Assert.Equal("relay", local);
            }

            // A credential coturn did not sign (wrong secret) gets no relay: nothing can be gathered.
            await using var forger = await VoiceCall.IdentifyAsync(server, browser, memberApi, "forger", output, relayOnly: true);
            forger.UseIceServers([turn with { Credential = Convert.ToBase64String(HMACSHA1.HashData("not the secret"u8, System.Text.Encoding.UTF8.GetBytes(turn.Username!))) }]);
            var forged = await forger.OfferOnlyAsync();
            Assert.DoesNotContain("typ relay", forged, StringComparison.Ordinal);
        }
        finally
        {
            coturn.Kill();
            await coturn.WaitForExitAsync();
            var log = Path.Combine(folder, "turnserver.log");
            if (File.Exists(log))
            {
                foreach (var line in File.ReadLines(log).TakeLast(30))
                {
                    output.WriteLine("coturn: " + line);
                }
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    private static Process StartProcess(string binary, params string[] arguments)
    {
        var info = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + binary);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Secret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
}
