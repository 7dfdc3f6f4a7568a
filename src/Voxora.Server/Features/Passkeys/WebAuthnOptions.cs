using Microsoft.Extensions.Configuration;

namespace Voxora.Server.Features.Passkeys;

/// <summary>
/// The WebAuthn relying party. Empty settings are derived from the server's public origin (<c>VOXORA_PUBLIC_URL</c>,
/// else the listen address): the relying party id is its host and the only allowed origin is the origin itself.
/// </summary>
public sealed class WebAuthnOptions
{
    /// <summary>The relying party id passkeys are bound to: a registrable domain suffix of every origin. <c>VOXORA_WEBAUTHN__RP_ID</c>.</summary>
    [ConfigurationKeyName("RP_ID")]
    public string? RpId { get; set; }

    /// <summary>The name authenticators show next to the passkey. <c>VOXORA_WEBAUTHN__RP_NAME</c>.</summary>
    [ConfigurationKeyName("RP_NAME")]
    public string RpName { get; set; } = "Voxora";

    /// <summary>Origins allowed to run ceremonies, comma separated (e.g. <c>https://chat.example.org,https://app.example.org</c>). <c>VOXORA_WEBAUTHN__ORIGINS</c>.</summary>
    public string? Origins { get; set; }

    public IReadOnlyList<string> OriginList => (Origins ?? "")
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(o => o.TrimEnd('/'))
        .ToList();

    public IEnumerable<string> Validate()
    {
        if (RpId is { Length: > 0 } rpId && (rpId.Contains('/', StringComparison.Ordinal) || rpId.Contains(':', StringComparison.Ordinal)))
        {
            yield return $"VOXORA_WEBAUTHN__RP_ID must be a host name like chat.example.org (no scheme, port or path), not '{rpId}'.";
        }

        foreach (var origin in OriginList)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.AbsolutePath != "/")
            {
                yield return $"VOXORA_WEBAUTHN__ORIGINS must list origins like https://chat.example.org, not '{origin}'.";
            }
        }

        if (string.IsNullOrWhiteSpace(RpName))
        {
            yield return "VOXORA_WEBAUTHN__RP_NAME must not be empty.";
        }
    }
}
