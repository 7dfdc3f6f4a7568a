using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Voxora.Server.Data;
using Voxora.Server.Features.Channels;
using Voxora.Server.Infrastructure.Cluster;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Permissions;

/// <summary>
/// One <see cref="PermissionSnapshot"/> per community, loaded on first use (six small queries) and
/// replaced whenever roles, member roles, overrides, channels, timeouts or ownership change
/// (<see cref="ReloadAsync"/>). A version number per community stops a load that raced a change from
/// installing stale data. Snapshots are node-local; on a cluster every node rebuilds its own when
/// <see cref="PermissionChanges"/> announces a change on the bus, and <see cref="Forget"/> reaches every node.
/// Nothing here loads synchronously: a caller that cannot await uses <see cref="Cached"/> and loads asynchronously
/// on a miss (the gateway holds the community's channel dispatches meanwhile).
/// </summary>
public sealed class PermissionCache
{
    private const string ForgetKind = "permissions.forget";

    private readonly IServiceScopeFactory scopes;
    private readonly TimeProvider clock;
    private readonly ClusterBus bus;
    private readonly CommunityLanes lanes;
    private readonly DomainEvents events;
    private readonly ConcurrentDictionary<string, PermissionSnapshot> snapshots = new(StringComparer.Ordinal);
    // The snapshot each reload replaced: a deleted channel's CHANNEL_DELETE goes to who could see it, which only the
    // snapshot from before the deletion knows (on a cluster the dispatch can arrive after the rebuild).
    private readonly ConcurrentDictionary<string, PermissionSnapshot> previous = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> versions = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    // channel id -> its community. A channel never moves to another community, so an entry never goes stale;
    // a deleted channel is simply absent from its community's next snapshot.
    private readonly ConcurrentDictionary<string, string> communityOfChannel = new(StringComparer.Ordinal);

    public PermissionCache(IServiceScopeFactory scopes, TimeProvider clock, ClusterBus bus, CommunityLanes lanes, DomainEvents events)
    {
        this.scopes = scopes;
        this.clock = clock;
        this.bus = bus;
        this.lanes = lanes;
        this.events = events;
        bus.Subscribe(ForgetKind, OnClusterForget);
    }

    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>The community's snapshot, loading it if needed; null when the community does not exist.</summary>
    public async ValueTask<PermissionSnapshot?> GetAsync(string communityId, CancellationToken ct)
    {
        if (snapshots.TryGetValue(communityId, out var snapshot))
        {
            return snapshot;
        }

        var version = versions.GetOrAdd(communityId, 0);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        snapshot = await LoadAsync(db, communityId, ct);
        return Install(communityId, version, snapshot);
    }

    /// <summary>
    /// The snapshot if this node holds it, else null (not loaded yet, being rebuilt, or the community is gone). Never
    /// touches the database: callers that cannot await (the gateway's fan-out) load with <see cref="GetAsync"/> on a miss.
    /// </summary>
    public PermissionSnapshot? Cached(string communityId) => snapshots.GetValueOrDefault(communityId);

    /// <summary>The snapshot the community's last reload replaced, if any.</summary>
    public PermissionSnapshot? Previous(string communityId) => previous.GetValueOrDefault(communityId);

    /// <summary>The communities whose snapshot this node holds now.</summary>
    public IReadOnlyList<string> CachedCommunityIds => [.. snapshots.Keys];

    /// <summary>The community a channel belongs to (from memory once seen), or null when no such channel exists.</summary>
    public async ValueTask<string?> CommunityOfChannelAsync(VoxoraDbContext db, string channelId, CancellationToken ct)
    {
        if (communityOfChannel.TryGetValue(channelId, out var communityId))
        {
            return communityId;
        }

        communityId = await db.Channels.AsNoTracking().Where(c => c.Id == channelId).Select(c => c.CommunityId).SingleOrDefaultAsync(ct);
        if (communityId is not null)
        {
            communityOfChannel.TryAdd(channelId, communityId);
        }

        return communityId;
    }

    /// <summary>Drops the community's snapshot and loads a fresh one. Returns both, so callers can tell what changed.</summary>
    public async Task<(PermissionSnapshot? Before, PermissionSnapshot? After)> ReloadAsync(string communityId, CancellationToken ct)
    {
        PermissionSnapshot? before;
        lock (gate)
        {
            versions.AddOrUpdate(communityId, 1, (_, v) => v + 1);
            snapshots.TryRemove(communityId, out before);
            if (before is not null)
            {
                previous[communityId] = before;
            }
        }

        var after = await GetAsync(communityId, ct);
        return (before, after);
    }

