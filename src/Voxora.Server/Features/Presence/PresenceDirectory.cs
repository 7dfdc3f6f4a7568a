using Voxora.Protocol;

namespace Voxora.Server.Features.Presence;

/// <summary>
/// Presence as other features ask for it, cluster-wide (Redis on a cluster, memory on a single node): whether a user
/// has a live gateway connection on any node, and the status they chose (e.g. to hold notifications on dnd). While this
/// node cannot reach Redis it answers from its own connections and what it last heard of the others.
/// </summary>
public sealed class PresenceDirectory(PresenceService presence)
{
    /// <summary>True while the user has at least one identified gateway connection on any node (not during the grace after the last one closed).</summary>
    public async Task<bool> IsConnectedAnywhereAsync(string userId) => (await presence.LookupAsync(userId)).Connected;

    /// <summary>
    /// The user's own chosen status (<c>online</c>, <c>idle</c>, <c>dnd</c>, <c>invisible</c>) — invisible is not hidden
    /// here — while they have a presence (connected, or within the grace after their last connection), else <c>offline</c>.
    /// </summary>
    public async Task<string> GetStatusAsync(string userId) => (await presence.LookupAsync(userId)).Status ?? PresenceStatuses.Offline;
}
