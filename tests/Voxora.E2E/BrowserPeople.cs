using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Voxora.E2E;

/// <summary>The steps most browser tests take to get people signed up and into one community, written once.</summary>
public static class BrowserPeople
{
    public const string Password = "correct horse battery";

    /// <summary>A username no other test run has taken.</summary>
    public static string NewName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..6];

    /// <summary>Registers through the sign-up page; with <paramref name="inviteRedirect"/> the page goes on to that invite.</summary>
    public static async Task RegisterAsync(IPage page, string username, string? inviteRedirect = null)
    {
        await page.GotoAsync(inviteRedirect is null ? "/register" : $"/register?redirect={Uri.EscapeDataString(inviteRedirect)}");
        await page.GetByLabel("Username", new() { Exact = true }).FillAsync(username);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page.GetByTestId("register-submit")).ToHaveCountAsync(0);
    }

    /// <summary>Creates a community from the rail and returns its invite path (<c>/invite/CODE</c>), the dialog closed again.</summary>
    public static async Task<string> CreateCommunityWithInviteAsync(IPage page, string name)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Create a community" }).First.ClickAsync();
        await page.GetByTestId("create-community-dialog").GetByLabel("Community name").FillAsync(name);
        await page.GetByTestId("create-community-dialog").GetByRole(AriaRole.Button, new() { Name = "Create" }).ClickAsync();
        await Expect(page.GetByTestId("composer")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^" + Regex.Escape(name)) }).ClickAsync();
        await page.GetByTestId("open-invite").ClickAsync();
        await Expect(page.GetByTestId("invite-link")).ToHaveValueAsync(new Regex("/invite/[A-Za-z0-9]+$"));
        var invitePath = new Uri(await page.GetByTestId("invite-link").InputValueAsync()).AbsolutePath;
        await page.Keyboard.PressAsync("Escape");
        return invitePath;
    }
}
