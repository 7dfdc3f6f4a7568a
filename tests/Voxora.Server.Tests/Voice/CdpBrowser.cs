using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Voxora.Server.Tests.Voice;

/// <summary>
/// Debian's Chromium driven over the DevTools protocol (just Runtime.evaluate), so voice tests get real
/// WebRTC offers/answers, real ICE/DTLS/SRTP and real getStats() without adding Playwright to this project.
/// The fake microphone plays a WAV file in a loop.
/// </summary>
public sealed class CdpBrowser : IAsyncDisposable
{
    private readonly Process process;
    private readonly string profile;
    private readonly ClientWebSocket socket = new();
    private int nextId;

    private CdpBrowser(Process process, string profile)
    {
        this.process = process;
        this.profile = profile;
    }

    public static async Task<CdpBrowser> LaunchAsync(Uri page, string wavFile)
    {
        var profile = Directory.CreateTempSubdirectory("voxora-cdp-").FullName;
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("VOXORA_CHROMIUM") ?? "/usr/bin/chromium")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
                 {
                     "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--remote-debugging-port=0", "--user-data-dir=" + profile,
                     "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                     "--use-file-for-fake-audio-capture=" + wavFile,
                     "--autoplay-policy=no-user-gesture-required",
                     "--disable-features=WebRtcHideLocalIpsWithMdns",
                     page.ToString(),
                 })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var browser = new CdpBrowser(process, profile);
        try
        {
            await browser.ConnectAsync(page);
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }

        return browser;
    }

    private async Task ConnectAsync(Uri page)
    {
        var portFile = Path.Combine(profile, "DevToolsActivePort");
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(portFile) || (await File.ReadAllTextAsync(portFile)).Split('\n')[0].Length == 0)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(20) || process.HasExited)
                throw new InvalidOperationException("Chromium did not open its DevTools port");
            await Task.Delay(50);
        }

        var port = (await File.ReadAllTextAsync(portFile)).Split('\n')[0].Trim();
        using var http = new HttpClient();
        string? pageSocket = null;
        while (pageSocket is null)
        {
            var list = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
            pageSocket = list.OfType<JsonObject>().FirstOrDefault(t => t["type"]?.GetValue<string>() == "page")?["webSocketDebuggerUrl"]?.GetValue<string>();
            if (pageSocket is null)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(20)) throw new InvalidOperationException("Chromium opened no page");
                await Task.Delay(50);
            }
        }

        await socket.ConnectAsync(new Uri(pageSocket), CancellationToken.None);
        // Wait for the page to have loaded (a secure origin, so getUserMedia exists).
        for (var i = 0; i < 200; i++)
        {
            string? state;
            try
            {
                state = (await EvaluateAsync("location.href + ' ' + document.readyState + ' ' + window.isSecureContext"))?.GetValue<string>();
            }
            catch (InvalidOperationException ex) when (ex.Message.Contains("execution context", StringComparison.Ordinal))
            {
                // Chromium answers before the page has a JavaScript context; it appears within moments.
                state = null;
            }

            if (state == $"{page} complete true")
            {
                break;
            }

            await Task.Delay(50);
            if (i == 199)
            {
                throw new InvalidOperationException($"the page did not load as a secure context: {state}");
            }
        }
    }

    /// <summary>Evaluates an expression in the page (awaiting promises) and returns its JSON value.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression, TimeSpan? timeout = null)
    {
        var id = Interlocked.Increment(ref nextId);
        var request = new JsonObject
        {
            ["id"] = id,
            ["method"] = "Runtime.evaluate",
            ["params"] = new JsonObject { ["expression"] = expression, ["awaitPromise"] = true, ["returnByValue"] = true },
        };
        await socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var buffer = new byte[1 << 20];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, cts.Token);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            var reply = JsonNode.Parse(message.ToArray())!.AsObject();
            if (reply["id"]?.GetValue<int>() != id)
            {
                continue; // an event or an older reply
            }

            if (reply["error"] is { } error)
                throw new InvalidOperationException("CDP error: " + error.ToJsonString());
            if (reply["result"]?["exceptionDetails"] is { } exception)
                throw new InvalidOperationException("page threw: " + exception.ToJsonString());
            return reply["result"]?["result"]?["value"]?.DeepClone();
        }
    }

    public async ValueTask DisposeAsync()
    {
        socket.Dispose();
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be flushing its profile.
        }
    }

    /// <summary>A loud, steady 440 Hz tone (mono, 48 kHz, 16-bit), so Janus reports the publisher as talking.</summary>
    public static string WriteToneWav(string folder, double seconds = 2)
    {
        const int rate = 48_000;
        var samples = (int)(rate * seconds);
        var path = Path.Combine(folder, "tone.wav");
        using var file = File.Create(path);
        using var w = new BinaryWriter(file);
        w.Write("RIFF"u8);
        w.Write(36 + samples * 2);
        w.Write("WAVEfmt "u8);
        w.Write(16);
        w.Write((short)1);
        w.Write((short)1);
        w.Write(rate);
        w.Write(rate * 2);
        w.Write((short)2);
        w.Write((short)16);
        w.Write("data"u8);
        w.Write(samples * 2);
        for (var i = 0; i < samples; i++)
        {
            w.Write((short)(Math.Sin(2 * Math.PI * 440 * i / rate) * 16_000));
        }

        return path;
    }

    /// <summary>Page-side helpers: one RTCPeerConnection per name; offers/answers wait for ICE gathering (half-trickle).</summary>
    public const string Helpers = """
        window.vx = {
          pcs: {},
          gathered(pc) {
            return new Promise(resolve => {
              if (pc.iceGatheringState === 'complete') return resolve();
              pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
              setTimeout(resolve, 5000);
            });
          },
          async publish(name, config) {
            const pc = new RTCPeerConnection(config || { iceServers: [] });
            this.pcs[name] = pc;
            const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
            for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
            await pc.setLocalDescription(await pc.createOffer());
            await this.gathered(pc);
            return pc.localDescription.sdp;
          },
          async accept(name, sdp) {
            await this.pcs[name].setRemoteDescription({ type: 'answer', sdp });
            return true;
          },
          async subscribe(name, offer, config) {
            const pc = this.pcs[name] || new RTCPeerConnection(config || { iceServers: [] });
            this.pcs[name] = pc;
            pc.ontrack = e => { const a = new Audio(); a.srcObject = e.streams[0] || new MediaStream([e.track]); a.muted = true; a.play().catch(() => {}); };
            await pc.setRemoteDescription({ type: 'offer', sdp: offer });
            await pc.setLocalDescription(await pc.createAnswer());
            await this.gathered(pc);
            return pc.localDescription.sdp;
          },
          async inbound(name) {
            const stats = await this.pcs[name].getStats();
            let packets = 0, bytes = 0, level = 0;
            stats.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'audio') { packets += r.packetsReceived || 0; bytes += r.bytesReceived || 0; level = Math.max(level, r.audioLevel || 0); } });
            return { packets, bytes, level, state: this.pcs[name].connectionState };
          },
          async waitPackets(name, min, timeoutMs) {
            const start = performance.now();
            while (performance.now() - start < timeoutMs) {
              const s = await this.inbound(name);
              if (s.packets >= min) return s;
              await new Promise(r => setTimeout(r, 10));
            }
            return await this.inbound(name);
          },
          async pair(name) {
            const stats = await this.pcs[name].getStats();
            let pair = null;
            stats.forEach(r => { if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId); });
            if (!pair) return { local: null, remote: null };
            return { local: stats.get(pair.localCandidateId)?.candidateType, remote: stats.get(pair.remoteCandidateId)?.candidateType };
          },
          close(name) { this.pcs[name]?.close(); delete this.pcs[name]; return true; },
        };
        true
        """;
}
