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

        try
        {
            var change = await store.ConnectAsync(userId, status);
            await ApplyAsync(userId, change);
            return change.Status;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Presence: could not record the connection of {UserId}", userId);
            return status ?? PresenceStatuses.Online;
        }
    }

    /// <summary>A connection ended. When it was the user's last, they go offline after the grace unless one comes back. Never throws.</summary>
    public async Task ClosedAsync(GatewayConnection connection)
    {
        if (!connections.TryRemove(connection, out var tracked))
        {
            return;
        }

        try
        {
            await store.DisconnectAsync(tracked.UserId, GraceEndsMs());
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Presence: could not record the disconnection of {UserId}", tracked.UserId);
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

        try
        {
            await ApplyAsync(userId, await store.SetAsync(userId, status));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Presence: could not set the status of {UserId}", userId);
        }

        return true;
    }

    /// <summary>Announces offline for everyone whose grace ended with no connection back (any node's; one node announces each).</summary>
    public async Task ExpireGracesAsync()
    {
        foreach (var userId in await store.ExpireAsync(clock.GetUtcNow().ToUnixTimeMilliseconds()))
        {
            await AnnounceAsync(userId, PresenceStatuses.Offline, null);
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
    /// READY's presences: the visible members of the user's communities (none of a community with more than
    /// <see cref="PresenceRules.ReadyLimitPerCommunity"/> of them online: the client pages those), and the user's own real status.
    /// </summary>
    public async Task<List<Protocol.Presence>> ReadyPresencesAsync(VoxoraDbContext db, string userId, string ownStatus, IReadOnlyCollection<string> communityIds, CancellationToken ct)
    {
        var result = new List<Protocol.Presence> { new(userId, ownStatus, PresenceRules.NoActivities) };
        var online = visible.Keys.Where(id => id != userId).ToList();
        if (online.Count == 0 || communityIds.Count == 0)
        {
            return result;
        }

        var pairs = await db.Members.AsNoTracking()
            .Where(m => communityIds.Contains(m.CommunityId) && online.Contains(m.UserId))
            .Select(m => new { m.CommunityId, m.UserId })
            .ToListAsync(ct);
        var users = new HashSet<string>(StringComparer.Ordinal);
        foreach (var community in pairs.GroupBy(p => p.CommunityId))
        {
            var members = community.ToList();
            if (members.Count > PresenceRules.ReadyLimitPerCommunity)
            {
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

        return result;
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
        var recipients = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            recipients.UnionWith(hub.OnlineMembers(reader.String()!));
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
}
