using System.Text.Json;
using System.Text.Json.Serialization;

namespace Voxora.Protocol;

/// <summary>
/// Source-generated serialization for every wire type. snake_case on the wire, nulls omitted,
/// shared by the server, the .NET client and the tests so the format is defined once.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RegisterRequest))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(RefreshRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(SessionInfo))]
[JsonSerializable(typeof(List<SessionInfo>))]
[JsonSerializable(typeof(User))]
[JsonSerializable(typeof(UpdateMeRequest))]
[JsonSerializable(typeof(ChangePasswordRequest))]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(HealthReport))]
public sealed partial class VoxoraJsonContext : JsonSerializerContext;
