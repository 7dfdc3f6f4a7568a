using System.Buffers.Binary;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Voxora.Server.Tests.Passkeys;

/// <summary>
/// A passkey authenticator written here from the WebAuthn spec (§6.1 authenticator data, §6.5 attestation object with
/// the "none" format, §5.8.1 client data): an ES256 key from ECDsa, CBOR from System.Formats.Cbor, the browser's
/// clientDataJSON built by hand. What it produces is verified by the server through the Fido2 library, which knows
/// nothing of this class, so a test passing means two independent sides agree. Knobs make it misbehave on purpose:
/// another origin or relying party id, user verification skipped, the counter set back (a clone).
/// </summary>
public sealed class SoftwareAuthenticator : IDisposable
{
    private const byte UserPresent = 0x01;
    private const byte UserVerifiedFlag = 0x04;
    private const byte AttestedCredentialData = 0x40;

    private readonly ECDsa key;

    public SoftwareAuthenticator(string origin)
    {
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Origin = origin;
    }

    private SoftwareAuthenticator(SoftwareAuthenticator original)
    {
        key = ECDsa.Create(original.key.ExportParameters(includePrivateParameters: true));
        Origin = original.Origin;
        CredentialId = original.CredentialId;
        UserHandle = original.UserHandle;
        Counter = original.Counter;
    }

    public byte[] CredentialId { get; private set; } = RandomNumberGenerator.GetBytes(32);

    /// <summary>The user handle from registration (returned with assertions, as a discoverable credential does).</summary>
    public byte[]? UserHandle { get; private set; }

    /// <summary>The signature counter; incremented before each assertion.</summary>
    public uint Counter { get; set; }

    /// <summary>The origin the "browser" puts in clientDataJSON.</summary>
    public string Origin { get; set; }

    /// <summary>When set, the relying party id hashed into authenticator data instead of the one from the options.</summary>
    public string? RpIdOverride { get; set; }

    /// <summary>False: the authenticator did not verify the person (no PIN, no biometric): the UV flag stays off.</summary>
    public bool VerifiesUser { get; set; } = true;

    /// <summary>A copy holding the same private key and counter: what a cloned authenticator would be.</summary>
    public SoftwareAuthenticator Clone() => new(this);

    /// <summary><c>navigator.credentials.create</c> with the server's <c>publicKey</c> options: the credential's JSON form.</summary>
    public JsonElement Create(JsonElement options)
    {
        var rpId = RpIdOverride ?? options.GetProperty("rp").GetProperty("id").GetString()!;
        UserHandle = Base64UrlEncoder.DecodeBytes(options.GetProperty("user").GetProperty("id").GetString()!);
        var clientData = ClientData("webauthn.create", options.GetProperty("challenge").GetString()!);

        var parameters = key.ExportParameters(false);
        var cose = new CborWriter(CborConformanceMode.Ctap2Canonical);
        cose.WriteStartMap(5);
        cose.WriteInt32(1); cose.WriteInt32(2);     // kty: EC2
        cose.WriteInt32(3); cose.WriteInt32(-7);    // alg: ES256
        cose.WriteInt32(-1); cose.WriteInt32(1);    // crv: P-256
        cose.WriteInt32(-2); cose.WriteByteString(parameters.Q.X!);
        cose.WriteInt32(-3); cose.WriteByteString(parameters.Q.Y!);
        cose.WriteEndMap();

        var attested = new List<byte>();
        attested.AddRange(new byte[16]); // AAGUID: none
        attested.AddRange([(byte)(CredentialId.Length >> 8), (byte)CredentialId.Length]);
        attested.AddRange(CredentialId);
        attested.AddRange(cose.Encode());
        var authData = AuthenticatorData(rpId, AttestedCredentialData, [.. attested]);

        var attestation = new CborWriter(CborConformanceMode.Ctap2Canonical);
        attestation.WriteStartMap(3);
        attestation.WriteTextString("fmt"); attestation.WriteTextString("none");
        attestation.WriteTextString("attStmt"); attestation.WriteStartMap(0); attestation.WriteEndMap();
        attestation.WriteTextString("authData"); attestation.WriteByteString(authData);
        attestation.WriteEndMap();

        return Credential(new JsonObject
        {
            ["clientDataJSON"] = Base64UrlEncoder.Encode(clientData),
            ["attestationObject"] = Base64UrlEncoder.Encode(attestation.Encode()),
            ["transports"] = new JsonArray("internal"),
        });
    }

    /// <summary><c>navigator.credentials.get</c> with the server's <c>publicKey</c> options: the assertion's JSON form.</summary>
    public JsonElement Get(JsonElement options)
    {
        var rpId = RpIdOverride ?? options.GetProperty("rpId").GetString()!;
        Counter++;
        var clientData = ClientData("webauthn.get", options.GetProperty("challenge").GetString()!);
        var authData = AuthenticatorData(rpId, 0, []);
        var signature = key.SignData([.. authData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        return Credential(new JsonObject
        {
            ["clientDataJSON"] = Base64UrlEncoder.Encode(clientData),
            ["authenticatorData"] = Base64UrlEncoder.Encode(authData),
            ["signature"] = Base64UrlEncoder.Encode(signature),
            ["userHandle"] = UserHandle is null ? null : Base64UrlEncoder.Encode(UserHandle),
        });
    }

    public void Dispose() => key.Dispose();

    private byte[] ClientData(string type, string challenge) => Encoding.UTF8.GetBytes(
        new JsonObject { ["type"] = type, ["challenge"] = challenge, ["origin"] = Origin, ["crossOrigin"] = false }.ToJsonString());

    private byte[] AuthenticatorData(string rpId, byte extraFlags, byte[] rest)
    {
        var data = new byte[32 + 1 + 4 + rest.Length];
        SHA256.HashData(Encoding.UTF8.GetBytes(rpId)).CopyTo(data, 0);
        data[32] = (byte)(UserPresent | (VerifiesUser ? UserVerifiedFlag : 0) | extraFlags);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(33, 4), Counter);
        rest.CopyTo(data, 37);
        return data;
    }

    private JsonElement Credential(JsonObject response)
    {
        var id = Base64UrlEncoder.Encode(CredentialId);
        var json = new JsonObject
        {
            ["id"] = id,
            ["rawId"] = id,
            ["type"] = "public-key",
            ["response"] = response,
            ["clientExtensionResults"] = new JsonObject(),
        };
        return JsonDocument.Parse(json.ToJsonString()).RootElement.Clone();
    }
}
