using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Voxora.Server.Infrastructure;

/// <summary>
/// Signs URLs the server hands out and later serves (the link preview image proxy), so they are not an open proxy and
/// stop working after their expiry: HMAC-SHA256 over purpose, expiry and value, compared in constant time. The key is
/// derived from the audit log key (<c>audit.key</c> in the data folder, or <c>VOXORA_AUDIT__KEY</c>), which every node of a
/// cluster already shares, under a purpose label of its own — so no second secret has to be copied between nodes.
/// </summary>
public sealed class UrlSigner(byte[] key)
{
    public string Sign(string purpose, string value, long expiresUnixSeconds)
    {
        Span<byte> mac = stackalloc byte[32];
        Compute(purpose, value, expiresUnixSeconds, mac);
        return Base64Url.EncodeToString(mac);
    }

    /// <summary>True when <paramref name="signature"/> is this server's for these values and <paramref name="now"/> is before the expiry.</summary>
    public bool Verify(string purpose, string value, long expiresUnixSeconds, string? signature, DateTimeOffset now)
    {
        if (signature is null || expiresUnixSeconds < now.ToUnixTimeSeconds() || signature.Length > 64)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[48];
        if (!Base64Url.IsValid(signature) || Base64Url.DecodeFromChars(signature, given) != 32)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[32];
        Compute(purpose, value, expiresUnixSeconds, mac);
        return CryptographicOperations.FixedTimeEquals(mac, given[..32]);
    }

    private void Compute(string purpose, string value, long expires, Span<byte> mac) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{purpose}\n{expires}\n{value}"), mac);
}
