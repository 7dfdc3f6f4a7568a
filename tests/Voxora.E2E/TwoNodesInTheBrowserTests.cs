using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using Npgsql;
using Voxora.Server;
using static Microsoft.Playwright.Assertions;

namespace Voxora.E2E;

/// <summary>
/// Two Voxora nodes in this process sharing one fresh PostgreSQL database and a Redis (under a prefix of their own), as
/// a load balancer would spread people over a cluster. Disposing stops both nodes, drops the database and deletes their
/// data folders.
/// </summary>
public sealed class TwoNodeCluster : IAsyncDisposable
{
    private readonly List<WebApplication> nodes = [];
    private readonly List<string> dataDirs = [];
    private readonly string admin;
    private readonly string database;

    private TwoNodeCluster(string admin, string database)
    {
        this.admin = admin;
        this.database = database;
    }

    public IReadOnlyList<WebApplication> Nodes => nodes;
    public IReadOnlyList<Uri> Addresses => nodes.Select(n => new Uri(n.Urls.First() + "/")).ToList();
    public string FirstDataDir => dataDirs[0];

    /// <param name="admin">An admin connection string of the PostgreSQL to create the database on.</param>
    /// <param name="redis">The Redis both nodes share.</param>
    /// <param name="extra">Settings both nodes get on top of the cluster's (e.g. voice).</param>
    public static async Task<TwoNodeCluster> StartAsync(string admin, string redis, IReadOnlyDictionary<string, string?> extra)
    {
        var cluster = new TwoNodeCluster(admin, "voxora_e2e_" + Guid.NewGuid().ToString("N")[..12]);
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{cluster.database}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = cluster.database }.ConnectionString;
        var prefix = "vxe2e" + Guid.NewGuid().ToString("N")[..8];
        var auditKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        for (var node = 1; node <= 2; node++)
        {
            var dataDir = Directory.CreateTempSubdirectory("voxora-e2e-node-").FullName;
            cluster.dataDirs.Add(dataDir);
            var settings = new Dictionary<string, string?>
            {
                ["URLS"] = "http://127.0.0.1:0",
                ["DATA_DIR"] = dataDir,
                ["NODE_ID"] = node.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["DATABASE:PROVIDER"] = "postgres",
                ["DATABASE:CONNECTIONSTRING"] = connectionString,
                ["REDIS:CONFIGURATION"] = redis,
                ["REDIS:PREFIX"] = prefix,
                ["AUDIT:KEY"] = auditKey,
                ["Logging:LogLevel:Default"] = "Warning",
                ["RATELIMITING:AUTH_PER_MINUTE"] = "100000",
                ["RATELIMITING:ANONYMOUS_PER_MINUTE"] = "100000",
                ["RATELIMITING:USER_PER_MINUTE"] = "100000",
            };
            foreach (var (key, value) in extra)
            {
                settings[key] = value;
            }

            var app = await VoxoraHost.CreateAsync([], settings);
            await app.StartAsync();
            cluster.nodes.Add(app);
        }

        return cluster;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in nodes)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }

        foreach (var dir in dataDirs)
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

/// <summary>Two nodes (<see cref="TwoNodeCluster"/>, voice off) on VOXORA_TEST_POSTGRES / VOXORA_TEST_REDIS and one Chromium.</summary>
public sealed class TwoNodeBrowserFixture : IAsyncLifetime
{
    private TwoNodeCluster? cluster;
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;
    public IReadOnlyList<Uri> NodeAddresses => cluster!.Addresses;
    public List<string> PageErrors { get; } = [];

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: run the browser tests through scripts/test.sh, which starts PostgreSQL and Redis.");

    public async Task InitializeAsync()
    {
        cluster = await TwoNodeCluster.StartAsync(Required("VOXORA_TEST_POSTGRES"), Required("VOXORA_TEST_REDIS"),
            new Dictionary<string, string?> { ["VOICE:ENABLED"] = "false" });
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

    /// <summary>A fresh browser profile talking to one node only (what a sticky load balancer would give it).</summary>
    public async Task<IPage> NewPageAsync(int node)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            // The tests read English text; the client follows the browser's language, so pin it.
            Locale = "en-US",
            BaseURL = NodeAddresses[node].ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => PageErrors.Add(error);
        return page;
    }

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
    }
}

