using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Protocol;
using Voxora.Server.Features.Voice;
using Voxora.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Voxora.Server.Tests.Voice;

/// <summary>
/// Runs only inside the private network namespace scripts/voice-netns.sh creates (lo + a veth pair whose two
/// ends both live in the namespace, no route out): Janus gathers no ICE candidates on loopback, and these
/// tests must never reach an address outside this machine.
/// </summary>
public sealed class JanusFactAttribute : FactAttribute
{
    public JanusFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("VOXORA_TEST_VOICE_NETNS") != "1")
        {
            Skip = "needs a real Janus in a private network namespace: run scripts/voice-netns.sh (scripts/test.sh does)";
        }
        else if (HasDefaultRoute())
        {
            Skip = "this network namespace has a default route; voice tests only run in an isolated namespace";
        }
        else if (JanusConfig.FindBinary("janus") is null)
        {
            Skip = "janus is not installed (Debian package 'janus')";
        }
    }

    private static bool HasDefaultRoute() =>
        File.Exists("/proc/net/route")
        && File.ReadLines("/proc/net/route").Skip(1).Any(l => l.Split('\t', StringSplitOptions.RemoveEmptyEntries) is [_, "00000000", ..]);
}

public sealed class JanusLiveTests(ITestOutputHelper output)
{
    private static Dictionary<string, string?> VoiceOn() => new()
    {
        ["VOICE:ENABLED"] = "true",
        ["VOICE:AUDIO_ACTIVE_PACKETS"] = "10",
        ["Logging:LogLevel:Voxora.Server.Features.Voice"] = "Information",
    };

    private static VoiceRoomSettings Room(string name) => new(Bitrate: 64_000, MaxPublishers: 50, AudioActivePackets: 10, AudioLevelAverage: 40, Description: name);

    [JanusFact]
    public async Task Supervisor_starts_janus_and_info_answers()
    {
        await using var server = await TestServer.StartAsync(Provider.Sqlite, VoiceOn());
        var supervisor = server.Services.GetRequiredService<JanusSupervisor>();
        var node = await supervisor.WaitForNodeAsync(TimeSpan.FromSeconds(20));

        var info = await node.Client!.InfoAsync();
        Assert.Equal("server_info", info["janus"]?.GetValue<string>());
        Assert.NotNull(info["plugins"]?[VideoRoom.Plugin]);
        // Only the VideoRoom plugin and the WebSocket transport are loaded.
        Assert.Single(info["plugins"]!.AsObject());
        Assert.Single(info["transports"]!.AsObject());
        Assert.NotNull(node.ProcessId);

        var (client, _, _) = await server.NewUserAsync();
        var status = await client.GetAsync("api/v1/voice/status", VoxoraJsonContext.Default.VoiceStatus);
        Assert.True(status.Available, status.Reason);
    }

    [JanusFact]
    public async Task Janus_refuses_requests_without_the_per_start_api_secret()
    {
        await using var server = await TestServer.StartAsync(Provider.Sqlite, VoiceOn());
        var node = await server.Services.GetRequiredService<JanusSupervisor>().WaitForNodeAsync(TimeSpan.FromSeconds(20));
        await using var intruder = await JanusClient.ConnectAsync(
            node.Client!.Url, apiSecret: null, TimeSpan.FromSeconds(5), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, default);
        var error = await Assert.ThrowsAsync<JanusException>(() => intruder.CreateSessionAsync());
        Assert.Equal(403, error.Code); // JANUS_ERROR_UNAUTHORIZED
    }

