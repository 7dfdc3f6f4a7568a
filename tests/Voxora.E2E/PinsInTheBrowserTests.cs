using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static Voxora.E2E.BrowserPeople;

namespace Voxora.E2E;

/// <summary>
/// Pins as two people see them: bob (the owner) pins alice's message from its actions; both see the system line
/// "bob… pinned a message. See all pinned messages." and the message in the pins panel; alice, no moderator, is not
/// offered pin or unpin; bob unpins it from the panel and it leaves both panels.
/// </summary>
public sealed class PinsInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static async Task SendAsync(IPage page, string text)
    {
        var composer = page.GetByTestId("composer");
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
    }

    [Fact]
    public async Task The_owner_pins_a_message_and_both_see_the_line_and_the_pin_in_the_panel()
    {
        var bob = await fixture.NewPageAsync();
        var alice = await fixture.NewPageAsync();
        var bobName = NewName("bob");
        await RegisterAsync(bob, bobName);
        await bob.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First.ClickAsync();
        await bob.GetByTestId("create-community-dialog").GetByLabel("Community name").FillAsync("Book Club");
        await bob.GetByTestId("create-community-dialog").GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();
        await bob.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Book Club") }).ClickAsync();
        await bob.GetByTestId("open-invite").ClickAsync();
        await Expect(bob.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"));
        var invitePath = new Uri(await bob.GetByTestId("invite-link").InputValueAsync()).AbsolutePath;
        await bob.Keyboard.PressAsync("Escape");

        await RegisterAsync(alice, NewName("alice"), invitePath);
        await alice.GetByTestId("accept-invite").ClickAsync();
        await Expect(alice.GetByTestId("composer")).ToBeVisibleAsync();

        await SendAsync(alice, "Meeting on Thursday at 7, chapter 3 please");
        await SendAsync(bob, "Noted, pinning it");
        var bobsView = bob.GetByTestId("message-list");
        var aliceMessage = bobsView.GetByRole(AriaRole.Article, new() { NameRegex = new Regex("Meeting on Thursday") });
        await Expect(aliceMessage).ToBeVisibleAsync();
        await Expect(alice.GetByTestId("message-list")).ToContainTextAsync("Noted, pinning it");

        // Alice holds no MANAGE_MESSAGES: her message actions offer no pin.
        var alicesCopy = alice.GetByTestId("message-list").GetByRole(AriaRole.Article, new() { NameRegex = new Regex("Meeting on Thursday") });
        await alicesCopy.HoverAsync();
        await Expect(alicesCopy.GetByRole(AriaRole.Button, new() { Name = "Add reaction" })).ToBeVisibleAsync();
        await Expect(alicesCopy.GetByTestId("pin-message")).ToHaveCountAsync(0);

        await aliceMessage.HoverAsync();
        await aliceMessage.GetByRole(AriaRole.Button, new() { Name = "Pin message" }).ClickAsync();

        // Both see the system line and the pinned marker on the message.
        foreach (var page in new[] { bob, alice })
        {
            var notice = page.GetByTestId("pin-notice");
            await Expect(notice).ToHaveTextAsync(new Regex($"^{bobName} pinned a message\\. See all pinned messages\\."));
            var pinnedMessage = page.GetByTestId("message-list").GetByRole(AriaRole.Article, new() { NameRegex = new Regex("Meeting on Thursday") });
            await Expect(pinnedMessage.GetByTestId("pinned-marker")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("pins-count")).ToHaveTextAsync("1");
        }

        // Alice opens the panel from the line, bob from the header's pin button.
        await alice.GetByTestId("see-all-pins").ClickAsync();
        await bob.GetByTestId("pins-toggle").ClickAsync();
        foreach (var page in new[] { bob, alice })
        {
            var panel = page.GetByTestId("pins-panel");
            await Expect(panel.GetByRole(AriaRole.Heading, new() { Name = "Pinned messages" })).ToBeVisibleAsync();
            var items = panel.GetByRole(AriaRole.Listitem);
            await Expect(items).ToHaveCountAsync(1);
            await Expect(items.First).ToContainTextAsync("alice");
            await Expect(items.First.GetByTestId("pinned-content")).ToHaveTextAsync("Meeting on Thursday at 7, chapter 3 please");
            await Expect(items.First.GetByRole(AriaRole.Button, new() { Name = "Jump" })).ToBeVisibleAsync();
        }

        await Expect(alice.GetByTestId("pins-panel").GetByTestId("unpin")).ToHaveCountAsync(0);
        await Expect(bob.GetByTestId("pins-panel").GetByTestId("unpin")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(bob, "pins");
        await BrowserFixture.ScreenshotAsync(alice, "pins-alice");

        // Jump highlights the message in the history.
        await alice.GetByTestId("pins-panel").GetByRole(AriaRole.Button, new() { Name = "Jump" }).ClickAsync();
        await Expect(alicesCopy).ToHaveAttributeAsync("data-highlighted", "true");

        // Bob unpins from the panel: it leaves both panels, and the line stays in the history.
        await bob.GetByTestId("pins-panel").GetByTestId("unpin").ClickAsync();
        foreach (var page in new[] { bob, alice })
        {
            await Expect(page.GetByTestId("pins-panel").GetByTestId("no-pins")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("pins-count")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("pinned-marker")).ToHaveCountAsync(0);
            await Expect(page.GetByTestId("pin-notice")).ToHaveCountAsync(1);
        }
    }
}
