using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Voxora.Server;
using Voxora.Server.Features.Voice;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Voxora.E2E;

/// <summary>
/// Runs only inside scripts/voice-netns.sh (a private network namespace with a veth pair: Janus gathers no ICE
/// candidates on loopback), with Janus installed and no default route visible. scripts/test.sh runs it there.
/// </summary>
public sealed class VoiceFactAttribute : FactAttribute
{
    public VoiceFactAttribute()
    {
        if (!VoiceBrowserFixture.Enabled)
        {
            Skip = "needs a real Janus in a private network namespace: run scripts/voice-netns.sh (scripts/test.sh does)";
        }
        else if (JanusConfig.FindBinary("janus") is null)
        {
            Skip = "janus is not installed (Debian package 'janus')";
        }
    }
}

/// <summary>
/// A real Voxora server with voice on (it starts and supervises its own Janus) and one headless Debian Chromium
/// whose fake microphone plays a generated 440 Hz tone, launched without Playwright's default --mute-audio so
/// remote audio really plays (and getStats() reports its level).
/// </summary>
public sealed class VoiceBrowserFixture : IAsyncLifetime
{
    private WebApplication? app;
    private IPlaywright? playwright;
    private string? dataDir;

    public static bool Enabled => Environment.GetEnvironmentVariable("VOXORA_TEST_VOICE_NETNS") == "1";

    public IBrowser Browser { get; private set; } = null!;
    public List<string> PageErrors { get; } = [];

    public async Task InitializeAsync()
    {
        if (!Enabled)
        {
            return; // every test here is skipped; start nothing
        }

        // This suite runs in its own process (inside the voice namespace) without BrowserFixture, so it sets the
        // same 15 s expectation wait: a join under the parallel suites has taken more than Playwright's 5 s.
        Microsoft.Playwright.Assertions.SetDefaultExpectTimeout(15_000);
        dataDir = Directory.CreateTempSubdirectory("voxora-e2e-voice-").FullName;
        app = await VoxoraHost.CreateAsync([], new Dictionary<string, string?>
        {
            ["URLS"] = "http://127.0.0.1:0",
            ["DATA_DIR"] = dataDir,
            ["Logging:LogLevel:Default"] = "Warning",
            ["RATELIMITING:AUTH_PER_MINUTE"] = "100000",
            ["RATELIMITING:ANONYMOUS_PER_MINUTE"] = "100000",
            ["RATELIMITING:USER_PER_MINUTE"] = "100000",
            ["VOICE:ENABLED"] = "true",
            // Talking detection over ~0.2 s instead of ~1 s, so the speaking ring follows the tone quickly.
            ["VOICE:AUDIO_ACTIVE_PACKETS"] = "10",
        });
        await app.StartAsync();
        await app.Services.GetRequiredService<JanusSupervisor>().WaitForNodeAsync(TimeSpan.FromSeconds(30));

        var wav = WriteToneWav(Path.Combine(dataDir, "tone.wav"), seconds: 10);
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("VOXORA_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            // Playwright mutes audio by default; remote audio must really play for its level to show in getStats().
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

    public Uri BaseAddress => new(app!.Urls.First() + "/");

    /// <summary>Kills the Janus this fixture's server started and waits until the supervisor has a new one up.</summary>
    public async Task KillJanusAsync()
    {
        var supervisor = app!.Services.GetRequiredService<JanusSupervisor>();
        var node = await supervisor.WaitForNodeAsync(TimeSpan.FromSeconds(10));
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        supervisor.NodeUp += (_, _) => up.TrySetResult();
        using (var janus = System.Diagnostics.Process.GetProcessById(node.ProcessId!.Value))
        {
            janus.Kill(); // the child process of this fixture's own server
        }

        await up.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// A second Chromium where the person answers "Block" to the microphone prompt (the fake UI above would always
    /// allow it): same fake device, prompts denied.
    /// </summary>
    public async Task<IBrowser> MicrophoneBlockingBrowserAsync() =>
        blocking ??= await playwright!.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("VOXORA_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--use-fake-device-for-media-stream", "--deny-permission-prompts",
            ],
        });

    private IBrowser? blocking;

    /// <summary>
    /// Takes both ends of the namespace's veth pair down (or up again): media between Chromium and Janus stops,
    /// while the page's HTTP and gateway traffic (on 127.0.0.1) keeps going. Only inside voice-netns.sh.
    /// </summary>
    public static async Task SetMediaNetworkAsync(bool up)
    {
        foreach (var link in new[] { "vxvoice0", "vxvoice1" })
        {
            using var ip = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ip", ["link", "set", link, up ? "up" : "down"])
            {
                RedirectStandardError = true,
            })!;
            var error = await ip.StandardError.ReadToEndAsync();
            await ip.WaitForExitAsync();
            Assert.True(ip.ExitCode == 0, $"ip link set {link}: {error}");
        }
    }

