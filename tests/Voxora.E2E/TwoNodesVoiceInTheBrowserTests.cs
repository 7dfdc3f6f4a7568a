using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Voxora.Server.Features.Voice;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Voxora.E2E;

/// <summary>
/// Two Voxora nodes in this process (one fresh PostgreSQL database, one Redis prefix) sharing one external Janus,
/// as cluster mode requires (<c>VOICE:JANUS_URL</c>), and one Chromium with the fake-microphone tone. Runs only inside
/// scripts/voice-netns.sh with <c>VOXORA_NETNS_SERVICES=1</c>: Janus needs the namespace's veth pair for its ICE
/// candidates, and the namespace cannot reach the PostgreSQL and Redis outside it, so the script starts its own.
/// </summary>
public sealed class TwoNodesVoiceBrowserFixture : IAsyncLifetime
{
    private TwoNodeCluster? cluster;
    private IPlaywright? playwright;
    private Process? janus;
    private string? janusFolder;

    public IBrowser Browser { get; private set; } = null!;
    public IReadOnlyList<Uri> NodeAddresses => cluster!.Addresses;
    public List<string> PageErrors { get; } = [];

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: run with VOXORA_NETNS_SERVICES=1 scripts/voice-netns.sh, which starts PostgreSQL and Redis inside the namespace.");

    public async Task InitializeAsync()
    {
        if (!VoiceBrowserFixture.Enabled || JanusConfig.FindBinary("janus") is null)
        {
            return; // the test is skipped (VoiceFact); start nothing
        }

        var admin = Required("VOXORA_TEST_POSTGRES");
        var redis = Required("VOXORA_TEST_REDIS");

        // The external Janus both nodes share, configured as a node configures its own child Janus (default
        // VoiceOptions: candidates on every non-loopback interface, here the namespace's veth pair).
        var binary = JanusConfig.FindBinary("janus")!;
        var libDir = JanusConfig.FindLibDir(null, binary, out var searched) ?? throw new InvalidOperationException("no Janus libraries: " + searched);
        janusFolder = Directory.CreateTempSubdirectory("voxora-e2e-cluster-janus-").FullName;
        var launch = new JanusLaunch(janusFolder, FreePort(), Secret(), Secret(), Secret());
        JanusConfig.Write(launch, libDir, new VoiceOptions());
        janus = Process.Start(new ProcessStartInfo(binary, ["--config=" + launch.ConfigFile, "--configs-folder=" + janusFolder, "--disable-stdout"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        janus.OutputDataReceived += (_, _) => { };
        janus.ErrorDataReceived += (_, _) => { };
        janus.BeginOutputReadLine();
        janus.BeginErrorReadLine();

        cluster = await TwoNodeCluster.StartAsync(admin, redis, new Dictionary<string, string?>
        {
            ["VOICE:ENABLED"] = "true",
            ["VOICE:JANUS_URL"] = launch.Url.ToString(),
            ["VOICE:JANUS_API_SECRET"] = launch.ApiSecret,
            ["VOICE:JANUS_ADMIN_KEY"] = launch.RoomAdminKey,
            // Talking detection over ~0.2 s instead of ~1 s, as in VoiceBrowserFixture.
            ["VOICE:AUDIO_ACTIVE_PACKETS"] = "10",
        });

        foreach (var app in cluster.Nodes)
        {
            await app.Services.GetRequiredService<JanusSupervisor>().WaitForNodeAsync(TimeSpan.FromSeconds(30));
        }

        var wav = VoiceBrowserFixture.WriteToneWav(Path.Combine(cluster.FirstDataDir, "tone.wav"), seconds: 10);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("VOXORA_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            // Remote audio must really play for its level to show in getStats() (Playwright mutes by default).
            IgnoreDefaultArgs = ["--mute-audio"],
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--use-file-for-fake-audio-capture=" + wav,
                "--autoplay-policy=no-user-gesture-required",
                // Janus ignores mDNS candidates: offer the veth address itself.
                "--disable-features=WebRtcHideLocalIpsWithMdns",
            ],
        });
    }

    /// <summary>A fresh browser profile (microphone allowed) talking to one node only, as a sticky load balancer would.</summary>
    public async Task<IPage> NewPageAsync(int node)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            // The tests read English text; the client follows the browser's language, so pin it.
            Locale = "en-US",
            BaseURL = NodeAddresses[node].ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            ServiceWorkers = ServiceWorkerPolicy.Block,
            Permissions = ["microphone"],
        });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => PageErrors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                PageErrors.Add(message.Text);
            }
        };
        return page;
    }

    /// <summary>Keeps the shared Janus's log with the screenshots, for a failed run.</summary>
    public void KeepJanusLog(string name)
    {
        var log = Path.Combine(janusFolder!, "janus.log");
        if (File.Exists(log))
        {
            Directory.CreateDirectory(BrowserFixture.ArtifactsDir);
            File.Copy(log, Path.Combine(BrowserFixture.ArtifactsDir, name + ".log"), overwrite: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Secret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }

        if (janus is not null)
        {
            janus.Kill();
            await janus.WaitForExitAsync();
            janus.Dispose();
        }

        if (janusFolder is not null)
        {
            Directory.Delete(janusFolder, recursive: true);
        }
    }
}

