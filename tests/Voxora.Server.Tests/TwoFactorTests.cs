using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.TwoFactor;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// The two-factor clock moved by the tests: codes are computed by Otp.NET (not our wrapper) at this clock's time, and
/// moving it forward gives a fresh code (the server refuses a code whose time step was already used) or expires tokens.
/// </summary>
public sealed class MovableMfaClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    /// <summary>Moves to the start of a later 30-second step, at least one step on: far from a step boundary, so a code cannot age out mid-test.</summary>
    public void NextStep()
    {
        var now = GetUtcNow();
        Offset += TimeSpan.FromSeconds(30 - (now.ToUnixTimeSeconds() % 30)) + TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(now.Millisecond);
    }
}

public abstract class TwoFactorServerFixture(Provider provider) : IAsyncLifetime
{
    private TestServer? server;

    public MovableMfaClock Clock { get; } = new();
    public TestServer Server => server ?? throw new InvalidOperationException("Fixture not started.");

    public async Task InitializeAsync() =>
        server = await TestServer.StartAsync(provider, services: s => s.AddKeyedSingleton<TimeProvider>(TwoFactorEndpoints.ClockKey, Clock));

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}

public sealed class SqliteTwoFactorFixture() : TwoFactorServerFixture(Provider.Sqlite);

public sealed class PostgresTwoFactorFixture() : TwoFactorServerFixture(Provider.Postgres);

/// <summary>Two-factor sign-in with TOTP (issue 18, seed 000 §H2-1): enrolment, login's second step, backup codes, disable, and every refusal.</summary>
public abstract class TwoFactorTests(TwoFactorServerFixture fixture)
{
    private const string Password = "correct horse battery";

    private TestServer Server => fixture.Server;
    private MovableMfaClock Clock => fixture.Clock;

    private string CodeFor(TotpEnrollment enrollment, TimeSpan? shift = null) =>
        new Totp(Base32Encoding.ToBytes(enrollment.Secret)).ComputeTotp((Clock.GetUtcNow() + (shift ?? TimeSpan.Zero)).UtcDateTime);

    /// <summary>A fresh user with two-factor sign-in on; the client stays signed in (its session predates two-factor).</summary>
    private async Task<(VoxoraClient Client, User User, TotpEnrollment Enrollment)> UserWithTwoFactorAsync()
    {
        var (client, user, _) = await Server.NewUserAsync("mfa");
        var enrollment = await client.EnableTotpAsync(Password);
        Clock.NextStep();
        await client.ConfirmTotpAsync(CodeFor(enrollment));
        return (client, user, enrollment);
    }

    private async Task<string> MfaTokenAsync(User user)
    {
        using var anonymous = Server.NewClient();
        var outcome = await anonymous.StartLoginAsync(user.Username, Password);
        Assert.Null(outcome.Tokens);
        return outcome.MfaRequired!.MfaToken;
    }

