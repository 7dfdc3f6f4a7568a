using System.Net.Http.Json;
using System.Text.Json;
using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>What login answered: tokens (kept by the client), or a second factor to give with <see cref="VoxoraClient.VerifyMfaAsync"/>.</summary>
public sealed record LoginOutcome(TokenResponse? Tokens, MfaRequiredResponse? MfaRequired);

/// <summary>Two-factor sign-in: login that may ask for a second factor, its verify step, and TOTP enable/confirm/disable.</summary>
public sealed partial class VoxoraClient
{
    /// <summary>Logs in; with two-factor sign-in on, returns the <c>mfa_token</c> challenge instead of tokens.</summary>
    public async Task<LoginOutcome> StartLoginAsync(string login, string password, CancellationToken ct = default)
    {
        using var request = NewRequest(HttpMethod.Post, "api/v1/auth/login", authenticated: false);
        request.Content = JsonContent.Create(new LoginRequest(login, password), Json.LoginRequest);
        using var response = await Http.SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
        using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        if (body.RootElement.TryGetProperty("mfa_required", out var required) && required.ValueKind == JsonValueKind.True)
        {
            return new LoginOutcome(null, body.RootElement.Deserialize(Json.MfaRequiredResponse));
        }

        var tokens = body.RootElement.Deserialize(Json.TokenResponse) ?? throw new VoxoraApiException(response.StatusCode, null, null);
        Remember(tokens);
        return new LoginOutcome(tokens, null);
    }

    /// <summary>The second step of login; keeps the tokens. Needs no access token.</summary>
    public async Task<TokenResponse> VerifyMfaAsync(string? mfaToken, string? code = null, string? backupCode = null, CancellationToken ct = default)
    {
        var tokens = await SendAsync(HttpMethod.Post, "api/v1/users/@me/mfa/verify", new VerifyMfaRequest(mfaToken, code, backupCode),
            Json.VerifyMfaRequest, Json.TokenResponse, ct, authenticated: false);
        Remember(tokens);
        return tokens;
    }

    public Task<TotpEnrollment> EnableTotpAsync(string? password, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/users/@me/mfa/totp/enable", new EnableTotpRequest(password), Json.EnableTotpRequest, Json.TotpEnrollment, ct);

    public Task<BackupCodesResponse> ConfirmTotpAsync(string? code, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/users/@me/mfa/totp/confirm", new ConfirmTotpRequest(code), Json.ConfirmTotpRequest, Json.BackupCodesResponse, ct);

    public Task DisableTotpAsync(string? password, string? code = null, string? backupCode = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/users/@me/mfa/totp/disable", new DisableTotpRequest(password, code, backupCode), Json.DisableTotpRequest, ct);

    /// <summary>New backup codes (the old ones stop working): the password and a current code or a backup code.</summary>
    public Task<BackupCodesResponse> RegenerateBackupCodesAsync(string? password, string? code = null, string? backupCode = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/users/@me/mfa/backup-codes", new RegenerateBackupCodesRequest(password, code, backupCode),
            Json.RegenerateBackupCodesRequest, Json.BackupCodesResponse, ct);
}
