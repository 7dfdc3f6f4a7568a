using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Voxora.Server.Gateway;

/// <summary>
/// Accepts the gateway's WebSocket. For an HTTP/1.1 upgrade it does the RFC 6455 handshake itself, so the
/// socket can be built on a <see cref="CoalescingStream"/> (ASP.NET Core's own accept gives no access to
/// the stream); anything else (HTTP/2 extended CONNECT) takes the framework's accept, without coalescing.
/// </summary>
public static class GatewayUpgrade
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    public static async Task<(WebSocket Socket, CoalescingStream? Output)> AcceptAsync(HttpContext http)
    {
        var upgrade = http.Features.Get<IHttpUpgradeFeature>();
        var key = http.Request.Headers.SecWebSocketKey.ToString();
        if (upgrade is not { IsUpgradableRequest: true } || !IsValidKey(key))
        {
            return (await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = false }), null);
        }

        var headers = http.Response.Headers;
        headers.Connection = "Upgrade";
        headers.Upgrade = "websocket";
        headers.SecWebSocketAccept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
        var output = new CoalescingStream(await upgrade.UpgradeAsync());
        // Heartbeats are the gateway protocol's own (op 1); no WebSocket-level pings, no compression.
        var socket = WebSocket.CreateFromStream(output, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        return (socket, output);
    }

    // A valid key is the base64 of 16 bytes (RFC 6455 §4.2.1).
    private static bool IsValidKey(string key)
    {
        Span<byte> decoded = stackalloc byte[16];
        return key.Length == 24 && Convert.TryFromBase64String(key, decoded, out var written) && written == 16;
    }
}
