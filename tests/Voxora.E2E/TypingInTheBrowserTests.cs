using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static Voxora.E2E.ChatInTheBrowserTests;

namespace Voxora.E2E;

/// <summary>Two people in two browser profiles: one types, the other sees it under the composer until the message arrives.</summary>
public sealed class TypingInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Alice_sees_bob_typing_and_it_goes_when_his_message_arrives()
    {
        var alice = await fixture.NewPageAsync();
        var bob = await fixture.NewPageAsync();
        var aliceName = NewName("alice");
        var bobName = NewName("bob");

        await RegisterAsync(alice, aliceName);
        await CreateCommunityAsync(alice, "Typing Club");
        await alice.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Typing Club") }).ClickAsync();
        await alice.GetByTestId("open-invite").ClickAsync();
        await Expect(alice.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"));
        var invitePath = new Uri(await alice.GetByTestId("invite-link").InputValueAsync()).AbsolutePath;
        await alice.Keyboard.PressAsync("Escape");

        await bob.GotoAsync(invitePath);
        await RegisterAsync(bob, bobName, invitePath);
        await bob.GetByTestId("accept-invite").ClickAsync();
        await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();
        // Both on the live channel: a message each way.
        await SendAsync(alice, "Anyone here?");
        await Expect(Message(bob, "Anyone here?")).ToHaveCountAsync(1);

        var aliceSees = alice.GetByTestId("typing-indicator");
        await Expect(aliceSees).ToHaveTextAsync("");

        // Bob types (without sending): Alice sees him typing; Bob never sees himself.
        await bob.GetByTestId("composer").FillAsync("Yes, I am here and");
        await Expect(aliceSees).ToHaveTextAsync($"{bobName} is typing…");
        await Expect(bob.GetByTestId("typing-indicator")).ToHaveTextAsync("");
        await BrowserFixture.ScreenshotAsync(alice, "typing");

        // He sends: the message replaces the indicator at once, well before the 8 s timeout.
        await bob.GetByTestId("composer").PressAsync("Enter");
        await Expect(Message(alice, "Yes, I am here and")).ToHaveCountAsync(1);
        await Expect(aliceSees).ToHaveTextAsync("", new() { Timeout = 2_000 });
        await BrowserFixture.ScreenshotAsync(alice, "typing-after-send");

        Assert.Empty(fixture.PageErrors);
    }
}
