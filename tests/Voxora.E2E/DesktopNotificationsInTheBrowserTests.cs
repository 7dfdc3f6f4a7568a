using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Voxora.Client;
using static Microsoft.Playwright.Assertions;
using static Voxora.E2E.BrowserPeople;

namespace Voxora.E2E;

/// <summary>
/// Desktop notifications while the tab is hidden, as bob's page shows them: a mention from alice shows one (her name,
/// the channel, the text with bob's name instead of the wire form), a plain message does not (default: only mentions),
/// nothing while bob is on do not disturb, and clicking the notification opens the channel.
/// </summary>
public sealed class DesktopNotificationsInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    /// <summary>
    /// Runs before the app: the tab can be made hidden (<c>__setHidden</c>), and <c>window.Notification</c> is a stand-in
    /// with permission granted that records what the page shows (a headless browser shows nothing a test could see).
    /// </summary>
    private const string HiddenTabWithRecordedNotifications = """
        (() => {
          let hidden = false;
          Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => hidden ? 'hidden' : 'visible' });
          Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
          window.__setHidden = (value) => { hidden = value; document.dispatchEvent(new Event('visibilitychange')); };
          const shown = [];
          window.__notifications = shown;
          class RecordedNotification {
            static get permission() { return 'granted'; }
            static requestPermission() { return Promise.resolve('granted'); }
            constructor(title, options) {
              this.title = title;
              this.body = (options && options.body) || '';
              this.tag = (options && options.tag) || '';
              this.onclick = null;
              this.closed = false;
              shown.push(this);
            }
            close() { this.closed = true; }
          }
          window.Notification = RecordedNotification;
        })();
        """;

    private static async Task CreateCommunityAsync(IPage page, string name)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First.ClickAsync();
        var dialog = page.GetByTestId("create-community-dialog");
        await dialog.GetByLabel("Community name").FillAsync(name);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.GetByTestId("channel-view").GetByRole(AriaRole.Heading)).ToBeVisibleAsync();
    }

    private sealed record Shown(string Title, string Body, string Tag);

    private static async Task<List<Shown>> ShownAsync(IPage page)
    {
        var json = await page.EvaluateAsync<string>("() => JSON.stringify(window.__notifications.map(n => ({ title: n.title, body: n.body, tag: n.tag })))");
        return JsonDocument.Parse(json).RootElement.EnumerateArray()
            .Select(e => new Shown(e.GetProperty("title").GetString()!, e.GetProperty("body").GetString()!, e.GetProperty("tag").GetString()!))
            .ToList();
    }

    /// <summary>Waits until the page has shown <paramref name="count"/> notifications in all and returns them.</summary>
    private static async Task<List<Shown>> ShownCountAsync(IPage page, int count)
    {
        await page.WaitForFunctionAsync("(count) => window.__notifications.length >= count", count, new() { Timeout = 15_000 });
        return await ShownAsync(page);
    }

    private static async Task SetStatusAsync(IPage page, string status)
    {
        await page.GetByTestId("status-picker").ClickAsync();
        await page.GetByTestId("status-" + status).ClickAsync();
        await Expect(page.GetByTestId("status-picker").GetByTestId("presence-dot")).ToHaveAttributeAsync("data-status", status);
    }

    [Fact]
    public async Task A_mention_shows_a_notification_while_the_tab_is_hidden_other_messages_and_do_not_disturb_show_none_and_a_click_opens_the_channel()
    {
        var alice = await fixture.NewPageAsync();
        var bob = await fixture.NewPageAsync();
        await bob.AddInitScriptAsync(HiddenTabWithRecordedNotifications);
        var aliceName = NewName("alice");
        var bobName = NewName("bob");

        await RegisterAsync(alice, aliceName);
        await CreateCommunityAsync(alice, "Bell Tower");
        var channelId = (await alice.GetByTestId("channel-view").GetAttributeAsync("data-channel-id"))!;
        var communityId = new Uri(alice.Url).AbsolutePath.Split('/')[2];
        await alice.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Bell Tower") }).ClickAsync();
        await alice.GetByTestId("open-invite").ClickAsync();
        await Expect(alice.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"));
        var invitePath = new Uri(await alice.GetByTestId("invite-link").InputValueAsync()).AbsolutePath;
        await alice.Keyboard.PressAsync("Escape");

        await RegisterAsync(bob, bobName, invitePath);
        await bob.GetByTestId("accept-invite").ClickAsync();
        await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();
        // Bob is somewhere else (a community of his own) when the notifications come, and his tab is hidden.
        await CreateCommunityAsync(bob, "Bob's Den");
        await Expect(bob.GetByTestId("channel-view")).Not.ToHaveAttributeAsync("data-channel-id", channelId);
        await bob.EvaluateAsync("() => window.__setHidden(true)");

        using var aliceApi = new VoxoraClient(fixture.BaseAddress);
        await aliceApi.LoginAsync(aliceName, Password);
        using var bobApi = new VoxoraClient(fixture.BaseAddress);
        await bobApi.LoginAsync(bobName, Password);
        var bobId = (await bobApi.GetMeAsync()).Id;

        // A mention: one notification, alice's name and the channel in the title, bob's name (not <@usr_…>) in the text.
        await aliceApi.SendMessageAsync(channelId, $"<@{bobId}> the bells ring at noon");
        var first = Assert.Single(await ShownCountAsync(bob, 1));
        Assert.Equal($"{aliceName} in #general", first.Title);
        Assert.Equal($"@{bobName} the bells ring at noon", first.Body);
        Assert.Equal(channelId, first.Tag);

        // A plain message (bob's settings: only mentions, the default) shows none: the next one shown is the next mention.
        await aliceApi.SendMessageAsync(channelId, "just tuning the bells");
        await aliceApi.SendMessageAsync(channelId, $"<@{bobId}> second peal");
        var afterPlain = await ShownCountAsync(bob, 2);
        Assert.Equal(["@" + bobName + " the bells ring at noon", "@" + bobName + " second peal"], afterPlain.Select(n => n.Body));

        // Do not disturb: a mention shows none (the mention after bob is back online is the next one shown).
        await SetStatusAsync(bob, "dnd");
        await aliceApi.SendMessageAsync(channelId, $"<@{bobId}> sorry to disturb");
        // Bob's page has it (its third mention on the community rail) before he is back online.
        await Expect(bob.GetByTestId($"community-mentions-{communityId}")).ToHaveTextAsync("3");
        await SetStatusAsync(bob, "online");
        await aliceApi.SendMessageAsync(channelId, $"<@{bobId}> third peal");
        var afterDnd = await ShownCountAsync(bob, 3);
        Assert.Equal(["the bells ring at noon", "second peal", "third peal"], afterDnd.Select(n => n.Body[(bobName.Length + 2)..]));

        // Clicking the notification opens the channel it is about.
        await bob.EvaluateAsync("() => window.__notifications[0].onclick()");
        await Expect(bob).ToHaveURLAsync(new Regex($"/app/{communityId}/{channelId}$"));
        await Expect(bob.GetByTestId("channel-view")).ToHaveAttributeAsync("data-channel-id", channelId);
        await Expect(bob.GetByTestId("channel-view").GetByText("the bells ring at noon")).ToBeVisibleAsync();
        Assert.True(await bob.EvaluateAsync<bool>("() => window.__notifications[0].closed"));
        // Bob is back in the tab: the channel he opened is read, its mentions leave the community rail.
        await bob.EvaluateAsync("() => window.__setHidden(false)");
        await Expect(bob.GetByTestId($"community-mentions-{communityId}")).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(bob, "desktop-notification-opened");
        Assert.Empty(fixture.PageErrors);
    }
}