    [JanusFact]
    public async Task A_room_is_created_listed_and_destroyed()
    {
        await using var server = await TestServer.StartAsync(Provider.Sqlite, VoiceOn());
        var node = await server.Services.GetRequiredService<JanusSupervisor>().WaitForNodeAsync(TimeSpan.FromSeconds(20));
        var rooms = await VideoRoom.AttachAsync(node.Session!, node.RoomAdminKey);

        const long room = 4242;
        await rooms.CreateRoomAsync(room, Room("ch_test"));
        Assert.True(await rooms.ExistsAsync(room));
        Assert.Empty(await rooms.ListParticipantsAsync(room));

        // Creating rooms needs the per-start admin key.
        var keyless = await VideoRoom.AttachAsync(node.Session!, adminKey: null);
        var refused = await Assert.ThrowsAsync<JanusException>(() => keyless.CreateRoomAsync(4243, Room("x")));
        output.WriteLine($"create without admin_key: {refused.Message}");

        await rooms.DestroyRoomAsync(room);
        Assert.False(await rooms.ExistsAsync(room));
        var missing = await Assert.ThrowsAsync<JanusException>(() => rooms.ListParticipantsAsync(room));
        Assert.Equal(426, missing.Code); // JANUS_VIDEOROOM_ERROR_NO_SUCH_ROOM
    }

