namespace Voxora.Protocol;

// Request bodies keep every property nullable: a missing field must become a clear 400 from the
// endpoint's own validation, not a deserializer exception.

/// <summary>
/// <c>invite_code</c>: a community invite to register with; required on an invite-only pod (the account joins that
/// community), optional elsewhere.
/// </summary>
public sealed record RegisterRequest(string? Username, string? Password, string? Email = null, string? InviteCode = null);

public sealed record LoginRequest(string? Login, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken);

public sealed record SessionInfo(
    string Id,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUsedAt,
    string? UserAgent,
    string? Ip,
    bool Current);