    private async Task<T> InDatabaseAsync<T>(Func<VoxoraDbContext, Task<T>> query)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<VoxoraDbContext>());
    }

    [Fact]
    public async Task Enable_confirm_then_login_asks_for_a_code_and_the_code_gives_working_tokens()
    {
        var (client, user, _) = await Server.NewUserAsync("mfa");
        var enrollment = await client.EnableTotpAsync(Password);

        Assert.Equal(32, enrollment.Secret.Length); // 160 bits in Base32
        Assert.StartsWith($"otpauth://totp/", enrollment.OtpauthUri, StringComparison.Ordinal);
        Assert.Contains($":{user.Username}?secret={enrollment.Secret}&issuer=Voxora", enrollment.OtpauthUri, StringComparison.Ordinal);
        Assert.StartsWith("data:image/png;base64,", enrollment.QrCodeDataUri, StringComparison.Ordinal);
        var png = Convert.FromBase64String(enrollment.QrCodeDataUri["data:image/png;base64,".Length..]);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal(8, enrollment.BackupCodes.Count);
        Assert.All(enrollment.BackupCodes, c => Assert.Matches("^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$", c));

        // Pending until confirmed: still off, and login still gives tokens straight away.
        Assert.False((await client.GetMeAsync()).MfaEnabled);
        using (var before = Server.NewClient())
        {
            Assert.NotNull((await before.StartLoginAsync(user.Username, Password)).Tokens);
        }

        Clock.NextStep();
        var confirmed = await client.ConfirmTotpAsync(CodeFor(enrollment));
        Assert.Equal(enrollment.BackupCodes, confirmed.BackupCodes);
        Assert.True((await client.GetMeAsync()).MfaEnabled);

        using var device = Server.NewClient();
        var outcome = await device.StartLoginAsync(user.Username, Password);
        Assert.Null(outcome.Tokens);
        Assert.Null(device.AccessToken);
        Assert.True(outcome.MfaRequired!.MfaRequired);
        Assert.StartsWith("mfa_", outcome.MfaRequired.MfaToken, StringComparison.Ordinal);
        Assert.Equal([MfaMethods.Totp], outcome.MfaRequired.MfaMethods);

        // No session exists for the half-finished login.
        var sessionsBefore = (await client.GetSessionsAsync()).Count;
        Clock.NextStep();
        var tokens = await device.VerifyMfaAsync(outcome.MfaRequired.MfaToken, code: CodeFor(enrollment));
        Assert.Equal("Bearer", tokens.TokenType);
        Assert.Equal(user.Id, (await device.GetMeAsync()).Id);
        Assert.Equal(sessionsBefore + 1, (await client.GetSessionsAsync()).Count);

        // Refresh works as for any login, and needs no second factor.
        await device.RefreshAsync();
        await device.GetMeAsync();
    }

    [Fact]
    public async Task The_plain_login_call_says_clearly_that_a_second_factor_is_needed()
    {
        var (_, user, _) = await UserWithTwoFactorAsync();
        using var device = Server.NewClient();
        await Assert.ThrowsAsync<InvalidOperationException>(() => device.LoginAsync(user.Username, Password));

        // The raw answer has the three fields and no token.
        var response = await device.Http.PostAsync("api/v1/auth/login",
            new StringContent($$"""{"login":"{{user.Username}}","password":"{{Password}}"}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"mfa_required\":true", body, StringComparison.Ordinal);
        Assert.Contains("\"mfa_methods\":[\"totp\"]", body, StringComparison.Ordinal);
        Assert.DoesNotContain("access_token", body, StringComparison.Ordinal);
        Assert.DoesNotContain("refresh_token", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_with_two_factor_on_is_the_same_invalid_credentials_as_ever()
    {
        var (_, user, _) = await UserWithTwoFactorAsync();
        using var device = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials, () => device.StartLoginAsync(user.Username, "wrong password!"));
    }

    [Fact]
    public async Task Enable_needs_a_signed_in_user_and_the_right_password_and_changes_nothing_otherwise()
    {
        using var anonymous = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.EnableTotpAsync(Password));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.ConfirmTotpAsync("123456"));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.DisableTotpAsync(Password, "123456"));

        var (client, user, _) = await Server.NewUserAsync("mfa");
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.InvalidCredentials, () => client.EnableTotpAsync("not the password"));
        var missing = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.EnableTotpAsync(null));
        Assert.True(missing.Problem?.Errors?.ContainsKey("password"));

        var malformed = await client.Http.SendAsync(Authorized(client, "api/v1/users/@me/mfa/totp/enable", """{"password": 12"""));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.MalformedRequest, malformed);

        // Nothing is pending, nothing changed.
        await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.MfaNotPending, () => client.ConfirmTotpAsync("123456"));
        Assert.False((await client.GetMeAsync()).MfaEnabled);
        Assert.False(await InDatabaseAsync(db => db.TotpFactors.AnyAsync(f => f.UserId == user.Id)));
    }

    [Fact]
    public async Task Enabling_again_before_confirming_replaces_the_pending_secret()
    {
        var (client, _, _) = await Server.NewUserAsync("mfa");
        var first = await client.EnableTotpAsync(Password);
        var second = await client.EnableTotpAsync(Password);
        Assert.NotEqual(first.Secret, second.Secret);
        Assert.NotEqual(first.BackupCodes, second.BackupCodes);

        Clock.NextStep();
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.InvalidMfaCode, () => client.ConfirmTotpAsync(CodeFor(first)));
        Assert.False((await client.GetMeAsync()).MfaEnabled);
        var confirmed = await client.ConfirmTotpAsync(CodeFor(second));
        Assert.Equal(second.BackupCodes, confirmed.BackupCodes);

        // Once on, enable and confirm are refused until disabled.
        await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.MfaAlreadyEnabled, () => client.EnableTotpAsync(Password));
        Clock.NextStep();
        await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.MfaAlreadyEnabled, () => client.ConfirmTotpAsync(CodeFor(second)));
    }

    [Fact]
    public async Task Confirm_refuses_malformed_and_wrong_codes_and_stays_pending()
    {
        var (client, _, _) = await Server.NewUserAsync("mfa");
        var enrollment = await client.EnableTotpAsync(Password);
        foreach (var malformed in new[] { "", "12345", "1234567", "abcdef", "12 456" })
        {
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.ConfirmTotpAsync(malformed));
        }

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.ConfirmTotpAsync(null));
        var wrong = CodeFor(enrollment) == "000000" ? "111111" : "000000";
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.InvalidMfaCode, () => client.ConfirmTotpAsync(wrong));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.InvalidMfaCode, () => client.ConfirmTotpAsync(CodeFor(enrollment, TimeSpan.FromSeconds(-90))));
        Assert.False((await client.GetMeAsync()).MfaEnabled);

        Clock.NextStep();
        await client.ConfirmTotpAsync(CodeFor(enrollment));
        Assert.True((await client.GetMeAsync()).MfaEnabled);
    }

    [Fact]
    public async Task Codes_from_one_step_either_side_are_accepted_and_two_steps_off_are_not()
    {
        var (_, user, enrollment) = await UserWithTwoFactorAsync();
        using var device = Server.NewClient();

        // Two steps on from the confirming code, so the previous step's code is one never used.
        Clock.NextStep();
        Clock.NextStep();
        var token = await MfaTokenAsync(user);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaCode, () => device.VerifyMfaAsync(token, code: CodeFor(enrollment, TimeSpan.FromSeconds(60))));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaCode, () => device.VerifyMfaAsync(token, code: CodeFor(enrollment, TimeSpan.FromSeconds(-60))));
        await device.VerifyMfaAsync(token, code: CodeFor(enrollment, TimeSpan.FromSeconds(-30)));

        // The next step's code (clock of the phone 30 s ahead) is newer than any used: accepted.
        var ahead = await MfaTokenAsync(user);
        await device.VerifyMfaAsync(ahead, code: CodeFor(enrollment, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_code_already_used_is_refused_within_its_window_and_so_is_an_older_one()
    {
        var (_, user, enrollment) = await UserWithTwoFactorAsync();
        using var device = Server.NewClient();
        Clock.NextStep();
        var code = CodeFor(enrollment);
        await device.VerifyMfaAsync(await MfaTokenAsync(user), code: code);

        // Same code, a new login, still inside its ±1 step window: refused.
        var replay = await MfaTokenAsync(user);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaCode, () => device.VerifyMfaAsync(replay, code: code));
        Clock.Offset += TimeSpan.FromSeconds(30);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaCode, () => device.VerifyMfaAsync(replay, code: code));

        // The previous step's code is older than the one used: refused too. The current one works.
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaCode, () => device.VerifyMfaAsync(replay, code: CodeFor(enrollment, TimeSpan.FromSeconds(-60))));
        await device.VerifyMfaAsync(replay, code: CodeFor(enrollment));
    }

    [Fact]
    public async Task The_same_code_sent_by_two_logins_at_once_signs_in_only_one()
    {
        var (_, user, enrollment) = await UserWithTwoFactorAsync();
        Clock.NextStep();
        var code = CodeFor(enrollment);
        var tokens = new[] { await MfaTokenAsync(user), await MfaTokenAsync(user), await MfaTokenAsync(user) };
        var devices = tokens.Select(_ => Server.NewClient()).ToList();
        try
        {
            var results = await Task.WhenAll(tokens.Select(async (token, i) =>
            {
                try
                {
                    await devices[i].VerifyMfaAsync(token, code: code);
                    return (string?)null;
                }
                catch (VoxoraApiException e)
                {
                    return e.Code;
                }
            }));
            Assert.Single(results, r => r is null);
            Assert.All(results.Where(r => r is not null), r => Assert.Equal(ProblemCodes.InvalidMfaCode, r));
        }
        finally
        {
            devices.ForEach(d => d.Dispose());
        }
    }

    [Fact]
    public async Task The_code_that_confirmed_enrolment_cannot_be_replayed_at_login()
    {
        var (client, user, _) = await Server.NewUserAsync("mfa");
        var enrollment = await client.EnableTotpAsync(Password);
        Clock.NextStep();
        var code = CodeFor(enrollment);
        await client.ConfirmTotpAsync(code);
        using var device = Server.NewClient();
        var token = await MfaTokenAsync(user);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaCode, () => device.VerifyMfaAsync(token, code: code));
    }

    [Fact]
    public async Task Five_wrong_codes_kill_the_mfa_token_and_the_sixth_attempt_is_refused_even_with_the_right_code()
    {
        var (_, user, enrollment) = await UserWithTwoFactorAsync();
        using var device = Server.NewClient();
        Clock.NextStep();
        var right = CodeFor(enrollment);
        var wrong = right == "000000" ? "111111" : "000000";
        var token = await MfaTokenAsync(user);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaCode, () => device.VerifyMfaAsync(token, code: wrong));
        }

        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaToken, () => device.VerifyMfaAsync(token, code: right));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaToken, () => device.VerifyMfaAsync(token, backupCode: enrollment.BackupCodes[0]));
        Assert.Null(device.AccessToken);

        // The right code was not spent by the refused attempt: a new login uses it.
        await device.VerifyMfaAsync(await MfaTokenAsync(user), code: right);
    }

    [Fact]
    public async Task Malformed_verify_requests_are_400_and_cost_no_attempt()
    {
        var (_, user, enrollment) = await UserWithTwoFactorAsync();
        using var device = Server.NewClient();
        var token = await MfaTokenAsync(user);
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => device.VerifyMfaAsync(null, code: "123456"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => device.VerifyMfaAsync(token));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => device.VerifyMfaAsync(token, code: "123456", backupCode: "ABCD-EFGH"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => device.VerifyMfaAsync(token, code: "12345"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => device.VerifyMfaAsync(token, code: "abcdef"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => device.VerifyMfaAsync(token, backupCode: "ABC"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => device.VerifyMfaAsync(token, backupCode: new string('A', 5000)));
        var broken = await device.Http.PostAsync("api/v1/users/@me/mfa/verify", new StringContent("""{"mfa_token":""", Encoding.UTF8, "application/json"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.MalformedRequest, broken);

        // Eight malformed requests later the token still has all its attempts.
        Assert.Equal(0, await InDatabaseAsync(db => db.MfaChallenges.Where(c => c.UserId == user.Id && c.SpentAt == null).Select(c => c.Attempts).SingleAsync()));
        Clock.NextStep();
        await device.VerifyMfaAsync(token, code: CodeFor(enrollment));
    }

    [Fact]
    public async Task Unknown_used_and_expired_mfa_tokens_are_refused()
    {
        var (_, user, enrollment) = await UserWithTwoFactorAsync();
        using var device = Server.NewClient();
        Clock.NextStep();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaToken, () => device.VerifyMfaAsync("mfa_" + new string('x', 43), code: CodeFor(enrollment)));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaToken, () => device.VerifyMfaAsync("not-an-mfa-token", code: CodeFor(enrollment)));

        // Single use.
        var token = await MfaTokenAsync(user);
        await device.VerifyMfaAsync(token, code: CodeFor(enrollment));
        Clock.NextStep();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaToken, () => device.VerifyMfaAsync(token, code: CodeFor(enrollment)));

        // Five minutes and it is gone; the code it would have taken still works for a new login.
        var slow = await MfaTokenAsync(user);
        Clock.Offset += MfaChallenges.Lifetime;
        var code = CodeFor(enrollment);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaToken, () => device.VerifyMfaAsync(slow, code: code));
        await device.VerifyMfaAsync(await MfaTokenAsync(user), code: code);
    }

    [Fact]
    public async Task A_backup_code_signs_in_once_in_any_case_with_or_without_the_dash()
    {
        var (_, user, enrollment) = await UserWithTwoFactorAsync();
        using var device = Server.NewClient();
        var typed = enrollment.BackupCodes[3].Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        await device.VerifyMfaAsync(await MfaTokenAsync(user), backupCode: typed);
        await device.GetMeAsync();

        var again = await MfaTokenAsync(user);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaCode, () => device.VerifyMfaAsync(again, backupCode: enrollment.BackupCodes[3]));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaCode, () => device.VerifyMfaAsync(again, backupCode: "2222-2222"));
        await device.VerifyMfaAsync(await MfaTokenAsync(user), backupCode: enrollment.BackupCodes[4]);
    }

    [Fact]
    public async Task Disable_needs_the_password_and_a_current_code_then_login_is_one_step_again()
    {
        var (client, user, enrollment) = await UserWithTwoFactorAsync();
        var pending = await MfaTokenAsync(user);
        Clock.NextStep();
        var code = CodeFor(enrollment);
        var wrong = code == "000000" ? "111111" : "000000";

        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.InvalidCredentials, () => client.DisableTotpAsync("not the password", code));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.InvalidMfaCode, () => client.DisableTotpAsync(Password, wrong));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.InvalidMfaCode, () => client.DisableTotpAsync(Password, backupCode: "2222-2222"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.DisableTotpAsync(Password));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.DisableTotpAsync(null, code));
        Assert.True((await client.GetMeAsync()).MfaEnabled);

        await client.DisableTotpAsync(Password, code);
        Assert.False((await client.GetMeAsync()).MfaEnabled);
        Assert.False(await InDatabaseAsync(db => db.TotpFactors.AnyAsync(f => f.UserId == user.Id)));
        Assert.False(await InDatabaseAsync(db => db.BackupCodes.AnyAsync(c => c.UserId == user.Id)));
        await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.MfaNotEnabled, () => client.DisableTotpAsync(Password, code));

        // A login started before disable cannot be finished; a new one needs no code.
        using var device = Server.NewClient();
        Clock.NextStep();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaToken, () => device.VerifyMfaAsync(pending, code: CodeFor(enrollment)));
        Assert.NotNull((await device.StartLoginAsync(user.Username, Password)).Tokens);
    }

    [Fact]
    public async Task Disable_takes_a_backup_code_instead_of_a_code()
    {
        var (client, _, enrollment) = await UserWithTwoFactorAsync();
        await client.DisableTotpAsync(Password, backupCode: enrollment.BackupCodes[7]);
        Assert.False((await client.GetMeAsync()).MfaEnabled);
    }

    [Fact]
    public async Task New_backup_codes_replace_the_old_ones_and_need_the_password_and_a_code()
    {
        var (client, user, enrollment) = await UserWithTwoFactorAsync();
        Clock.NextStep();
        var code = CodeFor(enrollment);
        var wrong = code == "000000" ? "111111" : "000000";
        using (var anonymous = Server.NewClient())
        {
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.RegenerateBackupCodesAsync(Password, code));
        }

        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.InvalidCredentials, () => client.RegenerateBackupCodesAsync("not the password", code));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.InvalidMfaCode, () => client.RegenerateBackupCodesAsync(Password, wrong));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.RegenerateBackupCodesAsync(Password));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.RegenerateBackupCodesAsync(null, code));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.RegenerateBackupCodesAsync(Password, "12ab"));
        // Refused attempts changed nothing: an old code still signs in.
        using (var device = Server.NewClient())
        {
            await device.VerifyMfaAsync(await MfaTokenAsync(user), backupCode: enrollment.BackupCodes[0]);
        }

        var fresh = await client.RegenerateBackupCodesAsync(Password, code);
        Assert.Equal(8, fresh.BackupCodes.Count);
        Assert.Empty(fresh.BackupCodes.Intersect(enrollment.BackupCodes, StringComparer.Ordinal));
        Assert.Equal(8, await InDatabaseAsync(db => db.BackupCodes.CountAsync(c => c.UserId == user.Id)));

        using var later = Server.NewClient();
        var token = await MfaTokenAsync(user);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidMfaCode, () => later.VerifyMfaAsync(token, backupCode: enrollment.BackupCodes[1]));
        await later.VerifyMfaAsync(await MfaTokenAsync(user), backupCode: fresh.BackupCodes[1]);
        await later.GetMeAsync();

        // A backup code proves it too, and is spent with the rest; with two-factor off there is nothing to regenerate.
        var again = await client.RegenerateBackupCodesAsync(Password, backupCode: fresh.BackupCodes[2]);
        Assert.Empty(again.BackupCodes.Intersect(fresh.BackupCodes, StringComparer.Ordinal));
        await client.DisableTotpAsync(Password, backupCode: again.BackupCodes[0]);
        await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.MfaNotEnabled, () => client.RegenerateBackupCodesAsync(Password, backupCode: again.BackupCodes[1]));
    }

    [Fact]
    public async Task The_secret_is_encrypted_and_the_backup_codes_hashed_at_rest()
    {
        var (_, user, enrollment) = await UserWithTwoFactorAsync();
        var secret = Base32Encoding.ToBytes(enrollment.Secret);
        var factor = await InDatabaseAsync(db => db.TotpFactors.AsNoTracking().SingleAsync(f => f.UserId == user.Id));
        Assert.Equal(-1, factor.SecretCiphertext.AsSpan().IndexOf(secret));
        Assert.DoesNotContain(enrollment.Secret, Encoding.Latin1.GetString(factor.SecretCiphertext), StringComparison.Ordinal);
        Assert.Null(factor.PendingBackupCodesCiphertext);

        var hashes = await InDatabaseAsync(db => db.BackupCodes.AsNoTracking().Where(c => c.UserId == user.Id).Select(c => c.CodeHash).ToListAsync());
        Assert.Equal(8, hashes.Count);
        Assert.All(hashes, h => Assert.StartsWith("$argon2id$", h, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Password_change_and_ending_other_sessions_work_as_before_with_two_factor_on()
    {
        var (client, user, enrollment) = await UserWithTwoFactorAsync();
        using var second = Server.NewClient();
        Clock.NextStep();
        await second.VerifyMfaAsync(await MfaTokenAsync(user), code: CodeFor(enrollment));

        const string replacement = "a brand new passphrase";
        await client.ChangePasswordAsync(Password, replacement);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => second.GetMeAsync());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken, () => second.RefreshAsync());

        // The new password still needs the second factor.
        using var third = Server.NewClient();
        var outcome = await third.StartLoginAsync(user.Username, replacement);
        Assert.NotNull(outcome.MfaRequired);
        Clock.NextStep();
        await third.VerifyMfaAsync(outcome.MfaRequired!.MfaToken, code: CodeFor(enrollment));
        var thirdSession = (await third.GetSessionsAsync()).Single(s => s.Current);
        await client.RevokeSessionAsync(thirdSession.Id);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => third.GetMeAsync());
    }

    private static HttpRequestMessage Authorized(VoxoraClient client, string path, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", client.AccessToken);
        return request;
    }
}

public sealed class TwoFactorTestsOnSqlite(SqliteTwoFactorFixture fixture) : TwoFactorTests(fixture), IClassFixture<SqliteTwoFactorFixture>;

public sealed class TwoFactorTestsOnPostgres(PostgresTwoFactorFixture fixture) : TwoFactorTests(fixture), IClassFixture<PostgresTwoFactorFixture>;
