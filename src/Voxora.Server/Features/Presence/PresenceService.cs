using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Communities;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Cluster;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Presence;

/// <summary>
/// Presence: which users are online with which status, and PRESENCE_UPDATE to everyone who shares a community with
/// them. The gateway tells it when a connection identifies, resumes or closes; op 9 sets a status. The counts and
/// statuses live in <see cref="IPresenceStore"/> (Redis on a cluster). A change others must see is published on the
/// cluster bus (<c>presence.announce</c>, with the user's communities), and every node delivers it to its own
/// sessions of those communities' members and keeps a copy of who is visible (READY reads it).
/// <para>While this node cannot reach Redis it serves presence from its own connections (<see cref="LocalUser"/>):
/// changes are applied and announced to its own people at once, graces end locally, and the directory answers from
/// what the node knows. When Redis comes back (<see cref="ClusterBus.Reconnected"/>) it writes the connections and
/// statuses of its users back to the shared store (<see cref="IPresenceStore.ResyncAsync"/>), which announces to the
/// other nodes whatever changed meanwhile, and reloads who is visible elsewhere.</para>
/// </summary>
public sealed class PresenceService : IDomainEventHandler<CommunityMemberAdded>
{
    private const string AnnounceKind = "presence.announce";

    private readonly IPresenceStore store;
    private readonly ClusterBus bus;
    private readonly GatewayHub hub;
    private readonly IServiceScopeFactory scopes;
    private readonly PresenceOptions options;
    private readonly TimeProvider clock;
    private readonly ILogger<PresenceService> logger;

    // The identified connections of this node and their op 9 limits.
    private readonly ConcurrentDictionary<GatewayConnection, Tracked> connections = new();

    // user id -> the status others see, for everyone not offline (a copy on every node, kept by the announcements).
    private readonly ConcurrentDictionary<string, string> visible = new(StringComparer.Ordinal);

    private sealed record Tracked(string UserId, TokenBucket Updates);

    /// <summary>A user of this node: their connections here, their real status, and the end of their grace (no connection left).</summary>
    private sealed class LocalUser
    {
        public int Connections;
        public required string Status;
        public long? GraceEndsMs;

        /// <summary>The status was chosen while the shared store was out of reach: the resync writes it back.</summary>
        public bool StatusChangedLocally;
    }

    // The users of this node (guarded by stateGate, never held across an await).
    private readonly Lock stateGate = new();
    private readonly Dictionary<string, LocalUser> here = new(StringComparer.Ordinal);

    // Set when a change could not reach the shared store (Redis unreachable) and until the resync wrote this node's
    // users back; while set every change stays local (so nothing is written twice). localVersion counts local changes:
    // the resync only ends the outage when none happened while it was writing.
    private bool degraded;
    private long localVersion;
    private int resyncing;

    public PresenceService(IPresenceStore store, ClusterBus bus, GatewayHub hub, IServiceScopeFactory scopes, PresenceOptions options, TimeProvider clock, ILogger<PresenceService> logger)
    {
        this.store = store;
        this.bus = bus;
        this.hub = hub;
        this.scopes = scopes;
        this.options = options;
        this.clock = clock;
        this.logger = logger;
        bus.Subscribe(AnnounceKind, OnAnnounce);
        bus.Reconnected += () =>
        {
            lock (stateGate)
            {
                // Even with no local change, the store may have lost this node's users meanwhile (its liveness lapsed
                // and another node gave them up), and announcements from other nodes never arrived here.
                degraded = true;
                localVersion++;
            }

            _ = Task.Run(ResyncAsync);
        };
    }

    /// <summary>True while changes go to the shared store (single node, or Redis reachable and no resync pending).</summary>
    private bool UseStore
    {
        get
        {
            lock (stateGate)
            {
                return !degraded && bus.IsConnected;
            }
        }
    }