    /// <summary>
    /// Issue 7's round trip at the media plane: a Chromium publisher (fake mic playing a tone) and a Chromium
    /// subscriber, both negotiated through the server's JanusClient; audio reaches the subscriber, Janus reports
    /// the publisher talking, a server-side mute stops forwarding and unmute resumes it.
    /// </summary>
    [JanusFact]
    public async Task Browser_round_trip_audio_flows_talking_is_reported_and_server_mute_stops_forwarding()
    {
        await using var server = await TestServer.StartAsync(Provider.Sqlite, VoiceOn());
        var node = await server.Services.GetRequiredService<JanusSupervisor>().WaitForNodeAsync(TimeSpan.FromSeconds(20));
        var wav = CdpBrowser.WriteToneWav(server.DataDir);
        await using var browser = await CdpBrowser.LaunchAsync(new Uri(server.BaseAddress, "health/live"), wav);
        await browser.EvaluateAsync(CdpBrowser.Helpers);

        using var events = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<JanusEvent>();
        var talking = new TaskCompletionSource<JanusEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in node.Client!.EventsAsync(events.Token))
                {
                    lock (seen) seen.Add(e);
                    if (e.PluginData?["videoroom"]?.GetValue<string>() == "talking")
                    {
                        talking.TrySetResult(e);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var rooms = await VideoRoom.AttachAsync(node.Session!, node.RoomAdminKey);
        const long room = 7001;
        await rooms.CreateRoomAsync(room, Room("ch_voice"));

        // Publisher A.
        var joinClock = Stopwatch.StartNew();
        var publisher = await VideoRoom.AttachAsync(node.Session!, node.RoomAdminKey);
        var joined = await publisher.JoinAsPublisherAsync(room, id: 1001, display: "usr_a");
        Assert.Equal(1001, joined.Id);
        Assert.Empty(joined.Publishers);
        var offer = (await browser.EvaluateAsync("vx.publish('a')"))!.GetValue<string>();
        Assert.Contains("m=audio", offer, StringComparison.Ordinal);
        var configured = await publisher.ConfigureAsync(new SessionDescription("offer", offer));
        Assert.Equal("answer", configured.Answer.Type);
        Assert.Contains("a=candidate", configured.Answer.Sdp, StringComparison.Ordinal);
        Assert.NotNull(configured.AudioMid);
        await browser.EvaluateAsync($"vx.accept('a', {Js(configured.Answer.Sdp)})");
        output.WriteLine($"publisher: join → answer applied {joinClock.ElapsedMilliseconds} ms; audio mid {configured.AudioMid}");
        // A feed can be subscribed to once its PeerConnection is up (Janus: "No such feed" before that).
        await WaitForAsync(seen, e => e.Kind == "webrtcup" && e.HandleId == publisher.Handle.Id, TimeSpan.FromSeconds(10));
        output.WriteLine($"publisher: join → webrtcup {joinClock.ElapsedMilliseconds} ms");

        // Subscriber B.
        var subscribeClock = Stopwatch.StartNew();
        var subscriber = await VideoRoom.AttachAsync(node.Session!, node.RoomAdminKey);
        var subOffer = await subscriber.JoinAsSubscriberAsync(room, [joined.Id], joined.PrivateId);
        var subAnswer = (await browser.EvaluateAsync($"vx.subscribe('b', {Js(subOffer.Sdp)})"))!.GetValue<string>();
        await subscriber.StartAsync(new SessionDescription("answer", subAnswer));
        var first = (await browser.EvaluateAsync("vx.waitPackets('b', 1, 15000)", TimeSpan.FromSeconds(20)))!.AsObject();
        var firstPacketMs = subscribeClock.ElapsedMilliseconds;
        var joinToFirstPacketMs = joinClock.ElapsedMilliseconds;
        Assert.True(first["packets"]!.GetValue<long>() >= 1, "no audio reached the subscriber: " + first.ToJsonString());
        output.WriteLine($"first audio packet at subscriber: {firstPacketMs} ms after subscriber join, {joinToFirstPacketMs} ms after publisher join");

        var flowing = (await browser.EvaluateAsync("vx.waitPackets('b', 50, 10000)"))!.AsObject();
        Assert.True(flowing["packets"]!.GetValue<long>() >= 50, flowing.ToJsonString());

        var talk = await talking.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(joined.Id, talk.PluginData!["id"]!.GetValue<long>());
        output.WriteLine($"talking event: {talk.PluginData.ToJsonString()}");

        var participants = await rooms.ListParticipantsAsync(room);
        Assert.Contains(participants, p => p.Id == joined.Id && p.Publisher && p.Display == "usr_a");

        // Server mute: Janus stops forwarding A's audio.
        await rooms.ModerateAsync(room, joined.Id, configured.AudioMid!, mute: true);
        await Task.Delay(500);
        var mutedStart = await PacketsAsync(browser, "b");
        await Task.Delay(2000);
        var mutedEnd = await PacketsAsync(browser, "b");
        output.WriteLine($"while server-muted: {mutedEnd - mutedStart} packets in 2 s");
        Assert.True(mutedEnd - mutedStart <= 2, $"audio still forwarded while muted: {mutedEnd - mutedStart} packets");

        await rooms.ModerateAsync(room, joined.Id, configured.AudioMid!, mute: false);
        await Task.Delay(500);
        var unmutedStart = await PacketsAsync(browser, "b");
        await Task.Delay(1000);
        var unmutedEnd = await PacketsAsync(browser, "b");
        Assert.True(unmutedEnd - unmutedStart >= 25, $"audio did not resume after unmute: {unmutedEnd - unmutedStart} packets in 1 s");

        // Janus CPU per forwarded stream: add subscribers until 20 streams are forwarded, then sample /proc.
        const int streams = 20;
        var extra = new List<VideoRoom>();
        for (var i = 1; i < streams; i++)
        {
            var handle = await VideoRoom.AttachAsync(node.Session!, node.RoomAdminKey);
            var o = await handle.JoinAsSubscriberAsync(room, [joined.Id], joined.PrivateId);
            var a = (await browser.EvaluateAsync($"vx.subscribe('s{i}', {Js(o.Sdp)})"))!.GetValue<string>();
            await handle.StartAsync(new SessionDescription("answer", a));
            extra.Add(handle);
        }

        await browser.EvaluateAsync($"vx.waitPackets('s{streams - 1}', 25, 10000)");
        var cpuBefore = CpuSeconds(node.ProcessId!.Value);
        var wall = Stopwatch.StartNew();
        await Task.Delay(5000);
        var cpu = CpuSeconds(node.ProcessId!.Value) - cpuBefore;
        var streamSeconds = streams * wall.Elapsed.TotalSeconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Janus CPU with {streams} forwarded audio streams: {cpu:0.00} CPU-s over {wall.Elapsed.TotalSeconds:0.0} s = {(cpu > 0 ? streamSeconds / cpu : double.PositiveInfinity):0} stream-seconds per CPU-second"));

        // A hangup from the publisher's side: A leaves, Janus tells the room it unpublished.
        await publisher.LeaveAsync();
        await Task.Delay(300);
        Assert.DoesNotContain(await rooms.ListParticipantsAsync(room), p => p.Id == joined.Id);
        await rooms.DestroyRoomAsync(room);

        await events.CancelAsync();
        await pump;
        lock (seen)
        {
            var kinds = seen.Select(e => e.Kind + (e.PluginData?["videoroom"] is { } v ? "/" + v : "")).Distinct().Order().ToList();
            output.WriteLine("events seen: " + string.Join(", ", kinds));
            Assert.Contains(seen, e => e.Kind == "webrtcup");
            Assert.Contains(seen, e => e.Kind == "media");
        }
    }

    [JanusFact]
    public async Task Killing_janus_mid_call_makes_the_supervisor_restart_it()
    {
        await using var server = await TestServer.StartAsync(Provider.Sqlite, VoiceOn());
        var supervisor = server.Services.GetRequiredService<JanusSupervisor>();
        var node = await supervisor.WaitForNodeAsync(TimeSpan.FromSeconds(20));
        var wav = CdpBrowser.WriteToneWav(server.DataDir);
        await using var browser = await CdpBrowser.LaunchAsync(new Uri(server.BaseAddress, "health/live"), wav);
        await browser.EvaluateAsync(CdpBrowser.Helpers);

        var rooms = await VideoRoom.AttachAsync(node.Session!, node.RoomAdminKey);
        await rooms.CreateRoomAsync(9001, Room("ch_kill"));
        var publisher = await VideoRoom.AttachAsync(node.Session!, node.RoomAdminKey);
        await publisher.JoinAsPublisherAsync(9001, 1, "usr_a");
        var offer = (await browser.EvaluateAsync("vx.publish('a')"))!.GetValue<string>();
        var configured = await publisher.ConfigureAsync(new SessionDescription("offer", offer));
        await browser.EvaluateAsync($"vx.accept('a', {Js(configured.Answer.Sdp)})");

        var up = new TaskCompletionSource<JanusNodeUpEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        supervisor.NodeUp += (_, e) => up.TrySetResult(e);
        var oldPid = node.ProcessId!.Value;
        var generation = node.Generation;
        var clock = Stopwatch.StartNew();
        using (var janus = Process.GetProcessById(oldPid))
        {
            janus.Kill(); // a process this test's server started
        }

        var restarted = await up.Task.WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"Janus back after {clock.ElapsedMilliseconds} ms (generation {restarted.Generation})");
        Assert.Equal(generation + 1, restarted.Generation);
        Assert.NotEqual(oldPid, node.ProcessId);
        Assert.True(supervisor.Status.Available, supervisor.Status.Reason);

        // The new Janus has no rooms; the voice layer recreates them on NodeUp.
        var fresh = await VideoRoom.AttachAsync(node.Session!, node.RoomAdminKey);
        Assert.False(await fresh.ExistsAsync(9001));
        await fresh.CreateRoomAsync(9001, Room("ch_kill"));
        Assert.True(await fresh.ExistsAsync(9001));
    }

