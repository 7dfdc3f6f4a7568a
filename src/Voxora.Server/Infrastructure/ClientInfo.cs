namespace Voxora.Server.Infrastructure;

public static class ClientInfo
{
    /// <summary>The client's address (after trusted-proxy forwarding), as text; "unknown" if the socket has none.</summary>
    public static string Ip(this HttpContext context) =>
        context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public static string? UserAgent(this HttpContext context) =>
        context.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua : null;
}
