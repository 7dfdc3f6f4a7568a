using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Voxora.Server.Data;

namespace Voxora.Server.Features.Notifications;

/// <summary>
/// The server's VAPID key pair (RFC 8292), loaded at start-up and created on the first start. It is kept in the
/// database like the access-token signing keys: every node of a cluster must sign pushes with the key browsers
/// subscribed with, and a fixed row id makes nodes starting together create exactly one (the loser of the insert
/// race reads the winner's). Losing it only means browsers must subscribe again.
/// </summary>
public sealed class VapidKeys(IServiceScopeFactory scopes, TimeProvider clock, ILogger<VapidKeys> logger)
{
    public const string RowId = "vapid";

    private volatile Loaded? loaded;

    /// <summary>The uncompressed public point (65 bytes), base64url: the browser's <c>applicationServerKey</c> and the VAPID <c>k</c>.</summary>
    public string PublicKey => Current.PublicKey;

    /// <summary>The private scalar d (32 bytes), base64url, as the Web Push client takes it.</summary>
    public string PrivateKey => Current.PrivateKey;

    private Loaded Current => loaded ?? throw new InvalidOperationException("The VAPID keys are loaded at start-up, before the server accepts requests.");

    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var row = await db.Set<VapidKeyEntity>().AsNoTracking().SingleOrDefaultAsync(k => k.Id == RowId, ct);
        if (row is null)
        {
            using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            row = new VapidKeyEntity { Id = RowId, PrivateKey = created.ExportPkcs8PrivateKey(), CreatedAt = clock.GetUtcNow() };
            db.Set<VapidKeyEntity>().Add(row);
            try
            {
                await db.SaveChangesAsync(ct);
                logger.LogInformation("Created the Web Push (VAPID) key pair");
            }
            catch (DbUpdateException)
            {
                // Another node created it between our read and our insert: use theirs.
                db.ChangeTracker.Clear();
                row = await db.Set<VapidKeyEntity>().AsNoTracking().SingleAsync(k => k.Id == RowId, ct);
            }
        }

        using var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(row.PrivateKey, out _);
        var parameters = ecdsa.ExportParameters(includePrivateParameters: true);
        var point = new byte[65];
        point[0] = 0x04;
        parameters.Q.X!.CopyTo(point, 1);
        parameters.Q.Y!.CopyTo(point, 33);
        var signer = ECDsa.Create(parameters);
        loaded = new Loaded(Base64Url.EncodeToString(point), Base64Url.EncodeToString(parameters.D), signer);
    }

    /// <summary>
    /// The RFC 8292 <c>Authorization</c> value for a push to <paramref name="endpoint"/>: <c>vapid t=JWT, k=public key</c>,
    /// the JWT ES256-signed with <c>aud</c> the endpoint's origin (its port included when not the default), <c>exp</c>
    /// 12 hours ahead (at most 24 are allowed) and <c>sub</c> the operator's contact.
    /// </summary>
    public string Authorization(Uri endpoint, string? subject)
    {
        var current = Current;
        var claims = JsonSerializer.SerializeToUtf8Bytes(new VapidClaims(
            endpoint.GetLeftPart(UriPartial.Authority), clock.GetUtcNow().AddHours(12).ToUnixTimeSeconds(), subject), VapidJson.Default.VapidClaims);
        var signingInput = string.Concat(JwtHeader, ".", Base64Url.EncodeToString(claims));
        byte[] signature;
        lock (current.Signer)
        {
            // JWS ES256: r || s (IEEE P1363), which is .NET's default signature format.
            signature = current.Signer.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        }

        return $"t={signingInput}.{Base64Url.EncodeToString(signature)}, k={current.PublicKey}";
    }

    private static readonly string JwtHeader = Base64Url.EncodeToString("{\"typ\":\"JWT\",\"alg\":\"ES256\"}"u8);

    private sealed record Loaded(string PublicKey, string PrivateKey, ECDsa Signer);
}

internal sealed record VapidClaims(
    [property: JsonPropertyName("aud")] string Audience,
    [property: JsonPropertyName("exp")] long Expires,
    [property: JsonPropertyName("sub"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Subject);

[JsonSerializable(typeof(VapidClaims))]
internal sealed partial class VapidJson : JsonSerializerContext;