    /// <summary>The community is gone: forgotten here at once, and on every other node in bus order.</summary>
    public void Forget(string communityId)
    {
        ForgetHere(communityId);
        if (bus.IsClustered)
        {
            var body = new BusWriter();
            body.String(communityId);
            bus.Publish(ForgetKind, body.WrittenSpan);
        }
    }

    private void OnClusterForget(ClusterMessage message)
    {
        if (message.IsFrom(bus))
        {
            return;
        }

        var communityId = new BusReader(message.Body.Span).String()!;
        // In the community's lane, so a rebuild still waiting there cannot run after the community is forgotten.
        lanes.Run(communityId, () =>
        {
            ForgetHere(communityId);
            // The community was deleted on another node, whose domain events ran there only: voice members connected
            // here re-check (the community is gone, so their connections in it end).
            _ = Task.Run(() => events.PublishAsync(new PermissionsChanged(communityId)));
            return ValueTask.CompletedTask;
        });
    }

    private void ForgetHere(string communityId)
    {
        lock (gate)
        {
            versions.AddOrUpdate(communityId, 1, (_, v) => v + 1);
            snapshots.TryRemove(communityId, out _);
            previous.TryRemove(communityId, out _);
        }
    }

    private PermissionSnapshot? Install(string communityId, long version, PermissionSnapshot? snapshot)
    {
        if (snapshot is null)
        {
            return null;
        }

        lock (gate)
        {
            if (versions.GetValueOrDefault(communityId) == version)
            {
                snapshots[communityId] = snapshot;
            }
        }

        foreach (var channel in snapshot.Channels)
        {
            communityOfChannel.TryAdd(channel.Id, communityId);
        }

        return snapshot;
    }

    private async Task<PermissionSnapshot?> LoadAsync(VoxoraDbContext db, string communityId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var owner = await db.Communities.AsNoTracking().Where(c => c.Id == communityId).Select(c => c.OwnerId).SingleOrDefaultAsync(ct);
        if (owner is null)
        {
            return null;
        }

        var roles = await db.Roles.AsNoTracking().Where(r => r.CommunityId == communityId).ToListAsync(ct);
        var memberRoles = await db.MemberRoles.AsNoTracking().Where(m => m.CommunityId == communityId).ToListAsync(ct);
        var timeouts = await db.Members.AsNoTracking().Where(m => m.CommunityId == communityId && m.TimeoutUntil != null && m.TimeoutUntil > now)
            .Select(m => new { m.UserId, m.TimeoutUntil }).ToListAsync(ct);
        var channels = await db.Channels.AsNoTracking().Where(c => c.CommunityId == communityId).ToListAsync(ct);
        var overrides = await db.ChannelOverrides.AsNoTracking().Where(o => o.CommunityId == communityId).ToListAsync(ct);
        return Build(communityId, owner, roles, memberRoles, timeouts.Select(t => (t.UserId, t.TimeoutUntil!.Value)), channels, overrides);
    }

    internal static PermissionSnapshot Build(
        string communityId,
        string ownerId,
        IReadOnlyList<Communities.RoleEntity> roles,
        IReadOnlyList<Communities.MemberRoleEntity> memberRoles,
        IEnumerable<(string UserId, DateTimeOffset Until)> timeouts,
        IReadOnlyList<ChannelEntity> channels,
        IReadOnlyList<ChannelOverrideEntity> overrides)
    {
        var everyone = roles.FirstOrDefault(r => r.IsEveryone)?.Id ?? "";
        var byChannel = overrides.ToLookup(o => o.ChannelId, StringComparer.Ordinal);
        var data = new CommunityPermissionData(
            communityId,
            ownerId,
            everyone,
            roles.ToDictionary(r => r.Id, r => new RoleInfo(r.Id, r.Permissions, r.Position), StringComparer.Ordinal),
            memberRoles.GroupBy(m => m.UserId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(m => m.RoleId).ToArray(), StringComparer.Ordinal),
            timeouts.ToDictionary(t => t.UserId, t => t.Until, StringComparer.Ordinal),
            channels.ToDictionary(
                c => c.Id,
                c => new ChannelInfo(
                    c.Id,
                    c.ParentId,
                    c.PermissionsSynced,
                    byChannel[c.Id].Where(o => o.TargetType == OverrideTargets.Role)
                        .ToDictionary(o => o.TargetId, o => new OverrideRule(o.Allow, o.Deny), StringComparer.Ordinal),
                    byChannel[c.Id].Where(o => o.TargetType == OverrideTargets.User)
                        .ToDictionary(o => o.TargetId, o => new OverrideRule(o.Allow, o.Deny), StringComparer.Ordinal)),
                StringComparer.Ordinal));
        var wire = channels.OrderBy(c => c.Position).ThenBy(c => c.Id, StringComparer.Ordinal).Select(c => c.ToProtocol()).ToList();
        return new PermissionSnapshot(data, wire, channels);
    }
}
