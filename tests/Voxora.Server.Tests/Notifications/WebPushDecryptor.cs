using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Voxora.Server.Tests.Notifications;

/// <summary>
/// A browser's side of RFC 8291 (Message Encryption for Web Push) over RFC 8188 (<c>aes128gcm</c>), written here from
/// the RFCs' steps with .NET's own ECDH, HKDF and AES-GCM, independent of the sender's library, so a push that decrypts
/// proves the server's encryption. Checked against RFC 8291 Appendix A (<c>WebPushDecryptorTests</c>).
/// </summary>
public static class WebPushDecryptor
{
    public static byte[] Decrypt(ReadOnlySpan<byte> body, ECDiffieHellman uaPrivate, ReadOnlySpan<byte> uaPublic, ReadOnlySpan<byte> authSecret)
    {
        // RFC 8188 §2.1 header: salt (16) | rs (uint32) | idlen (1) | keyid (idlen) = the sender's ephemeral public key (RFC 8291 §4).
        var salt = body[..16].ToArray();
        var recordSize = BinaryPrimitives.ReadUInt32BigEndian(body[16..20]);
        int idLength = body[20];
        if (idLength != 65)
        {
            throw new CryptographicException($"keyid must be the 65-byte sender key, was {idLength} bytes.");
        }

        var asPublic = body.Slice(21, idLength).ToArray();
        var records = body[(21 + idLength)..];
        if (records.Length > recordSize)
        {
            throw new CryptographicException("A push message is a single record.");
        }

        // RFC 8291 §3.3: ecdh_secret = ECDH(ua_private, as_public); IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" 0x00 ua_public as_public, 32).
        using var sender = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = asPublic[1..33], Y = asPublic[33..] },
        });
        var ecdhSecret = uaPrivate.DeriveRawSecretAgreement(sender.PublicKey);
        var keyInfo = Concat(Encoding.ASCII.GetBytes("WebPush: info\0"), uaPublic.ToArray(), asPublic);
        var ikm = HKDF.DeriveKey(HashAlgorithmName.SHA256, ecdhSecret, 32, authSecret.ToArray(), keyInfo);

        // RFC 8188 §2.2/§2.3: PRK = HKDF-Extract(salt, IKM); CEK and NONCE from HKDF-Expand with their info strings.
        var prk = HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt);
        var cek = HKDF.Expand(HashAlgorithmName.SHA256, prk, 16, Encoding.ASCII.GetBytes("Content-Encoding: aes128gcm\0"));
        var nonce = HKDF.Expand(HashAlgorithmName.SHA256, prk, 12, Encoding.ASCII.GetBytes("Content-Encoding: nonce\0"));

        var ciphertext = records[..^16];
        var tag = records[^16..];
        var padded = new byte[ciphertext.Length];
        using (var aes = new AesGcm(cek, 16))
        {
            aes.Decrypt(nonce, ciphertext, tag, padded);
        }

        // The last (only) record ends with the delimiter 0x02 followed by any number of zero bytes.
        var end = padded.Length - 1;
        while (end >= 0 && padded[end] == 0)
        {
            end--;
        }

        if (end < 0 || padded[end] != 2)
        {
            throw new CryptographicException("The record does not end with the last-record delimiter 0x02.");
        }

        return padded[..end];
    }

    public static byte[] FromBase64Url(string text) => Base64Url.DecodeFromChars(text);

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
