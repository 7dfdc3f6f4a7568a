using System.Net;
using System.Security.Cryptography;

namespace Voxora.Server.Features.Notifications;

/// <summary>Validation of Web Push subscriptions and what a push may say. Pure, unit tested.</summary>
public static class PushRules
{
    /// <summary>Real push services' endpoints are a few hundred characters; this bounds the stored row.</summary>
    public const int MaxEndpointLength = 1024;

    /// <summary>A person has a handful of browsers; more than this and the oldest subscription must go first.</summary>
    public const int MaxSubscriptionsPerUser = 10;

    /// <summary>Message text shown in a push, at most (characters).</summary>
    public const int MaxPreviewLength = 140;

    /// <summary>
    /// Null when the endpoint is acceptable: absolute https (http only to a loopback address and only when
    /// <paramref name="allowLoopbackHttp"/>, for tests and local development), no user info, bounded length.
    /// The server POSTs to it, so anything else would let a user point the server at arbitrary plain-text URLs.
    /// </summary>
    public static string? EndpointError(string? endpoint, bool allowLoopbackHttp)
    {
        if (string.IsNullOrEmpty(endpoint))
        {
            return "Endpoint is required.";
        }

        if (endpoint.Length > MaxEndpointLength)
        {
            return $"Endpoint must be at most {MaxEndpointLength} characters.";
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
        {
            return "Endpoint must be an absolute URL without user info or fragment.";
        }

        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            return null;
        }

        if (uri.Scheme == Uri.UriSchemeHttp && allowLoopbackHttp && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address))
        {
            return null;
        }

        return "Endpoint must be an https URL.";
    }

    /// <summary>Null when <paramref name="p256dh"/> is base64url of an uncompressed P-256 point that is on the curve.</summary>
    public static string? PublicKeyError(string? p256dh)
    {
        if (!TryDecodeBase64Url(p256dh, out var bytes) || bytes.Length != 65 || bytes[0] != 0x04)
        {
            return "keys.p256dh must be base64url of a 65-byte uncompressed P-256 public key.";
        }

        try
        {
            using var key = ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = bytes[1..33], Y = bytes[33..] },
            });
            return null;
        }
        catch (CryptographicException)
        {
            return "keys.p256dh is not a point on P-256.";
        }
    }

    /// <summary>Null when <paramref name="auth"/> is base64url of the 16-byte authentication secret (RFC 8291 §3.2).</summary>
    public static string? AuthError(string? auth) =>
        TryDecodeBase64Url(auth, out var bytes) && bytes.Length == 16 ? null : "keys.auth must be base64url of 16 bytes.";

    public static bool TryDecodeBase64Url(string? text, out byte[] bytes)
    {
        bytes = [];
        if (string.IsNullOrEmpty(text) || text.Length > 200)
        {
            return false;
        }

        try
        {
            bytes = System.Buffers.Text.Base64Url.DecodeFromChars(text.TrimEnd('='));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// What a push says. The message text is shown only when <paramref name="previewAllowed"/> (a channel every member
    /// can view, or the recipient turned previews on) and only for a single message; several batched messages are counted.
    /// </summary>
    public static (string Title, string Body) Text(string communityName, string channelName, string authorName, string content, int count, bool previewAllowed)
    {
        if (count > 1)
        {
            return (communityName, $"{count} new messages in #{channelName}");
        }

        if (!previewAllowed)
        {
            return (communityName, $"New message in #{channelName}");
        }

        var preview = content.Length > MaxPreviewLength ? string.Concat(content.AsSpan(0, MaxPreviewLength - 1), "…") : content;
        return ($"{authorName} in #{channelName}", preview);
    }
}
