using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Voxora.Client;
using Voxora.Protocol;
using static Microsoft.Playwright.Assertions;
using static Voxora.E2E.BrowserPeople;

namespace Voxora.E2E;

/// <summary>
/// What a newcomer and a moderator meet in the shell (issue 17, "First visit and the shell", and the report queue):
/// purged messages leave a second person's screen, the empty home joins by a pasted invite, a bad invite offers a way
/// back, menus and the phone member list close on Escape, the keyboard reaches a message's actions, and a report filed
/// by one member is worked through in a moderator's queue.
/// </summary>
public sealed class FirstVisitInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    /// <summary>An owner driven through the API: a community, its text channel and an invite code.</summary>
    private async Task<(VoxoraClient Client, Community Community, string ChannelId, string InviteCode)> ApiOwnerAsync(string communityName)
    {
        var client = new VoxoraClient(fixture.BaseAddress);
        var name = NewName("owen");
        await client.RegisterAsync(name, Password);
        await client.LoginAsync(name, Password);
        var community = await client.CreateCommunityAsync(communityName);
        var channel = (await client.GetChannelsAsync(community.Id)).First(c => c.Name == "general");
        var invite = await client.CreateInviteAsync(community.Id);
        return (client, community, channel.Id, invite.Code);
    }

    private async Task<VoxoraClient> ApiMemberAsync(string name, string inviteCode)
    {
        var client = new VoxoraClient(fixture.BaseAddress);
        await client.RegisterAsync(name, Password);
        await client.LoginAsync(name, Password);
        await client.AcceptInviteAsync(inviteCode);
        return client;
    }

    private static ILocator Message(IPage page, string text) =>
        page.GetByTestId("message-list").Locator("article[data-message-id]").Filter(new() { HasText = text });

    [Fact]
    public async Task A_bulk_delete_and_a_ban_with_purge_remove_the_messages_from_another_persons_screen()
    {
        var (owner, community, channelId, code) = await ApiOwnerAsync("Purge Hall");
        using var ownerClient = owner;
        var spammerName = NewName("spam");
        using var spammer = await ApiMemberAsync(spammerName, code);
        var spammerId = (await spammer.GetMeAsync()).Id;
        await owner.SendMessageAsync(channelId, "the owner's message stays");
        var doomed = await owner.SendMessageAsync(channelId, "deleted in bulk");
        var doomedToo = await owner.SendMessageAsync(channelId, "also removed at once");
        await spammer.SendMessageAsync(channelId, "buy gold one");
        await spammer.SendMessageAsync(channelId, "buy gold two");

        var alice = await fixture.NewPageAsync();
        await RegisterAsync(alice, NewName("alice"), $"/invite/{code}");
        await alice.GetByTestId("accept-invite").ClickAsync();
        await Expect(alice.GetByTestId("composer")).ToBeVisibleAsync();
        await Expect(Message(alice, "buy gold two")).ToHaveCountAsync(1);
        await Expect(Message(alice, "deleted in bulk")).ToHaveCountAsync(1);

        // A moderator's bulk delete: gone from alice's screen without a reload.
        await Expect(Message(alice, "also removed at once")).ToHaveCountAsync(1);
        await owner.BulkDeleteMessagesAsync(channelId, [doomed.Id, doomedToo.Id]);
        await Expect(Message(alice, "deleted in bulk")).ToHaveCountAsync(0);
        await Expect(Message(alice, "also removed at once")).ToHaveCountAsync(0);
        await Expect(Message(alice, "the owner's message stays")).ToHaveCountAsync(1);

        // A ban that deletes the last hour of the spammer's messages: both go, live.
        await owner.BanAsync(community.Id, spammerId, "spam", 3600);
        await Expect(Message(alice, "buy gold one")).ToHaveCountAsync(0);
        await Expect(Message(alice, "buy gold two")).ToHaveCountAsync(0);
        await Expect(Message(alice, "the owner's message stays")).ToHaveCountAsync(1);
        await BrowserFixture.ScreenshotAsync(alice, "first-visit-after-purge");
        Assert.Empty(fixture.PageErrors);
    }

    [Fact]
    public async Task A_newcomer_joins_by_pasting_an_invite_and_a_bad_invite_shows_an_error_and_a_way_back()
    {
        var (owner, _, _, code) = await ApiOwnerAsync("Paste Club");
        using var ownerClient = owner;
        var page = await fixture.NewPageAsync();
        await RegisterAsync(page, NewName("newbie"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are not in any community yet" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("empty-home-settings")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("empty-home-sign-out")).ToBeVisibleAsync();

        // Something that is not an invite is refused with words.
        await page.GetByLabel("Have an invite link?").FillAsync("hello there");
        await page.GetByTestId("invite-paste-submit").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not an invite link");
        await BrowserFixture.ScreenshotAsync(page, "first-visit-empty-home");

        // A link to an invite that does not exist: an error, no Join button, and a way home.
        await page.GetByLabel("Have an invite link?").FillAsync($"{fixture.BaseAddress}invite/Zz9Zz9Zz");
        await page.GetByTestId("invite-paste-submit").ClickAsync();
        await Expect(page.GetByTestId("invite-invalid")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("invite-page")).ToContainTextAsync("does not exist");
        await Expect(page.GetByTestId("invite-page")).Not.ToContainTextAsync("You have been invited to join");
        await Expect(page.GetByTestId("accept-invite")).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(page, "first-visit-bad-invite");
        await page.GetByTestId("invite-go-home").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are not in any community yet" })).ToBeVisibleAsync();

        // The real link, pasted: the invite page, then the community.
        await page.GetByLabel("Have an invite link?").FillAsync($"{fixture.BaseAddress}invite/{code}");
        await page.GetByTestId("invite-paste-submit").ClickAsync();
        await Expect(page.GetByTestId("invite-page")).ToContainTextAsync("Paste Club");
        await page.GetByTestId("accept-invite").ClickAsync();
        await Expect(page.GetByTestId("composer")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Paste Club channels" })).ToBeVisibleAsync();
        Assert.Empty(fixture.PageErrors);
    }

    [Fact]
    public async Task Escape_closes_the_community_menu_the_keyboard_reaches_message_actions_and_invites_have_limits()
    {
        var page = await fixture.NewPageAsync();
        await RegisterAsync(page, NewName("keys"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First.ClickAsync();
        await page.GetByTestId("create-community-dialog").GetByLabel("Community name").FillAsync("Key Club");
        await page.GetByTestId("create-community-dialog").GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.GetByTestId("composer")).ToBeVisibleAsync();

        // The community menu: Escape closes it (focus back on its button), so does a click elsewhere.
        var menuButton = page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Key Club") });
        await menuButton.ClickAsync();
        await Expect(page.Locator("#community-menu")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#community-menu")).ToHaveCountAsync(0);
        await Expect(menuButton).ToBeFocusedAsync();
        await menuButton.ClickAsync();
        await Expect(page.Locator("#community-menu")).ToBeVisibleAsync();
        await page.GetByTestId("message-list").ClickAsync();
        await Expect(page.Locator("#community-menu")).ToHaveCountAsync(0);

        // The invite dialog: a link for one use that lasts an hour.
        await menuButton.ClickAsync();
        await page.GetByTestId("open-invite").ClickAsync();
        var dialog = page.GetByTestId("invite-dialog");
        await Expect(dialog.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"));
        var firstLink = await dialog.GetByTestId("invite-link").InputValueAsync();
        await dialog.GetByLabel("Expire after").SelectOptionAsync("3600");
        await dialog.GetByLabel("Max number of uses").SelectOptionAsync("1");
        await dialog.GetByTestId("invite-regenerate").ClickAsync();
        await Expect(dialog.GetByTestId("invite-terms")).ToContainTextAsync("for 1 use");
        await Expect(dialog.GetByTestId("invite-link")).Not.ToHaveValueAsync(firstLink);
        await BrowserFixture.ScreenshotAsync(page, "first-visit-invite-limits");
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToHaveCountAsync(0);

        // A plain message: Tab from the message list lands on it, its actions show, and Tab reaches Reply.
        await page.GetByTestId("composer").FillAsync("reach me by keyboard");
        await page.GetByTestId("composer").PressAsync("Enter");
        var message = Message(page, "reach me by keyboard");
        await Expect(message).ToHaveCountAsync(1);
        await page.GetByTestId("message-list").FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(message).ToBeFocusedAsync();
        var reply = message.GetByRole(AriaRole.Button, new() { Name = "Reply", Exact = true });
        await Expect(reply).ToBeVisibleAsync();
        for (var i = 0; i < 12 && !await reply.EvaluateAsync<bool>("b => b === document.activeElement"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await Expect(reply).ToBeFocusedAsync();
        await Expect(message.GetByRole(AriaRole.Button, new() { Name = "Delete message" })).ToBeVisibleAsync();
        await Expect(message.GetByRole(AriaRole.Button, new() { Name = "Edit message" })).ToBeVisibleAsync();
        await Expect(message.GetByRole(AriaRole.Button, new() { Name = "Add reaction" })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "first-visit-keyboard-actions");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("replying-to")).ToBeVisibleAsync();
        Assert.Empty(fixture.PageErrors);
    }

    [Fact]
    public async Task On_a_phone_the_member_list_closes_with_Escape_and_its_button_and_tapping_the_open_channel_closes_the_drawer()
    {
        var (owner, _, channelId, code) = await ApiOwnerAsync("Pocket Guild");
        using var ownerClient = owner;
        var phone = await fixture.NewPageAsync(360, 740);
        await RegisterAsync(phone, NewName("phone"), $"/invite/{code}");
        await phone.GetByTestId("accept-invite").ClickAsync();
        await Expect(phone.GetByTestId("composer")).ToBeVisibleAsync();

        var toggle = phone.GetByTestId("members-toggle");
        await toggle.ClickAsync();
        var list = phone.GetByTestId("member-list");
        await Expect(list).ToBeVisibleAsync();
        await Expect(list.GetByTestId("member-row")).ToHaveCountAsync(2);
        await BrowserFixture.ScreenshotAsync(phone, "first-visit-phone-members");
        await phone.Keyboard.PressAsync("Escape");
        await Expect(list).ToHaveCountAsync(0);

        await toggle.ClickAsync();
        await Expect(list).ToBeVisibleAsync();
        await list.GetByTestId("members-close").ClickAsync();
        await Expect(list).ToHaveCountAsync(0);

        // The drawer: tapping the channel already open closes it.
        await phone.GetByTestId("drawer-toggle").ClickAsync();
        await Expect(phone.GetByTestId("channel-drawer")).ToBeVisibleAsync();
        await phone.GetByTestId($"channel-link-{channelId}").ClickAsync();
        await Expect(phone.GetByTestId("channel-drawer")).ToBeHiddenAsync();
        Assert.Empty(fixture.PageErrors);
    }

    [Fact]
    public async Task A_report_filed_by_bob_appears_in_alices_queue_and_resolving_it_removes_it()
    {
        var alice = await fixture.NewPageAsync(1400, 900);
        var bob = await fixture.NewPageAsync();
        var aliceName = NewName("alice");
        var bobName = NewName("bob");
        var carolName = NewName("carol");
        await RegisterAsync(alice, aliceName);
        var invitePath = await CreateCommunityWithInviteAsync(alice, "Report Hall");
        var menu = alice.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Report Hall") });

        using var carol = await ApiMemberAsync(carolName, invitePath.Split('/')[^1]);
        await RegisterAsync(bob, bobName, invitePath);
        await bob.GetByTestId("accept-invite").ClickAsync();
        await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();
        var channelId = (await carol.GetChannelsAsync((await carol.GetMyCommunitiesAsync()).Single().Id)).First(c => c.Name == "general").Id;
        await carol.SendMessageAsync(channelId, "cheap gold at example dot com");

        // Alice has her queue open (empty) before anything is reported.
        await menu.ClickAsync();
        await alice.GetByTestId("open-community-settings").ClickAsync();
        var settings = alice.GetByTestId("community-settings");
        await settings.GetByTestId("settings-tab-reports").ClickAsync();
        await Expect(settings.GetByTestId("reports-empty")).ToBeVisibleAsync();

        // Bob reports carol's message from its actions.
        var spam = Message(bob, "cheap gold");
        await spam.HoverAsync();
        await spam.GetByRole(AriaRole.Button, new() { Name = "Report message" }).ClickAsync();
        var reportDialog = bob.GetByTestId("report-dialog");
        await reportDialog.GetByLabel("What is wrong with it?").FillAsync("spam link");
        await reportDialog.GetByRole(AriaRole.Button, new() { Name = "Report", Exact = true }).ClickAsync();
        await Expect(reportDialog).ToHaveCountAsync(0);
        await Expect(spam).ToContainTextAsync("Reported. The moderators will look at it.");

        // It shows in alice's open queue live (REPORT_CREATE): the message in context, with who reported it and why.
        var row = settings.GetByTestId("report-row");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.GetByTestId("report-message")).ToContainTextAsync("cheap gold at example dot com");
        await Expect(row.GetByTestId("report-message")).ToContainTextAsync(carolName);
        await Expect(row.GetByTestId("report-reason")).ToContainTextAsync("spam link");
        await Expect(row).ToContainTextAsync($"{bobName} reported a message by {carolName} in #general");
        // Acting on the author uses the member actions.
        await row.GetByTestId("report-act").ClickAsync();
        await Expect(row.GetByTestId("member-actions").GetByRole(AriaRole.Button, new() { Name = "Kick", Exact = true })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(alice, "first-visit-report-queue");

        await row.GetByTestId("report-note").FillAsync("Thanks, handled.");
        await row.GetByTestId("report-resolve").ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        await Expect(settings.GetByTestId("reports-status")).ToContainTextAsync("resolved");
        await settings.GetByTestId("reports-refresh").ClickAsync();
        await Expect(settings.GetByTestId("reports-empty")).ToBeVisibleAsync();
        await Expect(row).ToHaveCountAsync(0);
        await settings.GetByRole(AriaRole.Button, new() { Name = "Close", Exact = true }).ClickAsync();

        // The profile card from an author's name offers the owner the moderation actions.
        await Message(alice, "cheap gold").Locator("[data-testid^=author-name-]").ClickAsync();
        var card = alice.GetByTestId("profile-card");
        await Expect(card).ToBeVisibleAsync();
        await card.GetByTestId("profile-moderate").ClickAsync();
        await Expect(card.GetByTestId("member-actions").GetByRole(AriaRole.Button, new() { Name = "Ban", Exact = true })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(alice, "first-visit-profile-moderation");
        Assert.Empty(fixture.PageErrors);
    }
}
