using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Auth;

/// <summary>Mints short-lived ES256 access tokens: <c>sub</c> is the user, <c>sid</c> the login session.</summary>
public sealed class AccessTokens(SigningKeyStore keys, AuthOptions options, PublicOrigin origin, TimeProvider clock)
{
    public const string Audience = "voxora-api";
    public const string SessionClaim = "sid";

    private static readonly JsonWebTokenHandler Handler = new();

    public int LifetimeSeconds => options.AccessTokenSeconds;

    public string Issue(string userId, string sessionId)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = origin.Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddSeconds(options.AccessTokenSeconds),
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, userId),
                new Claim(SessionClaim, sessionId),
                new Claim(JwtRegisteredClaimNames.Jti, Ulid.NewUlid().ToString()),
            ]),
            SigningCredentials = new SigningCredentials(keys.Current, SecurityAlgorithms.EcdsaSha256),
        });
    }
}

public static class ClaimsPrincipalExtensions
{
    public static string UserId(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(JwtRegisteredClaimNames.Sub)
        ?? throw new InvalidOperationException("Authenticated principal without a subject.");

    public static string SessionId(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(AccessTokens.SessionClaim)
        ?? throw new InvalidOperationException("Authenticated principal without a session.");
}
