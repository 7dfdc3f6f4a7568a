using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Voxora.Client;
using Voxora.Protocol;
using static Microsoft.Playwright.Assertions;
using static Voxora.E2E.BrowserPeople;

namespace Voxora.E2E;

/// <summary>
/// Message formatting as two people see it: alice writes a message using every construct and bob sees each one as
/// its element; HTML in a message shows as the text it is; bob picks an emoji from the picker (for the composer and
/// as a reaction) and autocompletes a mention of alice, which reaches her as a mention.
/// </summary>
public sealed class FormattingInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static async Task SendAsync(IPage page, string text)
    {
        var composer = page.GetByTestId("composer");
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
    }

    [Fact]
    public async Task Every_construct_renders_HTML_stays_text_emoji_are_picked_and_a_mention_is_autocompleted()
    {
        var alice = await fixture.NewPageAsync();
        var bob = await fixture.NewPageAsync();
        var aliceName = NewName("alice");
        var bobName = NewName("bob");
        await RegisterAsync(alice, aliceName);
        using var aliceApi = new VoxoraClient(fixture.BaseAddress);
        await aliceApi.LoginAsync(aliceName, Password);
        var aliceId = (await aliceApi.GetMeAsync()).Id;

        await alice.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First.ClickAsync();
        await alice.GetByTestId("create-community-dialog").GetByLabel("Community name").FillAsync("Format Club");
        await alice.GetByTestId("create-community-dialog").GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(alice.GetByTestId("composer")).ToBeVisibleAsync();
        var communityId = Regex.Match(alice.Url, "/app/([^/]+)/").Groups[1].Value;
        var general = await alice.GetByTestId("channel-view").GetAttributeAsync("data-channel-id");
        var role = await aliceApi.CreateRoleAsync(communityId, new CreateRoleRequest("reviewers"));

        var menu = alice.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Format Club") });
        await menu.ClickAsync();
        await alice.GetByTestId("open-invite").ClickAsync();
        await Expect(alice.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"));
        var invitePath = new Uri(await alice.GetByTestId("invite-link").InputValueAsync()).AbsolutePath;
        await alice.Keyboard.PressAsync("Escape");

        await RegisterAsync(bob, bobName, invitePath);
        await bob.GetByTestId("accept-invite").ClickAsync();
        await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();
        using var bobApi = new VoxoraClient(fixture.BaseAddress);
        await bobApi.LoginAsync(bobName, Password);
        var bobId = (await bobApi.GetMeAsync()).Id;

        // 1. Every construct, written by alice, as bob sees it.
        var content = string.Join("\n",
            "# Release plan",
            "**bold** *italic* __underlined__ ~~struck~~ ||surprise|| `inline()`",
            "> quoted wisdom",
            "- first point",
            "- second point",
            "1. step one",
            "[the docs](https://docs.example.org/guide) and https://example.com/page",
            $"<@{bobId}> <@&{role.Id}> <#{general}> @here :tada:",
            "```js",
            "const answer = 42;",
            "```");
        await SendAsync(alice, content);
        var rich = bob.GetByTestId("message-list").Locator("article").Filter(new() { HasText = "Release plan" });
        await Expect(rich).ToHaveCountAsync(1);
        var body = rich.GetByTestId("message-content");
        await Expect(body.Locator("h1")).ToHaveTextAsync("Release plan");
        await Expect(body.Locator("strong")).ToHaveTextAsync("bold");
        await Expect(body.Locator("em")).ToHaveTextAsync("italic");
        await Expect(body.Locator("u")).ToHaveTextAsync("underlined");
        await Expect(body.Locator("s")).ToHaveTextAsync("struck");
        var spoiler = body.GetByTestId("spoiler");
        await Expect(spoiler).ToHaveAttributeAsync("data-shown", "false");
        await Expect(body.Locator("code").First).ToHaveTextAsync("inline()");
        await Expect(body.Locator("blockquote")).ToHaveTextAsync("quoted wisdom");
        await Expect(body.Locator("ul > li")).ToHaveTextAsync(["first point", "second point"]);
        await Expect(body.Locator("ol > li")).ToHaveTextAsync("step one");
        var masked = body.GetByTestId("masked-link");
        await Expect(masked).ToHaveTextAsync("the docs");
        await Expect(masked).ToHaveAttributeAsync("title", "https://docs.example.org/guide");
        await Expect(body.GetByRole(AriaRole.Link, new() { Name = "https://example.com/page" })).ToHaveAttributeAsync("href", "https://example.com/page");
        await Expect(body.GetByTestId("mention")).ToHaveTextAsync("@" + bobName);
        await Expect(body.GetByTestId("mention")).ToHaveAttributeAsync("data-me", "true");
        await Expect(body.GetByTestId("role-mention")).ToHaveTextAsync("@reviewers");
        await Expect(body.GetByTestId("channel-mention")).ToHaveTextAsync("#general");
        await Expect(body.GetByTestId("mention-everyone")).ToHaveTextAsync("@here");
        await Expect(body.GetByTestId("emoji")).ToHaveTextAsync("🎉");
        var code = body.GetByTestId("format-codeblock");
        await Expect(code).ToHaveAttributeAsync("data-lang", "js");
        await Expect(code.Locator("code")).ToHaveAttributeAsync("data-highlighted", "true");
        await Expect(code.Locator(".hljs-keyword")).ToHaveTextAsync("const");
        await Expect(code).ToHaveTextAsync("const answer = 42;");

        await spoiler.ClickAsync();
        await Expect(spoiler).ToHaveAttributeAsync("data-shown", "true");
        await BrowserFixture.ScreenshotAsync(bob, "formatting");

        // A masked link says where it really leads before anyone leaves.
        await masked.ClickAsync();
        await Expect(bob.GetByTestId("leave-dialog")).ToBeVisibleAsync();
        await Expect(bob.GetByTestId("leave-host")).ToHaveTextAsync("docs.example.org");
        await bob.GetByTestId("leave-dialog").GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(bob.GetByTestId("leave-dialog")).ToHaveCountAsync(0);

        // 2. HTML in a message is shown as the text it is: no element is created from it.
        const string html = "<img src=x onerror=alert(1)> and <b>x</b>";
        await SendAsync(alice, html);
        var literal = bob.GetByTestId("message-list").Locator("article").Filter(new() { HasText = "onerror" });
        await Expect(literal.GetByTestId("message-content")).ToHaveTextAsync(html);
        await Expect(literal.Locator("img, b")).ToHaveCountAsync(0);
        Assert.Equal(0, await bob.Locator("img[src='x'], [onerror]").CountAsync());

        // 3. An emoji picked from the picker goes into the composer; another becomes a reaction.
        await bob.GetByRole(AriaRole.Button, new() { Name = "Choose an emoji" }).ClickAsync();
        var picker = bob.GetByTestId("emoji-picker");
        await Expect(picker.GetByRole(AriaRole.Button, new() { Name = "Insert grinning face", Exact = true })).ToBeVisibleAsync();
        await Expect(picker.GetByRole(AriaRole.Navigation, new() { Name = "Emoji categories" }).GetByRole(AriaRole.Button)).ToHaveCountAsync(9);
        await BrowserFixture.ScreenshotAsync(bob, "emoji-picker");
        await picker.GetByLabel("Search emoji").FillAsync("rocket");
        await Expect(picker.GetByRole(AriaRole.Button, new() { Name = "Insert rocket", Exact = true })).ToBeVisibleAsync();
        // Keyboard: down from the search box to the first result, Enter picks it.
        await picker.GetByLabel("Search emoji").PressAsync("ArrowDown");
        await bob.Keyboard.PressAsync("Enter");
        await Expect(bob.GetByTestId("composer")).ToHaveValueAsync("🚀");
        await Expect(picker).ToHaveCountAsync(0);
        await bob.GetByTestId("composer").PressAsync("Enter");
        await Expect(alice.GetByTestId("message-list").Locator("article").Filter(new() { HasText = "🚀" })).ToHaveCountAsync(1);

        await literal.HoverAsync();
        await literal.GetByRole(AriaRole.Button, new() { Name = "Add reaction" }).ClickAsync();
        await literal.GetByLabel("Search emoji").FillAsync("octopus");
        await literal.GetByRole(AriaRole.Button, new() { Name = "React with octopus", Exact = true }).ClickAsync();
        await Expect(alice.GetByTestId("message-list").Locator("article").Filter(new() { HasText = "onerror" }).GetByTestId("reaction-🐙")).ToContainTextAsync("1");

        // 4. "@" + the start of alice's name offers her; Enter inserts the wire form, which reaches her as a mention.
        var composer = bob.GetByTestId("composer");
        await composer.FillAsync("");
        await composer.PressSequentiallyAsync("thanks @" + aliceName[..7]);
        var suggestions = bob.GetByTestId("autocomplete");
        await Expect(suggestions.GetByRole(AriaRole.Option).First).ToContainTextAsync(aliceName);
        await Expect(composer).ToHaveAttributeAsync("aria-expanded", "true");
        await BrowserFixture.ScreenshotAsync(bob, "autocomplete");
        await composer.PressAsync("Enter");
        await Expect(composer).ToHaveValueAsync($"thanks <@{aliceId}> ");
        await Expect(suggestions).ToHaveCountAsync(0);
        await composer.PressSequentiallyAsync("for the plan");
        await composer.PressAsync("Enter");

        var mentioned = alice.GetByTestId("message-list").Locator("article").Filter(new() { HasText = "for the plan" });
        await Expect(mentioned.GetByTestId("mention")).ToHaveAttributeAsync("data-me", "true");
        await Expect(mentioned.GetByTestId("mention")).ToHaveTextAsync("@" + aliceName);
        var stored = await aliceApi.GetMessagesAsync(general!, limit: 5);
        var sent = Assert.Single(stored, m => m.Content.EndsWith("for the plan", StringComparison.Ordinal));
        Assert.Equal($"thanks <@{aliceId}> for the plan", sent.Content);
        Assert.Contains(aliceId, sent.Mentions);

        // Escape closes the suggestions without inserting anything.
        await composer.PressSequentiallyAsync("#gen");
        await Expect(suggestions.GetByRole(AriaRole.Option, new() { Name = "general", Exact = true })).ToBeVisibleAsync();
        await composer.PressAsync("Escape");
        await Expect(suggestions).ToHaveCountAsync(0);
        await Expect(composer).ToHaveValueAsync("#gen");

        // 5. A message link opens the channel scrolled to that message, highlighted.
        var richId = await rich.GetAttributeAsync("data-message-id");
        await bob.GotoAsync($"/app/{communityId}/{general}/{richId}");
        var target = bob.Locator($"article[data-message-id='{richId}']");
        await Expect(target).ToHaveAttributeAsync("data-highlighted", "true");
        await Expect(target).ToBeInViewportAsync();
        await Expect(bob.GetByTestId("message-list").Locator("article[data-highlighted='true']")).ToHaveCountAsync(1);
    }
}
