using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using Voxora.Server;

namespace Voxora.E2E;

/// <summary>
/// One real Voxora server (SQLite, loopback, the built web client) and one headless Debian Chromium
/// driven by Playwright, shared by the browser tests. Screenshots go to artifacts/e2e/ in the repo.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private WebApplication? app;
    private IPlaywright? playwright;
    private string? dataDir;

    public IBrowser Browser { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public IServiceProvider Services => app!.Services;

    /// <summary>A page with Open Graph tags and a cover image, on 127.0.0.1, for the link preview test.</summary>
    public LinkPreviewOrigin PreviewOrigin { get; private set; } = null!;

    public static string ArtifactsDir { get; } = FindArtifactsDir();

    public async Task InitializeAsync()
    {
        // Expectations wait as long as actions do: on the shared 2-core CI machine a registration (Argon2id) under
        // parallel suites has taken more than Playwright's default 5 s. Tests that assert something does NOT
        // happen pass their own short timeout.
        Microsoft.Playwright.Assertions.SetDefaultExpectTimeout(15_000);
        dataDir = Directory.CreateTempSubdirectory("voxora-e2e-").FullName;
        PreviewOrigin = await LinkPreviewOrigin.StartAsync();
        app = await VoxoraHost.CreateAsync([], new Dictionary<string, string?>
        {
            ["URLS"] = "http://127.0.0.1:0",
            ["DATA_DIR"] = dataDir,
            ["Logging:LogLevel:Default"] = "Warning",
            // Every browser talks from 127.0.0.1; per-address limits would throttle the suite.
            ["RATELIMITING:AUTH_PER_MINUTE"] = "100000",
            ["RATELIMITING:ANONYMOUS_PER_MINUTE"] = "100000",
            ["RATELIMITING:USER_PER_MINUTE"] = "100000",
            // No Janus here: voice runs only in VoiceInTheBrowserTests, inside the voice network namespace.
            ["VOICE:ENABLED"] = "false",
            // TEST ONLY: the one loopback endpoint link previews may fetch (the test's own page); production leaves it empty.
            ["LINK_PREVIEWS:ALLOW_LOOPBACK_FOR_TESTS"] = $"127.0.0.1:{PreviewOrigin.BaseAddress.Port}",
        });
        await app.StartAsync();
        BaseAddress = new Uri(app.Urls.First() + "/");

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("VOXORA_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
    }

    /// <summary>A fresh browser profile (cookies, storage, service worker) with the given viewport and browser language.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800, string locale = "en-US")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            // The tests read English text unless they ask otherwise; the client follows the browser's language.
            Locale = locale,
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        // Any script error or CSP violation in the page fails the test that caused it.
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

    public List<string> PageErrors { get; } = [];

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ArtifactsDir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDir, name + ".png"), FullPage = false });
    }

    private static string FindArtifactsDir()
    {
        if (Environment.GetEnvironmentVariable("VOXORA_E2E_ARTIFACTS") is { Length: > 0 } configured)
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Voxora.slnx")))
            {
                return Path.Combine(dir.FullName, "artifacts", "e2e");
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "e2e-artifacts");
    }

    public async Task DisposeAsync()
    {
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

        if (PreviewOrigin is not null)
        {
            await PreviewOrigin.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (dataDir is not null)
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
