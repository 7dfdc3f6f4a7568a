using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Voxora.Client;
using Voxora.Protocol;
using static Microsoft.Playwright.Assertions;
using static Voxora.E2E.BrowserPeople;

namespace Voxora.E2E;

/// <summary>
/// Seed 000 Test 8 through the web client (issue 17, "Pod administration at /admin"): the first visit to a fresh pod
/// (this class's own server: nobody has registered on it) runs the setup wizard, the owner lands signed in, makes the
/// pod invite only at /admin, and a signed-out visitor then sees the pod and "invite only" on the sign-up page and gets
/// in with an invite link. Then, at /admin, the owner deletes that community (it leaves the guest's rail live) and ends
/// the guest's sessions (an API client's calls get 401, the browser is signed out).
/// </summary>
public sealed class PodSetupInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_fresh_pod_is_set_up_in_the_browser_made_invite_only_at_admin_and_joined_by_invite()
    {
        var ownerName = NewName("owner");
        var owner = await fixture.NewPageAsync();
        await owner.GotoAsync("/");
        await Expect(owner.GetByTestId("setup-wizard")).ToBeVisibleAsync();

        // Step 1, the owner's account; a too-short password is caught on its own step.
        await owner.GetByLabel("Username", new() { Exact = true }).FillAsync(ownerName);
        await owner.GetByLabel("Password", new() { Exact = true }).FillAsync("short");
        await owner.GetByTestId("setup-next").ClickAsync();
        await Expect(owner.GetByText("Password must be at least 8 characters.")).ToBeVisibleAsync();
        await owner.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await owner.GetByTestId("setup-next").ClickAsync();

        // Step 2, the server; step 3, who can join (left open: made invite only at /admin below).
        await owner.GetByLabel("Server name").FillAsync("Casa Silva");
        await owner.GetByLabel("Description (optional)").FillAsync("The Silva family's chat");
        await owner.GetByTestId("setup-next").ClickAsync();
        await Expect(owner.GetByTestId("registration-mode")).ToBeVisibleAsync();
        await Expect(owner.GetByLabel("Open")).ToBeCheckedAsync();
        await BrowserFixture.ScreenshotAsync(owner, "setup");
        await owner.GetByTestId("setup-next").ClickAsync();
        await Expect(owner.GetByTestId("setup-done")).ToContainTextAsync("Casa Silva");
        await owner.GetByTestId("setup-open-app").ClickAsync();
        await Expect(owner).ToHaveURLAsync(new Regex("/app"));

        // Signed in as the owner, who reaches /admin from Settings.
        await owner.GotoAsync("/settings");
        await owner.GetByTestId("open-admin").ClickAsync();
        await Expect(owner.GetByTestId("dash-users")).ToHaveTextAsync("1");
        await Expect(owner.GetByTestId("dash-database")).ToHaveTextAsync("SQLite");
        var settings = owner.GetByTestId("admin-settings");
        await Expect(settings.GetByLabel("Server name")).ToHaveValueAsync("Casa Silva");
        await settings.GetByLabel("Invite only").CheckAsync();
        await owner.GetByTestId("admin-settings-save").ClickAsync();
        await Expect(settings.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved.");
        await Expect(owner.GetByTestId("admin-users").GetByText(ownerName)).ToBeVisibleAsync();
        await owner.EvaluateAsync("window.scrollTo(0, 0)");
        await BrowserFixture.ScreenshotAsync(owner, "admin");
        using (var anonymous = new VoxoraClient(fixture.BaseAddress))
        {
            Assert.Equal(RegistrationModes.Invite, (await anonymous.GetPodInfoAsync()).RegistrationMode);
        }

        // The server is set up: the first page is sign-in, with what this pod is.
        var visitor = await fixture.NewPageAsync(360, 740);
        await visitor.GotoAsync("/");
        await Expect(visitor).ToHaveURLAsync(new Regex("/login"));
        await Expect(visitor.GetByTestId("pod-name")).ToHaveTextAsync("Casa Silva");
        await Expect(visitor.GetByTestId("pod-description")).ToHaveTextAsync("The Silva family's chat");
        await visitor.GotoAsync("/register");
        await Expect(visitor.GetByTestId("registration-notice")).ToHaveTextAsync("Registration is invite only — ask for an invite link.");
        await BrowserFixture.ScreenshotAsync(visitor, "register-invite-only");

        // Without an invite the server refuses; with the owner's invite link the visitor gets in and joins.
        var visitorName = NewName("guest");
        await visitor.GetByLabel("Username", new() { Exact = true }).FillAsync(visitorName);
        await visitor.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await visitor.GetByTestId("register-submit").ClickAsync();
        await Expect(visitor.GetByRole(AriaRole.Alert).Filter(new() { HasText = "invite only" })).ToBeVisibleAsync();

        await owner.GotoAsync("/app");
        var invitePath = await CreateCommunityWithInviteAsync(owner, "Silva Home");
        await visitor.GotoAsync(invitePath);
        await visitor.GetByRole(AriaRole.Link, new() { Name = "Create an account" }).ClickAsync();
        await Expect(visitor.GetByLabel("Invite link or code")).ToHaveValueAsync(invitePath["/invite/".Length..]);
        await visitor.GetByLabel("Username", new() { Exact = true }).FillAsync(visitorName);
        await visitor.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await visitor.GetByTestId("register-submit").ClickAsync();
        await Expect(visitor.GetByTestId("already-member")).ToBeVisibleAsync();
        await visitor.GetByTestId("open-community").ClickAsync();
        await Expect(visitor.GetByTestId("composer")).ToBeVisibleAsync();

        // The dashboard counts them (it refreshes by itself), and /admin fits a 360 px phone.
        await owner.SetViewportSizeAsync(360, 740);
        await owner.GotoAsync("/admin");
        await Expect(owner.GetByTestId("dash-users")).ToHaveTextAsync("2");
        await Expect(owner.GetByTestId("dash-communities")).ToHaveTextAsync("1");
        await BrowserFixture.ScreenshotAsync(owner, "admin-phone");
        Assert.True(await owner.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "/admin scrolls sideways on a phone");

        // Deleting a community from /admin (the owner is a member here, but the admin path does not ask): the
        // dialog wants its name typed, and the guest sees it leave their rail live.
        await owner.SetViewportSizeAsync(1280, 800);
        await visitor.SetViewportSizeAsync(1280, 800);
        var rail = visitor.GetByRole(AriaRole.Navigation, new() { Name = "Communities" });
        await Expect(rail.GetByRole(AriaRole.Link, new() { Name = "Silva Home" })).ToBeVisibleAsync();
        var communities = owner.GetByTestId("admin-communities");
        await communities.GetByRole(AriaRole.Button, new() { Name = "Delete Silva Home" }).ClickAsync();
        var dialog = owner.GetByTestId("admin-delete-community");
        var confirmName = dialog.GetByLabel("Type the community's name to confirm");
        await Expect(dialog.GetByTestId("confirm-button")).ToBeDisabledAsync();
        await confirmName.FillAsync("Silva");
        await Expect(dialog.GetByTestId("confirm-button")).ToBeDisabledAsync();
        await confirmName.FillAsync("Silva Home");
        await BrowserFixture.ScreenshotAsync(owner, "admin-delete-community");
        await dialog.GetByTestId("confirm-button").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(communities.GetByText("Silva Home")).ToHaveCountAsync(0);
        await Expect(rail.GetByRole(AriaRole.Link, new() { Name = "Silva Home" })).ToHaveCountAsync(0);

        // The guest's sessions: one more signed in through the API; "End" ends that one (its calls get 401) and
        // "End all" signs the browser out.
        using var guestApi = new VoxoraClient(fixture.BaseAddress);
        await guestApi.LoginAsync(visitorName, Password);
        await owner.ReloadAsync();
        var users = owner.GetByTestId("admin-users");
        await users.GetByRole(AriaRole.Button, new() { Name = $"Sessions of {visitorName}" }).ClickAsync();
        var panel = users.GetByTestId("admin-user-sessions");
        await Expect(panel.GetByTestId("admin-session")).ToHaveCountAsync(2);
        await BrowserFixture.ScreenshotAsync(owner, "admin-sessions");
        var apiSession = panel.GetByTestId("admin-session").Filter(new() { HasNotText = "Chrome" });
        await Expect(apiSession).ToHaveCountAsync(1);
        await apiSession.GetByRole(AriaRole.Button, new() { Name = "End session" }).ClickAsync();
        await Expect(panel.GetByRole(AriaRole.Status)).ToHaveTextAsync("Session ended.");
        await Expect(panel.GetByTestId("admin-session")).ToHaveCountAsync(1);
        var refused = await Assert.ThrowsAsync<VoxoraApiException>(() => guestApi.GetMeAsync());
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.Status);
        await Expect(visitor.GetByTestId("composer").Or(rail)).ToBeVisibleAsync();

        await panel.GetByTestId("admin-end-all-sessions").ClickAsync();
        await Expect(panel.GetByRole(AriaRole.Status)).ToHaveTextAsync("All sessions ended.");
        await Expect(panel.GetByText("No active sessions")).ToBeVisibleAsync();
        await Expect(visitor).ToHaveURLAsync(new Regex("/login"));
        await BrowserFixture.ScreenshotAsync(visitor, "signed-out-by-admin");
        Assert.Empty(fixture.PageErrors);
    }
}
