using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static Voxora.E2E.BrowserPeople;

namespace Voxora.E2E;

/// <summary>
/// Link previews as two people see them: alice posts a link to a page with Open Graph tags (served by the test itself on
/// 127.0.0.1); bob sees the preview card appear under her message — site name, title, description and the cover image,
/// loaded through the pod's signed proxy, never from the page's site; alice removes the previews and they go for both.
/// </summary>
public sealed class LinkPreviewsInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static async Task SendAsync(IPage page, string text)
    {
        var composer = page.GetByTestId("composer");
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
    }

    [Fact]
    public async Task Alice_posts_a_link_and_bob_sees_the_preview_card_with_its_image_then_alice_removes_it()
    {
        var bob = await fixture.NewPageAsync();
        var alice = await fixture.NewPageAsync();
        await RegisterAsync(bob, NewName("bob"));
        await bob.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First.ClickAsync();
        await bob.GetByTestId("create-community-dialog").GetByLabel("Community name").FillAsync("Link Club");
        await bob.GetByTestId("create-community-dialog").GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();
        await bob.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Link Club") }).ClickAsync();
        await bob.GetByTestId("open-invite").ClickAsync();
        await Expect(bob.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"));
        var invitePath = new Uri(await bob.GetByTestId("invite-link").InputValueAsync()).AbsolutePath;
        await bob.Keyboard.PressAsync("Escape");

        await RegisterAsync(alice, NewName("alice"), invitePath);
        await alice.GetByTestId("accept-invite").ClickAsync();
        await Expect(alice.GetByTestId("composer")).ToBeVisibleAsync();

        var link = new Uri(fixture.PreviewOrigin.BaseAddress, "article").AbsoluteUri;
        await SendAsync(alice, $"Have a look: {link}");

        var bobsMessage = bob.GetByTestId("message-list").GetByRole(AriaRole.Article, new() { NameRegex = new Regex("Have a look") });
        var card = bobsMessage.GetByTestId("embed-card");
        await Expect(card).ToBeVisibleAsync();
        await Expect(card.GetByTestId("embed-site")).ToHaveTextAsync("Voxora Blog");
        await Expect(card.GetByTestId("embed-title")).ToHaveTextAsync("Voxora ships link previews");
        await Expect(card.GetByTestId("embed-description")).ToContainTextAsync("Fetched by the server");
        var thumbnail = card.GetByTestId("embed-thumbnail");
        await Expect(thumbnail).ToHaveAttributeAsync("src", new Regex("/api/v1/media/proxy\\?url="));
        Assert.StartsWith(fixture.BaseAddress.GetLeftPart(UriPartial.Authority), await thumbnail.GetAttributeAsync("src"), StringComparison.Ordinal);
        await Expect(thumbnail).ToHaveJSPropertyAsync("complete", true);
        Assert.True(await thumbnail.EvaluateAsync<int>("img => img.naturalWidth") > 0, "the proxied image did not load");
        Assert.True(fixture.PreviewOrigin.ImageRequests > 0);
        await BrowserFixture.ScreenshotAsync(bob, "link-preview-bob");

        var alicesMessage = alice.GetByTestId("message-list").GetByRole(AriaRole.Article, new() { NameRegex = new Regex("Have a look") });
        await Expect(alicesMessage.GetByTestId("embed-card")).ToBeVisibleAsync();
        // The author removes them (bob could too, as the owner holds MANAGE_MESSAGES).
        await alicesMessage.GetByTestId("embed-remove").ClickAsync();
        await Expect(alicesMessage.GetByTestId("embed-card")).ToHaveCountAsync(0);
        await Expect(bobsMessage.GetByTestId("embed-card")).ToHaveCountAsync(0);
        await Expect(bobsMessage).ToContainTextAsync("Have a look");
        Assert.Empty(fixture.PageErrors);
    }
}
