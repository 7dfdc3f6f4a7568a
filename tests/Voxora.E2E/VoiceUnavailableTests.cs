using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Voxora.E2E;

/// <summary>
/// The main browser run has voice switched off (no Janus): voice channels must say so, with the server's
/// reason, and clicking one must explain instead of trying (no voice bar, no microphone prompt).
/// </summary>
public sealed class VoiceUnavailableTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Voice_channels_say_voice_is_unavailable_and_why()
    {
        var page = await fixture.NewPageAsync();
        var name = "carol" + Guid.NewGuid().ToString("N")[..6];
        await page.GotoAsync("/register");
        await page.GetByLabel("Username", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("correct horse battery");
        await page.GetByTestId("register-submit").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First.ClickAsync();
        var dialog = page.GetByTestId("create-community-dialog");
        await dialog.GetByLabel("Community name").FillAsync("Quiet Place");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.GetByTestId("composer")).ToBeVisibleAsync();

        var channel = page.GetByRole(AriaRole.Button, new() { Name = "General (voice unavailable)" });
        await Expect(channel).ToBeVisibleAsync();
        await Expect(channel).ToContainTextAsync("Voice unavailable");
        await Expect(channel).ToHaveAttributeAsync("title", new Regex("voice is disabled"));

        await channel.ClickAsync();
        await Expect(page.GetByTestId("voice-alert")).ToContainTextAsync("Voice is unavailable on this server: voice is disabled");
        await Expect(page.GetByTestId("voice-bar")).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(page, "voice-unavailable");

        await page.GetByTestId("voice-alert").GetByRole(AriaRole.Button, new() { Name = "Dismiss" }).ClickAsync();
        await Expect(page.GetByTestId("voice-alert")).ToHaveCountAsync(0);
        Assert.Empty(fixture.PageErrors);
    }
}
