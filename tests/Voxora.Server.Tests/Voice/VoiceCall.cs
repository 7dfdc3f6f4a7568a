using System.Diagnostics;
using System.Text.Json;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Voxora.Server.Tests.Voice;

/// <summary>
/// One member's side of a voice call in the live tests: their gateway connection and two PeerConnections
/// ("{name}_send", "{name}_recv") in a shared Chromium page, negotiated only through op 4 / op 5 / op 13.
/// Frames passed over while waiting for something else are kept and matched first next time.
/// </summary>
public sealed class VoiceCall : IAsyncDisposable
{
    private readonly GatewayClient gateway;
    private readonly CdpBrowser browser;
    private readonly string name;
    private readonly ITestOutputHelper output;
    private readonly List<GatewayFrame> stash = [];
    private readonly List<string> log = [];

    private VoiceCall(GatewayClient gateway, CdpBrowser browser, string name, ITestOutputHelper output)
    {
        this.gateway = gateway;
        this.browser = browser;
        this.name = name;
        this.output = output;
    }

    public string? VoiceSessionId { get; private set; }

    /// <summary>The ICE servers of the last op 5.</summary>
    public IReadOnlyList<IceServer> IceServers { get; private set; } = [];

    /// <summary>When set, both PeerConnections use the op 5 ICE servers with <c>iceTransportPolicy: "relay"</c> (TURN only).</summary>
    public bool RelayOnly { get; init; }

    public static async Task<VoiceCall> IdentifyAsync(TestServer server, CdpBrowser browser, VoxoraClient api, string name, ITestOutputHelper output,
        bool relayOnly = false)
    {
        var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await gateway.IdentifyAsync(api.AccessToken!);
        return new VoiceCall(gateway, browser, name, output) { RelayOnly = relayOnly };
    }

    /// <summary>Replaces the ICE servers op 5 gave (to try credentials Voxora did not issue).</summary>
    public void UseIceServers(IReadOnlyList<IceServer> servers) => IceServers = servers;

    /// <summary>The RTCConfiguration the PeerConnections are made with (JavaScript).</summary>
    private string Config() => RelayOnly
        ? "{ iceTransportPolicy: 'relay', iceServers: " + JsonSerializer.Serialize(IceServers, VoxoraJsonContext.Default.IReadOnlyListIceServer) + " }"
        : "undefined";

    /// <summary>The local and remote candidate types of the selected pair of a PeerConnection ("send" or "recv").</summary>
    public async Task<(string? Local, string? Remote)> SelectedPairAsync(string pc)
    {
        var pair = (await browser.EvaluateAsync($"vx.pair('{name}_{pc}')"))!;
        return (pair["local"]?.GetValue<string>(), pair["remote"]?.GetValue<string>());
    }

    /// <summary>Makes the send PeerConnection's offer only (no signaling): what the browser could gather.</summary>
    public async Task<string> OfferOnlyAsync() => (await browser.EvaluateAsync($"vx.publish('{name}_probe', {Config()})"))!.GetValue<string>();

    /// <summary>A Chromium page with the test helpers and a fake microphone playing a tone (in the server's data folder).</summary>
    public static async Task<CdpBrowser> BrowserAsync(TestServer server)
    {
        var wav = CdpBrowser.WriteToneWav(server.DataDir, seconds: 10);
        var browser = await CdpBrowser.LaunchAsync(new Uri(server.BaseAddress, "health/live"), wav);
        await browser.EvaluateAsync(CdpBrowser.Helpers);
        return browser;
    }

    /// <summary>
    /// Both publish (joining <paramref name="channelId"/> first unless they hold a fresh op 5 already), both answer their
    /// receive offer, and each must hear the other (≥ 25 packets, half a second of audio).
    /// </summary>
    public static async Task TalkAsync(VoiceCall a, VoiceCall b, string channelId, bool join = true)
    {
        if (join)
        {
            await a.JoinAsync(channelId);
        }

        await a.PublishAsync();
        if (join)
        {
            await b.JoinAsync(channelId);
        }

        await b.PublishAsync();
        await a.AnswerRecvOfferAsync();
        await b.AnswerRecvOfferAsync();
        Assert.True(await a.WaitPacketsAsync(25) >= 25, $"{a.name} hears nothing");
        Assert.True(await b.WaitPacketsAsync(25) >= 25, $"{b.name} hears nothing");
    }

    /// <summary>Op 4 into <paramref name="channelId"/>, then waits for op 5.</summary>
    public async Task JoinAsync(string channelId)
    {
        await gateway.SendAsync(GatewayOp.VoiceStateUpdate, new VoiceStateUpdateRequest(channelId, false, false), VoxoraJsonContext.Default.VoiceStateUpdateRequest);
        await ExpectVoiceServerAsync(channelId);
    }

    public Task LeaveAsync() =>
        gateway.SendAsync(GatewayOp.VoiceStateUpdate, new VoiceStateUpdateRequest(null), VoxoraJsonContext.Default.VoiceStateUpdateRequest);

