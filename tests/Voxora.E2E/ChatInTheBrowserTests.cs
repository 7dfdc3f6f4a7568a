using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Voxora.Protocol;
using Voxora.Server.Gateway;
using static Microsoft.Playwright.Assertions;

namespace Voxora.E2E;

/// <summary>
/// Two people in two browser profiles: register, create a community, invite, join through the link,
/// chat live, edit, react, delete, reload, survive a dropped socket, and use a phone-sized screen.
/// Assertions are on what a person sees.
/// </summary>
public sealed class ChatInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Password = "correct horse battery";

    internal static string NewName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..6];

    internal static async Task RegisterAsync(IPage page, string username, string? inviteRedirect = null)
    {
        await page.GotoAsync(inviteRedirect is null ? "/register" : $"/register?redirect={Uri.EscapeDataString(inviteRedirect)}");
        await page.GetByLabel("Username", new() { Exact = true }).FillAsync(username);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByTestId("register-submit").ClickAsync();
        try
        {
            await Expect(page.GetByTestId("register-submit")).ToHaveCountAsync(0);
        }
        catch (PlaywrightException)
        {
            await BrowserFixture.ScreenshotAsync(page, "failed-register-" + username);
            throw;
        }
    }

    internal static async Task CreateCommunityAsync(IPage page, string name)
    {
        try
        {
            // The rail's "+" on wide screens, the empty state's button on a phone: both say the same.
            await page.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First.ClickAsync();
            var dialog = page.GetByTestId("create-community-dialog");
            await dialog.GetByLabel("Community name").FillAsync(name);
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
            await Expect(page.GetByTestId("composer")).ToBeVisibleAsync();
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            await BrowserFixture.ScreenshotAsync(page, "failed-create-community-" + name);
            throw;
        }
    }

    internal static async Task SendAsync(IPage page, string text)
    {
        var composer = page.GetByTestId("composer");
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
    }

    internal static ILocator Message(IPage page, string text) =>
        // Message rows are data-testid="message-<snowflake>"; the text inside is "message-content".
        page.GetByTestId("message-list").Locator("[data-testid^='message-']:not([data-testid='message-content'])").Filter(new() { HasText = text });

    /// <summary>
    /// Security review finding 7 as a person sees it: a link whose text could pass for another address
    /// (a user name before the real host) shows where it really leads beside the text, and an ordinary
    /// link does not.
    /// </summary>
    [Fact]
    public async Task A_link_that_hides_its_real_host_shows_where_it_leads()
    {
        var page = await fixture.NewPageAsync();
        await RegisterAsync(page, NewName("links"));
        await CreateCommunityAsync(page, "Links");

        await SendAsync(page, "pay here https://bank.example@evil.example/login please");
        var spoof = Message(page, "pay here");
        await Expect(spoof).ToHaveCountAsync(1);
        await Expect(spoof.GetByTestId("link-target")).ToHaveTextAsync("(leads to evil.example)");

        await SendAsync(page, "docs at https://voxora.example/help");
        var plain = Message(page, "docs at");
        await Expect(plain).ToHaveCountAsync(1);
        await Expect(plain.GetByRole(AriaRole.Link)).ToHaveAttributeAsync("title", "https://voxora.example/help");
        await Expect(plain.GetByTestId("link-target")).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(page, "link-real-target");
    }

    [Fact]
    public async Task Two_people_chat_live_through_an_invite_link()
    {
        var alice = await fixture.NewPageAsync();
        var bob = await fixture.NewPageAsync();
        var aliceName = NewName("alice");
        var bobName = NewName("bob");

        // Sign-in screen as a newcomer sees it.
        await alice.GotoAsync("/login");
        await Expect(alice.GetByRole(AriaRole.Heading, new() { Name = "Welcome back" })).ToBeVisibleAsync();
        await Expect(alice.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(alice, "sign-in");

        await RegisterAsync(alice, aliceName);
        await CreateCommunityAsync(alice, "Book Club");

        // Alice makes an invite link.
        await alice.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Book Club") }).ClickAsync();
        await alice.GetByTestId("open-invite").ClickAsync();
        var inviteLink = await alice.GetByTestId("invite-link").InputValueAsync(new() { Timeout = 15_000 });
        await Expect(alice.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"));
        inviteLink = await alice.GetByTestId("invite-link").InputValueAsync();
        await alice.Keyboard.PressAsync("Escape");

        // Bob follows it signed out: the invite sends him through registration and back.
        var invitePath = new Uri(inviteLink).AbsolutePath;
        await bob.GotoAsync(invitePath);
        await Expect(bob.GetByTestId("invite-page")).ToContainTextAsync("Book Club");
        await RegisterAsync(bob, bobName, invitePath);
        await bob.GetByTestId("accept-invite").ClickAsync();
        await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();

        // Messages appear live on both sides.
        await SendAsync(alice, "Hello from Alice");
        await Expect(Message(bob, "Hello from Alice")).ToHaveCountAsync(1);
        await SendAsync(bob, "Hi Alice, Bob here");
        await Expect(Message(alice, "Hi Alice, Bob here")).ToHaveCountAsync(1);
        await Expect(Message(alice, "Hello from Alice")).ToHaveCountAsync(1);

        // Alice edits her message: Bob sees the new text and the edited marker.
        var aliceMessage = Message(alice, "Hello from Alice");
        await aliceMessage.HoverAsync();
        await aliceMessage.GetByTestId("edit-message").ClickAsync();
        var editBox = alice.GetByTestId("edit-box");
        await editBox.FillAsync("Hello from Alice (edited)");
        await editBox.PressAsync("Enter");
        var bobSeesEdit = Message(bob, "Hello from Alice (edited)");
        await Expect(bobSeesEdit).ToHaveCountAsync(1);
        await Expect(bobSeesEdit.GetByTestId("edited-marker")).ToBeVisibleAsync();

        // Bob reacts: Alice sees the count.
        await bobSeesEdit.HoverAsync();
        await bobSeesEdit.GetByRole(AriaRole.Button, new() { Name = "Add reaction" }).ClickAsync();
        await bobSeesEdit.GetByRole(AriaRole.Button, new() { Name = "React with 👍" }).ClickAsync();
        var chip = Message(alice, "Hello from Alice (edited)").GetByTestId("reaction-👍");
        await Expect(chip).ToContainTextAsync("1");

        await BrowserFixture.ScreenshotAsync(alice, "chat");

        // Alice deletes it after confirming: it disappears for Bob.
        var toDelete = Message(alice, "Hello from Alice (edited)");
        await toDelete.HoverAsync();
        await toDelete.GetByTestId("delete-message").ClickAsync();
        await alice.GetByTestId("confirm-button").ClickAsync();
        await Expect(Message(bob, "Hello from Alice (edited)")).ToHaveCountAsync(0);
        await Expect(Message(alice, "Hello from Alice (edited)")).ToHaveCountAsync(0);

        // A reload keeps the history.
        await bob.ReloadAsync();
        await Expect(Message(bob, "Hi Alice, Bob here")).ToHaveCountAsync(1);

        // Bob's socket drops; Alice keeps talking; Bob's client resumes and shows each message once.
        var gateway = fixture.Services.GetRequiredService<GatewayServer>();
        foreach (var connection in gateway.Connections.ToList())
        {
            connection.Abort(GatewayCloseCodes.UnknownError, "test: network drop");
        }

        for (var i = 1; i <= 3; i++)
        {
            await SendAsync(alice, $"While you were away {i}");
        }

        for (var i = 1; i <= 3; i++)
        {
            await Expect(Message(bob, $"While you were away {i}")).ToHaveCountAsync(1);
        }

        await SendAsync(bob, "Back again");
        await Expect(Message(alice, "Back again")).ToHaveCountAsync(1);
        await Expect(Message(bob, "Back again")).ToHaveCountAsync(1);
        await Expect(bob.GetByTestId("reconnect-banner")).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(bob, "chat-after-reconnect");

        Assert.Empty(fixture.PageErrors);
    }

    [Fact]
    public async Task A_360_pixel_wide_phone_can_read_and_send()
    {
        var phone = await fixture.NewPageAsync(360, 740);
        await RegisterAsync(phone, NewName("mobile"));
        await CreateCommunityAsync(phone, "Pocket");
        await SendAsync(phone, "Typed on a phone");
        await Expect(Message(phone, "Typed on a phone")).ToHaveCountAsync(1);

        // The channel list is a drawer behind a labelled button.
        var toggle = phone.GetByRole(AriaRole.Button, new() { Name = "Show channels" });
        await Expect(toggle).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(phone, "mobile-chat");
        await toggle.ClickAsync();
        await Expect(phone.GetByTestId("channel-drawer")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(phone, "mobile-drawer");

        // Nothing overflows sideways.
        var overflow = await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth + 1");
        Assert.False(overflow, "the page scrolls sideways at 360 px");
        Assert.Empty(fixture.PageErrors);
    }

    [Fact]
    public async Task Keyboard_editing_safe_text_settings_sessions_theme_and_manifest_work()
    {
        var page = await fixture.NewPageAsync();
        var name = NewName("kbd");
        await RegisterAsync(page, name);
        await CreateCommunityAsync(page, "Keys");

        // Enter sends, Shift+Enter makes a new line, Up-arrow in an empty composer edits my last message.
        var composer = page.GetByTestId("composer");
        await composer.FillAsync("first line");
        await composer.PressAsync("Shift+Enter");
        await composer.PressSequentiallyAsync("second line");
        await composer.PressAsync("Enter");
        var sent = Message(page, "first line");
        await Expect(sent).ToContainTextAsync("second line");
        await composer.PressAsync("ArrowUp");
        var editBox = page.GetByTestId("edit-box");
        await Expect(editBox).ToBeFocusedAsync();
        await editBox.FillAsync("fixed by keyboard");
        await editBox.PressAsync("Enter");
        await Expect(Message(page, "fixed by keyboard").GetByTestId("edited-marker")).ToBeVisibleAsync();

        // Content is text: markup typed by a user shows as typed, links are links.
        await SendAsync(page, "<b>not bold</b> see https://example.org/page");
        var markup = Message(page, "not bold");
        await Expect(markup).ToContainTextAsync("<b>not bold</b>");
        await Expect(markup.Locator("b")).ToHaveCountAsync(0);
        await Expect(markup.GetByRole(AriaRole.Link, new() { Name = "https://example.org/page" })).ToHaveAttributeAsync("rel", new Regex("noopener"));

        // Settings: display name, sessions, theme.
        await page.GotoAsync("/settings");
        await page.GetByLabel("Display name").FillAsync("Key Master");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasTextRegex = new Regex("saved", RegexOptions.IgnoreCase) })).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("session-list")).ToContainTextAsync("this device");
        await page.GetByLabel("Use the light theme").CheckAsync();
        var background = await page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor");
        await BrowserFixture.ScreenshotAsync(page, "settings-light");
        Assert.Matches(@"rgb\((2[0-9]{2}|1[5-9][0-9]), ", background);
        await page.GetByLabel("Use the light theme").UncheckAsync();

        // The app is installable: a manifest with icons.
        var manifestHref = await page.Locator("link[rel=manifest]").GetAttributeAsync("href");
        var manifest = await page.APIRequest.GetAsync(manifestHref!);
        Assert.True(manifest.Ok);
        var manifestJson = System.Text.Json.JsonDocument.Parse(await manifest.TextAsync()).RootElement;
        Assert.True(manifestJson.GetProperty("icons").GetArrayLength() >= 2);
        Assert.Equal("standalone", manifestJson.GetProperty("display").GetString());

        // Signing out on a guarded page lands on the sign-in screen (it used to freeze the tab).
        await page.GetByTestId("sign-out").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome back" })).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/login"));

        Assert.Empty(fixture.PageErrors);
    }

    [Fact]
    public async Task A_session_revoked_from_another_device_lands_on_the_sign_in_screen()
    {
        var laptop = await fixture.NewPageAsync();
        var name = NewName("revoke");
        await RegisterAsync(laptop, name);
        await CreateCommunityAsync(laptop, "Two Devices");

        // The same person signs in on a second device.
        var phone = await fixture.NewPageAsync(360, 740);
        await phone.GotoAsync("/login");
        await phone.GetByLabel("Username or e-mail").FillAsync(name);
        await phone.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await phone.GetByTestId("signin-submit").ClickAsync();
        await Expect(phone.GetByTestId("composer")).ToBeVisibleAsync();

        // From the laptop's settings, sign the other device out.
        await laptop.GotoAsync("/settings");
        var sessions = laptop.GetByTestId("session-list");
        await Expect(sessions.Locator("li")).ToHaveCountAsync(2);
        await sessions.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Sign out session on") }).ClickAsync();
        await laptop.GetByTestId("confirm-button").ClickAsync();
        await Expect(sessions.Locator("li")).ToHaveCountAsync(1);
        await Expect(sessions).ToContainTextAsync("this device");

        // The phone, sitting in the chat, is sent to the sign-in screen (no loop, no frozen tab).
        await Expect(phone.GetByRole(AriaRole.Heading, new() { Name = "Welcome back" })).ToBeVisibleAsync();
        await Expect(phone).ToHaveURLAsync(new Regex("/login\\?redirect=%2Fapp"));
        await BrowserFixture.ScreenshotAsync(phone, "revoked-elsewhere");

        // Signing in again there goes back to the chat.
        await phone.GetByLabel("Username or e-mail").FillAsync(name);
        await phone.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await phone.GetByTestId("signin-submit").ClickAsync();
        await Expect(phone.GetByTestId("composer")).ToBeVisibleAsync();

        // The laptop was not affected.
        await laptop.GetByRole(AriaRole.Link, new() { Name = "Back to chat" }).ClickAsync();
        await Expect(laptop.GetByTestId("composer")).ToBeVisibleAsync();

        Assert.Empty(fixture.PageErrors);
    }

    [Fact]
    public async Task Replies_reactors_channels_community_and_invite_as_a_member()
    {
        var owner = await fixture.NewPageAsync();
        var guest = await fixture.NewPageAsync();
        var ownerName = NewName("owner");
        var guestName = NewName("guest");
        await RegisterAsync(owner, ownerName);
        await CreateCommunityAsync(owner, "Garden");

        await owner.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Garden") }).ClickAsync();
        await owner.GetByTestId("open-invite").ClickAsync();
        await Expect(owner.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"));
        var invitePath = new Uri(await owner.GetByTestId("invite-link").InputValueAsync()).AbsolutePath;
        await owner.Keyboard.PressAsync("Escape");

        await RegisterAsync(guest, guestName, invitePath);
        await guest.GetByTestId("accept-invite").ClickAsync();
        await Expect(guest.GetByTestId("composer")).ToBeVisibleAsync();

        // Reply: the composer says what it replies to; both sides see the quote above the reply.
        await SendAsync(owner, "Tomatoes are ripe");
        var original = Message(guest, "Tomatoes are ripe");
        await Expect(original).ToHaveCountAsync(1);
        await original.HoverAsync();
        await original.GetByRole(AriaRole.Button, new() { Name = "Reply" }).ClickAsync();
        await Expect(guest.GetByTestId("replying-to")).ToContainTextAsync(ownerName);
        await SendAsync(guest, "Save me some");
        await Expect(guest.GetByTestId("replying-to")).ToHaveCountAsync(0);
        var replyForOwner = Message(owner, "Save me some");
        await Expect(replyForOwner.GetByTestId("reply-quote")).ToContainTextAsync("Tomatoes are ripe");
        await Expect(replyForOwner.GetByTestId("reply-quote")).ToContainTextAsync(ownerName);
        await Expect(Message(guest, "Save me some").GetByTestId("reply-quote")).ToContainTextAsync("Tomatoes are ripe");

        // Who reacted: hovering the chip names the people.
        var replyForGuest = Message(guest, "Save me some");
        await replyForGuest.HoverAsync();
        await replyForGuest.GetByRole(AriaRole.Button, new() { Name = "Add reaction" }).ClickAsync();
        await replyForGuest.GetByRole(AriaRole.Button, new() { Name = "React with 🎉" }).ClickAsync();
        var chip = replyForOwner.GetByTestId("reaction-🎉");
        await Expect(chip).ToContainTextAsync("1");
        await chip.HoverAsync();
        await Expect(owner.GetByRole(AriaRole.Tooltip)).ToHaveTextAsync($"Reacted by {guestName}");
        await BrowserFixture.ScreenshotAsync(owner, "reply-and-reactors");

        // The owner creates, renames and deletes a channel; the guest sees each step.
        var ownerMenu = owner.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Garden") });
        await ownerMenu.ClickAsync();
        await owner.GetByTestId("open-create-channel").ClickAsync();
        var createChannel = owner.GetByTestId("create-channel-dialog");
        await createChannel.GetByLabel("Name").FillAsync("seeds");
        await createChannel.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(owner.GetByTestId("channel-view").GetByRole(AriaRole.Heading)).ToContainTextAsync("seeds");
        var guestChannels = guest.GetByRole(AriaRole.Navigation, new() { NameRegex = new Regex("channels$") });
        await Expect(guestChannels.GetByRole(AriaRole.Link, new() { Name = "seeds" })).ToBeVisibleAsync();

        await owner.GetByRole(AriaRole.Button, new() { Name = "Rename seeds" }).ClickAsync();
        await owner.GetByLabel("Channel name").FillAsync("seedlings");
        await owner.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(owner.GetByTestId("channel-view").GetByRole(AriaRole.Heading)).ToContainTextAsync("seedlings");
        await Expect(guestChannels.GetByRole(AriaRole.Link, new() { Name = "seedlings" })).ToBeVisibleAsync();

        await owner.GetByRole(AriaRole.Button, new() { Name = "Delete seedlings" }).ClickAsync();
        await owner.GetByTestId("confirm-button").ClickAsync();
        await Expect(guestChannels.GetByRole(AriaRole.Link, new() { Name = "seedlings" })).ToHaveCountAsync(0);
        await Expect(owner.GetByRole(AriaRole.Link, new() { Name = "seedlings" })).ToHaveCountAsync(0);
        await Expect(owner.GetByTestId("composer")).ToBeVisibleAsync();

        // The invite page, for someone already in the community, offers to open it rather than join.
        await guest.GotoAsync(invitePath);
        await Expect(guest.GetByTestId("already-member")).ToBeVisibleAsync();
        await Expect(guest.GetByTestId("accept-invite")).ToHaveCountAsync(0);
        await guest.GetByTestId("open-community").ClickAsync();
        await Expect(Message(guest, "Save me some")).ToHaveCountAsync(1);

        // Rename the community: the guest's sidebar follows.
        await ownerMenu.ClickAsync();
        await owner.GetByTestId("open-rename-community").ClickAsync();
        await owner.GetByLabel("Community name").FillAsync("Allotment");
        await owner.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(guest.GetByRole(AriaRole.Navigation, new() { Name = "Allotment channels" })).ToBeVisibleAsync();

        // Delete it: both land on the empty home.
        await owner.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Allotment") }).ClickAsync();
        await owner.GetByTestId("open-delete-community").ClickAsync();
        await owner.GetByTestId("confirm-button").ClickAsync();
        await Expect(owner.GetByRole(AriaRole.Navigation, new() { NameRegex = new Regex("^Allotment") })).ToHaveCountAsync(0);
        await Expect(guest.GetByRole(AriaRole.Navigation, new() { NameRegex = new Regex("^Allotment") })).ToHaveCountAsync(0);
        await Expect(guest.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First).ToBeVisibleAsync();
        await Expect(owner).ToHaveURLAsync(new Regex("/app/?$"));
        await BrowserFixture.ScreenshotAsync(guest, "community-deleted");

        Assert.Empty(fixture.PageErrors);
    }
}
