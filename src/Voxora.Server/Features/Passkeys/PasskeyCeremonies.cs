using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Fido2NetLib;
using Fido2NetLib.Objects;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Users;

namespace Voxora.Server.Features.Passkeys;

/// <summary>Why a ceremony's response was refused.</summary>
public enum CeremonyFailure
{
    None,

    /// <summary>Not a WebAuthn response at all (missing fields, not base64url, no challenge).</summary>
    Malformed,

    /// <summary>The challenge is unknown, expired, for another purpose or user, or was already used.</summary>
    Challenge,

    /// <summary>Fido2 (or the counter check) refused it: origin, relying party, signature, user verification, counter, unknown passkey.</summary>
    Rejected,

    /// <summary>The credential id is already registered.</summary>
    Duplicate,
}

/// <summary>
/// Runs WebAuthn ceremonies with the Fido2 library: begin stores the options (keyed by the SHA-256 of their random
/// challenge) for 2 minutes; complete finds them through the challenge the browser signed in clientDataJSON, deletes
/// them with a conditional DELETE (so a challenge is used once, on any node), then lets Fido2 verify the response.
/// Time is the two-factor clock (<see cref="TwoFactor.TwoFactorEndpoints.ClockKey"/>): the server's unless a test moves it.
/// </summary>
public sealed class PasskeyCeremonies(VoxoraDbContext db, WebAuthnRelyingParty rp,
    [FromKeyedServices(TwoFactor.TwoFactorEndpoints.ClockKey)] TimeProvider clock, ILogger<PasskeyCeremonies> logger)
{
    public const string RegisterPurpose = "register";
    public const string SignInPurpose = "sign_in";
    public const string SecondFactorPurpose = "mfa";

    /// <summary>The WebAuthn user handle of an account: its id's bytes (opaque, no personal data).</summary>
    public static byte[] UserHandle(string userId) => Encoding.UTF8.GetBytes(userId);

    public async Task<CredentialCreateOptions> BeginRegistrationAsync(UserAccount user, CancellationToken ct)
    {
        var existing = await db.Passkeys.AsNoTracking().Where(p => p.UserId == user.Id).Select(p => new { p.CredentialId, p.Transports }).ToListAsync(ct);
        var options = rp.Verifier().RequestNewCredential(new RequestNewCredentialParams
        {
            User = new Fido2User { Id = UserHandle(user.Id), Name = user.Username, DisplayName = user.DisplayName ?? user.Username },
            // Passkeys proper: discoverable (so passwordless sign-in needs no username) and verified (PIN or biometrics).
            AuthenticatorSelection = new AuthenticatorSelection
            {
                ResidentKey = ResidentKeyRequirement.Required,
                UserVerification = UserVerificationRequirement.Required,
            },
            AttestationPreference = AttestationConveyancePreference.None,
            ExcludeCredentials = existing.Select(p => Descriptor(p.CredentialId, p.Transports)).ToList(),
        });
        await StoreAsync(options.Challenge, RegisterPurpose, user.Id, options.ToJson(), ct);
        return options;
    }

    /// <summary>Verifies an attestation for <paramref name="userId"/>'s registration challenge; the credential to store, or why not.</summary>
    public async Task<(RegisteredPublicKeyCredential? Credential, CeremonyFailure Failure)> CompleteRegistrationAsync(
        string userId, JsonElement credential, CancellationToken ct)
    {
        var response = Parse<AuthenticatorAttestationRawResponse>(credential);
        if (response?.Response?.ClientDataJson is null || response.Response.AttestationObject is null || response.RawId is not { Length: > 0 })
        {
            return (null, CeremonyFailure.Malformed);
        }

        var (optionsJson, failure) = await TakeChallengeAsync(response.Response.ClientDataJson, RegisterPurpose, userId, ct);
        if (optionsJson is null)
        {
            return (null, failure);
        }

        var duplicate = false;
        try
        {
            var registered = await rp.Verifier().MakeNewCredentialAsync(new MakeNewCredentialParams
            {
                AttestationResponse = response,
                OriginalOptions = CredentialCreateOptions.FromJson(optionsJson),
                IsCredentialIdUniqueToUserCallback = async (args, token) =>
                {
                    duplicate = await db.Passkeys.AnyAsync(p => p.CredentialId == args.CredentialId, token);
                    return !duplicate;
                },
            }, ct);
            return (registered, CeremonyFailure.None);
        }
        catch (Fido2VerificationException ex)
        {
            logger.LogInformation("Passkey registration refused for user {UserId}: {Reason}", userId, ex.Message);
            return (null, duplicate ? CeremonyFailure.Duplicate : CeremonyFailure.Rejected);
        }
    }

    /// <summary>
    /// Options for an assertion: passwordless sign-in (<paramref name="userId"/> null: any discoverable passkey, user
    /// verification required) or a second factor (the user's passkeys listed, user verification preferred: the password
    /// was the first factor).
    /// </summary>
    public async Task<AssertionOptions> BeginAssertionAsync(string purpose, string? userId, CancellationToken ct)
    {
        var allowed = userId is null ? [] : (await db.Passkeys.AsNoTracking().Where(p => p.UserId == userId)
            .Select(p => new { p.CredentialId, p.Transports }).ToListAsync(ct))
            .Select(p => Descriptor(p.CredentialId, p.Transports)).ToList();
        var options = rp.Verifier().GetAssertionOptions(new GetAssertionOptionsParams
        {
            AllowedCredentials = allowed,
            UserVerification = userId is null ? UserVerificationRequirement.Required : UserVerificationRequirement.Preferred,
        });
        await StoreAsync(options.Challenge, purpose, userId, options.ToJson(), ct);
        return options;
    }

    /// <summary>
    /// Verifies an assertion for a challenge of <paramref name="purpose"/> (and, for a second factor, of
    /// <paramref name="userId"/>); on success the passkey's counter and last use are saved and its user returned.
    /// </summary>
    public async Task<(string? UserId, CeremonyFailure Failure)> CompleteAssertionAsync(
        string purpose, string? userId, JsonElement credential, CancellationToken ct)
    {
        var response = Parse<AuthenticatorAssertionRawResponse>(credential);
        if (response?.Response?.ClientDataJson is null || response.Response.AuthenticatorData is null || response.Response.Signature is null
            || response.RawId is not { Length: > 0 and <= 1023 })
        {
            return (null, CeremonyFailure.Malformed);
        }

        var (optionsJson, failure) = await TakeChallengeAsync(response.Response.ClientDataJson, purpose, userId, ct);
        if (optionsJson is null)
        {
            return (null, failure);
        }

        var rawId = response.RawId;
        var passkey = await db.Passkeys.AsNoTracking().SingleOrDefaultAsync(p => p.CredentialId == rawId, ct);
        if (passkey is null || (userId is not null && passkey.UserId != userId))
        {
            logger.LogInformation("Passkey assertion with an unknown credential for {Purpose}", purpose);
            return (null, CeremonyFailure.Rejected);
        }

        // Passwordless: the passkey must name its user (discoverable credentials always do), and it must be this one.
        if (userId is null && response.Response.UserHandle is null)
        {
            return (null, CeremonyFailure.Rejected);
        }

        VerifyAssertionResult result;
        try
        {
            result = await rp.Verifier().MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = response,
                OriginalOptions = AssertionOptions.FromJson(optionsJson),
                StoredPublicKey = passkey.PublicKey,
                StoredSignatureCounter = (uint)passkey.SignCount,
                IsUserHandleOwnerOfCredentialIdCallback = (args, _) =>
                    Task.FromResult(CryptographicOperations.FixedTimeEquals(args.UserHandle, UserHandle(passkey.UserId))),
            }, ct);
        }
        catch (Fido2VerificationException ex)
        {
            logger.LogInformation("Passkey {PasskeyId} assertion refused for {Purpose}: {Reason}", passkey.Id, purpose, ex.Message);
            return (null, CeremonyFailure.Rejected);
        }

        // A counter that did not move forward (when either side is counting) means a cloned authenticator: refused.
        if ((result.SignCount != 0 || passkey.SignCount != 0) && result.SignCount <= passkey.SignCount)
        {
            logger.LogWarning("Passkey {PasskeyId} of user {UserId} presented signature counter {Presented} after {Stored}: possibly cloned, refused",
                passkey.Id, passkey.UserId, result.SignCount, passkey.SignCount);
            return (null, CeremonyFailure.Rejected);
        }

        // Conditional on the counter we checked against, so two assertions racing with the same counter cannot both pass.
        var now = clock.GetUtcNow();
        var stored = passkey.SignCount;
        var updated = await db.Passkeys
            .Where(p => p.Id == passkey.Id && p.SignCount == stored)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.SignCount, (long)result.SignCount)
                .SetProperty(p => p.LastUsedAt, now)
                .SetProperty(p => p.BackedUp, result.IsBackedUp), ct);
        return updated == 1 ? (passkey.UserId, CeremonyFailure.None) : (null, CeremonyFailure.Rejected);
    }

    public static PublicKeyCredentialDescriptor Descriptor(byte[] credentialId, string? transports) =>
        new(PublicKeyCredentialType.PublicKey, credentialId, ParseTransports(transports));

    /// <summary>Transports as WebAuthn names them (<c>usb</c>, <c>nfc</c>, <c>ble</c>, <c>smart-card</c>, <c>hybrid</c>, <c>internal</c>).</summary>
    public static string TransportName(AuthenticatorTransport transport) => transport switch
    {
        AuthenticatorTransport.SmartCard => "smart-card",
        _ => transport.ToString().ToLowerInvariant(),
    };

    private static AuthenticatorTransport[]? ParseTransports(string? transports) =>
        string.IsNullOrEmpty(transports) ? null
        : transports.Split(',').Select(t => Enum.GetValues<AuthenticatorTransport>().Cast<AuthenticatorTransport?>().FirstOrDefault(v => TransportName(v!.Value) == t))
            .OfType<AuthenticatorTransport>().ToArray();

    private static T? Parse<T>(JsonElement credential) where T : class
    {
        if (credential.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        try
        {
            return credential.Deserialize<T>();
        }
        catch (JsonException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private async Task StoreAsync(byte[] challenge, string purpose, string? userId, string optionsJson, CancellationToken ct)
    {
        var now = clock.GetUtcNow();

        // Dead ceremonies go on every begin, so the table holds at most two minutes' worth.
        await db.WebAuthnChallenges.Where(c => c.ExpiresAt <= now).ExecuteDeleteAsync(ct);
        db.WebAuthnChallenges.Add(new WebAuthnChallengeEntity
        {
            ChallengeHash = SessionStore.HashToken(Base64UrlEncoder.Encode(challenge)),
            Purpose = purpose,
            UserId = userId,
            OptionsJson = optionsJson,
            CreatedAt = now,
            ExpiresAt = now + WebAuthnRelyingParty.CeremonyLifetime,
        });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The options stored for the challenge the browser signed, deleted so they cannot be used again; null when there are none (or another request took them).</summary>
    private async Task<(string? OptionsJson, CeremonyFailure Failure)> TakeChallengeAsync(byte[] clientDataJson, string purpose, string? userId, CancellationToken ct)
    {
        string? challenge;
        try
        {
            using var clientData = JsonDocument.Parse(clientDataJson);
            challenge = clientData.RootElement.ValueKind == JsonValueKind.Object && clientData.RootElement.TryGetProperty("challenge", out var value)
                && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (JsonException)
        {
            challenge = null;
        }

        if (challenge is not { Length: > 0 and <= 256 })
        {
            return (null, CeremonyFailure.Malformed);
        }

        var hash = SessionStore.HashToken(challenge);
        var now = clock.GetUtcNow();
        var row = await db.WebAuthnChallenges.AsNoTracking()
            .SingleOrDefaultAsync(c => c.ChallengeHash == hash && c.Purpose == purpose && c.UserId == userId && c.ExpiresAt > now, ct);
        if (row is null || await db.WebAuthnChallenges.Where(c => c.ChallengeHash == hash && c.ExpiresAt > now).ExecuteDeleteAsync(ct) != 1)
        {
            return (null, CeremonyFailure.Challenge);
        }

        return (row.OptionsJson, CeremonyFailure.None);
    }
}