    /// <summary>Waits for op 5 for <paramref name="channelId"/> and remembers its voice session.</summary>
    public async Task ExpectVoiceServerAsync(string channelId)
    {
        var info = (await UntilAsync(f => f.Op == GatewayOp.VoiceServer)).D!.Value.Deserialize(VoxoraJsonContext.Default.VoiceServerPayload)!;
        Assert.Equal(channelId, info.ChannelId);
        VoiceSessionId = info.VoiceSessionId;
        IceServers = info.IceServers;
    }

    /// <summary>The send PeerConnection: the page's microphone offered, Janus's answer applied.</summary>
    public async Task PublishAsync()
    {
        var offer = (await browser.EvaluateAsync($"vx.publish('{name}_send', {Config()})"))!.GetValue<string>();
        await SignalAsync("send", "offer", offer);
        var answer = await NextSignalAsync("send");
        Assert.Equal("answer", answer.Type);
        await browser.EvaluateAsync($"vx.accept('{name}_send', {Js(answer.Sdp!)})");
    }

    /// <summary>Answers the next offer for the receive PeerConnection (the first one or a renegotiation).</summary>
    public async Task AnswerRecvOfferAsync()
    {
        var offer = await NextSignalAsync("recv");
        Assert.Equal("offer", offer.Type);
        var answer = (await browser.EvaluateAsync($"vx.subscribe('{name}_recv', {Js(offer.Sdp!)}, {Config()})"))!.GetValue<string>();
        await SignalAsync("recv", "answer", answer);
    }

    /// <summary>Audio packets received so far, after waiting up to 15 s for at least <paramref name="min"/>.</summary>
    public async Task<long> WaitPacketsAsync(int min) =>
        (await browser.EvaluateAsync($"vx.waitPackets('{name}_recv', {min}, 15000)", TimeSpan.FromSeconds(20)))!["packets"]!.GetValue<long>();

    /// <summary>How many audio packets arrive during <paramref name="window"/> (after half a second to settle).</summary>
    public async Task<long> PacketsInAsync(TimeSpan window)
    {
        await Task.Delay(500);
        var start = await PacketsAsync();
        await Task.Delay(window);
        var received = await PacketsAsync() - start;
        output.WriteLine($"{name}: {received} packets in {window.TotalSeconds:0.#} s");
        return received;
    }

    /// <summary>How many inbound audio streams have received at least <paramref name="minPackets"/> (waits up to 15 s for two).</summary>
    public async Task<int> InboundStreamsAsync(int minPackets)
    {
        var clock = Stopwatch.StartNew();
        var count = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            count = (await browser.EvaluateAsync(
                $"(async () => {{ let n = 0; (await vx.pcs['{name}_recv'].getStats()).forEach(r => {{ if (r.type === 'inbound-rtp' && r.kind === 'audio' && r.packetsReceived >= {minPackets}) n++; }}); return n; }})()"))!.GetValue<int>();
            if (count >= 2)
            {
                break;
            }

            await Task.Delay(100);
        }

        return count;
    }

    /// <summary>After a new op 5 the old PeerConnections are dead: close them so fresh ones are negotiated.</summary>
    public void CloseConnections()
    {
        _ = browser.EvaluateAsync($"vx.close('{name}_send') && vx.close('{name}_recv')");
    }

    private async Task<long> PacketsAsync() => (await browser.EvaluateAsync($"vx.inbound('{name}_recv')"))!["packets"]!.GetValue<long>();

    private Task SignalAsync(string pc, string type, string sdp) =>
        gateway.SendAsync(GatewayOp.VoiceSignal, new VoiceSignal(VoiceSessionId, pc, type, sdp), VoxoraJsonContext.Default.VoiceSignal);

    private async Task<VoiceSignal> NextSignalAsync(string pc)
    {
        var frame = await UntilAsync(f => f.T == GatewayEvents.VoiceSignal && f.D!.Value.GetProperty("pc").GetString() == pc);
        return frame.D!.Value.Deserialize(VoxoraJsonContext.Default.VoiceSignal)!;
    }

    /// <summary>The next frame matching; a VOICE_ERROR fails the test.</summary>
    public async Task<GatewayFrame> UntilAsync(Func<GatewayFrame, bool> match)
    {
        if (stash.FirstOrDefault(match) is { } earlier)
        {
            stash.Remove(earlier);
            return earlier;
        }

        while (true)
        {
            var frame = await gateway.ReceiveAsync(TimeSpan.FromSeconds(20));
            log.Add($"op {frame.Op} {frame.T} {Shorten(frame.D?.ToString())}");
            if (frame.T == GatewayEvents.VoiceError)
            {
                Assert.Fail($"{name}: VOICE_ERROR {frame.D}");
            }

            if (match(frame))
            {
                return frame;
            }

            stash.Add(frame);
        }
    }

    /// <summary>Writes every frame this member received to the test output (for failures).</summary>
    public void Dump()
    {
        foreach (var line in log)
        {
            output.WriteLine($"{name}: {line}");
        }
    }

    public ValueTask DisposeAsync() => gateway.DisposeAsync();

    private static string? Shorten(string? text) => text is { Length: > 200 } ? text[..200] + "…" : text;

    private static string Js(string value) => JsonSerializer.Serialize(value, VoxoraJsonContextStrings.Default.String);
}
