using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static Voxora.E2E.BrowserPeople;

namespace Voxora.E2E;

/// <summary>
/// Message retention as the owner sets it (seed 004 AUDIT-06): Community settings → Overview → "Delete messages older
/// than", Off by default; a bad number is explained and cannot be saved; 30 days is saved, kept after a reload, and
/// turned off again.
/// </summary>
public sealed class RetentionInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_owner_sets_message_retention_to_30_days_and_turns_it_off()
    {
        var owner = await fixture.NewPageAsync(1400, 900);
        await RegisterAsync(owner, NewName("rita"));
        await CreateCommunityWithInviteAsync(owner, "Ephemeral");
        var menu = owner.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Ephemeral") });

        async Task<ILocator> OpenOverviewAsync()
        {
            await menu.ClickAsync();
            await owner.GetByTestId("open-community-settings").ClickAsync();
            var settings = owner.GetByTestId("community-settings");
            await settings.GetByTestId("settings-tab-overview").ClickAsync();
            return settings.GetByTestId("retention-control");
        }

        var control = await OpenOverviewAsync();
        await Expect(control).ToContainTextAsync("Delete messages older than");
        await Expect(control.GetByTestId("retention-mode")).ToHaveValueAsync("off");
        await Expect(control.GetByTestId("retention-hint")).ToHaveTextAsync("Messages are kept until someone deletes them.");
        await Expect(control.GetByTestId("retention-save")).ToBeDisabledAsync();

        await control.GetByTestId("retention-mode").SelectOptionAsync("days");
        var days = control.GetByRole(AriaRole.Spinbutton, new() { Name = "Days to keep messages" });
        await days.FillAsync("5000");
        await Expect(control.GetByTestId("retention-hint")).ToHaveTextAsync("Enter a whole number of days from 1 to 3650.");
        await Expect(control.GetByTestId("retention-save")).ToBeDisabledAsync();
        await days.FillAsync("30");
        await Expect(control.GetByTestId("retention-hint")).ToHaveTextAsync(
            "Messages and their files are deleted once they are more than 30 days old. This cannot be undone.");
        await control.GetByTestId("retention-save").ClickAsync();
        await Expect(control.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved.");
        await BrowserFixture.ScreenshotAsync(owner, "retention-30-days");

        // Kept after a reload.
        await owner.ReloadAsync();
        await Expect(owner.GetByTestId("composer")).ToBeVisibleAsync();
        control = await OpenOverviewAsync();
        await Expect(control.GetByTestId("retention-mode")).ToHaveValueAsync("days");
        await Expect(control.GetByTestId("retention-days")).ToHaveValueAsync("30");

        // Off again.
        await control.GetByTestId("retention-mode").SelectOptionAsync("off");
        await control.GetByTestId("retention-save").ClickAsync();
        await Expect(control.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved.");
        await Expect(control.GetByTestId("retention-hint")).ToHaveTextAsync("Messages are kept until someone deletes them.");
        await owner.ReloadAsync();
        await Expect(owner.GetByTestId("composer")).ToBeVisibleAsync();
        control = await OpenOverviewAsync();
        await Expect(control.GetByTestId("retention-mode")).ToHaveValueAsync("off");
    }
}