    /// <summary>
    /// Voice signaling end to end: two gateway sessions join the same voice channel (op 4), get VOICE_SERVER (op 5),
    /// negotiate both PeerConnections of their Chromium page through op 13 / VOICE_SIGNAL only, and each receives the
    /// other's audio; Janus's talking detection reaches the channel as VOICE_SPEAKING; leaving destroys the room.
    /// </summary>
    [JanusFact]
    public async Task Two_gateway_sessions_join_a_voice_channel_and_hear_each_other()
    {
        await using var server = await TestServer.StartAsync(Provider.Sqlite, VoiceOn());
        var node = await server.Services.GetRequiredService<JanusSupervisor>().WaitForNodeAsync(TimeSpan.FromSeconds(20));
        await using var browser = await VoiceCall.BrowserAsync(server);

        var (ownerApi, _, community) = await server.NewCommunityAsync();
        var (memberApi, _) = await server.NewMemberAsync(ownerApi, community.Id);
        var channel = community.VoiceChannel().Id;
        var clock = Stopwatch.StartNew();
        await using var a = await VoiceCall.IdentifyAsync(server, browser, ownerApi, "a", output);
        await using var b = await VoiceCall.IdentifyAsync(server, browser, memberApi, "b", output);
        try
        {
            await VoiceCall.TalkAsync(a, b, channel);
            output.WriteLine($"audio both ways {clock.ElapsedMilliseconds} ms after the first join");

            var speaking = await b.UntilAsync(f => f.T == GatewayEvents.VoiceSpeaking);
            output.WriteLine("speaking: " + speaking.D);
            Assert.Equal(1, node.RoomCount);

            // The room was made with the channel's bitrate, and an edit of the channel reaches the live room.
            var rooms = await VideoRoom.AttachAsync(node.Session!, node.RoomAdminKey);
            Assert.Equal(64_000, await RoomBitrateAsync(rooms, node.RoomAdminKey, channel));
            await ownerApi.UpdateChannelAsync(channel, new UpdateChannelRequest(Bitrate: 96_000));
            await WaitUntilAsync(() => RoomBitrateAsync(rooms, node.RoomAdminKey, channel).GetAwaiter().GetResult() == 96_000, TimeSpan.FromSeconds(5));
            Assert.Equal(96_000, await RoomBitrateAsync(rooms, node.RoomAdminKey, channel));

            await a.LeaveAsync();
            await b.UntilAsync(f => f.T == GatewayEvents.VoiceStateUpdate && f.D!.Value.GetProperty("channel_id").ValueKind == JsonValueKind.Null);
            await b.LeaveAsync();
            await WaitUntilAsync(() => node.RoomCount == 0, TimeSpan.FromSeconds(5));
            Assert.Equal(0, node.RoomCount);
        }
        finally
        {
            a.Dump();
            b.Dump();
        }
    }