/// <summary>
/// Issue 13 "done when": two people whose browsers reach two different nodes of one cluster talk in voice. Alice's
/// page is on node 1, Bob's on node 2; their media meets in the one Janus room the cluster keeps per channel, so
/// each hears the other only if each subscribes to the publisher the other node put there.
/// </summary>
public sealed class TwoNodesVoiceInTheBrowserTests(TwoNodesVoiceBrowserFixture fixture, ITestOutputHelper output) : IClassFixture<TwoNodesVoiceBrowserFixture>
{
    private const string Password = "correct horse battery";

    private static string NewName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..6];

    private static async Task RegisterAsync(IPage page, string username, string? redirect = null)
    {
        await page.GotoAsync(redirect is null ? "/register" : $"/register?redirect={Uri.EscapeDataString(redirect)}");
        await page.GetByLabel("Username", new() { Exact = true }).FillAsync(username);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByTestId("register-submit").ClickAsync();
        // Argon2id on a busy 2-core machine can take seconds.
        await Expect(page.GetByTestId("register-submit")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
    }

    /// <summary>Settings → Voice: the browser's audio processing off, so the tone's level is predictable.</summary>
    private static async Task TurnOffAudioProcessingAsync(IPage page)
    {
        await page.GotoAsync("/settings");
        var section = page.GetByTestId("voice-settings");
        foreach (var name in new[] { "Echo cancellation", "Noise suppression", "Automatic gain control" })
        {
            await section.GetByLabel(name).UncheckAsync();
            await Expect(section.GetByLabel(name)).Not.ToBeCheckedAsync();
        }
    }

    private static ILocator VoiceMember(IPage page, string name) =>
        page.GetByRole(AriaRole.List, new() { Name = "In General", Exact = true }).GetByRole(AriaRole.Listitem).Filter(new() { HasText = name });

    private static async Task<double> NumberAsync(IPage page, string testId) =>
        double.Parse(await page.GetByTestId(testId).InnerTextAsync(), CultureInfo.InvariantCulture);

    private async Task<(double Packets, double Level)> DetailsAsync(IPage page, string who)
    {
        var packets = await NumberAsync(page, "voice-inbound-packets");
        var level = await NumberAsync(page, "voice-inbound-level");
        output.WriteLine($"{who}: inbound packets {packets}, level {level}, outbound {await NumberAsync(page, "voice-outbound-packets")}");
        return (packets, level);
    }

    /// <summary>Polls until the condition holds; fails with the last values seen.</summary>
    private static async Task EventuallyAsync(Func<Task<(bool Ok, string Seen)>> check, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        var seen = "";
        while (clock.Elapsed < timeout)
        {
            (var ok, seen) = await check();
            if (ok)
            {
                return;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"{what} within {timeout.TotalSeconds} s; last seen: {seen}");
    }

    [VoiceFact]
    public async Task Two_people_on_two_nodes_hear_each_other_see_a_mute_and_leave()
    {
        var alice = await fixture.NewPageAsync(node: 0);
        var bob = await fixture.NewPageAsync(node: 1);
        var aliceName = NewName("alice");
        var bobName = NewName("bob");
        try
        {
            // Alice (node 1) creates "Voice Night" with its "General" voice channel; Bob (node 2) joins by invite.
            await RegisterAsync(alice, aliceName);
            await TurnOffAudioProcessingAsync(alice);
            await alice.GotoAsync("/app");
            await alice.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First.ClickAsync();
            var dialog = alice.GetByTestId("create-community-dialog");
            await dialog.GetByLabel("Community name").FillAsync("Voice Night");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
            await Expect(alice.GetByTestId("composer")).ToBeVisibleAsync();
            await alice.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Voice Night") }).ClickAsync();
            await alice.GetByTestId("open-invite").ClickAsync();
            await Expect(alice.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"));
            var invitePath = new Uri(await alice.GetByTestId("invite-link").InputValueAsync()).AbsolutePath;
            await alice.Keyboard.PressAsync("Escape");

            await bob.GotoAsync(invitePath);
            await RegisterAsync(bob, bobName, invitePath);
            await bob.GetByTestId("accept-invite").ClickAsync();
            await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();
            await TurnOffAudioProcessingAsync(bob);
            await bob.GotoAsync("/app");
            await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();

            // Both join "General", each through their own node: each sees both in the channel's member list.
            foreach (var page in new[] { alice, bob })
            {
                await page.GetByRole(AriaRole.Button, new() { Name = "Join voice channel General" }).ClickAsync();
                await Expect(page.GetByTestId("voice-phase")).ToHaveTextAsync("Voice connected");
            }

            foreach (var page in new[] { alice, bob })
            {
                await Expect(VoiceMember(page, aliceName)).ToHaveCountAsync(1);
                await Expect(VoiceMember(page, bobName)).ToHaveCountAsync(1);
                await page.GetByText("Voice details").ClickAsync();
                await Expect(page.GetByTestId("voice-inbound-packets")).ToBeVisibleAsync();
            }

            // Each hears the other across the nodes: inbound packets rising and a real audio level.
            foreach (var (page, who) in new[] { (alice, "alice on node 1"), (bob, "bob on node 2") })
            {
                await EventuallyAsync(async () =>
                {
                    var (packets, level) = await DetailsAsync(page, who);
                    return (packets > 50 && level > 0.01, $"packets {packets}, level {level}");
                }, TimeSpan.FromSeconds(20), $"{who} hears audio from the other node");
            }

            // Talking events come from the Janus room through each member's own node: both rings show.
            await Expect(VoiceMember(alice, bobName)).ToHaveAttributeAsync("data-speaking", "true");
            await Expect(VoiceMember(bob, aliceName)).ToHaveAttributeAsync("data-speaking", "true");
            await BrowserFixture.ScreenshotAsync(alice, "two-nodes-voice-1-alice-on-node-1");
            await BrowserFixture.ScreenshotAsync(bob, "two-nodes-voice-2-bob-on-node-2");

            // Alice mutes on node 1: Bob on node 2 sees her mute icon and hears silence; Alice still hears Bob.
            var mute = alice.GetByRole(AriaRole.Button, new() { Name = "Mute", Exact = true });
            await mute.ClickAsync();
            await Expect(mute).ToHaveAttributeAsync("aria-pressed", "true");
            await Expect(VoiceMember(bob, aliceName).GetByRole(AriaRole.Img, new() { Name = "Muted", Exact = true })).ToBeVisibleAsync();
            await EventuallyAsync(async () =>
            {
                var (_, level) = await DetailsAsync(bob, "bob after alice muted");
                return (level < 0.001, $"level {level}");
            }, TimeSpan.FromSeconds(10), "Bob hears silence from muted Alice");
            var (_, aliceLevel) = await DetailsAsync(alice, "alice");
            Assert.True(aliceLevel > 0.01, $"Alice stopped hearing Bob when she muted herself: level {aliceLevel}");
            await BrowserFixture.ScreenshotAsync(bob, "two-nodes-voice-3-bob-sees-alice-muted");

            // Both leave: each sees the other go, and the channel empties on both nodes.
            await alice.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();
            await Expect(alice.GetByTestId("voice-bar")).ToHaveCountAsync(0);
            await Expect(VoiceMember(bob, aliceName)).ToHaveCountAsync(0);
            await Expect(VoiceMember(bob, bobName)).ToHaveCountAsync(1);
            await bob.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();
            await Expect(bob.GetByTestId("voice-bar")).ToHaveCountAsync(0);
            foreach (var page in new[] { alice, bob })
            {
                await Expect(page.GetByRole(AriaRole.List, new() { Name = "In General", Exact = true })).ToHaveCountAsync(0);
            }

            Assert.Empty(fixture.PageErrors);
        }
        catch
        {
            await BrowserFixture.ScreenshotAsync(alice, "failed-two-nodes-voice-alice");
            await BrowserFixture.ScreenshotAsync(bob, "failed-two-nodes-voice-bob");
            fixture.KeepJanusLog("failed-two-nodes-voice-janus");
            throw;
        }
    }
}
