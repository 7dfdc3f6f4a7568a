namespace Voxora.Protocol;

public sealed record User(
    string Id,
    string Username,
    string? DisplayName,
    DateTimeOffset CreatedAt,
    string? Email = null,
    string? AvatarUrl = null,
    bool? MfaEnabled = null);

public sealed record UpdateMeRequest(string? DisplayName);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);
