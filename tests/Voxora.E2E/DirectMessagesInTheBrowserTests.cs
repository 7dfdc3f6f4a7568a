using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Voxora.Client;
using static Microsoft.Playwright.Assertions;
using static Voxora.E2E.BrowserPeople;

namespace Voxora.E2E;

/// <summary>
/// Direct messages as people see them: alice opens bob's profile card from the member list and messages him; bob sees
/// the conversation with an unread badge on the DM home and answers; then a group conversation of three, which its owner
/// renames and whose people she removes and adds, and which bob leaves.
/// </summary>
public sealed class DirectMessagesInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static async Task SendAsync(IPage page, string text)
    {
        var composer = page.GetByTestId("composer");
        await composer.FillAsync(text);
        await composer.PressAsync("Enter");
    }

    [Fact]
    public async Task Alice_messages_bob_from_his_profile_card_he_sees_an_unread_badge_and_answers_then_a_group_of_three_talks()
    {
        var alice = await fixture.NewPageAsync();
        var bob = await fixture.NewPageAsync();
        var aliceName = NewName("alice");
        var bobName = NewName("bob");
        var carolName = NewName("carol");
        await RegisterAsync(alice, aliceName);

        await alice.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First.ClickAsync();
        await alice.GetByTestId("create-community-dialog").GetByLabel("Community name").FillAsync("Letter Club");
        await alice.GetByTestId("create-community-dialog").GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(alice.GetByTestId("composer")).ToBeVisibleAsync();
        await alice.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Letter Club") }).ClickAsync();
        await alice.GetByTestId("open-invite").ClickAsync();
        await Expect(alice.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"));
        var invitePath = new Uri(await alice.GetByTestId("invite-link").InputValueAsync()).AbsolutePath;
        var code = invitePath.Split('/').Last();
        await alice.Keyboard.PressAsync("Escape");

        await RegisterAsync(bob, bobName, invitePath);
        await bob.GetByTestId("accept-invite").ClickAsync();
        await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();

        using var carol = new VoxoraClient(fixture.BaseAddress);
        await carol.RegisterAsync(carolName, Password);
        await carol.LoginAsync(carolName, Password);
        await carol.AcceptInviteAsync(code);
        var bobId = (await carol.GetMembersAsync((await carol.GetMyCommunitiesAsync()).Single().Id)).Single(m => m.User.Username == bobName).User.Id;

        // Alice opens bob's profile card from the member list: his name and the community they share.
        await alice.GetByTestId($"member-profile-{bobId}").ClickAsync();
        var card = alice.GetByTestId("profile-card");
        await Expect(card).ToBeVisibleAsync();
        await Expect(card).ToContainTextAsync(bobName);
        await Expect(card.GetByTestId("profile-shared")).ToContainTextAsync("Letter Club");
        await Expect(card.GetByTestId("profile-block")).ToHaveTextAsync("Block");
        await BrowserFixture.ScreenshotAsync(alice, "profile-card");
        await card.GetByTestId("profile-message").ClickAsync();
        await Expect(card).ToHaveCountAsync(0);
        await Expect(alice.GetByTestId("channel-view").GetByRole(AriaRole.Heading)).ToContainTextAsync(bobName);
        await Expect(alice.GetByTestId("dm-sidebar")).ToBeVisibleAsync();
        await SendAsync(alice, "hi bob, fancy a letter?");
        await Expect(alice.GetByTestId("message-list")).ToContainTextAsync("fancy a letter?");

        // Bob, still in the community's channel, sees the DM home light up, then the conversation with its count.
        await Expect(bob.GetByTestId("dm-home-unread")).ToHaveTextAsync("1");
        await bob.GetByTestId("dm-home-button").ClickAsync();
        var conversation = bob.GetByTestId(new Regex("^dm-link-"));
        await Expect(conversation).ToContainTextAsync(aliceName);
        await Expect(bob.GetByTestId(new Regex("^dm-unread-"))).ToHaveTextAsync("1");
        await conversation.ClickAsync();
        await Expect(bob.GetByTestId("message-list")).ToContainTextAsync("fancy a letter?");
        await SendAsync(bob, "always, alice");
        await Expect(alice.GetByTestId("message-list")).ToContainTextAsync("always, alice");
        await Expect(bob.GetByTestId("dm-home-unread")).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(bob, "dm");

        // Either of them may pin in a DM: bob pins alice's question, both see the pin's line.
        var question = bob.GetByTestId("message-list").GetByRole(AriaRole.Article, new() { NameRegex = new Regex("fancy a letter\\?") });
        await question.HoverAsync();
        await question.GetByTestId("pin-message").ClickAsync();
        await Expect(alice.GetByTestId("message-list")).ToContainTextAsync($"{bobName} pinned a message");
        await Expect(bob.GetByTestId("message-list")).ToContainTextAsync($"{bobName} pinned a message");

        // A group of three: alice picks bob and carol.
        await alice.GetByTestId("new-group-dm").ClickAsync();
        var dialog = alice.GetByTestId("new-group-dialog");
        await dialog.GetByTestId("group-name").FillAsync("Trio");
        await dialog.GetByTestId($"pick-{bobName}").CheckAsync();
        await dialog.GetByTestId($"pick-{carolName}").CheckAsync();
        await dialog.GetByTestId("create-group-dm").ClickAsync();
        await Expect(alice.GetByTestId("channel-view").GetByRole(AriaRole.Heading)).ToContainTextAsync("Trio");
        await SendAsync(alice, "hello trio");
        await Expect(alice.GetByTestId("message-list")).ToContainTextAsync("hello trio");

        var group = (await carol.GetDirectChannelsAsync()).Single(c => c.Name == "Trio");
        Assert.Equal(3, group.Recipients.Count);
        // Alice's page shows her message as soon as she sends it (pending); the server has it a moment later.
        var carolSees = await carol.GetMessagesAsync(group.Id);
        for (var i = 0; i < 100 && !carolSees.Any(m => m.Content == "hello trio"); i++)
        {
            await Task.Delay(100);
            carolSees = await carol.GetMessagesAsync(group.Id);
        }

        Assert.Contains(carolSees, m => m.Content == "hello trio");
        await carol.SendMessageAsync(group.Id, "carol here");

        var trio = bob.GetByTestId($"dm-link-{group.Id}");
        await Expect(trio).ToContainTextAsync("Trio");
        await trio.ClickAsync();
        await Expect(bob.GetByTestId("message-list")).ToContainTextAsync("hello trio");
        await Expect(bob.GetByTestId("message-list")).ToContainTextAsync("carol here");
        await Expect(alice.GetByTestId("message-list")).ToContainTextAsync("carol here");
        await SendAsync(bob, "bob too");
        await Expect(alice.GetByTestId("message-list")).ToContainTextAsync("bob too");

        // Group settings: alice (the owner) renames the group, removes carol and adds her back; bob leaves.
        await alice.GetByTestId("group-settings-toggle").ClickAsync();
        var settings = alice.GetByTestId("group-settings");
        await settings.GetByTestId("group-rename").FillAsync("Weekend plans");
        await settings.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(trio).ToContainTextAsync("Weekend plans");
        await Expect(settings.GetByTestId("group-person")).ToHaveCountAsync(3);
        await settings.GetByRole(AriaRole.Button, new() { Name = $"Remove {carolName}" }).ClickAsync();
        await Expect(settings.GetByTestId("group-person")).ToHaveCountAsync(2);
        Assert.DoesNotContain(await carol.GetDirectChannelsAsync(), c => c.Id == group.Id);
        await settings.GetByTestId($"add-{carolName}").CheckAsync();
        await settings.GetByTestId("group-add").ClickAsync();
        await Expect(settings.GetByTestId("group-person")).ToHaveCountAsync(3);
        Assert.Equal("Weekend plans", (await carol.GetDirectChannelsAsync()).Single(c => c.Id == group.Id).Name);
        await BrowserFixture.ScreenshotAsync(alice, "group-settings");

        await bob.GetByTestId("group-settings-toggle").ClickAsync();
        await Expect(bob.GetByTestId("group-settings").GetByRole(AriaRole.Button, new() { Name = $"Remove {carolName}" })).ToHaveCountAsync(0);
        await bob.GetByTestId("group-leave").ClickAsync();
        await bob.GetByTestId("group-leave-confirm").ClickAsync();
        await Expect(bob.GetByTestId($"dm-link-{group.Id}")).ToHaveCountAsync(0);
        await Expect(settings.GetByTestId("group-person")).ToHaveCountAsync(2);
        await Expect(settings.Locator($"[data-testid=group-person][data-username={bobName}]")).ToHaveCountAsync(0);
        Assert.Empty(fixture.PageErrors);
    }
}