/// <summary>Two people whose browsers reach two different nodes of one cluster chat as if on one server.</summary>
public sealed class TwoNodesInTheBrowserTests(TwoNodeBrowserFixture fixture) : IClassFixture<TwoNodeBrowserFixture>
{
    private const string Password = "correct horse battery";

    private static string NewName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..6];

    private static async Task RegisterAsync(IPage page, string username, string? redirect = null)
    {
        await page.GotoAsync(redirect is null ? "/register" : $"/register?redirect={Uri.EscapeDataString(redirect)}");
        await page.GetByLabel("Username", new() { Exact = true }).FillAsync(username);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByTestId("register-submit").ClickAsync();
        try
        {
            // Argon2id on a busy 2-core machine can take seconds.
            await Expect(page.GetByTestId("register-submit")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        }
        catch (PlaywrightException)
        {
            await BrowserFixture.ScreenshotAsync(page, "failed-two-nodes-register-" + username);
            throw;
        }
    }

    private static async Task SendAsync(IPage page, string text)
    {
        var composer = page.GetByTestId("composer");
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
    }

    private static ILocator Message(IPage page, string text) =>
        page.GetByTestId("message-list").Locator("[data-testid^='message-']:not([data-testid='message-content'])").Filter(new() { HasText = text });

    [Fact]
    public async Task Two_people_on_two_nodes_chat_edit_react_and_delete_live()
    {
        var alice = await fixture.NewPageAsync(node: 0);
        var bob = await fixture.NewPageAsync(node: 1);
        var bobName = NewName("bob");

        await RegisterAsync(alice, NewName("alice"));
        await alice.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First.ClickAsync();
        var dialog = alice.GetByTestId("create-community-dialog");
        await dialog.GetByLabel("Community name").FillAsync("Cluster Club");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(alice.GetByTestId("composer")).ToBeVisibleAsync();

        // The invite is made on node 1 and followed on node 2.
        await alice.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Cluster Club") }).ClickAsync();
        await alice.GetByTestId("open-invite").ClickAsync();
        await Expect(alice.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"));
        var invitePath = new Uri(await alice.GetByTestId("invite-link").InputValueAsync()).AbsolutePath;
        await alice.Keyboard.PressAsync("Escape");

        await bob.GotoAsync(invitePath);
        await Expect(bob.GetByTestId("invite-page")).ToContainTextAsync("Cluster Club");
        await RegisterAsync(bob, bobName, invitePath);
        await bob.GetByTestId("accept-invite").ClickAsync();
        await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();

        await SendAsync(alice, "Hello from node one");
        await Expect(Message(bob, "Hello from node one")).ToHaveCountAsync(1);
        await SendAsync(bob, "Hello back from node two");
        await Expect(Message(alice, "Hello back from node two")).ToHaveCountAsync(1);

        var aliceMessage = Message(alice, "Hello from node one");
        await aliceMessage.HoverAsync();
        await aliceMessage.GetByTestId("edit-message").ClickAsync();
        await alice.GetByTestId("edit-box").FillAsync("Hello from node one (edited)");
        await alice.GetByTestId("edit-box").PressAsync("Enter");
        var bobSeesEdit = Message(bob, "Hello from node one (edited)");
        await Expect(bobSeesEdit.GetByTestId("edited-marker")).ToBeVisibleAsync();

        await bobSeesEdit.HoverAsync();
        await bobSeesEdit.GetByRole(AriaRole.Button, new() { Name = "Add reaction" }).ClickAsync();
        await bobSeesEdit.GetByRole(AriaRole.Button, new() { Name = "React with 👍" }).ClickAsync();
        await Expect(Message(alice, "Hello from node one (edited)").GetByTestId("reaction-👍")).ToContainTextAsync("1");
        await BrowserFixture.ScreenshotAsync(alice, "two-nodes-alice-on-node-1");
        await BrowserFixture.ScreenshotAsync(bob, "two-nodes-bob-on-node-2");

        var reply = Message(bob, "Hello back from node two");
        await reply.HoverAsync();
        await reply.GetByTestId("delete-message").ClickAsync();
        await bob.GetByTestId("confirm-button").ClickAsync();
        await Expect(Message(alice, "Hello back from node two")).ToHaveCountAsync(0);

        Assert.Empty(fixture.PageErrors);
    }
}