    /// <summary>The status others see of the user (<c>offline</c> when not connected or invisible), as this node knows it.</summary>
    public string VisibleStatus(string userId) => visible.GetValueOrDefault(userId) ?? PresenceStatuses.Offline;

    /// <summary>
    /// A connection identified (with IDENTIFY's optional status) or resumed (null: keep the status). Returns the user's
    /// own status. Others are told only when what they see changes: a reconnect within the grace announces nothing.
    /// </summary>
    public async Task<string> ConnectedAsync(GatewayConnection connection, string userId, string? status)
    {
        if (!connections.TryAdd(connection, new Tracked(userId, new TokenBucket(PresenceRules.UpdatesPerPeriod, PresenceRules.UpdatesPeriod, Environment.TickCount64))))
        {
            return status ?? PresenceStatuses.Online;
        }

        lock (stateGate)
        {
            if (!here.TryGetValue(userId, out var user))
            {
                here[userId] = user = new LocalUser { Status = status ?? PresenceStatuses.Online };
            }

            user.Connections++;
            user.GraceEndsMs = null;
        }

        if (UseStore)
        {
            try
            {
                var change = await store.ConnectAsync(userId, status);
                Remember(userId, change.Status);
                await ApplyAsync(userId, change);
                return change.Status;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Presence: could not record the connection of {UserId}; serving it from this node", userId);
            }
        }

        var local = ChangeLocally(userId, status);
        await ApplyAsync(userId, local);
        return local.Status;
    }

    /// <summary>A connection ended. When it was the user's last, they go offline after the grace unless one comes back. Never throws.</summary>
    public async Task ClosedAsync(GatewayConnection connection)
    {
        if (!connections.TryRemove(connection, out var tracked))
        {
            return;
        }

        var graceEndsMs = GraceEndsMs();
        lock (stateGate)
        {
            if (here.TryGetValue(tracked.UserId, out var user) && --user.Connections <= 0)
            {
                user.Connections = 0;
                user.GraceEndsMs = graceEndsMs;
            }
        }

        if (UseStore)
        {
            try
            {
                await store.DisconnectAsync(tracked.UserId, graceEndsMs);
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Presence: could not record the disconnection of {UserId}; the resync will", tracked.UserId);
            }
        }

        lock (stateGate)
        {
            // The store still counts the connection: the resync after the outage writes the count back.
            degraded = true;
            localVersion++;
        }
    }

    /// <summary>Op 9 on an identified connection. False: over the connection's limit (nothing changed, nothing sent).</summary>
    public async Task<bool> TrySetAsync(GatewayConnection connection, string userId, string status)
    {
        var tracked = connections.GetOrAdd(connection, _ => new Tracked(userId, new TokenBucket(PresenceRules.UpdatesPerPeriod, PresenceRules.UpdatesPeriod, Environment.TickCount64)));
        lock (tracked.Updates)
        {
            if (!tracked.Updates.TryTake(Environment.TickCount64))
            {
                return false;
            }
        }

        if (UseStore)
        {
            try
            {
                var change = await store.SetAsync(userId, status);
                Remember(userId, change.Status);
                await ApplyAsync(userId, change);
                return true;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Presence: could not set the status of {UserId}; serving it from this node", userId);
            }
        }

        await ApplyAsync(userId, ChangeLocally(userId, status));
        return true;
    }

    /// <summary>
    /// Announces offline for everyone whose grace ended with no connection back (any node's; one node announces each).
    /// While the shared store is out of reach, ends the graces of this node's users here and tells its own people; once
    /// it answers again, writes this node's users back first.
    /// </summary>
    public async Task ExpireGracesAsync()
    {
        var nowMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        List<string> endedLocally = [];
        bool useStore, resync;
        lock (stateGate)
        {
            foreach (var (userId, user) in here)
            {
                if (user.Connections == 0 && user.GraceEndsMs <= nowMs)
                {
                    endedLocally.Add(userId);
                }
            }

            foreach (var userId in endedLocally)
            {
                here.Remove(userId);
            }

            useStore = !degraded && bus.IsConnected;
            resync = degraded && bus.IsConnected;
        }

        if (!useStore)
        {
            // The store cannot say whether they are connected to another node: as far as this node knows, they left.
            foreach (var userId in endedLocally)
            {
                if (visible.ContainsKey(userId))
                {
                    await DeliverHereAsync(userId, PresenceStatuses.Offline, null);
                }
            }

            if (resync)
            {
                await ResyncAsync();
            }

            return;
        }

        foreach (var userId in await store.ExpireAsync(nowMs))
        {
            await AnnounceAsync(userId, PresenceStatuses.Offline, null);
        }
    }

