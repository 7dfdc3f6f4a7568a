namespace Voxora.Server.Features.Auth;

/// <summary>
/// Domain event: login sessions of <paramref name="UserId"/> ended — logged out, revoked from another session, ended by a
/// password change or by a pod ban, or a refresh token replayed. What belonged to those sessions goes with them (their
/// push subscriptions: a signed-out browser must stop receiving pushes).
/// </summary>
public sealed record LoginSessionsEnded(string UserId, IReadOnlyList<string> SessionIds);
