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
[JsonSerializable(typeof(VoiceStatus))]
[JsonSerializable(typeof(IceServersResponse))]
[JsonSerializable(typeof(Community))]
[JsonSerializable(typeof(List<Community>))]
[JsonSerializable(typeof(CreateCommunityRequest))]
[JsonSerializable(typeof(UpdateCommunityRequest))]
[JsonSerializable(typeof(Channel))]
[JsonSerializable(typeof(List<Channel>))]
[JsonSerializable(typeof(CreateChannelRequest))]
[JsonSerializable(typeof(UpdateChannelRequest))]
[JsonSerializable(typeof(UserSummary))]
[JsonSerializable(typeof(List<UserSummary>))]
[JsonSerializable(typeof(Member))]
[JsonSerializable(typeof(List<Member>))]
[JsonSerializable(typeof(MemberRemoved))]
[JsonSerializable(typeof(CreateInviteRequest))]
[JsonSerializable(typeof(Invite))]
[JsonSerializable(typeof(List<Invite>))]
[JsonSerializable(typeof(InvitePreview))]
[JsonSerializable(typeof(InviteDeleted))]
[JsonSerializable(typeof(Deleted))]
[JsonSerializable(typeof(Message))]
[JsonSerializable(typeof(List<Message>))]
[JsonSerializable(typeof(CreateMessageRequest))]
[JsonSerializable(typeof(UpdateMessageRequest))]
[JsonSerializable(typeof(MessageDeleted))]
[JsonSerializable(typeof(ReactionEvent))]
[JsonSerializable(typeof(GatewayFrame))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(HelloPayload))]
[JsonSerializable(typeof(IdentifyPayload))]
[JsonSerializable(typeof(ResumePayload))]
[JsonSerializable(typeof(ReadyPayload))]
[JsonSerializable(typeof(ReconnectPayload))]
[JsonSerializable(typeof(InvalidSessionPayload))]
public sealed partial class VoxoraJsonContext : JsonSerializerContext;
