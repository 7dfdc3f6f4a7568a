using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Voxora.Server.Tests.Notifications;

/// <summary>Checks a push request's RFC 8292 authorization as a push service would: <c>vapid t=JWT, k=key</c>, ES256 by k.</summary>
public static class VapidCheck
{
    public sealed record Claims(string Audience, DateTimeOffset Expires, string? Subject);

    public static Claims Verify(string? authorization, string expectedPublicKey)
    {
        Assert.NotNull(authorization);
        Assert.StartsWith("vapid ", authorization, StringComparison.Ordinal);
        var parameters = authorization["vapid ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        Assert.Equal(expectedPublicKey, parameters["k"]);

        var parts = parameters["t"].Split('.');
        Assert.Equal(3, parts.Length);
        using var header = JsonDocument.Parse(WebPushDecryptor.FromBase64Url(parts[0]));
        Assert.Equal("ES256", header.RootElement.GetProperty("alg").GetString());

        var point = WebPushDecryptor.FromBase64Url(parameters["k"]);
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = point[1..33], Y = point[33..] },
        });
        // JWS ES256 signatures are r || s (IEEE P1363), .NET's default format.
        Assert.True(key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), WebPushDecryptor.FromBase64Url(parts[2]), HashAlgorithmName.SHA256),
            "the VAPID JWT's signature does not verify with k");

        using var claims = JsonDocument.Parse(WebPushDecryptor.FromBase64Url(parts[1]));
        var root = claims.RootElement;
        return new Claims(root.GetProperty("aud").GetString()!, DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("exp").GetInt64()),
            root.TryGetProperty("sub", out var sub) ? sub.GetString() : null);
    }
}
