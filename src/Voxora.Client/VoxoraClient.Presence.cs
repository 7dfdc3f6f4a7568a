using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>Presence over REST (the gateway side is <see cref="GatewayClient.SetPresenceAsync"/>).</summary>
public sealed partial class VoxoraClient
{
    /// <summary>One page (by user id) of the community's members others see online, idle or dnd.</summary>
    public Task<List<Presence>> GetPresencesAsync(string communityId, string? after = null, int? limit = null, CancellationToken ct = default) =>
        GetAsync($"api/v1/communities/{Id(communityId)}/presences{Query(("after", after), ("limit", Number(limit)))}", Json.ListPresence, ct);
}
