using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests.Passkeys;

/// <summary>
/// Passkeys (issue 18, seed 000 §H2-2) against a software authenticator: registration, list, rename, removal,
/// passwordless sign-in, the passkey second factor, and every refusal (challenge replayed or expired, wrong origin,
/// wrong relying party, user not verified, cloned authenticator, someone else's passkey, malformed input).
/// </summary>
public abstract class PasskeyTests(TwoFactorServerFixture fixture)
{
    private const string Password = "correct horse battery";

    private TestServer Server => fixture.Server;
    private MovableMfaClock Clock => fixture.Clock;
    private string Origin => Server.BaseAddress.GetLeftPart(UriPartial.Authority);

    private async Task<(VoxoraClient Client, User User, SoftwareAuthenticator Authenticator, Passkey Passkey)> UserWithPasskeyAsync(string name = "Laptop")
    {
        var (client, user, _) = await Server.NewUserAsync("pk");
        var authenticator = new SoftwareAuthenticator(Origin);
        var options = await client.BeginPasskeyRegistrationAsync(Password);
        var passkey = await client.CompletePasskeyRegistrationAsync(authenticator.Create(options.PublicKey), name);
        return (client, user, authenticator, passkey);
    }

    private async Task<T> InDatabaseAsync<T>(Func<VoxoraDbContext, Task<T>> query)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<VoxoraDbContext>());
    }

    [Fact]
    public async Task Register_list_rename_and_remove_a_passkey_with_the_password_and_audit_it()
    {
        var (client, user, _) = await Server.NewUserAsync("pk");
        var options = await client.BeginPasskeyRegistrationAsync(Password);

        // The creation options ask for a discoverable, user-verified ES256 credential for this server.
        var publicKey = options.PublicKey;
        Assert.Equal("127.0.0.1", publicKey.GetProperty("rp").GetProperty("id").GetString());
        Assert.Equal(user.Username, publicKey.GetProperty("user").GetProperty("name").GetString());
        Assert.Equal("required", publicKey.GetProperty("authenticatorSelection").GetProperty("residentKey").GetString());
        Assert.Equal("required", publicKey.GetProperty("authenticatorSelection").GetProperty("userVerification").GetString());
        Assert.Contains(publicKey.GetProperty("pubKeyCredParams").EnumerateArray(), p => p.GetProperty("alg").GetInt32() == -7);
        Assert.True(publicKey.GetProperty("challenge").GetString()!.Length >= 22);

        using var authenticator = new SoftwareAuthenticator(Origin);
        var added = await client.CompletePasskeyRegistrationAsync(authenticator.Create(publicKey), "  Work laptop ");
        Assert.StartsWith("pk_", added.Id, StringComparison.Ordinal);
        Assert.Equal("Work laptop", added.Name);
        Assert.Equal(["internal"], added.Transports);
        Assert.Null(added.LastUsedAt);

        // A second registration excludes the first credential.
        var again = await client.BeginPasskeyRegistrationAsync(Password);
        var excluded = again.PublicKey.GetProperty("excludeCredentials").EnumerateArray().Single();
        Assert.Equal(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(authenticator.CredentialId), excluded.GetProperty("id").GetString());

        Assert.Equal([added.Id], (await client.ListPasskeysAsync()).Select(p => p.Id));
        var renamed = await client.RenamePasskeyAsync(added.Id, "Phone");
        Assert.Equal("Phone", renamed.Name);
        Assert.Equal("Phone", (await client.ListPasskeysAsync()).Single().Name);

        await client.DeletePasskeyAsync(added.Id, Password);
        Assert.Empty(await client.ListPasskeysAsync());

        var audit = await InDatabaseAsync(db => db.AuditLog.AsNoTracking()
            .Where(a => a.CommunityId == "pod" && a.TargetId == added.Id).OrderBy(a => a.Seq).ToListAsync());
        Assert.Equal(["user.passkey_add", "user.passkey_remove"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal(user.Id, a.ActorId));
    }

    [Fact]
    public async Task Passwordless_sign_in_with_a_passkey_gives_tokens_like_a_password_login()
    {
        var (client, user, authenticator, passkey) = await UserWithPasskeyAsync();
        using var device = Server.NewClient();
        var options = await device.BeginPasskeySignInAsync();
        Assert.Equal("required", options.PublicKey.GetProperty("userVerification").GetString());
        Assert.Equal("127.0.0.1", options.PublicKey.GetProperty("rpId").GetString());
        Assert.False(options.PublicKey.TryGetProperty("allowCredentials", out var allowed) && allowed.GetArrayLength() > 0);

        var sessionsBefore = (await client.GetSessionsAsync()).Count;
        var tokens = await device.CompletePasskeySignInAsync(authenticator.Get(options.PublicKey));
        Assert.Equal("Bearer", tokens.TokenType);
        Assert.Equal(user.Id, (await device.GetMeAsync()).Id);
        Assert.Equal(sessionsBefore + 1, (await client.GetSessionsAsync()).Count);
        await device.RefreshAsync();
        await device.GetMeAsync();

        var stored = await InDatabaseAsync(db => db.Passkeys.AsNoTracking().SingleAsync(p => p.Id == passkey.Id));
        Assert.Equal(authenticator.Counter, (uint)stored.SignCount);
        Assert.NotNull((await client.ListPasskeysAsync()).Single().LastUsedAt);
    }

    [Fact]
    public async Task A_challenge_is_used_once_and_dies_after_two_minutes()
    {
        var (client, _, _) = await Server.NewUserAsync("pk");
        using var authenticator = new SoftwareAuthenticator(Origin);
        var registration = authenticator.Create((await client.BeginPasskeyRegistrationAsync(Password)).PublicKey);
        await client.CompletePasskeyRegistrationAsync(registration, "Laptop");
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WebAuthnChallengeInvalid, () => client.CompletePasskeyRegistrationAsync(registration, "Again"));
        Assert.Single(await client.ListPasskeysAsync());

        using var device = Server.NewClient();
        var assertion = authenticator.Get((await device.BeginPasskeySignInAsync()).PublicKey);
        await device.CompletePasskeySignInAsync(assertion);
        using var replayer = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.WebAuthnChallengeInvalid, () => replayer.CompletePasskeySignInAsync(assertion));
        Assert.Null(replayer.AccessToken);

        // Two minutes later the challenge is gone, even unused.
        var late = authenticator.Get((await device.BeginPasskeySignInAsync()).PublicKey);
        Clock.Offset += TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1);
        try
        {
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.WebAuthnChallengeInvalid, () => replayer.CompletePasskeySignInAsync(late));
        }
        finally
        {
            Clock.Offset -= TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1);
        }

        // A registration challenge does not sign anyone in.
        var registrationChallenge = (await client.BeginPasskeyRegistrationAsync(Password)).PublicKey.GetProperty("challenge").GetString();
        var crossed = authenticator.Get(JsonDocument.Parse($$"""{"challenge":"{{registrationChallenge}}","rpId":"127.0.0.1"}""").RootElement);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.WebAuthnChallengeInvalid, () => replayer.CompletePasskeySignInAsync(crossed));
    }

    [Fact]
    public async Task Responses_for_another_origin_or_relying_party_are_refused()
    {
        var (client, _, _) = await Server.NewUserAsync("pk");

        using (var phished = new SoftwareAuthenticator("https://voxora.evil.example"))
        {
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.PasskeyRejected,
                async () => await client.CompletePasskeyRegistrationAsync(phished.Create((await client.BeginPasskeyRegistrationAsync(Password)).PublicKey), "x"));
        }

        using (var otherRp = new SoftwareAuthenticator(Origin) { RpIdOverride = "evil.example" })
        {
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.PasskeyRejected,
                async () => await client.CompletePasskeyRegistrationAsync(otherRp.Create((await client.BeginPasskeyRegistrationAsync(Password)).PublicKey), "x"));
        }

        Assert.Empty(await client.ListPasskeysAsync());

        var (_, _, authenticator, _) = await UserWithPasskeyAsync();
        using var device = Server.NewClient();
        authenticator.Origin = "https://voxora.evil.example";
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.PasskeyRejected,
            async () => await device.CompletePasskeySignInAsync(authenticator.Get((await device.BeginPasskeySignInAsync()).PublicKey)));
        authenticator.Origin = Origin;
        authenticator.RpIdOverride = "evil.example";
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.PasskeyRejected,
            async () => await device.CompletePasskeySignInAsync(authenticator.Get((await device.BeginPasskeySignInAsync()).PublicKey)));
        Assert.Null(device.AccessToken);

        // The same authenticator, honest again, still works.
        authenticator.RpIdOverride = null;
        await device.CompletePasskeySignInAsync(authenticator.Get((await device.BeginPasskeySignInAsync()).PublicKey));
    }

    [Fact]
    public async Task Passwordless_sign_in_and_registration_need_user_verification()
    {
        var (client, _, _) = await Server.NewUserAsync("pk");
        using (var careless = new SoftwareAuthenticator(Origin) { VerifiesUser = false })
        {
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.PasskeyRejected,
                async () => await client.CompletePasskeyRegistrationAsync(careless.Create((await client.BeginPasskeyRegistrationAsync(Password)).PublicKey), "x"));
        }

        var (_, _, authenticator, _) = await UserWithPasskeyAsync();
        authenticator.VerifiesUser = false;
        using var device = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.PasskeyRejected,
            async () => await device.CompletePasskeySignInAsync(authenticator.Get((await device.BeginPasskeySignInAsync()).PublicKey)));
    }

    [Fact]
    public async Task A_cloned_authenticator_with_a_stale_counter_is_refused()
    {
        var (_, _, authenticator, passkey) = await UserWithPasskeyAsync();
        using var clone = authenticator.Clone();
        using var device = Server.NewClient();
        await device.CompletePasskeySignInAsync(authenticator.Get((await device.BeginPasskeySignInAsync()).PublicKey));
        await device.CompletePasskeySignInAsync(authenticator.Get((await device.BeginPasskeySignInAsync()).PublicKey));
        Assert.Equal(2u, authenticator.Counter);

        // The clone signs with counter 1: behind what the server saw, so it is refused and the counter stays.
        using var thief = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.PasskeyRejected,
            async () => await thief.CompletePasskeySignInAsync(clone.Get((await thief.BeginPasskeySignInAsync()).PublicKey)));
        clone.Counter = 1; // equal to the stored one is refused too
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.PasskeyRejected,
            async () => await thief.CompletePasskeySignInAsync(clone.Get((await thief.BeginPasskeySignInAsync()).PublicKey)));
        Assert.Null(thief.AccessToken);
        Assert.Equal(2, await InDatabaseAsync(db => db.Passkeys.Where(p => p.Id == passkey.Id).Select(p => p.SignCount).SingleAsync()));
    }

    [Fact]
    public async Task A_credential_is_registered_once_across_the_pod()
    {
        var (_, _, authenticator, _) = await UserWithPasskeyAsync();
        var (other, _, _) = await Server.NewUserAsync("pk");
        await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.PasskeyAlreadyRegistered,
            async () => await other.CompletePasskeyRegistrationAsync(authenticator.Create((await other.BeginPasskeyRegistrationAsync(Password)).PublicKey), "Mine now"));
        Assert.Empty(await other.ListPasskeysAsync());
    }

    [Fact]
    public async Task Every_passkey_endpoint_refuses_anonymous_callers()
    {
        using var anonymous = Server.NewClient();
        var fake = "pk_" + new string('0', 26);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.BeginPasskeyRegistrationAsync(Password));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.CompletePasskeyRegistrationAsync(JsonDocument.Parse("{}").RootElement, "x"));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.ListPasskeysAsync());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.RenamePasskeyAsync(fake, "x"));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.DeletePasskeyAsync(fake, Password));
    }

    [Fact]
    public async Task Malformed_requests_are_400_and_change_nothing()
    {
        var (client, _, authenticator, passkey) = await UserWithPasskeyAsync();
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.BeginPasskeyRegistrationAsync(null));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.CompletePasskeyRegistrationAsync(null, "x"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.CompletePasskeyRegistrationAsync(JsonDocument.Parse("\"text\"").RootElement, "x"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.CompletePasskeyRegistrationAsync(JsonDocument.Parse("""{"id":"AA","rawId":"AA","type":"public-key","response":{}}""").RootElement, "x"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.CompletePasskeyRegistrationAsync(
            JsonDocument.Parse("""{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA"}}""").RootElement, "x"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.RenamePasskeyAsync(passkey.Id, ""));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.RenamePasskeyAsync(passkey.Id, new string('x', 65)));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.RenamePasskeyAsync(passkey.Id, "tab\there"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.DeletePasskeyAsync(passkey.Id, null));

        var broken = await client.Http.SendAsync(Authorized(client, HttpMethod.Post, "api/v1/users/@me/passkeys/register/begin", """{"password": 12"""));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.MalformedRequest, broken);
        var noBody = await client.Http.SendAsync(Authorized(client, HttpMethod.Delete, $"api/v1/users/@me/passkeys/{passkey.Id}", null));
        Assert.Equal(HttpStatusCode.BadRequest, noBody.StatusCode);

        using var anonymous = Server.NewClient();
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => anonymous.CompletePasskeySignInAsync(null));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => anonymous.CompletePasskeySignInAsync(JsonDocument.Parse("[]").RootElement));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => anonymous.CompletePasskeySignInAsync(
            JsonDocument.Parse("""{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"bm90IGpzb24","authenticatorData":"AA","signature":"AA"}}""").RootElement));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => anonymous.BeginMfaPasskeyAsync(null));

        Assert.Equal("Laptop", (await client.ListPasskeysAsync()).Single().Name);
        await anonymous.CompletePasskeySignInAsync(authenticator.Get((await anonymous.BeginPasskeySignInAsync()).PublicKey));
    }

    [Fact]
    public async Task Unknown_and_other_peoples_passkeys_are_404_and_a_wrong_password_is_403()
    {
        var (client, _, _, passkey) = await UserWithPasskeyAsync();
        var (other, _, _, theirs) = await UserWithPasskeyAsync();

        foreach (var id in new[] { "pk_" + new string('0', 26), "nonsense", theirs.Id })
        {
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => client.RenamePasskeyAsync(id, "Mine"));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => client.DeletePasskeyAsync(id, Password));
        }

        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.InvalidCredentials, () => client.DeletePasskeyAsync(passkey.Id, "not the password"));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.InvalidCredentials, () => client.BeginPasskeyRegistrationAsync("not the password"));
        Assert.Single(await client.ListPasskeysAsync());
        Assert.Equal("Laptop", (await other.ListPasskeysAsync()).Single().Name);
    }

    [Fact]
    public async Task With_two_factor_on_a_passkey_is_offered_and_accepted_as_the_second_factor()
    {
        var (client, user, authenticator, _) = await UserWithPasskeyAsync();
        var enrollment = await client.EnableTotpAsync(Password);
        Clock.NextStep();
        await client.ConfirmTotpAsync(new Totp(Base32Encoding.ToBytes(enrollment.Secret)).ComputeTotp(Clock.GetUtcNow().UtcDateTime));

        using var device = Server.NewClient();
        var outcome = await device.StartLoginAsync(user.Username, Password);
        Assert.Equal([MfaMethods.Totp, MfaMethods.WebAuthn], outcome.MfaRequired!.MfaMethods);
        var mfaToken = outcome.MfaRequired.MfaToken;

        // Another person's passkey is no second factor for this login, and costs an attempt.
        var (_, _, stranger, _) = await UserWithPasskeyAsync();
        var options = await device.BeginMfaPasskeyAsync(mfaToken);
        Assert.Equal(
            Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(authenticator.CredentialId),
            options.PublicKey.GetProperty("allowCredentials").EnumerateArray().Single().GetProperty("id").GetString());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaCode, () => device.VerifyMfaWithPasskeyAsync(mfaToken, stranger.Get(options.PublicKey)));

        // A sign-in challenge is not a second-factor one.
        var signIn = authenticator.Get((await device.BeginPasskeySignInAsync()).PublicKey);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaCode, () => device.VerifyMfaWithPasskeyAsync(mfaToken, signIn));

        var assertion = authenticator.Get((await device.BeginMfaPasskeyAsync(mfaToken)).PublicKey);
        var tokens = await device.VerifyMfaWithPasskeyAsync(mfaToken, assertion);
        Assert.Equal(user.Id, (await device.GetMeAsync()).Id);
        Assert.NotNull(tokens.RefreshToken);

        // The login is finished: its token and the assertion are both spent.
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaToken, () => device.BeginMfaPasskeyAsync(mfaToken));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaToken, () => device.VerifyMfaWithPasskeyAsync(mfaToken, assertion));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaToken, () => device.BeginMfaPasskeyAsync("mfa_unknown"));

        // A code and a credential together are one factor too many.
        var next = (await Server.NewClient().StartLoginAsync(user.Username, Password)).MfaRequired!.MfaToken;
        var both = await device.Http.PostAsync("api/v1/users/@me/mfa/verify", new StringContent(
            $$"""{"mfa_token":"{{next}}","code":"123456","credential":{{assertion.GetRawText()}}}""", Encoding.UTF8, "application/json"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, both);
    }

    [Fact]
    public async Task Without_passkeys_two_factor_offers_only_the_code()
    {
        var (client, user, _) = await Server.NewUserAsync("pk");
        var enrollment = await client.EnableTotpAsync(Password);
        Clock.NextStep();
        await client.ConfirmTotpAsync(new Totp(Base32Encoding.ToBytes(enrollment.Secret)).ComputeTotp(Clock.GetUtcNow().UtcDateTime));
        using var device = Server.NewClient();
        var outcome = await device.StartLoginAsync(user.Username, Password);
        Assert.Equal([MfaMethods.Totp], outcome.MfaRequired!.MfaMethods);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaToken, () => device.BeginMfaPasskeyAsync(outcome.MfaRequired.MfaToken));
    }

    private static HttpRequestMessage Authorized(VoxoraClient client, HttpMethod method, string path, string? json)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", client.AccessToken);
        return request;
    }
}