    public async Task<IPage> NewPageAsync(IBrowser? browser = null, bool allowMicrophone = true, int width = 1280, int height = 800)
    {
        var context = await (browser ?? Browser).NewContextAsync(new BrowserNewContextOptions
        {
            // The tests read English text; the client follows the browser's language, so pin it.
            Locale = "en-US",
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ServiceWorkers = ServiceWorkerPolicy.Block,
            Permissions = allowMicrophone ? ["microphone"] : [],
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

    /// <summary>48 kHz, 16-bit mono, a 440 Hz sine at about -6 dBFS; Chromium's fake capture loops it.</summary>
    public static string WriteToneWav(string path, double seconds)
    {
        const int rate = 48_000;
        var samples = (int)(rate * seconds);
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

    public async Task DisposeAsync()
    {
        if (blocking is not null)
        {
            await blocking.DisposeAsync();
        }

        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (dataDir is not null)
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}

/// <summary>
/// Seed 000 "Test 2: Voice Channel Round-Trip" in the browser: two people, two browser profiles, a real server,
/// a real Janus, real WebRTC. Every check is on what each person sees: the channel list, speaking rings,
/// mute icons, the voice bar and its "Voice details" numbers (which come from getStats()).
/// </summary>
public sealed class VoiceInTheBrowserTests(VoiceBrowserFixture fixture, ITestOutputHelper output) : IClassFixture<VoiceBrowserFixture>
{
    private const string Password = "correct horse battery";

    private static string NewName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..6];

    private static async Task RegisterAsync(IPage page, string username, string? redirect = null)
    {
        await page.GotoAsync(redirect is null ? "/register" : $"/register?redirect={Uri.EscapeDataString(redirect)}");
        await page.GetByLabel("Username", new() { Exact = true }).FillAsync(username);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page.GetByTestId("register-submit")).ToHaveCountAsync(0);
    }

    /// <summary>Settings → Voice: turn the browser's audio processing off, so the tone's level is predictable.</summary>
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

    private static ILocator VoiceMember(IPage page, string name, string channel = "General") =>
        page.GetByRole(AriaRole.List, new() { Name = "In " + channel, Exact = true }).GetByRole(AriaRole.Listitem).Filter(new() { HasText = name });

    private static async Task<double> NumberAsync(IPage page, string testId) =>
        double.Parse(await page.GetByTestId(testId).InnerTextAsync(), CultureInfo.InvariantCulture);

    /// <summary>Polls until the condition holds; fails with the last values seen.</summary>
    private static async Task EventuallyAsync(Func<Task<(bool Ok, string Seen)>> check, TimeSpan timeout, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
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

    private async Task<(double Packets, double Level)> DetailsAsync(IPage page, string who)
    {
        var packets = await NumberAsync(page, "voice-inbound-packets");
        var level = await NumberAsync(page, "voice-inbound-level");
        output.WriteLine($"{who}: inbound packets {packets}, level {level}, outbound {await NumberAsync(page, "voice-outbound-packets")}");
        return (packets, level);
    }

    [VoiceFact]
    public async Task A_blocked_microphone_is_explained_and_voice_stays_disconnected()
    {
        // This browser answers "Block" when the page asks for the microphone.
        var page = await fixture.NewPageAsync(await fixture.MicrophoneBlockingBrowserAsync(), allowMicrophone: false);
        var name = NewName("dave");
        await RegisterAsync(page, name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First.ClickAsync();
        var dialog = page.GetByTestId("create-community-dialog");
        await dialog.GetByLabel("Community name").FillAsync("No Mic Club");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.GetByTestId("composer")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Join voice channel General" }).ClickAsync();
        await Expect(page.GetByTestId("voice-alert")).ToContainTextAsync("Allow microphone access for this site");
        await Expect(page.GetByTestId("voice-bar")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "In General", Exact = true })).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(page, "voice-microphone-blocked");
        Assert.Empty(fixture.PageErrors);
    }

    [VoiceFact]
    public async Task Two_people_talk_mute_deafen_get_server_muted_and_deafened_moved_survive_a_janus_restart_and_leave()
    {
        var alice = await fixture.NewPageAsync();
        var bob = await fixture.NewPageAsync();
        var aliceName = NewName("alice");
        var bobName = NewName("bob");
        try
        {
            // Alice: account, audio processing off, "Voice Night" (with its "General" voice channel); Bob joins by invite.
            await MeetInACommunityAsync(alice, aliceName, bob, bobName);

            // A second voice channel, to move into later (Bob gets it live).
            await alice.GetByRole(AriaRole.Button, new() { Name = "+ Create channel" }).ClickAsync();
            var create = alice.GetByTestId("create-channel-dialog");
            await create.GetByLabel("Kind").SelectOptionAsync("Voice channel");
            await create.GetByLabel("Name").FillAsync("Lounge");
            await create.GetByLabel("User limit").FillAsync("2");
            await create.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
            await Expect(alice.GetByRole(AriaRole.Button, new() { Name = "Join voice channel Lounge" })).ToBeVisibleAsync();
            await Expect(bob.GetByRole(AriaRole.Button, new() { Name = "Join voice channel Lounge" })).ToBeVisibleAsync();
            await Expect(bob.GetByTitle("0 of 2 places taken")).ToHaveTextAsync("0/2");

            // Alice clicks the voice channel: her bar says connected, and Bob sees her listed in the channel.
            await alice.GetByRole(AriaRole.Button, new() { Name = "Join voice channel General" }).ClickAsync();
            await Expect(alice.GetByTestId("voice-bar")).ToBeVisibleAsync();
            await Expect(alice.GetByTestId("voice-phase")).ToHaveTextAsync("Voice connected");
            await Expect(alice.GetByTestId("voice-channel-name")).ToContainTextAsync("General");
            await Expect(VoiceMember(bob, aliceName)).ToHaveCountAsync(1);
            await BrowserFixture.ScreenshotAsync(alice, "voice-1-alice-alone");

            // Bob joins: both see both.
            await bob.GetByRole(AriaRole.Button, new() { Name = "Join voice channel General" }).ClickAsync();
            await Expect(bob.GetByTestId("voice-phase")).ToHaveTextAsync("Voice connected");
            foreach (var page in new[] { alice, bob })
            {
                await Expect(VoiceMember(page, aliceName)).ToHaveCountAsync(1);
                await Expect(VoiceMember(page, bobName)).ToHaveCountAsync(1);
                await page.GetByText("Voice details").ClickAsync();
                await Expect(page.GetByTestId("voice-inbound-packets")).ToBeVisibleAsync();
            }

            // Each hears the other: inbound packets rising and a real audio level in "Voice details".
            foreach (var (page, who) in new[] { (alice, "alice"), (bob, "bob") })
            {
                await EventuallyAsync(async () =>
                {
                    var (packets, level) = await DetailsAsync(page, who);
                    return (packets > 50 && level > 0.01, $"packets {packets}, level {level}");
                }, TimeSpan.FromSeconds(20), $"{who} hears audio");
            }

            // Each sees the other's speaking ring: a visible green outline around the avatar.
            await Expect(VoiceMember(alice, bobName)).ToHaveAttributeAsync("data-speaking", "true");
            await Expect(VoiceMember(bob, aliceName)).ToHaveAttributeAsync("data-speaking", "true");
            var ring = await VoiceMember(bob, aliceName).GetByTestId("voice-avatar").EvaluateAsync<string>(
                "el => { const s = getComputedStyle(el); return s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor; }");
            output.WriteLine("speaking ring: " + ring);
            Assert.Equal("solid 2px rgb(35, 165, 90)", ring);
            await Expect(alice.GetByTestId("voice-quality")).ToContainTextAsync(new Regex("(Good|Fair|Poor) · \\d+ ms"));
            await BrowserFixture.ScreenshotAsync(alice, "voice-2-alice-talking-with-bob");
            await BrowserFixture.ScreenshotAsync(bob, "voice-3-bob-talking-with-alice");

            // Alice mutes: the button says so, Bob sees her mute icon, her ring goes away, and what Bob hears is silence.
            var mute = alice.GetByRole(AriaRole.Button, new() { Name = "Mute", Exact = true });
            await mute.ClickAsync();
            await Expect(mute).ToHaveAttributeAsync("aria-pressed", "true");
            await Expect(VoiceMember(bob, aliceName).GetByRole(AriaRole.Img, new() { Name = "Muted", Exact = true })).ToBeVisibleAsync();
            await Expect(VoiceMember(bob, aliceName)).ToHaveAttributeAsync("data-speaking", "false");
            await Expect(VoiceMember(alice, aliceName)).ToHaveAttributeAsync("data-speaking", "false");
            await EventuallyAsync(async () =>
            {
                var (_, level) = await DetailsAsync(bob, "bob after alice muted");
                return (level < 0.001, $"level {level}");
            }, TimeSpan.FromSeconds(10), "Bob hears silence from muted Alice");
            // Bob is still heard by Alice.
            var (_, aliceLevel) = await DetailsAsync(alice, "alice");
            Assert.True(aliceLevel > 0.01, $"Alice stopped hearing Bob when she muted herself: level {aliceLevel}");
            await BrowserFixture.ScreenshotAsync(bob, "voice-4-bob-sees-alice-muted");

            // Bob deafens: it implies mute (both buttons pressed), Alice sees his deafened icon, and his remote audio
            // is silenced; undeafening brings his microphone back and Alice hears him again.
            var deafen = bob.GetByRole(AriaRole.Button, new() { Name = "Deafen", Exact = true });
            var bobMute = bob.GetByRole(AriaRole.Button, new() { Name = "Mute", Exact = true });
            await deafen.ClickAsync();
            await Expect(deafen).ToHaveAttributeAsync("aria-pressed", "true");
            await Expect(bobMute).ToHaveAttributeAsync("aria-pressed", "true");
            await Expect(VoiceMember(alice, bobName).GetByRole(AriaRole.Img, new() { Name = "Deafened", Exact = true })).ToBeVisibleAsync();
            await Expect(VoiceMember(alice, bobName).GetByRole(AriaRole.Img, new() { Name = "Muted", Exact = true })).ToBeVisibleAsync();
            Assert.True(await bob.EvaluateAsync<bool>("() => [...document.querySelectorAll('#voice-audio audio')].every(a => a.muted) && document.querySelectorAll('#voice-audio audio').length > 0"),
                "Bob's remote audio keeps playing while he is deafened");
            await deafen.ClickAsync();
            await Expect(deafen).ToHaveAttributeAsync("aria-pressed", "false");
            await Expect(bobMute).ToHaveAttributeAsync("aria-pressed", "false");
            await Expect(VoiceMember(alice, bobName).GetByRole(AriaRole.Img, new() { Name = "Deafened", Exact = true })).ToHaveCountAsync(0);
            await EventuallyAsync(async () =>
            {
                var (_, level) = await DetailsAsync(alice, "alice after bob undeafened");
                return (level > 0.01, $"level {level}");
            }, TimeSpan.FromSeconds(10), "Alice hears Bob again after he undeafens");

            // Alice (the owner) server-mutes Bob from the member's context menu: she sees the server-mute icon,
            // Bob is told, and his audio no longer reaches her (her inbound packet count stops).
            await VoiceMember(alice, bobName).ClickAsync(new() { Button = MouseButton.Right });
            await Expect(alice.GetByRole(AriaRole.Menu)).ToBeVisibleAsync();
            await BrowserFixture.ScreenshotAsync(alice, "voice-5-moderator-menu");
            await alice.GetByRole(AriaRole.Menuitem, new() { Name = "Server mute", Exact = true }).ClickAsync();
            await Expect(VoiceMember(alice, bobName).GetByRole(AriaRole.Img, new() { Name = "Server muted", Exact = true })).ToBeVisibleAsync();
            await Expect(VoiceMember(bob, bobName).GetByRole(AriaRole.Img, new() { Name = "Server muted", Exact = true })).ToBeVisibleAsync();
            await Expect(bob.GetByTestId("voice-server-flags")).ToHaveTextAsync("A moderator muted you.");
            await EventuallyAsync(async () =>
            {
                var (before, _) = await DetailsAsync(alice, "alice after server-muting bob");
                await Task.Delay(TimeSpan.FromSeconds(4.5)); // two stats samples
                var (after, level) = await DetailsAsync(alice, "alice 4.5 s later");
                return (after - before < 10 && level < 0.001, $"packets {before} → {after}, level {level}");
            }, TimeSpan.FromSeconds(25), "Bob's audio stops reaching Alice");
            await Expect(VoiceMember(alice, bobName)).ToHaveAttributeAsync("data-speaking", "false");
            await BrowserFixture.ScreenshotAsync(alice, "voice-6-alice-server-muted-bob");

            // Alice lifts the server mute (the "⋯" button opens the same menu): Bob is heard again.
            await VoiceMember(alice, bobName).HoverAsync();
            await VoiceMember(alice, bobName).GetByRole(AriaRole.Button, new() { Name = $"Voice options for {bobName}" }).ClickAsync();
            await alice.GetByRole(AriaRole.Menuitem, new() { Name = "Remove server mute", Exact = true }).ClickAsync();
            await Expect(VoiceMember(alice, bobName).GetByRole(AriaRole.Img, new() { Name = "Server muted", Exact = true })).ToHaveCountAsync(0);
            await Expect(bob.GetByTestId("voice-server-flags")).ToHaveCountAsync(0);
            await EventuallyAsync(async () =>
            {
                var (_, level) = await DetailsAsync(alice, "alice after lifting bob's server mute");
                return (level > 0.01, $"level {level}");
            }, TimeSpan.FromSeconds(15), "Alice hears Bob again after lifting the server mute");

            // Server deafen: nothing reaches Bob any more (his inbound packet count stops), both see the icon;
            // lifting it resumes the flow.
            await VoiceMember(alice, bobName).ClickAsync(new() { Button = MouseButton.Right });
            await alice.GetByRole(AriaRole.Menuitem, new() { Name = "Server deafen", Exact = true }).ClickAsync();
            await Expect(VoiceMember(alice, bobName).GetByRole(AriaRole.Img, new() { Name = "Server deafened", Exact = true })).ToBeVisibleAsync();
            await Expect(VoiceMember(bob, bobName).GetByRole(AriaRole.Img, new() { Name = "Server deafened", Exact = true })).ToBeVisibleAsync();
            await Expect(bob.GetByTestId("voice-server-flags")).ToHaveTextAsync("A moderator deafened you.");
            await EventuallyAsync(async () =>
            {
                var (before, _) = await DetailsAsync(bob, "bob server-deafened");
                await Task.Delay(TimeSpan.FromSeconds(4.5));
                var (after, _) = await DetailsAsync(bob, "bob 4.5 s later");
                return (after - before < 10, $"packets {before} → {after}");
            }, TimeSpan.FromSeconds(25), "nothing reaches server-deafened Bob");
            await VoiceMember(alice, bobName).ClickAsync(new() { Button = MouseButton.Right });
            await alice.GetByRole(AriaRole.Menuitem, new() { Name = "Remove server deafen", Exact = true }).ClickAsync();
            await Expect(VoiceMember(bob, bobName).GetByRole(AriaRole.Img, new() { Name = "Server deafened", Exact = true })).ToHaveCountAsync(0);
            await EventuallyAsync(async () =>
            {
                var (before, _) = await DetailsAsync(bob, "bob undeafened");
                await Task.Delay(TimeSpan.FromSeconds(2.5));
                var (after, _) = await DetailsAsync(bob, "bob 2.5 s later");
                return (after - before > 50, $"packets {before} → {after}");
            }, TimeSpan.FromSeconds(20), "audio reaches Bob again after the server deafen is lifted");

            // Alice moves Bob to Lounge: his client gets a new op 5 and renegotiates on its own; Alice follows by
            // clicking Lounge, and hears Bob there over fresh PeerConnections on both sides.
            await VoiceMember(alice, bobName).ClickAsync(new() { Button = MouseButton.Right });
            await alice.GetByRole(AriaRole.Menuitem, new() { Name = "Move to Lounge", Exact = true }).ClickAsync();
            await Expect(VoiceMember(alice, bobName, "Lounge")).ToHaveCountAsync(1);
            await Expect(VoiceMember(alice, bobName)).ToHaveCountAsync(0);
            await Expect(bob.GetByTestId("voice-channel-name")).ToContainTextAsync("Lounge");
            await alice.GetByRole(AriaRole.Button, new() { Name = "Join voice channel Lounge" }).ClickAsync();
            await Expect(alice.GetByTestId("voice-channel-name")).ToContainTextAsync("Lounge");
            await Expect(VoiceMember(bob, aliceName, "Lounge")).ToHaveCountAsync(1);
            await Expect(VoiceMember(bob, aliceName)).ToHaveCountAsync(0);
            await Expect(alice.GetByTestId("voice-phase")).ToHaveTextAsync("Voice connected");
            await Expect(bob.GetByTestId("voice-phase")).ToHaveTextAsync("Voice connected");
            await EventuallyAsync(async () =>
            {
                var (packets, level) = await DetailsAsync(alice, "alice in Lounge");
                return (packets > 50 && level > 0.01, $"packets {packets}, level {level}");
            }, TimeSpan.FromSeconds(20), "Alice hears Bob in Lounge after the move");
            await BrowserFixture.ScreenshotAsync(bob, "voice-7-bob-moved-to-lounge");

            // The media server dies mid-call: the supervisor restarts it, the server hands both clients a new op 5, and
            // they renegotiate by themselves — Alice hears Bob again (her packet count grows on a fresh connection).
            await fixture.KillJanusAsync();
            await EventuallyAsync(async () =>
            {
                var (before, _) = await DetailsAsync(alice, "alice after the Janus restart");
                await Task.Delay(TimeSpan.FromSeconds(2.5));
                var (after, level) = await DetailsAsync(alice, "alice 2.5 s later");
                return (after - before > 50 && level > 0.01, $"packets {before} → {after}, level {level}");
            }, TimeSpan.FromSeconds(30), "Alice hears Bob again after Janus restarted");
            await Expect(alice.GetByTestId("voice-phase")).ToHaveTextAsync("Voice connected");
            await Expect(bob.GetByTestId("voice-phase")).ToHaveTextAsync("Voice connected");
            await Expect(VoiceMember(alice, bobName, "Lounge")).ToHaveCountAsync(1);

            // Alice disconnects: her voice bar goes, and Bob sees her leave the channel.
            await alice.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();
            await Expect(alice.GetByTestId("voice-bar")).ToHaveCountAsync(0);
            await Expect(VoiceMember(bob, aliceName, "Lounge")).ToHaveCountAsync(0);
            await Expect(VoiceMember(alice, aliceName, "Lounge")).ToHaveCountAsync(0);
            await Expect(VoiceMember(bob, bobName, "Lounge")).ToHaveCountAsync(1);
            await BrowserFixture.ScreenshotAsync(bob, "voice-8-bob-after-alice-left");

            Assert.Empty(fixture.PageErrors);
        }
        catch
        {
            await BrowserFixture.ScreenshotAsync(alice, "failed-voice-alice");
            await BrowserFixture.ScreenshotAsync(bob, "failed-voice-bob");
            throw;
        }
    }

    /// <summary>
    /// Alice creates "Voice Night" (it comes with a "General" voice channel) and Bob joins it through an invite;
    /// both have audio processing off. <paramref name="beforeCommunity"/> runs on Alice's settings screen.
    /// </summary>
    private static async Task MeetInACommunityAsync(IPage alice, string aliceName, IPage bob, string bobName, Func<Task>? beforeCommunity = null)
    {
        await RegisterAsync(alice, aliceName);
        await TurnOffAudioProcessingAsync(alice);
        if (beforeCommunity is not null)
        {
            await beforeCommunity();
        }

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
    }

    /// <summary>Inbound audio energy (Voice details) gained over <paramref name="seconds"/>, with the level at the end.</summary>
    private async Task<(double Gained, double Level)> EnergyOverAsync(IPage page, string who, double seconds)
    {
        var before = await NumberAsync(page, "voice-inbound-energy");
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var after = await NumberAsync(page, "voice-inbound-energy");
        var (_, level) = await DetailsAsync(page, who);
        output.WriteLine($"{who}: energy {before} → {after}");
        return (after - before, level);
    }

    [VoiceFact]
    public async Task Push_to_talk_sends_only_while_the_key_is_held_and_not_while_it_is_typed_in_the_message_box()
    {
        var alice = await fixture.NewPageAsync();
        var bob = await fixture.NewPageAsync();
        var aliceName = NewName("alice");
        var bobName = NewName("bob");
        try
        {
            // Alice picks push to talk in Settings → Voice (default key `).
            await MeetInACommunityAsync(alice, aliceName, bob, bobName, async () =>
            {
                var section = alice.GetByTestId("voice-settings");
                await section.GetByLabel("Push to talk (hold a key to transmit)").CheckAsync();
                await Expect(section.GetByLabel("Push to talk (hold a key to transmit)")).ToBeCheckedAsync();
                await Expect(section.GetByTestId("ptt-key")).ToHaveTextAsync("`");
                await Expect(section.GetByRole(AriaRole.Button, new() { Name = "Change key" })).ToBeVisibleAsync();
                await BrowserFixture.ScreenshotAsync(alice, "voice-settings-push-to-talk");
            });

            await alice.GetByRole(AriaRole.Button, new() { Name = "Join voice channel General" }).ClickAsync();
            await Expect(alice.GetByTestId("voice-phase")).ToHaveTextAsync("Voice connected");
            await Expect(alice.GetByTestId("voice-ptt")).ToHaveTextAsync("Hold ` to talk");
            await bob.GetByRole(AriaRole.Button, new() { Name = "Join voice channel General" }).ClickAsync();
            await Expect(bob.GetByTestId("voice-phase")).ToHaveTextAsync("Voice connected");
            await Expect(VoiceMember(bob, aliceName)).ToHaveCountAsync(1);
            await bob.GetByText("Voice details").ClickAsync();
            await Expect(bob.GetByTestId("voice-inbound-energy")).ToBeVisibleAsync();

            // Alice clicks the page (not a text field) and holds the key: Bob hears her.
            var heading = alice.GetByRole(AriaRole.Heading, new() { Level = 1 });
            await heading.ClickAsync();
            await alice.Keyboard.DownAsync("Backquote");
            await Expect(alice.GetByTestId("voice-ptt")).ToHaveTextAsync("Transmitting…");
            await EventuallyAsync(async () =>
            {
                var (gained, level) = await EnergyOverAsync(bob, "bob while alice holds the key", 2.5);
                return (gained > 0.05 && level > 0.01, $"energy +{gained}, level {level}");
            }, TimeSpan.FromSeconds(25), "Bob hears Alice while she holds the key");
            await Expect(VoiceMember(bob, aliceName)).ToHaveAttributeAsync("data-speaking", "true");

            // She lets go: silence reaches Bob (no audio energy added, level zero) and her ring goes away.
            await alice.Keyboard.UpAsync("Backquote");
            await Expect(alice.GetByTestId("voice-ptt")).ToHaveTextAsync("Hold ` to talk");
            await EventuallyAsync(async () =>
            {
                var (gained, level) = await EnergyOverAsync(bob, "bob after alice let go", 4.5);
                return (gained < 0.002 && level < 0.001, $"energy +{gained}, level {level}");
            }, TimeSpan.FromSeconds(15), "Bob hears nothing once Alice lets go of the key");
            await Expect(VoiceMember(bob, aliceName)).ToHaveAttributeAsync("data-speaking", "false");

            // The same key pressed while typing in the message box is a character, not talk: it stays down for
            // longer than two stats samples and Bob gets no audio at all.
            var composer = alice.GetByTestId("composer");
            await composer.ClickAsync();
            await alice.Keyboard.TypeAsync("ok ");
            await alice.Keyboard.DownAsync("Backquote");
            await Expect(composer).ToHaveValueAsync("ok `");
            await Expect(alice.GetByTestId("voice-ptt")).ToHaveTextAsync("Hold ` to talk");
            await Task.Delay(TimeSpan.FromSeconds(1));
            var (typedGain, typedLevel) = await EnergyOverAsync(bob, "bob while alice holds ` in the message box", 4.5);
            await alice.Keyboard.UpAsync("Backquote");
            Assert.True(typedGain < 0.002 && typedLevel < 0.001, $"the key typed into the message box transmitted: energy +{typedGain}, level {typedLevel}");
            await Expect(VoiceMember(bob, aliceName)).ToHaveAttributeAsync("data-speaking", "false");
            await BrowserFixture.ScreenshotAsync(alice, "voice-push-to-talk-typing");

            // Out of the text field the key talks again.
            await heading.ClickAsync();
            await alice.Keyboard.DownAsync("Backquote");
            await Expect(alice.GetByTestId("voice-ptt")).ToHaveTextAsync("Transmitting…");
            await EventuallyAsync(async () =>
            {
                var (gained, level) = await EnergyOverAsync(bob, "bob while alice holds the key again", 2.5);
                return (gained > 0.05 && level > 0.01, $"energy +{gained}, level {level}");
            }, TimeSpan.FromSeconds(15), "Bob hears Alice again when she holds the key outside the message box");
            await BrowserFixture.ScreenshotAsync(alice, "voice-push-to-talk-transmitting");
            await alice.Keyboard.UpAsync("Backquote");

            await alice.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();
            await bob.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();
            await Expect(VoiceMember(bob, aliceName)).ToHaveCountAsync(0);
            Assert.Empty(fixture.PageErrors);
        }
        catch
        {
            await BrowserFixture.ScreenshotAsync(alice, "failed-ptt-alice");
            await BrowserFixture.ScreenshotAsync(bob, "failed-ptt-bob");
            throw;
        }
    }

    [VoiceFact]
    public async Task On_a_phone_the_call_stays_in_the_main_view_with_mute_and_disconnect_above_the_composer()
    {
        var alice = await fixture.NewPageAsync();
        var bob = await fixture.NewPageAsync(width: 360, height: 740);
        var aliceName = NewName("alice");
        var bobName = NewName("bob");
        try
        {
            await MeetInACommunityAsync(alice, aliceName, bob, bobName);
            await alice.GetByRole(AriaRole.Button, new() { Name = "Join voice channel General" }).ClickAsync();
            await Expect(alice.GetByTestId("voice-phase")).ToHaveTextAsync("Voice connected");
            await alice.GetByText("Voice details").ClickAsync();

            // Bob, on a phone: no voice controls before he joins. He opens the channel drawer, taps General,
            // and closes the drawer by tapping beside it.
            await Expect(bob.GetByTestId("voice-indicator")).ToHaveCountAsync(0);
            await bob.GetByRole(AriaRole.Button, new() { Name = "Show channels" }).ClickAsync();
            await bob.GetByRole(AriaRole.Button, new() { Name = "Join voice channel General" }).ClickAsync();
            await Expect(bob.GetByTestId("voice-phase")).ToHaveTextAsync("Voice connected");
            await bob.Mouse.ClickAsync(352, 400);
            await Expect(bob.GetByTestId("channel-drawer")).ToBeHiddenAsync();

            // With the drawer closed he still sees the call: channel, a green "speaking" dot (his tone is playing),
            // Mute and Disconnect; the message box is fully visible and usable below it.
            var indicator = bob.GetByRole(AriaRole.Region, new() { Name = "Voice call" });
            await Expect(indicator).ToBeVisibleAsync();
            await Expect(indicator.GetByTestId("voice-indicator-channel")).ToHaveTextAsync("🔊 General");
            await Expect(indicator.GetByTestId("voice-indicator-status")).ToHaveTextAsync("Speaking", new() { Timeout = 20_000 });
            await Expect(indicator.GetByTestId("voice-indicator-dot")).ToHaveAttributeAsync("data-state", "speaking");
            var dotColor = await indicator.GetByTestId("voice-indicator-dot").EvaluateAsync<string>("el => getComputedStyle(el).backgroundColor");
            Assert.Equal("rgb(35, 165, 90)", dotColor);
            var mute = bob.GetByRole(AriaRole.Button, new() { Name = "Mute", Exact = true });
            var disconnect = bob.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true });
            await Expect(mute).ToBeVisibleAsync();
            await Expect(disconnect).ToBeVisibleAsync();
            var composer = bob.GetByTestId("composer");
            await Expect(composer).ToBeVisibleAsync();
            var bar = (await indicator.BoundingBoxAsync())!;
            var box = (await composer.BoundingBoxAsync())!;
            Assert.True(bar.Y + bar.Height <= box.Y, $"the voice indicator (y {bar.Y}–{bar.Y + bar.Height}) overlaps the message box (y {box.Y})");
            var composerOnTop = await composer.EvaluateAsync<bool>(
                "el => { const r = el.getBoundingClientRect(); const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); return el === hit || el.contains(hit); }");
            Assert.True(composerOnTop, "something covers the message box");
            Assert.False(await bob.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth + 1"), "the page scrolls sideways at 360 px");
            await composer.FillAsync("Talking and typing");
            await bob.GetByRole(AriaRole.Button, new() { Name = "Send message" }).ClickAsync();
            await Expect(alice.GetByText("Talking and typing")).ToBeVisibleAsync();
            await EventuallyAsync(async () =>
            {
                var (packets, level) = await DetailsAsync(alice, "alice hearing phone bob");
                return (packets > 50 && level > 0.01, $"packets {packets}, level {level}");
            }, TimeSpan.FromSeconds(20), "Alice hears Bob");
            await BrowserFixture.ScreenshotAsync(bob, "voice-mobile-indicator");

            // Mute from the indicator: pressed, red "Muted", Alice sees the icon and hears silence.
            await mute.ClickAsync();
            await Expect(mute).ToHaveAttributeAsync("aria-pressed", "true");
            await Expect(indicator.GetByTestId("voice-indicator-status")).ToHaveTextAsync("Muted");
            await Expect(indicator.GetByTestId("voice-indicator-dot")).ToHaveAttributeAsync("data-state", "muted");
            await Expect(VoiceMember(alice, bobName).GetByRole(AriaRole.Img, new() { Name = "Muted", Exact = true })).ToBeVisibleAsync();
            await EventuallyAsync(async () =>
            {
                var (_, level) = await DetailsAsync(alice, "alice after phone bob muted");
                return (level < 0.001, $"level {level}");
            }, TimeSpan.FromSeconds(10), "Alice hears silence from muted Bob");
            await BrowserFixture.ScreenshotAsync(bob, "voice-mobile-indicator-muted");

            // Disconnect from the indicator: it goes, and Alice sees Bob leave.
            await disconnect.ClickAsync();
            await Expect(indicator).ToHaveCountAsync(0);
            await Expect(VoiceMember(alice, bobName)).ToHaveCountAsync(0);
            await Expect(VoiceMember(alice, aliceName)).ToHaveCountAsync(1);
            await alice.GetByRole(AriaRole.Button, new() { Name = "Disconnect", Exact = true }).ClickAsync();
            Assert.Empty(fixture.PageErrors);
        }
        catch
        {
            await BrowserFixture.ScreenshotAsync(alice, "failed-phone-alice");
            await BrowserFixture.ScreenshotAsync(bob, "failed-phone-bob");
            throw;
        }
    }

    [VoiceFact]
    public async Task When_the_media_network_drops_for_a_moment_the_bar_says_Reconnecting_and_the_call_comes_back_by_itself()
    {
        var alice = await fixture.NewPageAsync();
        var bob = await fixture.NewPageAsync();
        var aliceName = NewName("alice");
        var bobName = NewName("bob");
        try
        {
            await MeetInACommunityAsync(alice, aliceName, bob, bobName);
            foreach (var page in new[] { alice, bob })
            {
                await page.GetByRole(AriaRole.Button, new() { Name = "Join voice channel General" }).ClickAsync();
                await Expect(page.GetByTestId("voice-phase")).ToHaveTextAsync("Voice connected");
            }

            await alice.GetByText("Voice details").ClickAsync();
            await EventuallyAsync(async () =>
            {
                var (packets, level) = await DetailsAsync(alice, "alice");
                return (packets > 50 && level > 0.01, $"packets {packets}, level {level}");
            }, TimeSpan.FromSeconds(20), "Alice hears Bob");

            // What the engine logs when it gives up on its PeerConnections and joins again.
            var rejoins = new List<string>();
            alice.Console += (_, message) =>
            {
                if (message.Text.StartsWith("voice: media failed", StringComparison.Ordinal))
                {
                    lock (rejoins)
                    {
                        rejoins.Add(message.Text);
                    }
                }
            };

            // The media network goes down (the gateway on 127.0.0.1 stays up): Alice's bar says "Reconnecting…" on
            // both lines once ICE notices (connectionState "disconnected"). It comes back a few seconds later, before
            // Chromium declares the PeerConnections failed (about 16 s here): ICE recovers them, no rejoin needed.
            await VoiceBrowserFixture.SetMediaNetworkAsync(up: false);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                await Expect(alice.GetByTestId("voice-quality")).ToHaveTextAsync("Reconnecting…", new() { Timeout = 15_000 });
                await Expect(alice.GetByTestId("voice-phase")).ToHaveTextAsync("Reconnecting…");
                output.WriteLine($"Reconnecting… after {clock.Elapsed.TotalSeconds:F1} s");
                await BrowserFixture.ScreenshotAsync(alice, "voice-reconnecting");
            }
            finally
            {
                await VoiceBrowserFixture.SetMediaNetworkAsync(up: true);
            }

            await EventuallyAsync(async () =>
            {
                var (before, _) = await DetailsAsync(alice, "alice after the network came back");
                await Task.Delay(TimeSpan.FromSeconds(2.5));
                var (after, level) = await DetailsAsync(alice, "alice 2.5 s later");
                return (after - before > 50 && level > 0.01, $"packets {before} → {after}, level {level}");
            }, TimeSpan.FromSeconds(60), "Alice hears Bob again once the network is back");
            output.WriteLine($"audio back after {clock.Elapsed.TotalSeconds:F1} s; {string.Join(" | ", rejoins)}");
            await Expect(VoiceMember(alice, bobName)).ToHaveCountAsync(1);
            await Expect(VoiceMember(bob, aliceName)).ToHaveCountAsync(1);
            await Expect(alice.GetByTestId("voice-phase")).ToHaveTextAsync("Voice connected");
            await Expect(alice.GetByTestId("voice-quality")).ToContainTextAsync(new Regex("(Good|Fair|Poor) · \\d+ ms"));
            lock (rejoins)
            {
                Assert.Empty(rejoins);
            }

            Assert.Empty(fixture.PageErrors);
        }
        catch
        {
            await BrowserFixture.ScreenshotAsync(alice, "failed-network-alice");
            throw;
        }
    }
}