    /// <summary>
    /// Whether the user has a live connection anywhere and their real status (null: no presence): from the shared store,
    /// or, while it is out of reach, from this node's connections and what it last heard of the others.
    /// </summary>
    public async Task<(bool Connected, string? Status)> LookupAsync(string userId)
    {
        if (UseStore)
        {
            try
            {
                return await store.GetAsync(userId);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Presence: could not read the presence of {UserId}; answering from this node", userId);
            }
        }

        lock (stateGate)
        {
            if (here.TryGetValue(userId, out var user))
            {
                return (user.Connections > 0, user.Status);
            }
        }

        return visible.TryGetValue(userId, out var status) ? (true, status) : (false, null);
    }

    /// <summary>
    /// After an outage: writes this node's users (connection counts, statuses chosen meanwhile) back to the shared store,
    /// announces to every node what others must now see, and reloads who is visible elsewhere. Repeats until no local
    /// change happened while it wrote; a failure leaves the node degraded and the next sweep tries again.
    /// </summary>
    public async Task ResyncAsync()
    {
        if (Interlocked.Exchange(ref resyncing, 1) == 1)
        {
            return;
        }

        try
        {
            while (true)
            {
                long version;
                List<PresenceResyncEntry> users;
                lock (stateGate)
                {
                    if (!degraded || !bus.IsConnected)
                    {
                        return;
                    }

                    version = localVersion;
                    users = here.Where(u => u.Value.Connections > 0)
                        .Select(u => new PresenceResyncEntry(u.Key, u.Value.Connections, u.Value.Status, u.Value.StatusChangedLocally))
                        .ToList();
                }

                var changes = await store.ResyncAsync(users, GraceEndsMs());
                lock (stateGate)
                {
                    foreach (var (userId, change) in changes)
                    {
                        if (here.TryGetValue(userId, out var user))
                        {
                            user.Status = change.Status;
                            user.StatusChangedLocally = false;
                        }
                    }
                }

                foreach (var (userId, change) in changes)
                {
                    if (change.Announce is { } announce)
                    {
                        await AnnounceAsync(userId, announce, null);
                    }
                }

                await ReloadVisibleAsync();
                lock (stateGate)
                {
                    if (version == localVersion)
                    {
                        degraded = false;
                        logger.LogWarning("Presence: {Count} users of this node written back to the shared store after the outage", users.Count);
                        return;
                    }
                }
            }
        }
        catch (Exception ex)
        {
            // Runs off the bus's reconnect event too, where nobody awaits it: every failure is logged and retried.
            logger.LogWarning(ex, "Presence: could not write this node's users back yet; retrying on the next sweep");
        }
        finally
        {
            Volatile.Write(ref resyncing, 0);
        }
    }

    /// <summary>Brings this node's copy of who is visible in line with the shared store, telling its own people what changed.</summary>
    private async Task ReloadVisibleAsync()
    {
        var announced = await store.AnnouncedAsync();
        foreach (var (userId, status) in announced)
        {
            if (visible.GetValueOrDefault(userId) != status)
            {
                await DeliverHereAsync(userId, status, null);
            }
        }

        foreach (var userId in visible.Keys)
        {
            if (!announced.ContainsKey(userId))
            {
                await DeliverHereAsync(userId, PresenceStatuses.Offline, null);
            }
        }
    }

