using System.Text;
using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>Voice: availability, ICE servers, who is in voice, and moderators' voice actions.</summary>
public sealed partial class VoxoraClient
{
    public Task<VoiceStatus> GetVoiceStatusAsync(CancellationToken ct = default) =>
        GetAsync("api/v1/voice/status", Json.VoiceStatus, ct);

    public Task<List<VoiceState>> GetVoiceStatesAsync(string communityId, CancellationToken ct = default) =>
        GetAsync($"api/v1/communities/{Id(communityId)}/voice-states", Json.ListVoiceState, ct);

    /// <summary>Server mute/deafen (null leaves a flag as it is) and/or move to <paramref name="moveTo"/>.</summary>
    public Task<VoiceState> ModerateVoiceAsync(string communityId, string userId, bool? serverMute = null, bool? serverDeaf = null, string? moveTo = null,
        CancellationToken ct = default) =>
        SendAsync(HttpMethod.Patch, $"api/v1/communities/{Id(communityId)}/voice-states/{Id(userId)}",
            moveTo is null
                ? new ModerateVoiceStateRequest { ServerMute = serverMute, ServerDeaf = serverDeaf }
                : new ModerateVoiceStateRequest { ServerMute = serverMute, ServerDeaf = serverDeaf, ChannelId = moveTo },
            Json.ModerateVoiceStateRequest, Json.VoiceState, ct);

    /// <summary>Disconnects a member from voice: <c>{"channel_id": null}</c> (written by hand: nulls are otherwise omitted).</summary>
    public async Task<VoiceState> DisconnectVoiceAsync(string communityId, string userId, CancellationToken ct = default)
    {
        using var request = NewRequest(HttpMethod.Patch, $"api/v1/communities/{Id(communityId)}/voice-states/{Id(userId)}", authenticated: true);
        request.Content = new StringContent("{\"channel_id\":null}", Encoding.UTF8, "application/json");
        return await ReadAsync(request, Json.VoiceState, ct);
    }
}
