using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Voxora.Server.Features.Auth;

/// <summary>
/// Validates access tokens like <see cref="JsonWebTokenHandler"/> and remembers the ones that passed, so a
/// client sending the same token on every request pays for parsing and the ES256 signature check once a
/// minute instead of every time (it was ~5–15 % of a message POST's CPU). Only successes are cached, never past
/// the token's own expiry. One instance serves one validation configuration (the API's bearer scheme, which
/// the gateway shares); JwtBearer clones its parameters per request, so they cannot be compared by reference.
/// Whether the login session behind
/// the token is still active is checked per request elsewhere (<see cref="SessionValidator"/>), so caching
/// here does not delay a logout or revocation.
/// </summary>
public sealed class CachingTokenHandler(TimeProvider clock) : JsonWebTokenHandler, IDisposable
{
    // Bounds how long a token stays accepted after its signing key is retired.
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(60);

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (token is not null && cache.TryGetValue(token, out TokenValidationResult? hit) && hit is not null)
        {
            // A fresh identity per request: callers build their principal on it and may add to it.
            return new TokenValidationResult
            {
                IsValid = true,
                ClaimsIdentity = hit.ClaimsIdentity.Clone(),
                SecurityToken = hit.SecurityToken,
                Issuer = hit.Issuer,
                TokenType = hit.TokenType,
            };
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && token is not null && result.SecurityToken is { } validated)
        {
            var until = new DateTimeOffset(DateTime.SpecifyKind(validated.ValidTo, DateTimeKind.Utc));
            var cap = clock.GetUtcNow() + CacheFor;
            cache.Set(token, result, new MemoryCacheEntryOptions
            {
                Size = 1,
                AbsoluteExpiration = until < cap ? until : cap,
            });
        }

        return result;
    }

    public void Dispose() => cache.Dispose();
}
