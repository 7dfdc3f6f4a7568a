using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static Voxora.E2E.BrowserPeople;

namespace Voxora.E2E;

/// <summary>
/// Two people in two browser profiles: alice sees bob online in the member list, bob picks "Do not disturb" and
/// alice sees the red dot, bob goes invisible and alice sees him under Offline.
/// </summary>
public sealed class PresenceInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static ILocator Row(IPage page, string section, string name) =>
        page.GetByTestId(section).GetByTestId("member-row").Filter(new() { HasText = name });

    [Fact]
    public async Task Alice_sees_bob_online_then_do_not_disturb_then_offline_when_he_goes_invisible()
    {
        var alice = await fixture.NewPageAsync();
        var bob = await fixture.NewPageAsync();
        var aliceName = NewName("alice");
        var bobName = NewName("bob");
        try
        {
            await RegisterAsync(alice, aliceName);
            await alice.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First.ClickAsync();
            var dialog = alice.GetByTestId("create-community-dialog");
            await dialog.GetByLabel("Community name").FillAsync("Status check");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
            await Expect(alice.GetByTestId("composer")).ToBeVisibleAsync();

            await alice.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Status check") }).ClickAsync();
            await alice.GetByTestId("open-invite").ClickAsync();
            await Expect(alice.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"), new() { Timeout = 15_000 });
            var invitePath = new Uri(await alice.GetByTestId("invite-link").InputValueAsync()).AbsolutePath;
            await alice.Keyboard.PressAsync("Escape");

            await bob.GotoAsync(invitePath);
            await RegisterAsync(bob, bobName, invitePath);
            await bob.GetByTestId("accept-invite").ClickAsync();
            await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();

            // Alice sees bob online (green dot, under Online).
            var bobOnline = Row(alice, "members-online", bobName);
            await Expect(bobOnline).ToHaveCountAsync(1, new() { Timeout = 15_000 });
            await Expect(bobOnline.GetByTestId("presence-dot")).ToHaveAttributeAsync("data-status", "online");
            await Expect(alice.GetByTestId("members-online").GetByRole(AriaRole.Heading)).ToHaveTextAsync("Online — 2");

            // Bob picks "Do not disturb" in his user panel: alice sees the dnd dot.
            await bob.GetByTestId("status-picker").ClickAsync();
            await bob.GetByTestId("status-dnd").ClickAsync();
            await Expect(bob.GetByTestId("status-picker").GetByTestId("presence-dot")).ToHaveAttributeAsync("data-status", "dnd");
            await Expect(bobOnline.GetByTestId("presence-dot")).ToHaveAttributeAsync("data-status", "dnd", new() { Timeout = 15_000 });
            await BrowserFixture.ScreenshotAsync(alice, "presence");

            // Bob goes invisible: alice sees him under Offline; bob still sees his own status as invisible.
            await bob.GetByTestId("status-picker").ClickAsync();
            await bob.GetByTestId("status-invisible").ClickAsync();
            var bobOffline = Row(alice, "members-offline", bobName);
            await Expect(bobOffline).ToHaveCountAsync(1, new() { Timeout = 15_000 });
            await Expect(bobOffline.GetByTestId("presence-dot")).ToHaveAttributeAsync("data-status", "offline");
            await Expect(Row(alice, "members-online", bobName)).ToHaveCountAsync(0);
            await Expect(alice.GetByTestId("members-offline").GetByRole(AriaRole.Heading)).ToHaveTextAsync("Offline — 1");
            await Expect(bob.GetByTestId("status-picker").GetByTestId("presence-dot")).ToHaveAttributeAsync("data-status", "invisible");
            await BrowserFixture.ScreenshotAsync(alice, "presence-invisible");

            // The choice survives a reload (sent in IDENTIFY): alice still sees bob offline, bob still invisible.
            await bob.ReloadAsync();
            await Expect(bob.GetByTestId("status-picker").GetByTestId("presence-dot")).ToHaveAttributeAsync("data-status", "invisible", new() { Timeout = 15_000 });
            await Expect(Row(alice, "members-offline", bobName)).ToHaveCountAsync(1);
        }
        catch
        {
            await BrowserFixture.ScreenshotAsync(alice, "failed-presence-alice");
            await BrowserFixture.ScreenshotAsync(bob, "failed-presence-bob");
            throw;
        }
    }
}
