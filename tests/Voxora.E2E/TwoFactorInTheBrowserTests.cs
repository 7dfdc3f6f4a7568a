using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OtpNet;
using static Microsoft.Playwright.Assertions;

namespace Voxora.E2E;

/// <summary>
/// Two-factor sign-in as a person meets it: Settings → Two-factor authentication shows a QR code (a data: URI the CSP
/// lets through) and the key to type by hand; a code from the "app" (Otp.NET here) turns it on and the backup codes
/// are shown once. After signing out, the password alone is not enough: the second step asks for the code, says a
/// wrong one is wrong in words, and takes the right one by itself at the sixth digit.
/// </summary>
public sealed class TwoFactorInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task A_user_turns_on_two_factor_in_settings_and_then_signs_in_with_password_and_code()
    {
        var page = await fixture.NewPageAsync();
        var name = "mfa" + Guid.NewGuid().ToString("N")[..6];
        await page.GotoAsync("/register");
        await page.GetByLabel("Username", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page.GetByTestId("register-submit")).ToHaveCountAsync(0);

        // Settings: the password first (a wrong one is refused in words), then the QR code and the key.
        await page.GotoAsync("/settings");
        await Expect(page.GetByTestId("mfa-status")).ToContainTextAsync("is off");
        await page.GetByTestId("mfa-enable").ClickAsync();
        await page.GetByTestId("mfa-password").FillAsync("not my password");
        await page.GetByTestId("mfa-password-submit").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("That password is not right.");
        await page.GetByTestId("mfa-password").FillAsync(Password);
        await page.GetByTestId("mfa-password-submit").ClickAsync();

        var qr = page.GetByTestId("totp-qr");
        await Expect(qr).ToHaveAttributeAsync("src", new Regex("^data:image/png;base64,"));
        await Expect(qr).ToHaveJSPropertyAsync("complete", true);
        Assert.True(await qr.EvaluateAsync<int>("img => img.naturalWidth") > 100, "the QR code image decoded");
        var secret = await page.GetByTestId("totp-secret").GetAttributeAsync("data-secret");
        Assert.Matches("^[A-Z2-7]{32}$", secret);
        await Expect(page.GetByTestId("totp-secret")).ToHaveTextAsync(Regex.Replace(secret!, ".{4}(?!$)", "$0 "));
        await qr.ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(page, "two-factor-qr");

        var app = new Totp(Base32Encoding.ToBytes(secret));
        await page.GetByTestId("mfa-confirm-code").FillAsync(app.ComputeTotp(TimeProvider.System.GetUtcNow().UtcDateTime));
        await page.GetByTestId("mfa-confirm").ClickAsync();
        await Expect(page.GetByTestId("backup-codes").Locator("li")).ToHaveCountAsync(8);
        await Expect(page.GetByTestId("backup-codes").Locator("li").First).ToHaveTextAsync(new Regex("^[2-9A-Z]{4}-[2-9A-Z]{4}$"));
        await Expect(page.GetByText("shown only this once", new() { Exact = false })).ToBeVisibleAsync();
        var firstCodes = await page.GetByTestId("backup-codes").Locator("li").AllTextContentsAsync();
        await page.GetByTestId("backup-codes-done").ClickAsync();
        await Expect(page.GetByTestId("mfa-status")).ToContainTextAsync("is on");

        // Sign out, then in: the password leads to the second step, not into the app.
        await page.GetByTestId("sign-out").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome back" })).ToBeVisibleAsync();
        await page.GetByLabel("Username or e-mail").FillAsync(name);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByTestId("signin-submit").ClickAsync();
        await Expect(page.GetByTestId("mfa-step")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Two-factor sign-in" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("mfa-code-input")).ToBeFocusedAsync();
        await BrowserFixture.ScreenshotAsync(page, "two-factor-sign-in");

        // A wrong code is sent at the sixth digit too, and refused in words.
        var next = app.ComputeTotp(TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(30)); // the step after the one confirm used: never used yet
        await page.GetByTestId("mfa-code-input").FillAsync(next == "000000" ? "111111" : "000000");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("That code is not right");
        await Expect(page.GetByTestId("mfa-code-input")).ToHaveValueAsync("");

        // The backup-code toggle swaps the field, and back.
        await page.GetByTestId("toggle-backup-code").ClickAsync();
        await Expect(page.GetByTestId("backup-code-input")).ToBeVisibleAsync();
        await page.GetByTestId("toggle-backup-code").ClickAsync();

        // The right code signs in without pressing anything.
        await page.GetByTestId("mfa-code-input").FillAsync(next);
        await Expect(page).ToHaveURLAsync(new Regex("/app"));
        await Expect(page.GetByTestId("mfa-step")).ToHaveCountAsync(0);
        await page.GotoAsync("/settings");
        await Expect(page.GetByTestId("mfa-status")).ToContainTextAsync("is on");

        // New backup codes, proved with the password and one of the old codes: eight new ones, none of the old.
        await page.GetByTestId("mfa-regenerate").ClickAsync();
        await Expect(page.GetByText("The old ones, used or not, stop working.")).ToBeVisibleAsync();
        await page.GetByTestId("mfa-disable-password").FillAsync(Password);
        await page.GetByTestId("toggle-backup-code").ClickAsync();
        await page.GetByTestId("backup-code-input").FillAsync(firstCodes[0]);
        await page.GetByTestId("mfa-regenerate-submit").ClickAsync();
        await Expect(page.GetByTestId("backup-codes").Locator("li")).ToHaveCountAsync(8);
        var newCodes = await page.GetByTestId("backup-codes").Locator("li").AllTextContentsAsync();
        Assert.Empty(newCodes.Intersect(firstCodes, StringComparer.Ordinal));
        await BrowserFixture.ScreenshotAsync(page, "two-factor-new-backup-codes");
        await page.GetByTestId("backup-codes-done").ClickAsync();
        await Expect(page.GetByTestId("mfa-status")).ToContainTextAsync("is on");

        Assert.Empty(fixture.PageErrors);
    }
}
