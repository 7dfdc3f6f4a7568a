using System.Text.Json;

namespace Voxora.Protocol;

// Passkeys (WebAuthn, seed 000 §H2-2). The WebAuthn options and credentials travel in the W3C WebAuthn JSON shape
// (camelCase, base64url binary: PublicKeyCredentialCreationOptionsJSON / RequestOptionsJSON and the credential's
// toJSON()), exactly as browsers and WebAuthn libraries produce and take them, inside our snake_case envelopes.

/// <summary><c>POST /users/@me/passkeys/register/begin</c>: the current password (adding a way in needs recent proof).</summary>
public sealed record BeginPasskeyRegistrationRequest(string? Password);

/// <summary>The WebAuthn <c>PublicKeyCredentialCreationOptions</c> (JSON form) to pass to <c>navigator.credentials.create</c>; good for 2 minutes, once.</summary>
public sealed record PasskeyCreationOptions(JsonElement PublicKey);

/// <summary><c>POST /users/@me/passkeys/register/complete</c>: the authenticator's attestation response and a name for the passkey.</summary>
public sealed record CompletePasskeyRegistrationRequest(JsonElement? Credential, string? Name = null);

/// <summary>The WebAuthn <c>PublicKeyCredentialRequestOptions</c> (JSON form) to pass to <c>navigator.credentials.get</c>; good for 2 minutes, once.</summary>
public sealed record PasskeyRequestOptions(JsonElement PublicKey);

/// <summary><c>POST /auth/passkey/complete</c>: the authenticator's assertion for the challenge from <c>/auth/passkey/begin</c>.</summary>
public sealed record PasskeySignInRequest(JsonElement? Credential);

/// <summary><c>POST /users/@me/mfa/webauthn/begin</c>: the <c>mfa_token</c> of a login waiting for its second factor.</summary>
public sealed record BeginMfaPasskeyRequest(string? MfaToken);

/// <summary>One of the signed-in user's passkeys (never its key material).</summary>
public sealed record Passkey(
    string Id,
    string Name,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    IReadOnlyList<string> Transports,
    bool BackedUp);

/// <summary><c>PATCH /users/@me/passkeys/{id}</c>: the new name.</summary>
public sealed record RenamePasskeyRequest(string? Name);

/// <summary><c>DELETE /users/@me/passkeys/{id}</c>: the current password.</summary>
public sealed record DeletePasskeyRequest(string? Password);

public static class PasskeyRules
{
    public const int NameMax = 64;
}