    /// <summary>Cluster upkeep (this node's liveness, the connections of dead nodes).</summary>
    public Task MaintainAsync() => store.MaintainAsync(GraceEndsMs());

    /// <summary>Loads who is visible from the shared store (a node joining a running cluster).</summary>
    public async Task LoadVisibleAsync()
    {
        foreach (var (userId, status) in await store.AnnouncedAsync())
        {
            visible.TryAdd(userId, status);
        }
    }

    /// <summary>
    /// READY's presences: the visible members of the user's communities and the user's own real status. A community
    /// with more than <see cref="PresenceOptions.ReadyLimitPerCommunity"/> of them online is left out and named in
    /// <c>Lazy</c> instead: the client pages those when it needs them.
    /// </summary>
    public async Task<(List<Protocol.Presence> Presences, List<string> Lazy)> ReadyPresencesAsync(
        VoxoraDbContext db, string userId, string ownStatus, IReadOnlyCollection<string> communityIds, CancellationToken ct)
    {
        var result = new List<Protocol.Presence> { new(userId, ownStatus, PresenceRules.NoActivities) };
        var lazy = new List<string>();
        var online = visible.Keys.Where(id => id != userId).ToList();
        if (online.Count == 0 || communityIds.Count == 0)
        {
            return (result, lazy);
        }

        var pairs = await db.Members.AsNoTracking()
            .Where(m => communityIds.Contains(m.CommunityId) && online.Contains(m.UserId))
            .Select(m => new { m.CommunityId, m.UserId })
            .ToListAsync(ct);
        var users = new HashSet<string>(StringComparer.Ordinal);
        foreach (var community in pairs.GroupBy(p => p.CommunityId))
        {
            var members = community.ToList();
            if (members.Count > options.ReadyLimitPerCommunity)
            {
                lazy.Add(community.Key);
                continue;
            }

            users.UnionWith(members.Select(m => m.UserId));
        }

        foreach (var id in users.Order(StringComparer.Ordinal))
        {
            if (visible.TryGetValue(id, out var status))
            {
                result.Add(new Protocol.Presence(id, status, PresenceRules.NoActivities));
            }
        }

        lazy.Sort(StringComparer.Ordinal);
        return (result, lazy);
    }

    /// <summary>One page of a community's visible members, by user id (the lazy path for large communities).</summary>
    public async Task<List<Protocol.Presence>> CommunityPresencesAsync(VoxoraDbContext db, string communityId, string? after, int limit, CancellationToken ct)
    {
        var online = visible.Keys.Where(id => after is null || string.CompareOrdinal(id, after) > 0).ToList();
        if (online.Count == 0)
        {
            return [];
        }

        var ids = await db.Members.AsNoTracking()
            .Where(m => m.CommunityId == communityId && online.Contains(m.UserId))
            .Select(m => m.UserId)
            .ToListAsync(ct);
        var page = new List<Protocol.Presence>(Math.Min(ids.Count, limit));
        foreach (var id in ids.Order(StringComparer.Ordinal))
        {
            if (page.Count == limit)
            {
                break;
            }

            if (visible.TryGetValue(id, out var status))
            {
                page.Add(new Protocol.Presence(id, status, PresenceRules.NoActivities));
            }
        }

        return page;
    }

    /// <summary>
    /// A new member: the community's members see their presence. (The joiner fetches the community's presences with
    /// <c>GET …/presences</c> on COMMUNITY_CREATE: pushing a large community's would overflow their outbound queue.)
    /// </summary>
    public async Task HandleAsync(CommunityMemberAdded added, CancellationToken ct)
    {
        if (visible.TryGetValue(added.User.Id, out var status))
        {
            await AnnounceAsync(added.User.Id, status, [added.Community.Id]);
        }
    }

