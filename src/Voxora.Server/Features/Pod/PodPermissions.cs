using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Features.Users;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Features.Pod;

/// <summary>
/// Pod-level permissions (seed 000 §P2-9): the union of the default pod role and the user's pod roles;
/// POD_ADMINISTRATOR means all. The pod owner has all of them: the user named by <c>VOXORA_POD__OWNER</c>
/// (a username) when set, otherwise the first user who registered. Results are cached per user and
/// dropped whenever pod roles or grants change, on every node (the change is published on the cluster bus).
/// </summary>
public sealed class PodPermissions
{
    private const string InvalidateKind = "pod.permissions-changed";

    private readonly ConcurrentDictionary<string, long> cache = new(StringComparer.Ordinal);
    private readonly IServiceScopeFactory scopes;
    private readonly IConfiguration configuration;
    private readonly ClusterBus bus;
    private readonly Lock gate = new();
    private string? ownerId;

    // Bumped by every invalidation: a lookup that read the database before it does not cache its stale answer.
    private long epoch;

    public PodPermissions(IServiceScopeFactory scopes, IConfiguration configuration, ClusterBus bus)
    {
        this.scopes = scopes;
        this.configuration = configuration;
        this.bus = bus;
        bus.Subscribe(InvalidateKind, message =>
        {
            if (!message.IsFrom(bus))
            {
                InvalidateHere();
            }
        });
        // Pod role changes announced while Redis was unreachable never arrived: start over.
        bus.Reconnected += InvalidateHere;
    }

    public async Task<string?> OwnerIdAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref ownerId) is { } known)
        {
            return known;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var configured = configuration["POD:OWNER"];
        var normalized = string.IsNullOrWhiteSpace(configured) ? null : UserRules.Normalize(configured.Trim());
        var owner = normalized is null
            ? await db.Users.AsNoTracking().OrderBy(u => u.CreatedAt).ThenBy(u => u.Id).Select(u => u.Id).FirstOrDefaultAsync(ct)
            : await db.Users.AsNoTracking().Where(u => u.UsernameNormalized == normalized).Select(u => u.Id).SingleOrDefaultAsync(ct);
        if (owner is not null)
        {
            Volatile.Write(ref ownerId, owner);
        }

        return owner;
    }

    public async Task<long> PermissionsAsync(string userId, CancellationToken ct)
    {
        if (cache.TryGetValue(userId, out var cached))
        {
            return cached;
        }

        if (await OwnerIdAsync(ct) == userId)
        {
            return cache[userId] = PodPermission.All;
        }

        var startedUnder = Interlocked.Read(ref epoch);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var grants = await db.PodRoles.AsNoTracking()
            .Where(r => r.IsDefault || db.PodMemberRoles.Any(m => m.RoleId == r.Id && m.UserId == userId))
            .Select(r => r.Permissions)
            .ToListAsync(ct);
        var permissions = grants.Aggregate(0L, (all, p) => all | p);
        permissions = (permissions & PodPermission.Administrator) != 0 ? PodPermission.All : permissions & PodPermission.All;
        lock (gate)
        {
            if (epoch == startedUnder)
            {
                cache[userId] = permissions;
            }
        }

        return permissions;
    }

    /// <summary>The user's highest pod role position (the owner is above all).</summary>
    public async Task<int> HighestPositionAsync(VoxoraDbContext db, string userId, CancellationToken ct)
    {
        if (await OwnerIdAsync(ct) == userId)
        {
            return int.MaxValue;
        }

        return await db.PodRoles.AsNoTracking()
            .Where(r => db.PodMemberRoles.Any(m => m.RoleId == r.Id && m.UserId == userId))
            .MaxAsync(r => (int?)r.Position, ct) ?? 0;
    }

    /// <summary>The user as the role hierarchy (<see cref="RoleHierarchy"/>) sees them on this pod.</summary>
    public async Task<HierarchyActor> ActorAsync(VoxoraDbContext db, string userId, CancellationToken ct) =>
        new(await OwnerIdAsync(ct) == userId, await HighestPositionAsync(db, userId, ct), await PermissionsAsync(userId, ct));

    /// <summary>Pod roles or grants changed: every node forgets what it cached (this one at once).</summary>
    public void Invalidate()
    {
        InvalidateHere();
        if (bus.IsClustered)
        {
            bus.Publish(InvalidateKind, []);
        }
    }

    private void InvalidateHere()
    {
        lock (gate)
        {
            epoch++;
            cache.Clear();
        }
    }

    public static Task<bool> IsBannedAsync(VoxoraDbContext db, string userId, CancellationToken ct) =>
        db.PodBans.AnyAsync(b => b.UserId == userId, ct);
}