/// <summary>The relying party from configuration (VOXORA_WEBAUTHN__RP_ID, __ORIGINS) instead of the listen address.</summary>
public sealed class ConfiguredRelyingPartyTests
{
    [Fact]
    public async Task A_configured_relying_party_id_and_origin_are_what_the_options_say_and_what_responses_must_match()
    {
        await using var server = await TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?>
        {
            ["WEBAUTHN:RP_ID"] = "chat.example.org",
            ["WEBAUTHN:ORIGINS"] = "https://chat.example.org, https://app.chat.example.org",
            ["WEBAUTHN:RP_NAME"] = "Example chat",
        });
        var (client, _, password) = await server.NewUserAsync("pk");
        var options = (await client.BeginPasskeyRegistrationAsync(password)).PublicKey;
        Assert.Equal("chat.example.org", options.GetProperty("rp").GetProperty("id").GetString());
        Assert.Equal("Example chat", options.GetProperty("rp").GetProperty("name").GetString());

        // The server's own listen address is not an allowed origin any more.
        using var local = new SoftwareAuthenticator(server.BaseAddress.GetLeftPart(UriPartial.Authority));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.PasskeyRejected, () => client.CompletePasskeyRegistrationAsync(local.Create(options), "x"));

        using var authenticator = new SoftwareAuthenticator("https://app.chat.example.org");
        await client.CompletePasskeyRegistrationAsync(authenticator.Create((await client.BeginPasskeyRegistrationAsync(password)).PublicKey), "Phone");
        using var device = server.NewClient();
        var signIn = (await device.BeginPasskeySignInAsync()).PublicKey;
        Assert.Equal("chat.example.org", signIn.GetProperty("rpId").GetString());
        authenticator.Origin = "https://chat.example.org";
        await device.CompletePasskeySignInAsync(authenticator.Get(signIn));
        await device.GetMeAsync();
    }
}

public sealed class PasskeyTestsOnSqlite(SqliteTwoFactorFixture fixture) : PasskeyTests(fixture), IClassFixture<SqliteTwoFactorFixture>;

public sealed class PasskeyTestsOnPostgres(PostgresTwoFactorFixture fixture) : PasskeyTests(fixture), IClassFixture<PostgresTwoFactorFixture>;