    /// <summary>Keeps this node's copy of the real status of one of its users (the resync writes it back after an outage).</summary>
    private void Remember(string userId, string status)
    {
        lock (stateGate)
        {
            if (here.TryGetValue(userId, out var user))
            {
                user.Status = status;
            }
        }
    }

    /// <summary>
    /// A connect (status null: keep) or a status change while the shared store is out of reach: decided from this node's
    /// connections and its copy of what others see, as the store would, and remembered for the resync.
    /// </summary>
    private PresenceChange ChangeLocally(string userId, string? status)
    {
        lock (stateGate)
        {
            degraded = true;
            localVersion++;
            if (!here.TryGetValue(userId, out var user))
            {
                here[userId] = user = new LocalUser { Status = PresenceStatuses.Online };
            }

            var previous = user.Status;
            var now = status ?? previous;
            if (status is not null)
            {
                user.Status = status;
                user.StatusChangedLocally = true;
            }

            var shown = PresenceRules.Visible(now);
            return new PresenceChange(previous, now, shown == VisibleStatus(userId) ? null : shown);
        }
    }

    private long GraceEndsMs() => clock.GetUtcNow().ToUnixTimeMilliseconds() + options.GraceSeconds * 1000L;

    private async Task ApplyAsync(string userId, PresenceChange change)
    {
        // The user's own sessions see their real status (invisible included); a first connection learns it from READY.
        if (change.PreviousStatus is not null && change.PreviousStatus != change.Status)
        {
            hub.Publish(GatewayEvents.PresenceUpdate, new Protocol.Presence(userId, change.Status, PresenceRules.NoActivities), VoxoraJsonContext.Default.Presence, Audience.User(userId));
        }

        if (change.Announce is { } announce)
        {
            await AnnounceAsync(userId, announce, null);
        }
    }

    private async Task AnnounceAsync(string userId, string status, IReadOnlyCollection<string>? communityIds)
    {
        if (communityIds is null)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
            communityIds = await ReadyState.CommunityIdsAsync(db, userId, CancellationToken.None);
        }

        var body = new BusWriter();
        body.String(userId);
        body.String(status);
        body.Int32(communityIds.Count);
        foreach (var communityId in communityIds)
        {
            body.String(communityId);
        }

        bus.Publish(AnnounceKind, body.WrittenSpan);
    }

    private void OnAnnounce(ClusterMessage message)
    {
        var reader = new BusReader(message.Body.Span);
        var userId = reader.String()!;
        var status = reader.String()!;
        var count = reader.Int32();
        var communityIds = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            communityIds.Add(reader.String()!);
        }

        DeliverHere(userId, status, communityIds);
    }

    /// <summary>Records what others see of the user on this node and tells this node's sessions of the communities' members.</summary>
    private void DeliverHere(string userId, string status, IEnumerable<string> communityIds)
    {
        var recipients = new HashSet<string>(StringComparer.Ordinal);
        foreach (var communityId in communityIds)
        {
            recipients.UnionWith(hub.OnlineMembers(communityId));
        }

        if (status == PresenceStatuses.Offline)
        {
            visible.TryRemove(userId, out _);
        }
        else
        {
            visible[userId] = status;
        }

        // The user's own sessions follow their real status (ApplyAsync), not what others see.
        recipients.Remove(userId);
        if (recipients.Count > 0)
        {
            var payload = JsonSerializer.SerializeToUtf8Bytes(new Protocol.Presence(userId, status, PresenceRules.NoActivities), VoxoraJsonContext.Default.Presence);
            hub.DeliverHere(GatewayEvents.PresenceUpdate, payload, recipients);
        }
    }

    /// <summary>Like an announcement, but on this node only (without the bus): what this node alone has to correct.</summary>
    private async Task DeliverHereAsync(string userId, string status, IReadOnlyCollection<string>? communityIds)
    {
        if (communityIds is null)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
            communityIds = await ReadyState.CommunityIdsAsync(db, userId, CancellationToken.None);
        }

        DeliverHere(userId, status, communityIds);
    }
}
