using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using Voxora.Server.Data;

namespace Voxora.Server.Features.Auth;

/// <summary>
/// Loads the signing keys at start-up, creating the first one if the database has none. The newest key
/// signs; every stored key verifies and is published in the JWKS.
/// </summary>
public sealed class SigningKeyStore(IServiceScopeFactory scopes, TimeProvider clock, ILogger<SigningKeyStore> logger)
{
    private volatile IReadOnlyList<ECDsaSecurityKey> keys = [];

    public ECDsaSecurityKey Current => keys.Count > 0
        ? keys[0]
        : throw new InvalidOperationException("Signing keys are loaded at start-up, before the server accepts requests.");

    public IReadOnlyList<ECDsaSecurityKey> All => keys;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var stored = await db.SigningKeys.AsNoTracking().ToListAsync(cancellationToken);
        if (stored.Count == 0)
        {
            using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var key = new SigningKey
            {
                Id = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12)),
                Algorithm = SecurityAlgorithms.EcdsaSha256,
                PrivateKey = ecdsa.ExportPkcs8PrivateKey(),
                CreatedAt = clock.GetUtcNow(),
            };
            db.SigningKeys.Add(key);
            await db.SaveChangesAsync(cancellationToken);
            stored.Add(key);
            logger.LogInformation("Created access-token signing key {KeyId}", key.Id);
        }

        keys = stored
            .OrderByDescending(k => k.CreatedAt)
            .ThenBy(k => k.Id, StringComparer.Ordinal)
            .Select(ToSecurityKey)
            .ToList();
    }

    private static ECDsaSecurityKey ToSecurityKey(SigningKey key)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(key.PrivateKey, out _);
        return new ECDsaSecurityKey(ecdsa) { KeyId = key.Id };
    }

    /// <summary>The public half of every key, as RFC 7517 JSON Web Keys.</summary>
    public IReadOnlyList<JsonWebKey> PublicJwks() =>
        keys.Select(k =>
        {
            var parameters = k.ECDsa.ExportParameters(includePrivateParameters: false);
            return new JsonWebKey
            {
                Kty = JsonWebAlgorithmsKeyTypes.EllipticCurve,
                Kid = k.KeyId,
                Use = "sig",
                Alg = SecurityAlgorithms.EcdsaSha256,
                Crv = JsonWebKeyECTypes.P256,
                X = Base64UrlEncoder.Encode(parameters.Q.X),
                Y = Base64UrlEncoder.Encode(parameters.Q.Y),
            };
        }).ToList();
}
