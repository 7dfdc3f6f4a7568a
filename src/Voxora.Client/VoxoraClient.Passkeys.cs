using System.Text.Json;
using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>Passkeys: register (begin/complete), list, rename, remove; passwordless sign-in; the passkey second factor.</summary>
public sealed partial class VoxoraClient
{
    public Task<PasskeyCreationOptions> BeginPasskeyRegistrationAsync(string? password, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/users/@me/passkeys/register/begin", new BeginPasskeyRegistrationRequest(password),
            Json.BeginPasskeyRegistrationRequest, Json.PasskeyCreationOptions, ct);

    public Task<Passkey> CompletePasskeyRegistrationAsync(JsonElement? credential, string? name, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/users/@me/passkeys/register/complete", new CompletePasskeyRegistrationRequest(credential, name),
            Json.CompletePasskeyRegistrationRequest, Json.Passkey, ct);

    public Task<List<Passkey>> ListPasskeysAsync(CancellationToken ct = default) =>
        GetAsync("api/v1/users/@me/passkeys", Json.ListPasskey, ct);

    public Task<Passkey> RenamePasskeyAsync(string passkeyId, string? name, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Patch, $"api/v1/users/@me/passkeys/{Uri.EscapeDataString(passkeyId)}", new RenamePasskeyRequest(name),
            Json.RenamePasskeyRequest, Json.Passkey, ct);

    public Task DeletePasskeyAsync(string passkeyId, string? password, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/users/@me/passkeys/{Uri.EscapeDataString(passkeyId)}", new DeletePasskeyRequest(password),
            Json.DeletePasskeyRequest, ct);

    /// <summary>Options for a passwordless sign-in. Needs no access token.</summary>
    public async Task<PasskeyRequestOptions> BeginPasskeySignInAsync(CancellationToken ct = default)
    {
        using var request = NewRequest(HttpMethod.Post, "api/v1/auth/passkey/begin", authenticated: false);
        return await ReadAsync(request, Json.PasskeyRequestOptions, ct);
    }

    /// <summary>Finishes a passwordless sign-in; keeps the tokens.</summary>
    public async Task<TokenResponse> CompletePasskeySignInAsync(JsonElement? credential, CancellationToken ct = default)
    {
        var tokens = await SendAsync(HttpMethod.Post, "api/v1/auth/passkey/complete", new PasskeySignInRequest(credential),
            Json.PasskeySignInRequest, Json.TokenResponse, ct, authenticated: false);
        Remember(tokens);
        return tokens;
    }

    /// <summary>Options for finishing a login's second factor with a passkey (then <see cref="VerifyMfaAsync"/> with the credential).</summary>
    public Task<PasskeyRequestOptions> BeginMfaPasskeyAsync(string? mfaToken, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/users/@me/mfa/webauthn/begin", new BeginMfaPasskeyRequest(mfaToken),
            Json.BeginMfaPasskeyRequest, Json.PasskeyRequestOptions, ct, authenticated: false);

    /// <summary>The second step of login with a passkey assertion; keeps the tokens.</summary>
    public async Task<TokenResponse> VerifyMfaWithPasskeyAsync(string? mfaToken, JsonElement credential, CancellationToken ct = default)
    {
        var tokens = await SendAsync(HttpMethod.Post, "api/v1/users/@me/mfa/verify", new VerifyMfaRequest(mfaToken, Credential: credential),
            Json.VerifyMfaRequest, Json.TokenResponse, ct, authenticated: false);
        Remember(tokens);
        return tokens;
    }
}
