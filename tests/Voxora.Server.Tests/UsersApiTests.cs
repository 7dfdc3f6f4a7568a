using System.Net;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>The signed-in user's own account: read, rename, change password.</summary>
public abstract class UsersApiTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Me_returns_the_signed_in_user()
    {
        var (client, user, _) = await Server.NewUserAsync("me");
        using var _c = client;
        var me = await client.GetMeAsync();
        Assert.Equal(user.Id, me.Id);
        Assert.Equal(user.Username, me.Username);
        Assert.Null(me.DisplayName);
    }

    [Fact]
    public async Task Display_name_can_be_set_trimmed_and_cleared()
    {
        var (client, _, _) = await Server.NewUserAsync("dn");
        using var _c = client;
        Assert.Equal("Ada Lovelace", (await client.UpdateMeAsync("  Ada Lovelace  ")).DisplayName);
        Assert.Equal("Ada Lovelace", (await client.GetMeAsync()).DisplayName);
        Assert.Equal("日本語の名前 🎧", (await client.UpdateMeAsync("日本語の名前 🎧")).DisplayName);
        Assert.Null((await client.UpdateMeAsync(null)).DisplayName);
        Assert.Null((await client.GetMeAsync()).DisplayName);
    }

    [Theory]
    [InlineData("this display name is far too long to fit")]
    [InlineData("bell\u0007name")]
    public async Task Invalid_display_names_are_rejected_and_change_nothing(string displayName)
    {
        var (client, _, _) = await Server.NewUserAsync("bad");
        using var _c = client;
        await client.UpdateMeAsync("Kept");
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.UpdateMeAsync(displayName));
        Assert.Equal("Kept", (await client.GetMeAsync()).DisplayName);
    }

    [Fact]
    public async Task Password_change_keeps_this_session_and_ends_the_others()
    {
        var (laptop, user, password) = await Server.NewUserAsync("pw");
        using var _l = laptop;
        using var phone = Server.NewClient();
        await phone.LoginAsync(user.Username, password);

        await laptop.ChangePasswordAsync(password, "a brand new passphrase");

        await laptop.GetMeAsync();
        await laptop.RefreshAsync();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => phone.GetMeAsync());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken, () => phone.RefreshAsync());

        using var fresh = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials, () => fresh.LoginAsync(user.Username, password));
        await fresh.LoginAsync(user.Username, "a brand new passphrase");
    }

    [Fact]
    public async Task Password_change_with_the_wrong_current_password_is_refused_and_changes_nothing()
    {
        var (client, user, password) = await Server.NewUserAsync("pw2");
        using var _c = client;
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.InvalidCredentials, () => client.ChangePasswordAsync("not it at all", "another passphrase"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.ChangePasswordAsync(password, "short"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.ChangePasswordAsync("", "another passphrase"));

        using var fresh = Server.NewClient();
        await fresh.LoginAsync(user.Username, password);
    }

    [Fact]
    public async Task User_endpoints_refuse_anonymous_and_forged_tokens()
    {
        using var anonymous = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetMeAsync());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.UpdateMeAsync("x"));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.ChangePasswordAsync("longenough1", "longenough2"));

        anonymous.AccessToken = "garbage";
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetMeAsync());

        // A well-formed token signed by a key the server never published.
        anonymous.AccessToken = ForgedToken();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetMeAsync());
    }

    [Fact]
    public async Task A_token_with_its_signature_stripped_is_refused()
    {
        var (client, _, _) = await Server.NewUserAsync("alg");
        using var _c = client;
        var parts = client.AccessToken!.Split('.');
        var header = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        client.AccessToken = $"{header}.{parts[1]}.";
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => client.GetMeAsync());
    }

    private static string ForgedToken()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler();
        return handler.CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Audience = "voxora-api",
            Claims = new Dictionary<string, object> { ["sub"] = "usr_01ARZ3NDEKTSV4RRFFQ69G5FAV", ["sid"] = "ses_01ARZ3NDEKTSV4RRFFQ69G5FAV" },
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(
                new Microsoft.IdentityModel.Tokens.ECDsaSecurityKey(key), "ES256"),
        });
    }
}

public sealed class UsersApiTestsOnSqlite(SqliteServerFixture fixture) : UsersApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class UsersApiTestsOnPostgres(PostgresServerFixture fixture) : UsersApiTests(fixture), IClassFixture<PostgresServerFixture>;