    /// <summary>
    /// Three members over the gateway against the real Janus: a listener who never publishes hears the member already
    /// talking and, after a renegotiation, the one who comes later; a moderator's server mute (REST) stops the muted
    /// member's audio at Janus and server deafen stops everything reaching the deafened member; both lift again; and
    /// when Janus is killed mid-call every member gets a new VOICE_SERVER, renegotiates, and hears the others again.
    /// </summary>
    [JanusFact]
    public async Task Listeners_moderation_and_a_janus_restart_over_the_gateway()
    {
        await using var server = await TestServer.StartAsync(Provider.Sqlite, VoiceOn());
        var supervisor = server.Services.GetRequiredService<JanusSupervisor>();
        var node = await supervisor.WaitForNodeAsync(TimeSpan.FromSeconds(20));
        await using var browser = await VoiceCall.BrowserAsync(server);

        var (ownerApi, _, community) = await server.NewCommunityAsync();
        var (speakerApi, speakerUser) = await server.NewMemberAsync(ownerApi, community.Id);
        var (listenerApi, _) = await server.NewMemberAsync(ownerApi, community.Id);
        var (ownerUser, channel) = (await ownerApi.GetMeAsync(), community.VoiceChannel().Id);
        await using var owner = await VoiceCall.IdentifyAsync(server, browser, ownerApi, "owner", output);
        await using var speaker = await VoiceCall.IdentifyAsync(server, browser, speakerApi, "speaker", output);
        await using var listener = await VoiceCall.IdentifyAsync(server, browser, listenerApi, "listener", output);
        try
        {
            // The owner talks; a listener who never publishes joins and hears them.
            await owner.JoinAsync(channel);
            await owner.PublishAsync();
            await listener.JoinAsync(channel);
            await listener.AnswerRecvOfferAsync();
            Assert.True(await listener.WaitPacketsAsync(25) >= 25, "the listener does not hear the member already talking");

            // A second speaker: the owner gets its first receive offer, the listener a renegotiation with a second stream.
            await speaker.JoinAsync(channel);
            await speaker.PublishAsync();
            await owner.AnswerRecvOfferAsync();
            await speaker.AnswerRecvOfferAsync();
            await listener.AnswerRecvOfferAsync();
            Assert.True(await owner.WaitPacketsAsync(25) >= 25, "the owner does not hear the speaker");
            Assert.True(await speaker.WaitPacketsAsync(25) >= 25, "the speaker does not hear the owner");
            Assert.Equal(2, await listener.InboundStreamsAsync(minPackets: 10));

            // Server mute (REST): Janus stops forwarding the speaker; the owner (who hears only the speaker) gets nothing.
            var muted = await ownerApi.ModerateVoiceAsync(community.Id, speakerUser.Id, serverMute: true);
            Assert.True(muted.ServerMute);
            Assert.True(await owner.PacketsInAsync(TimeSpan.FromSeconds(2)) <= 2, "the server-muted speaker is still forwarded");
            await ownerApi.ModerateVoiceAsync(community.Id, speakerUser.Id, serverMute: false);
            Assert.True(await owner.PacketsInAsync(TimeSpan.FromSeconds(1)) >= 25, "audio did not resume after the server unmute");

            // Server deafen: nothing reaches the deafened owner any more, until it is lifted.
            await ownerApi.ModerateVoiceAsync(community.Id, ownerUser.Id, serverDeaf: true);
            Assert.True(await owner.PacketsInAsync(TimeSpan.FromSeconds(2)) <= 2, "audio still reaches a server-deafened member");
            await ownerApi.ModerateVoiceAsync(community.Id, ownerUser.Id, serverDeaf: false);
            Assert.True(await owner.PacketsInAsync(TimeSpan.FromSeconds(1)) >= 25, "audio did not resume after undeafen");

            // Janus dies mid-call: the supervisor restarts it and every member is handed a new voice session.
            var restarted = Stopwatch.StartNew();
            using (var janus = Process.GetProcessById(node.ProcessId!.Value))
            {
                janus.Kill(); // a process this test's server started
            }

            foreach (var call in new[] { owner, speaker, listener })
            {
                await call.ExpectVoiceServerAsync(channel);
                call.CloseConnections();
            }

            output.WriteLine($"new VOICE_SERVER for all three {restarted.ElapsedMilliseconds} ms after the kill");
            await owner.PublishAsync();
            await speaker.PublishAsync();
            await owner.AnswerRecvOfferAsync();
            await speaker.AnswerRecvOfferAsync();
            await listener.AnswerRecvOfferAsync();
            Assert.True(await owner.WaitPacketsAsync(25) >= 25, "the owner does not hear the speaker after the restart");
            Assert.True(await listener.WaitPacketsAsync(25) >= 25, "the listener hears nothing after the restart");
            output.WriteLine($"audio again {restarted.ElapsedMilliseconds} ms after the kill");
        }
        finally
        {
            owner.Dump();
            speaker.Dump();
            listener.Dump();
        }
    }

