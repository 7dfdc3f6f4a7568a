using Voxora.Server.Features.Communities;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Cluster;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Permissions;

/// <summary>
/// What features call after saving anything that can change who may do or see what in a community
/// (roles, member roles, overrides, channels, timeouts): the snapshot is rebuilt and live connections
/// are told about channels they lost or gained, before the call returns, on this node; every other node
/// does the same when the bus brings it the change.
/// </summary>
/// <remarks>
/// Ordering on a cluster: the node that made the change rebuilds its snapshot first, then publishes
/// "permissions changed for community X" on the bus, and only then do its endpoints publish the dispatches that
/// follow the change. The bus keeps one order for all nodes, so every other node sees the change before those
/// dispatches. It rebuilds asynchronously (the bus reader must not wait for the database) in the community's lane
/// (<see cref="CommunityLanes"/>): until the rebuild is installed and its CHANNEL_DELETE/CREATE are queued, every later
/// dispatch of that community waits behind it, so no channel event is filtered with the snapshot from before the
/// change. Other communities, and events addressed to users, are not held.
/// </remarks>
public sealed class PermissionChanges : IDomainEventHandler<CommunityMemberRemoved>, IDomainEventHandler<CommunityDeleted>
{
    private const string ChangedKind = "permissions.changed";

    private readonly PermissionCache cache;
    private readonly GatewayHub hub;
    private readonly MemberDirectory members;
    private readonly ClusterBus bus;
    private readonly CommunityLanes lanes;
    private readonly DomainEvents events;

    public PermissionChanges(PermissionCache cache, GatewayHub hub, MemberDirectory members, ClusterBus bus, CommunityLanes lanes, DomainEvents events)
    {
        this.cache = cache;
        this.hub = hub;
        this.members = members;
        this.bus = bus;
        this.lanes = lanes;
        this.events = events;
        bus.Subscribe(ChangedKind, OnClusterChanged);
        bus.Reconnected += RebuildAllAfterOutage;
    }

    // Changes announced by other nodes while Redis was unreachable never arrived: rebuild every snapshot this node
    // holds (each in its community's lane, like an announced change) and tell clients what they gained or lost.
    private void RebuildAllAfterOutage()
    {
        foreach (var communityId in cache.CachedCommunityIds)
        {
            Rebuild(communityId);
        }
    }

    /// <summary>
    /// A membership was removed (leave, kick, ban): per-request checks stop seeing it now, and the snapshot is
    /// rebuilt because the member's role grants went with the row.
    /// </summary>
    public async Task HandleAsync(CommunityMemberRemoved removal, CancellationToken ct)
    {
        members.Forget(removal.CommunityId, removal.User.Id);
        await ChangedAsync(removal.CommunityId, ct);
    }

    /// <summary>The community was deleted (domain event): its snapshot and cached members are forgotten.</summary>
    public Task HandleAsync(CommunityDeleted deleted, CancellationToken ct)
    {
        cache.Forget(deleted.CommunityId);
        members.ForgetCommunity(deleted.CommunityId);
        return Task.CompletedTask;
    }

    public async Task<PermissionSnapshot?> ChangedAsync(string communityId, CancellationToken ct)
    {
        var (before, after) = await cache.ReloadAsync(communityId, ct);
        hub.AnnounceVisibilityChanges(before, after);
        if (bus.IsClustered)
        {
            var body = new BusWriter();
            body.String(communityId);
            bus.Publish(ChangedKind, body.WrittenSpan);
        }

        return after;
    }

    private void OnClusterChanged(ClusterMessage message)
    {
        if (message.IsFrom(bus))
        {
            return;
        }

        Rebuild(new BusReader(message.Body.Span).String()!);
    }

    private void Rebuild(string communityId)
    {
        lanes.Run(communityId, async () =>
        {
            // Off the bus reader before any database work; the lane holds this community's later dispatches meanwhile.
            await Task.Yield();
            var (before, after) = await cache.ReloadAsync(communityId, CancellationToken.None);
            hub.AnnounceVisibilityChanges(before, after);
            // The change was made on another node, whose domain events ran there only: this node's own subsystems that
            // derive state from permissions (voice members connected here) re-check now. Not awaited in the lane, so
            // Janus calls do not hold the community's dispatches.
            _ = Task.Run(() => events.PublishAsync(new PermissionsChanged(communityId)));
        });
    }
}
