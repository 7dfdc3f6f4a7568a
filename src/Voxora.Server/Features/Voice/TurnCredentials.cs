using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Voxora.Protocol;

namespace Voxora.Server.Features.Voice;

/// <summary>
/// ICE servers for browsers. TURN entries use coturn's REST-API scheme (<c>use-auth-secret</c>):
/// <c>username = "&lt;expiry unix seconds&gt;:&lt;user id&gt;"</c>, <c>credential = base64(HMAC-SHA1(key: secret, message: username))</c>.
/// coturn recomputes the HMAC with the same secret and refuses the username once its expiry has passed.
/// </summary>
public sealed class TurnCredentials(VoiceOptions options, TimeProvider clock)
{
    public IceServersResponse For(string userId)
    {
        var servers = new List<IceServer>();
        if (options.StunUrlList.Count > 0)
        {
            servers.Add(new IceServer(options.StunUrlList));
        }

        if (options.TurnSecret is { Length: > 0 } secret && options.TurnUrlList.Count > 0)
        {
            var expiry = clock.GetUtcNow().ToUnixTimeSeconds() + options.TurnTtlSeconds;
            var username = Username(expiry, userId);
            servers.Add(new IceServer(options.TurnUrlList, username, Credential(secret, username)));
        }

        return new IceServersResponse(servers, options.TurnTtlSeconds);
    }

    public static string Username(long expiryUnixSeconds, string userId) =>
        expiryUnixSeconds.ToString(CultureInfo.InvariantCulture) + ":" + userId;

    public static string Credential(string secret, string username)
    {
#pragma warning disable CA5350 // coturn's REST scheme is defined as HMAC-SHA1; the secret never leaves the server.
        var mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username));
#pragma warning restore CA5350
        return Convert.ToBase64String(mac);
    }
}
