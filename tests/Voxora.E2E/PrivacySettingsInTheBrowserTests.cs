using System.Net;
using Microsoft.Playwright;
using Voxora.Client;
using static Microsoft.Playwright.Assertions;

namespace Voxora.E2E;

/// <summary>
/// Settings → Privacy as alice uses it: she turns off direct messages from community members (bob's attempt is then
/// refused, and works again once she turns them back on), and unblocks bob from her list of blocked people.
/// </summary>
public sealed class PrivacySettingsInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Password = "correct horse battery";

    private static string NewName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task Alice_turns_direct_messages_off_and_on_and_unblocks_bob()
    {
        var page = await fixture.NewPageAsync();
        var aliceName = NewName("alice");
        var bobName = NewName("bob");
        await page.GotoAsync("/register");
        await page.GetByLabel("Username", new() { Exact = true }).FillAsync(aliceName);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page.GetByTestId("register-submit")).ToHaveCountAsync(0);

        using var alice = new VoxoraClient(fixture.BaseAddress);
        await alice.LoginAsync(aliceName, Password);
        var aliceId = (await alice.GetMeAsync()).Id;
        var community = await alice.CreateCommunityAsync("Quiet Corner");
        using var bob = new VoxoraClient(fixture.BaseAddress);
        await bob.RegisterAsync(bobName, Password);
        await bob.LoginAsync(bobName, Password);
        await bob.AcceptInviteAsync((await alice.CreateInviteAsync(community.Id)).Code);
        var bobId = (await bob.GetMeAsync()).Id;
        await alice.BlockUserAsync(bobId);

        await page.GotoAsync("/settings");
        var privacy = page.GetByTestId("privacy-settings");
        await Expect(privacy.GetByTestId("blocked-person")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(bobName));
        await BrowserFixture.ScreenshotAsync(page, "privacy-settings");

        // Unblock from the list: gone from it and from the server.
        await privacy.GetByRole(AriaRole.Button, new() { Name = $"Unblock {bobName}" }).ClickAsync();
        await Expect(privacy.GetByRole(AriaRole.Status)).ToHaveTextAsync($"{bobName} is unblocked.");
        await Expect(privacy.GetByTestId("blocked-person")).ToHaveCountAsync(0);
        Assert.Empty(await alice.GetBlocksAsync());

        // DMs from members off: bob is refused; on again: he may.
        var allow = privacy.GetByTestId("allow-dms");
        await Expect(allow).ToBeCheckedAsync();
        await allow.UncheckAsync();
        await Expect(privacy.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved.");
        var refused = await Assert.ThrowsAsync<VoxoraApiException>(() => bob.OpenDirectMessageAsync(aliceId));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        await page.ReloadAsync();
        await Expect(page.GetByTestId("allow-dms")).Not.ToBeCheckedAsync();
        await page.GetByTestId("allow-dms").CheckAsync();
        await Expect(page.GetByTestId("privacy-settings").GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved.");
        Assert.NotNull(await bob.OpenDirectMessageAsync(aliceId));
        Assert.Empty(fixture.PageErrors);
    }
}
