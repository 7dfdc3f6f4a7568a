namespace Voxora.Protocol;

/// <summary><c>GET /api/v1/voice/status</c>: whether voice can be used on this server, and if not, why.</summary>
public sealed record VoiceStatus(bool Available, string? Reason = null);

/// <summary>One entry of <c>RTCConfiguration.iceServers</c>. TURN entries carry coturn REST credentials.</summary>
public sealed record IceServer(IReadOnlyList<string> Urls, string? Username = null, string? Credential = null);

/// <summary>
/// <c>POST /api/v1/voice/ice-servers</c>: ICE servers for a browser's <c>RTCPeerConnection</c>.
/// <c>Ttl</c> is how many seconds the TURN credentials stay valid; clients refresh before that.
/// </summary>
public sealed record IceServersResponse(IReadOnlyList<IceServer> IceServers, int Ttl);
