using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using OtpNet;
using Voxora.Client;
using Voxora.Server;
using static Microsoft.Playwright.Assertions;

namespace Voxora.E2E;

/// <summary>
/// Passkeys as a person meets them, with Chromium's virtual authenticator (DevTools protocol WebAuthn domain: CTAP2,
/// internal transport, resident keys, user verification that succeeds) standing in for the device's screen lock.
/// Settings → Passkeys adds one with a name and the password and lists it; after signing out, "Sign in with a passkey"
/// signs in with no username or password; then the same credential copied with its old signature counter (a clone)
/// is refused in words; with two-factor on, the second step offers the passkey and it finishes the sign-in. WebAuthn refuses IP addresses as relying party ids, so this test runs its own server on
/// http://localhost with VOXORA_WEBAUTHN__RP_ID=localhost, as a deployment behind a domain would.
/// </summary>
public sealed class PasskeysInTheBrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private const string Password = "correct horse battery";

    private WebApplication? app;
    private Uri baseAddress = null!;

    public async Task InitializeAsync()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var origin = $"http://localhost:{port}";
        app = await VoxoraHost.CreateAsync([], new Dictionary<string, string?>
        {
            ["URLS"] = origin,
            ["PUBLIC_URL"] = origin,
            ["DATA_DIR"] = Directory.CreateTempSubdirectory("voxora-e2e-passkeys-").FullName,
            ["Logging:LogLevel:Default"] = "Warning",
            ["RATELIMITING:AUTH_PER_MINUTE"] = "100000",
            ["RATELIMITING:ANONYMOUS_PER_MINUTE"] = "100000",
            ["RATELIMITING:USER_PER_MINUTE"] = "100000",
            ["VOICE:ENABLED"] = "false",
            ["WEBAUTHN:RP_ID"] = "localhost",
            ["WEBAUTHN:ORIGINS"] = origin,
        });
        await app.StartAsync();
        baseAddress = new Uri(origin + "/");
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_user_adds_a_passkey_in_settings_and_signs_in_with_it_and_a_clone_is_refused()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = "en-US",
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);

        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        var authenticatorId = added!.Value.GetProperty("authenticatorId").GetString()!;

        var name = "pk" + Guid.NewGuid().ToString("N")[..6];
        await page.GotoAsync("/register");
        await page.GetByLabel("Username", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByTestId("register-submit").ClickAsync();
        await Expect(page.GetByTestId("register-submit")).ToHaveCountAsync(0);

        // Settings → Passkeys: none yet; add one with a name (a wrong password is refused in words first).
        await page.GotoAsync("/settings");
        var section = page.GetByTestId("passkey-settings");
        await Expect(section.GetByTestId("passkey-none")).ToHaveTextAsync("You have no passkeys yet.");
        await section.GetByTestId("passkey-add").ClickAsync();
        await section.GetByTestId("passkey-name-input").FillAsync("My laptop");
        await section.GetByTestId("passkey-password").FillAsync("not my password");
        await section.GetByTestId("passkey-create").ClickAsync();
        await Expect(section.GetByRole(AriaRole.Alert)).ToHaveTextAsync("That password is not right.");
        await section.GetByTestId("passkey-password").FillAsync(Password);
        await section.GetByTestId("passkey-create").ClickAsync();

        await Expect(section.GetByTestId("passkey-notice")).ToHaveTextAsync("Passkey added.");
        await Expect(section.GetByTestId("passkey-item")).ToHaveCountAsync(1);
        await Expect(section.GetByTestId("passkey-name")).ToHaveTextAsync("My laptop");
        await Expect(section.GetByTestId("passkey-item")).ToContainTextAsync("never used");

        // Rename it.
        await section.GetByRole(AriaRole.Button, new() { Name = "Rename: My laptop" }).ClickAsync();
        await section.GetByTestId("passkey-rename-input").FillAsync("Work laptop");
        await section.GetByTestId("passkey-rename-save").ClickAsync();
        await Expect(section.GetByTestId("passkey-name")).ToHaveTextAsync("Work laptop");
        await section.ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(page, "passkeys-settings");

        // The authenticator holds one discoverable credential for this site: keep a copy (its counter as it is now).
        var stored = await cdp.SendAsync("WebAuthn.getCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId });
        var credential = stored!.Value.GetProperty("credentials").EnumerateArray().Single();
        Assert.True(credential.GetProperty("isResidentCredential").GetBoolean());
        Assert.Equal("localhost", credential.GetProperty("rpId").GetString());
        var copy = JsonSerializer.Deserialize<Dictionary<string, object>>(credential.GetRawText())!;

        // Sign out, then in with the passkey alone: no username, no password.
        await page.GetByTestId("sign-out").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome back" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("signin-passkey")).ToHaveTextAsync("Sign in with a passkey");
        await BrowserFixture.ScreenshotAsync(page, "passkey-sign-in");
        await page.GetByTestId("signin-passkey").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/app"));
        await page.GotoAsync("/settings");
        await Expect(page.GetByTestId("passkey-item")).ToContainTextAsync("last used");
        await page.GetByTestId("passkey-settings").ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(page, "passkey-signed-in-settings");

        // A clone: the same key with the counter from before that sign-in. The server has seen a higher counter, so no.
        await cdp.SendAsync("WebAuthn.clearCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId });
        await cdp.SendAsync("WebAuthn.addCredential", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId, ["credential"] = copy });
        await page.GetByTestId("sign-out").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome back" })).ToBeVisibleAsync();
        await page.GetByTestId("signin-passkey").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("That passkey was not accepted.");
        await Expect(page).ToHaveURLAsync(new Regex("/login"));
        await BrowserFixture.ScreenshotAsync(page, "passkey-clone-refused");

        // The control: the very same copy with a counter ahead of the server's is accepted, so the counter was the reason.
        copy["signCount"] = 1000;
        await cdp.SendAsync("WebAuthn.clearCredentials", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId });
        await cdp.SendAsync("WebAuthn.addCredential", new Dictionary<string, object> { ["authenticatorId"] = authenticatorId, ["credential"] = copy });
        await page.GetByTestId("signin-passkey").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/app"));

        // With two-factor on (turned on through the API; its screens have their own test), the password leads to the
        // second step, which offers the passkey; the passkey finishes the sign-in.
        using (var api = new VoxoraClient(baseAddress))
        {
            await api.LoginAsync(name, Password);
            var enrollment = await api.EnableTotpAsync(Password);
            await api.ConfirmTotpAsync(new Totp(Base32Encoding.ToBytes(enrollment.Secret)).ComputeTotp(TimeProvider.System.GetUtcNow().UtcDateTime));
        }

        await page.GotoAsync("/settings");
        await page.GetByTestId("sign-out").ClickAsync();
        await page.GetByLabel("Username or e-mail").FillAsync(name);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByTestId("signin-submit").ClickAsync();
        await Expect(page.GetByTestId("mfa-step")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("mfa-passkey")).ToHaveTextAsync("Use a passkey instead");
        await BrowserFixture.ScreenshotAsync(page, "passkey-second-factor");
        await page.GetByTestId("mfa-passkey").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/app"));
        await Expect(page.GetByTestId("mfa-step")).ToHaveCountAsync(0);

        Assert.Empty(errors);
        await context.CloseAsync();
    }
}
