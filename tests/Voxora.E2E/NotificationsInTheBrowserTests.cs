using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Voxora.E2E;

/// <summary>
/// Notifications in Chromium: the settings dialog changes and keeps a setting, the permission banner waits for a
/// sensible moment, and the service worker shows a push delivered to it (CDP ServiceWorker.deliverPushMessage).
/// </summary>
public sealed class NotificationsInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    /// <summary>The notifications the worker's registration shows with this tag: title, body and the url a click opens.</summary>
    private static async Task<List<JsonElement>> NotificationsAsync(IPage page, string tag)
    {
        for (var i = 0; i < 50; i++)
        {
            var json = await page.EvaluateAsync<string>(
                "async (tag) => JSON.stringify((await (await navigator.serviceWorker.ready).getNotifications({ tag })).map(n => ({ title: n.title, body: n.body, url: n.data && n.data.url })))", tag);
            var list = JsonDocument.Parse(json).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
            if (list.Count > 0) return list;
            await Task.Delay(100);
        }

        return [];
    }

    private const string Password = "correct horse battery";

    private static string NewName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..6];

    private static async Task RegisterAndCreateCommunityAsync(IPage page, string username, string community)
    {
        await page.GotoAsync("/register");
        await page.GetByLabel("Username", new() { Exact = true }).FillAsync(username);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page.GetByTestId("register-submit")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First.ClickAsync();
        var dialog = page.GetByTestId("create-community-dialog");
        await dialog.GetByLabel("Community name").FillAsync(community);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.GetByTestId("composer")).ToBeVisibleAsync();
    }

    private static async Task OpenCommunitySettingsAsync(IPage page, string community)
    {
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^" + community) }).ClickAsync();
        await page.GetByTestId("open-notification-settings").ClickAsync();
        await Expect(page.GetByTestId("notification-settings-dialog")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_settings_dialog_changes_a_community_setting_that_survives_a_reload_and_the_banner_waits_for_a_message()
    {
        var page = await fixture.NewPageAsync();
        await RegisterAndCreateCommunityAsync(page, NewName("notif"), "Quiet Club");

        // Never on first load: the banner appears only once the person has sent a message.
        await Expect(page.GetByTestId("enable-notifications-banner")).ToHaveCountAsync(0);
        var composer = page.GetByTestId("composer");
        await composer.FillAsync("first message");
        await composer.PressAsync("Enter");
        await Expect(page.GetByTestId("enable-notifications-banner")).ToBeVisibleAsync();

        await OpenCommunitySettingsAsync(page, "Quiet Club");
        var dialog = page.GetByTestId("notification-settings-dialog");
        await Expect(dialog.GetByTestId("level-mentions")).ToBeCheckedAsync();
        await dialog.GetByTestId("level-all").CheckAsync();
        await dialog.GetByTestId("mute").SelectOptionAsync("1");
        await dialog.GetByTestId("suppress-everyone").CheckAsync();
        await dialog.GetByTestId("save-notification-settings").ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);

        await page.ReloadAsync();
        await Expect(page.GetByTestId("composer")).ToBeVisibleAsync();
        await OpenCommunitySettingsAsync(page, "Quiet Club");
        dialog = page.GetByTestId("notification-settings-dialog");
        await Expect(dialog.GetByTestId("level-all")).ToBeCheckedAsync();
        await Expect(dialog.GetByTestId("suppress-everyone")).ToBeCheckedAsync();
        await Expect(dialog.GetByTestId("mute")).ToHaveValueAsync("keep");
        await Expect(dialog.GetByTestId("mute").Locator("option[value='keep']")).ToContainTextAsync("Muted until");
        await BrowserFixture.ScreenshotAsync(page, "notification-settings");
        Assert.Empty(fixture.PageErrors);
    }

    [Fact]
    public async Task The_service_worker_shows_a_delivered_push_as_a_notification_that_opens_the_channel()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            // The tests read English text; the client follows the browser's language, so pin it.
            Locale = "en-US",
            BaseURL = fixture.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            ServiceWorkers = ServiceWorkerPolicy.Allow,
            Permissions = ["notifications"],
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => fixture.PageErrors.Add(error);
        await RegisterAndCreateCommunityAsync(page, NewName("sw"), "Push Club");
        var path = new Uri(page.Url).AbsolutePath;

        await page.EvaluateAsync("async () => { await navigator.serviceWorker.register('/sw.js'); await navigator.serviceWorker.ready; }");

        // The page's DevTools session: its ServiceWorker domain names the registration and delivers pushes to it.
        var cdp = await context.NewCDPSessionAsync(page);
        var registration = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        cdp.Event("ServiceWorker.workerRegistrationUpdated").OnEvent += (_, e) =>
        {
            foreach (var r in e!.Value.GetProperty("registrations").EnumerateArray())
            {
                if (r.GetProperty("scopeURL").GetString()!.StartsWith(fixture.BaseAddress.ToString(), StringComparison.Ordinal))
                {
                    registration.TrySetResult(r.GetProperty("registrationId").GetString()!);
                }
            }
        };
        await cdp.SendAsync("ServiceWorker.enable");
        var registrationId = await registration.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // What the server's push carries once the browser decrypted it (docs/protocol.md).
        var payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["title"] = "Push Club",
            ["body"] = "New message in #general",
            ["community_id"] = "com_x",
            ["channel_id"] = "ch_x",
            ["message_id"] = "1",
            ["count"] = 1,
            ["url"] = path,
        });
        Task DeliverAsync(string data) => cdp.SendAsync("ServiceWorker.deliverPushMessage", new Dictionary<string, object>
        {
            ["origin"] = fixture.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["registrationId"] = registrationId,
            ["data"] = data,
        });
        // DevTools drops a push that arrives while the browser is still starting the worker (seen on a loaded CI
        // machine: no push event at all), so deliver again if nothing showed within 5 s. The tag makes a repeat
        // replace the first notification, so exactly one is still expected.
        async Task<List<JsonElement>> DeliverUntilShownAsync(string data, string tag)
        {
            for (var attempt = 0; attempt < 4; attempt++)
            {
                await DeliverAsync(data);
                var shown = await NotificationsAsync(page, tag);
                if (shown.Count > 0) return shown;
            }

            return [];
        }

        var notification = Assert.Single(await DeliverUntilShownAsync(payload, "ch_x"));
        Assert.Equal("Push Club", notification.GetProperty("title").GetString());
        Assert.Equal("New message in #general", notification.GetProperty("body").GetString());
        // Clicking opens this path (the worker only ever opens /app/… paths of this origin).
        Assert.Equal(path, notification.GetProperty("url").GetString());

        // A push that tries to send the person elsewhere opens the app instead.
        var redirected = await DeliverUntilShownAsync("""{"title":"x","body":"y","channel_id":"ch_y","url":"https://evil.example/"}""", "ch_y");
        Assert.Equal("/app", Assert.Single(redirected).GetProperty("url").GetString());
        Assert.Empty(fixture.PageErrors);
        await context.CloseAsync();
    }
}
