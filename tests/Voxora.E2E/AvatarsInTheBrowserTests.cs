using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static Voxora.E2E.BrowserPeople;

namespace Voxora.E2E;

/// <summary>
/// Avatars and community icons as people see them: alice picks an avatar in her settings and bob sees it beside her
/// messages and in the member list at once, without reloading; bob gives the community an icon and it appears in alice's
/// community rail; alice removes her avatar and her initial comes back for bob. A file that is not a picture is refused
/// in words before anything is sent.
/// </summary>
public sealed class AvatarsInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    /// <summary>The picture was fetched and decoded (not a broken image): its natural width is the stored 256.</summary>
    private static async Task ExpectDecodedAsync(ILocator image)
    {
        await Expect(image).ToHaveAttributeAsync("src", new Regex(@"^/api/v1/(avatars|icons)/[a-z0-9_]+/[0-9a-f]{16}\.webp$", RegexOptions.IgnoreCase));
        await Expect(image).ToHaveJSPropertyAsync("naturalWidth", 256);
    }

    [Fact]
    public async Task Alice_changes_her_avatar_and_bob_sees_it_live_and_bob_gives_the_community_an_icon_alice_sees()
    {
        var bob = await fixture.NewPageAsync();
        var alice = await fixture.NewPageAsync();
        var aliceName = NewName("alice");
        await RegisterAsync(bob, NewName("bob"));
        await bob.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First.ClickAsync();
        await bob.GetByTestId("create-community-dialog").GetByLabel("Community name").FillAsync("Picture Club");
        await bob.GetByTestId("create-community-dialog").GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();
        var menu = bob.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Picture Club") });
        await menu.ClickAsync();
        await bob.GetByTestId("open-invite").ClickAsync();
        await Expect(bob.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"));
        var invitePath = new Uri(await bob.GetByTestId("invite-link").InputValueAsync()).AbsolutePath;
        await bob.Keyboard.PressAsync("Escape");

        await RegisterAsync(alice, aliceName, invitePath);
        await alice.GetByTestId("accept-invite").ClickAsync();
        await Expect(alice.GetByTestId("composer")).ToBeVisibleAsync();
        var communityPath = new Uri(alice.Url).AbsolutePath;
        await alice.GetByTestId("composer").FillAsync("hello from alice");
        await alice.GetByTestId("composer").PressAsync("Enter");
        var bobSeesMessage = bob.GetByTestId("message-list").GetByRole(AriaRole.Article, new() { NameRegex = new Regex("hello from alice") });
        await Expect(bobSeesMessage).ToBeVisibleAsync();
        await Expect(bobSeesMessage.GetByTestId("avatar-image")).ToHaveCountAsync(0);

        // Alice: Settings → Profile. A text file is refused in words, nothing sent; then a real picture.
        await alice.GotoAsync("/settings");
        var picker = alice.GetByTestId("avatar-picker");
        await alice.GetByTestId("avatar-picker-input").SetInputFilesAsync(new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = "not a picture"u8.ToArray() });
        await Expect(alice.GetByTestId("avatar-picker-error")).ToHaveTextAsync("Choose a PNG, JPEG, GIF or WebP picture.");
        await alice.GetByTestId("avatar-picker-input").SetInputFilesAsync(new FilePayload
        {
            Name = "checks.png", MimeType = "image/png", Buffer = Convert.FromBase64String(AttachmentsInTheBrowserTests.ChecksPng),
        });
        await Expect(picker.GetByRole(AriaRole.Status)).ToHaveTextAsync("Picture saved.");
        await Expect(alice.GetByTestId("avatar-picker-error")).ToHaveCountAsync(0);
        await ExpectDecodedAsync(picker.GetByTestId("avatar-image"));
        await BrowserFixture.ScreenshotAsync(alice, "avatar-settings");

        // Bob, without reloading: beside her message and in the member list.
        await ExpectDecodedAsync(bobSeesMessage.GetByTestId("avatar-image"));
        var bobSeesMember = bob.Locator("[data-testid=member-list] [data-testid=member-row]").Filter(new() { HasText = aliceName });
        await ExpectDecodedAsync(bobSeesMember.GetByTestId("avatar-image"));
        await BrowserFixture.ScreenshotAsync(bob, "avatar-seen-by-others");

        // Bob gives the community an icon (Community settings → Overview); alice's rail shows it.
        await alice.GotoAsync(communityPath);
        await Expect(alice.GetByTestId("composer")).ToBeVisibleAsync();
        await menu.ClickAsync();
        await bob.GetByTestId("open-community-settings").ClickAsync();
        var settings = bob.GetByTestId("community-settings");
        await settings.GetByTestId("settings-tab-overview").ClickAsync();
        await settings.GetByTestId("icon-picker-input").SetInputFilesAsync(new FilePayload
        {
            Name = "stripes.png", MimeType = "image/png", Buffer = Convert.FromBase64String(AttachmentsInTheBrowserTests.StripesPng),
        });
        await Expect(settings.GetByTestId("icon-picker").GetByRole(AriaRole.Status)).ToHaveTextAsync("Picture saved.");
        await ExpectDecodedAsync(settings.GetByTestId("community-icon-preview"));
        await BrowserFixture.ScreenshotAsync(bob, "community-icon-settings");
        await ExpectDecodedAsync(alice.GetByRole(AriaRole.Navigation, new() { Name = "Communities" }).GetByTestId("community-icon"));
        await ExpectDecodedAsync(alice.GetByTestId("message-list").GetByRole(AriaRole.Article, new() { NameRegex = new Regex("hello from alice") }).GetByTestId("avatar-image"));
        await BrowserFixture.ScreenshotAsync(alice, "community-icon-in-rail");

        // Alice removes her avatar (the settings page again): bob sees her initial again.
        await alice.GotoAsync("/settings");
        await alice.GetByTestId("avatar-picker").GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Expect(alice.GetByTestId("avatar-picker").GetByRole(AriaRole.Status)).ToHaveTextAsync("Picture removed.");
        await Expect(bobSeesMessage.GetByTestId("avatar-image")).ToHaveCountAsync(0);
        await Expect(bobSeesMember.GetByTestId("avatar-image")).ToHaveCountAsync(0);
    }
}
