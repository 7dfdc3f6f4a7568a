using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Voxora.Client;
using static Microsoft.Playwright.Assertions;
using static Voxora.E2E.BrowserPeople;

namespace Voxora.E2E;

/// <summary>
/// Unread and mention badges as two people see them: bob mentions alice in a channel she is not looking at; she sees
/// it bold with a red count (also after a reload, from GET /unread-counts), and opening it shows the divider and clears
/// the badges.
/// </summary>
public sealed class UnreadInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static async Task SendAsync(IPage page, string text)
    {
        var composer = page.GetByTestId("composer");
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
    }

    [Fact]
    public async Task A_mention_in_another_channel_shows_bold_with_a_red_count_survives_a_reload_and_clears_when_read()
    {
        var alice = await fixture.NewPageAsync();
        var bob = await fixture.NewPageAsync();
        var aliceName = NewName("alice");
        await RegisterAsync(alice, aliceName);
        using var aliceApi = new VoxoraClient(fixture.BaseAddress);
        await aliceApi.LoginAsync(aliceName, Password);
        var aliceId = (await aliceApi.GetMeAsync()).Id;

        await alice.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First.ClickAsync();
        await alice.GetByTestId("create-community-dialog").GetByLabel("Community name").FillAsync("Reading Room");
        await alice.GetByTestId("create-community-dialog").GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(alice.GetByTestId("composer")).ToBeVisibleAsync();
        var menu = alice.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Reading Room") });
        await menu.ClickAsync();
        await alice.GetByTestId("open-invite").ClickAsync();
        await Expect(alice.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"));
        var invitePath = new Uri(await alice.GetByTestId("invite-link").InputValueAsync()).AbsolutePath;
        await alice.Keyboard.PressAsync("Escape");

        await RegisterAsync(bob, NewName("bob"), invitePath);
        await bob.GetByTestId("accept-invite").ClickAsync();
        await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();
        var general = await bob.GetByTestId("channel-view").GetAttributeAsync("data-channel-id");

        // Alice moves to a channel of her own; bob stays in general.
        await menu.ClickAsync();
        await alice.GetByTestId("open-create-channel").ClickAsync();
        await alice.GetByTestId("create-channel-dialog").GetByLabel("Name").FillAsync("quiet");
        await alice.GetByTestId("create-channel-dialog").GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(alice.GetByTestId("channel-view").GetByRole(AriaRole.Heading)).ToContainTextAsync("quiet");

        await SendAsync(bob, "first chapter is up");
        await SendAsync(bob, $"<@{aliceId}> what did you think?");
        await Expect(bob.GetByTestId("message-list")).ToContainTextAsync("what did you think?");

        var generalLink = alice.GetByTestId($"channel-link-{general}");
        async Task ExpectBadgesAsync()
        {
            await Expect(generalLink).ToHaveAttributeAsync("data-unread", "true");
            await Expect(generalLink).ToHaveClassAsync(new Regex("font-semibold"));
            await Expect(generalLink.GetByTestId("mention-badge")).ToHaveTextAsync("1");
            await Expect(alice.GetByTestId(new Regex("^community-mentions-"))).ToHaveTextAsync("1");
            await Expect(alice).ToHaveTitleAsync("(1) Voxora");
        }

        await ExpectBadgesAsync();
        await BrowserFixture.ScreenshotAsync(alice, "unread");

        // After a reload the counts come from the server.
        await alice.ReloadAsync();
        await ExpectBadgesAsync();

        await generalLink.ClickAsync();
        await Expect(alice.GetByTestId("new-messages-divider")).ToBeVisibleAsync();
        await Expect(alice.GetByTestId("mention-badge")).ToHaveCountAsync(0);
        await Expect(alice.GetByTestId(new Regex("^community-mentions-"))).ToHaveCountAsync(0);
        await Expect(alice).ToHaveTitleAsync("Voxora");
        await BrowserFixture.ScreenshotAsync(alice, "unread-opened");

        // The server agrees: nothing unread, and it stays so after another reload.
        var counts = await aliceApi.GetUnreadCountsAsync();
        Assert.All(counts.Channels, c => Assert.Equal((0, 0), (c.UnreadCount, c.MentionCount)));
        await alice.ReloadAsync();
        await Expect(alice.GetByTestId("composer")).ToBeVisibleAsync();
        await Expect(alice.GetByTestId("mention-badge")).ToHaveCountAsync(0);
        await Expect(alice).ToHaveTitleAsync("Voxora");
    }
}
