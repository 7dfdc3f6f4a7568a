using System.Security.Cryptography;
using System.Text;
using Voxora.Server.Features.Audit;

namespace Voxora.Server.Features.TwoFactor;

/// <summary>
/// Encrypts TOTP secrets (and pending backup codes) at rest with AES-256-GCM under a key derived (HKDF) from the audit
/// key, which lives outside the database (<see cref="AuditKey"/>): a copy of the database alone reveals no secret.
/// The user id and purpose are authenticated data, so a ciphertext moved to another row or account does not decrypt.
/// Layout: version byte (1), 12-byte nonce, 16-byte tag, ciphertext.
/// </summary>
public sealed class MfaSecretProtector(AuditKey auditKey)
{
    private const byte Version = 1;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[] key = auditKey.Derive("voxora/mfa-secrets/v1");

    public byte[] Protect(string userId, string purpose, byte[] plaintext)
    {
        var sealedBytes = new byte[1 + NonceBytes + TagBytes + plaintext.Length];
        sealedBytes[0] = Version;
        var nonce = sealedBytes.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(1 + NonceBytes + TagBytes), sealedBytes.AsSpan(1 + NonceBytes, TagBytes), Context(userId, purpose));
        return sealedBytes;
    }

    /// <summary>The plaintext, or null when the bytes were not sealed for this user and purpose under this key (tampered, moved, or the audit key changed).</summary>
    public byte[]? Unprotect(string userId, string purpose, byte[] sealedBytes)
    {
        if (sealedBytes.Length < 1 + NonceBytes + TagBytes || sealedBytes[0] != Version)
        {
            return null;
        }

        var plaintext = new byte[sealedBytes.Length - 1 - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(1, NonceBytes), sealedBytes.AsSpan(1 + NonceBytes + TagBytes), sealedBytes.AsSpan(1 + NonceBytes, TagBytes), plaintext, Context(userId, purpose));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] Context(string userId, string purpose) => Encoding.UTF8.GetBytes(purpose + "\n" + userId);
}