    /// <summary>The bitrate Janus holds for the voice room of <paramref name="channelId"/> (<c>list</c> with the admin key shows private rooms).</summary>
    private static async Task<long> RoomBitrateAsync(VideoRoom handle, string? adminKey, string channelId)
    {
        var (data, _) = await handle.Handle.MessageAsync(new System.Text.Json.Nodes.JsonObject { ["request"] = "list", ["admin_key"] = adminKey });
        var room = (data["list"] as System.Text.Json.Nodes.JsonArray ?? []).OfType<System.Text.Json.Nodes.JsonObject>()
            .Single(r => r["description"]?.GetValue<string>() == "voxora " + channelId);
        return room["bitrate"]!.GetValue<long>();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (!condition() && waited.Elapsed < timeout)
        {
            await Task.Delay(20);
        }
    }

    private static async Task WaitForAsync(List<JanusEvent> seen, Func<JanusEvent, bool> match, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            lock (seen)
            {
                if (seen.Any(match)) return;
            }

            await Task.Delay(10);
        }

        lock (seen)
        {
            Assert.Fail("expected Janus event did not arrive; seen: " + string.Join(", ", seen.Select(e => e.Kind)));
        }
    }

    private static async Task<long> PacketsAsync(CdpBrowser browser, string name) =>
        (await browser.EvaluateAsync($"vx.inbound('{name}')"))!["packets"]!.GetValue<long>();

    private static string Js(string value) => System.Text.Json.JsonSerializer.Serialize(value, VoxoraJsonContextStrings.Default.String);

    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // utime and stime are fields 14 and 15 of /proc/<pid>/stat (11 and 12 after the command name), in USER_HZ (100).
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class VoxoraJsonContextStrings : System.Text.Json.Serialization.JsonSerializerContext;
