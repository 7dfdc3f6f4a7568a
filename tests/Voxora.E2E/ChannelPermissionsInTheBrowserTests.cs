using Microsoft.Playwright;
using Voxora.Client;
using Voxora.Protocol;
using static Microsoft.Playwright.Assertions;

namespace Voxora.E2E;

/// <summary>
/// The channel permission editor (issue 17, seed 000 §C2-9 and Test 9): the owner denies VIEW_CHANNEL to @everyone
/// in a channel and bob, in another browser, sees it vanish live; allowing it for a role bob has brings it back; the
/// "view as role" check tells what each role can do there.
/// </summary>
public sealed class ChannelPermissionsInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task The_owner_hides_a_channel_from_everyone_and_shows_it_to_a_role_and_bob_sees_each_change_live()
    {
        var owner = await fixture.NewPageAsync(1400, 900);
        var bob = await fixture.NewPageAsync();
        var ownerName = ChatInTheBrowserTests.NewName("olga");
        var bobName = ChatInTheBrowserTests.NewName("bob");
        await ChatInTheBrowserTests.RegisterAsync(owner, ownerName);
        await ChatInTheBrowserTests.CreateCommunityAsync(owner, "Keep");
        var communityId = new Uri(owner.Url).AbsolutePath.Split('/')[2];

        using var ownerApi = new VoxoraClient(fixture.BaseAddress);
        await ownerApi.LoginAsync(ownerName, Password);
        var vault = await ownerApi.CreateChannelAsync(communityId, new CreateChannelRequest("vault"));
        var crew = await ownerApi.CreateRoleAsync(communityId, new CreateRoleRequest("Crew"));
        var invite = await ownerApi.CreateInviteAsync(communityId);

        await ChatInTheBrowserTests.RegisterAsync(bob, bobName, $"/invite/{invite.Code}");
        await bob.GetByTestId("accept-invite").ClickAsync();
        await Expect(bob.GetByTestId("composer")).ToBeVisibleAsync();
        using var bobApi = new VoxoraClient(fixture.BaseAddress);
        await bobApi.LoginAsync(bobName, Password);
        await ownerApi.AddMemberRoleAsync(communityId, (await bobApi.GetMeAsync()).Id, crew.Id);
        var bobsVault = bob.GetByTestId($"channel-link-{vault.Id}");
        await Expect(bobsVault).ToBeVisibleAsync();

        // The owner opens the channel's permissions from the sidebar: @everyone is listed first, everything inherited.
        await owner.GetByRole(AriaRole.Button, new() { Name = "Permissions of vault" }).ClickAsync();
        var settings = owner.GetByTestId("channel-settings");
        await Expect(settings).ToBeVisibleAsync();
        var editor = settings.GetByTestId("override-editor");
        await Expect(editor).ToHaveAttributeAsync("data-target-name", "@everyone");
        var view = editor.Locator("[data-permission=VIEW_CHANNEL]");
        await Expect(view).ToHaveAttributeAsync("data-state", "inherit");
        await Expect(editor).ToContainTextAsync("See the channel");
        // Text channels offer no voice permissions.
        await Expect(editor.Locator("[data-permission=VOICE_CONNECT]")).ToHaveCountAsync(0);

        // Deny VIEW_CHANNEL for @everyone: bob's sidebar loses the channel.
        await view.Locator("label[title=Deny]").ClickAsync();
        await Expect(view).ToHaveAttributeAsync("data-state", "deny");
        await Expect(settings.GetByTestId("override-status")).ToHaveTextAsync("Saved for @everyone.");
        await Expect(bobsVault).ToHaveCountAsync(0);
        var stored = await ownerApi.GetOverridesAsync(vault.Id);
        Assert.Contains(stored, o => o.Type == "role" && o.Deny == 1 && o.Allow == 0);

        // View as @everyone: cannot see it; as Crew (no override yet): cannot either.
        var result = settings.GetByTestId("view-as-result");
        await Expect(result.Locator("[data-permission=VIEW_CHANNEL]")).ToHaveAttributeAsync("data-allowed", "false");
        await Expect(result.Locator("[data-permission=SEND_MESSAGES]")).ToHaveAttributeAsync("data-allowed", "false");

        // Add Crew and allow VIEW_CHANNEL for it: bob has Crew, so the channel comes back.
        await settings.GetByTestId("add-override-target").SelectOptionAsync(new SelectOptionValue { Label = "Crew" });
        await settings.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await Expect(editor).ToHaveAttributeAsync("data-target-name", "Crew");
        await editor.Locator("[data-permission=VIEW_CHANNEL] label[title=Allow]").ClickAsync();
        await Expect(editor.Locator("[data-permission=VIEW_CHANNEL]")).ToHaveAttributeAsync("data-state", "allow");
        await Expect(bobsVault).ToBeVisibleAsync();

        await settings.GetByTestId("view-as-select").SelectOptionAsync(new SelectOptionValue { Label = "Crew" });
        await Expect(result.Locator("[data-permission=VIEW_CHANNEL]")).ToHaveAttributeAsync("data-allowed", "true");
        await Expect(result.Locator("[data-permission=SEND_MESSAGES]")).ToHaveAttributeAsync("data-allowed", "true");
        await settings.GetByTestId("view-as-select").SelectOptionAsync(new SelectOptionValue { Label = "@everyone" });
        await Expect(result.Locator("[data-permission=VIEW_CHANNEL]")).ToHaveAttributeAsync("data-allowed", "false");
        await BrowserFixture.ScreenshotAsync(owner, "channel-permissions-editor");

        // Removing the Crew override hides the channel from bob again; Escape closes the settings.
        await editor.GetByTestId("remove-override").ClickAsync();
        await Expect(settings.GetByTestId("override-status")).ToHaveTextAsync("Removed the override for Crew.");
        await Expect(bobsVault).ToHaveCountAsync(0);
        await owner.Keyboard.PressAsync("Escape");
        await Expect(settings).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_channel_synced_with_its_category_says_so_an_edit_unsyncs_it_and_sync_follows_the_category_again()
    {
        var owner = await fixture.NewPageAsync(1400, 900);
        var ownerName = ChatInTheBrowserTests.NewName("olga");
        await ChatInTheBrowserTests.RegisterAsync(owner, ownerName);
        await ChatInTheBrowserTests.CreateCommunityAsync(owner, "Keep");
        var communityId = new Uri(owner.Url).AbsolutePath.Split('/')[2];
        using var ownerApi = new VoxoraClient(fixture.BaseAddress);
        await ownerApi.LoginAsync(ownerName, Password);
        var staff = await ownerApi.CreateChannelAsync(communityId, new CreateChannelRequest("Staff", Type: 4));
        var plans = await ownerApi.CreateChannelAsync(communityId, new CreateChannelRequest("plans", ParentId: staff.Id));
        Assert.True(plans.PermissionsSynced);

        await owner.GetByRole(AriaRole.Button, new() { Name = "Permissions of plans" }).ClickAsync();
        var settings = owner.GetByTestId("channel-settings");
        var sync = settings.GetByTestId("sync-status");
        await Expect(sync).ToHaveAttributeAsync("data-synced", "true");
        await Expect(sync).ToContainTextAsync("Synced with category Staff");

        // An edit copies the category's overrides onto the channel and ends the sync.
        var send = settings.GetByTestId("override-editor").Locator("[data-permission=SEND_MESSAGES]");
        await send.Locator("label[title=Deny]").ClickAsync();
        await Expect(send).ToHaveAttributeAsync("data-state", "deny");
        await Expect(sync).ToHaveAttributeAsync("data-synced", "false");
        Assert.False((await ownerApi.GetChannelAsync(plans.Id)).PermissionsSynced);
        Assert.Single(await ownerApi.GetOverridesAsync(plans.Id));

        // Syncing again drops the channel's own overrides: the category has none, so SEND_MESSAGES is inherited again.
        await settings.GetByTestId("sync-with-category").ClickAsync();
        await Expect(sync).ToHaveAttributeAsync("data-synced", "true");
        await Expect(send).ToHaveAttributeAsync("data-state", "inherit");
        Assert.True((await ownerApi.GetChannelAsync(plans.Id)).PermissionsSynced);
        Assert.Empty(await ownerApi.GetOverridesAsync(plans.Id));
    }
}
