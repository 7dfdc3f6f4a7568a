using StackExchange.Redis;
using Voxora.Protocol;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Features.Presence;

/// <summary>
/// What a connect or a status change did: the user's status before (null: they had no presence), their status now,
/// and the status others must be told (null: what they see did not change, so nothing is announced).
/// </summary>
public readonly record struct PresenceChange(string? PreviousStatus, string Status, string? Announce);

/// <summary>
/// One user of this node as the resync after a Redis outage writes them back: their connections here, their real status,
/// and whether they chose it during the outage (then it wins over the stored one, else the stored one stays).
/// </summary>
public readonly record struct PresenceResyncEntry(string UserId, int Connections, string Status, bool StatusChangedLocally);

/// <summary>
/// Every user's live connection count (on every node), their chosen status, the status last announced to others,
/// and the grace deadlines of users whose last connection closed. In memory on a single node
/// (<see cref="LocalPresenceStore"/>), in Redis on a cluster (<see cref="RedisPresenceStore"/>); the same rules either way.
/// </summary>
public interface IPresenceStore
{
    /// <summary>A connection of the user identified or resumed; <paramref name="status"/> null keeps their current status (online for a new one).</summary>
    Task<PresenceChange> ConnectAsync(string userId, string? status);

    /// <summary>The user (who has a live connection) chose a status.</summary>
    Task<PresenceChange> SetAsync(string userId, string status);

    /// <summary>A connection closed; when it was the user's last anywhere, their grace ends at <paramref name="graceEndsMs"/>.</summary>
    Task DisconnectAsync(string userId, long graceEndsMs);

    /// <summary>Forgets the users whose grace ended with no connection back; returns those others saw online (to announce offline).</summary>
    Task<IReadOnlyList<string>> ExpireAsync(long nowMs);

    /// <summary>Whether the user has a live connection anywhere, and their chosen status (null: no presence at all).</summary>
    Task<(bool Connected, string? Status)> GetAsync(string userId);

    /// <summary>Everyone others see as not offline, with that status.</summary>
    Task<IReadOnlyDictionary<string, string>> AnnouncedAsync();

    /// <summary>
    /// After this node lost the store for a while: sets this node's connection count of each listed user (absolute, not
    /// an increment), their status when they chose it meanwhile, and gives up this node's connections of every user not
    /// listed (their grace ends at <paramref name="graceEndsMs"/>). Returns each listed user's change (what to announce).
    /// </summary>
    Task<IReadOnlyDictionary<string, PresenceChange>> ResyncAsync(IReadOnlyList<PresenceResyncEntry> users, long graceEndsMs);

    /// <summary>Periodic upkeep: on a cluster, keeps this node marked alive and gives the connections of dead nodes up.</summary>
    Task MaintainAsync(long graceEndsMs);
}

/// <summary>Presence of a single node, in memory.</summary>
public sealed class LocalPresenceStore : IPresenceStore
{
    private sealed class Entry
    {
        public int Connections;
        public string Status = PresenceStatuses.Online;
        public string Announced = PresenceStatuses.Offline;
    }

    private readonly Lock gate = new();
    private readonly Dictionary<string, Entry> users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> graceEnds = new(StringComparer.Ordinal);

    public Task<PresenceChange> ConnectAsync(string userId, string? status)
    {
        lock (gate)
        {
            var previous = users.TryGetValue(userId, out var entry) ? entry.Status : null;
            entry ??= users[userId] = new Entry();
            entry.Connections++;
            graceEnds.Remove(userId);
            return Task.FromResult(Change(entry, previous, status ?? entry.Status));
        }
    }

    public Task<PresenceChange> SetAsync(string userId, string status)
    {
        lock (gate)
        {
            var previous = users.TryGetValue(userId, out var entry) ? entry.Status : null;
            entry ??= users[userId] = new Entry();
            return Task.FromResult(Change(entry, previous, status));
        }
    }

    private static PresenceChange Change(Entry entry, string? previous, string status)
    {
        entry.Status = status;
        var visible = PresenceRules.Visible(status);
        if (visible == entry.Announced)
        {
            return new PresenceChange(previous, status, null);
        }

        entry.Announced = visible;
        return new PresenceChange(previous, status, visible);
    }

    public Task DisconnectAsync(string userId, long graceEndsMs)
    {
        lock (gate)
        {
            if (users.TryGetValue(userId, out var entry) && --entry.Connections <= 0)
            {
                entry.Connections = 0;
                graceEnds[userId] = graceEndsMs;
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ExpireAsync(long nowMs)
    {
        List<string>? offline = null;
        lock (gate)
        {
            if (graceEnds.Count == 0)
            {
                return Task.FromResult<IReadOnlyList<string>>([]);
            }

            foreach (var (userId, endsMs) in graceEnds.ToList())
            {
                if (endsMs > nowMs)
                {
                    continue;
                }

                graceEnds.Remove(userId);
                if (users.TryGetValue(userId, out var entry) && entry.Connections == 0)
                {
                    users.Remove(userId);
                    if (entry.Announced != PresenceStatuses.Offline)
                    {
                        (offline ??= []).Add(userId);
                    }
                }
            }
        }

        return Task.FromResult<IReadOnlyList<string>>(offline ?? []);
    }

    public Task<(bool Connected, string? Status)> GetAsync(string userId)
    {
        lock (gate)
        {
            return Task.FromResult(users.TryGetValue(userId, out var entry) ? (entry.Connections > 0, (string?)entry.Status) : (false, null));
        }
    }

    public Task<IReadOnlyDictionary<string, string>> AnnouncedAsync()
    {
        lock (gate)
        {
            return Task.FromResult<IReadOnlyDictionary<string, string>>(users
                .Where(u => u.Value.Announced != PresenceStatuses.Offline)
                .ToDictionary(u => u.Key, u => u.Value.Announced, StringComparer.Ordinal));
        }
    }

    public Task<IReadOnlyDictionary<string, PresenceChange>> ResyncAsync(IReadOnlyList<PresenceResyncEntry> users, long graceEndsMs)
    {
        // A single node holds every connection in this store, so it never falls out of step; the same rule all the same.
        var changes = new Dictionary<string, PresenceChange>(StringComparer.Ordinal);
        lock (gate)
        {
            var listed = users.Select(u => u.UserId).ToHashSet(StringComparer.Ordinal);
            foreach (var (userId, entry) in this.users)
            {
                if (!listed.Contains(userId) && entry.Connections > 0)
                {
                    entry.Connections = 0;
                    graceEnds[userId] = graceEndsMs;
                }
            }

            foreach (var user in users)
            {
                var previous = this.users.TryGetValue(user.UserId, out var entry) ? entry.Status : null;
                entry ??= this.users[user.UserId] = new Entry { Status = user.Status };
                entry.Connections = user.Connections;
                graceEnds.Remove(user.UserId);
                changes[user.UserId] = Change(entry, previous, user.StatusChangedLocally ? user.Status : entry.Status);
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, PresenceChange>>(changes);
    }

    public Task MaintainAsync(long graceEndsMs) => Task.CompletedTask;
}

/// <summary>
/// Presence of a cluster, in Redis: a hash per user (<c>presence:u:{user}</c>: <c>c:{node}</c> connection counts per
/// node, <c>s</c> the chosen status, <c>a</c> the status announced to others), <c>presence:announced</c> (user →
/// announced status, for READY on any node), <c>presence:grace</c> (a sorted set of grace deadlines, so any node ends a
/// grace, even when the node where the connection closed has stopped), and per node the users it holds
/// (<c>presence:node:{node}</c>) and a liveness key (<c>presence:alive:{node}</c>, 15 s, renewed every 5 s): the
/// connections of a node whose key lapsed (it was killed) are given up by the first node that notices, and their
/// users go offline after the grace like any other. Every change is one Lua script, so nodes never interleave.
/// </summary>
public sealed class RedisPresenceStore(ClusterConnection cluster, ILogger<RedisPresenceStore> logger) : IPresenceStore
{
    private static readonly TimeSpan AliveTtl = TimeSpan.FromSeconds(15);

    // Sums the c:* counts of a user hash (KEYS[1]).
    private const string CountFunction = """
        local function connections(key)
          local total = 0
          local all = redis.call('HGETALL', key)
          for i = 1, #all, 2 do
            if string.sub(all[i], 1, 2) == 'c:' then total = total + tonumber(all[i + 1]) end
          end
          return total
        end
        """;

    // KEYS: user hash, announced hash, grace zset, node users set, nodes set, alive key.
    // ARGV: user id, node field, node name, status ('' keeps), connection increment (0 or 1), alive ttl ms.
    private const string ChangeScript = """
        if ARGV[5] == '1' then
          redis.call('HINCRBY', KEYS[1], ARGV[2], 1)
          redis.call('ZREM', KEYS[3], ARGV[1])
          redis.call('SADD', KEYS[4], ARGV[1])
          redis.call('SADD', KEYS[5], ARGV[3])
          redis.call('SET', KEYS[6], '1', 'PX', ARGV[6])
        end
        local previous = redis.call('HGET', KEYS[1], 's')
        local status = ARGV[4]
        if status == '' then status = previous or 'online' end
        redis.call('HSET', KEYS[1], 's', status)
        local visible = status
        if status == 'invisible' then visible = 'offline' end
        local announced = redis.call('HGET', KEYS[1], 'a') or 'offline'
        local announce = ''
        if announced ~= visible then
          redis.call('HSET', KEYS[1], 'a', visible)
          announce = visible
          if visible == 'offline' then redis.call('HDEL', KEYS[2], ARGV[1]) else redis.call('HSET', KEYS[2], ARGV[1], visible) end
        end
        return {previous or '', status, announce}
        """;

    // KEYS: user hash, announced hash, grace zset, node users set.
    // ARGV: user id, node field, status ('' keeps the stored one), status when none is stored, connection count.
    private const string ResyncScript = """
        redis.call('HSET', KEYS[1], ARGV[2], ARGV[5])
        redis.call('ZREM', KEYS[3], ARGV[1])
        redis.call('SADD', KEYS[4], ARGV[1])
        local previous = redis.call('HGET', KEYS[1], 's')
        local status = ARGV[3]
        if status == '' then status = previous or ARGV[4] end
        redis.call('HSET', KEYS[1], 's', status)
        local visible = status
        if status == 'invisible' then visible = 'offline' end
        local announced = redis.call('HGET', KEYS[1], 'a') or 'offline'
        local announce = ''
        if announced ~= visible then
          redis.call('HSET', KEYS[1], 'a', visible)
          announce = visible
          if visible == 'offline' then redis.call('HDEL', KEYS[2], ARGV[1]) else redis.call('HSET', KEYS[2], ARGV[1], visible) end
        end
        return {previous or '', status, announce}
        """;

    // KEYS: user hash, grace zset, node users set. ARGV: user id, node field, grace end ms.
    private const string DisconnectScript = CountFunction + """

        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        local left = redis.call('HINCRBY', KEYS[1], ARGV[2], -1)
        if left <= 0 then
          redis.call('HDEL', KEYS[1], ARGV[2])
          redis.call('SREM', KEYS[3], ARGV[1])
        end
        local total = connections(KEYS[1])
        if total <= 0 then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) end
        return total
        """;

    // KEYS: user hash, grace zset, announced hash. ARGV: user id, now ms. Returns 1 when others saw the user online.
    private const string ExpireScript = CountFunction + """

        local ends = redis.call('ZSCORE', KEYS[2], ARGV[1])
        if not ends or tonumber(ends) > tonumber(ARGV[2]) then return 0 end
        redis.call('ZREM', KEYS[2], ARGV[1])
        if connections(KEYS[1]) > 0 then return 0 end
        local announced = redis.call('HGET', KEYS[1], 'a')
        redis.call('DEL', KEYS[1])
        redis.call('HDEL', KEYS[3], ARGV[1])
        if announced and announced ~= 'offline' then return 1 end
        return 0
        """;

    private RedisKey UserKey(string userId) => cluster.Key("presence:u:" + userId);

    private RedisKey AnnouncedKey => cluster.Key("presence:announced");

    private RedisKey GraceKey => cluster.Key("presence:grace");

    private RedisKey NodesKey => cluster.Key("presence:nodes");

    private RedisKey NodeUsersKey(string node) => cluster.Key("presence:node:" + node);

    private RedisKey AliveKey(string node) => cluster.Key("presence:alive:" + node);

    private string NodeField(string node) => "c:" + node;

    public Task<PresenceChange> ConnectAsync(string userId, string? status) => ChangeAsync(userId, status, connect: true);

    public Task<PresenceChange> SetAsync(string userId, string status) => ChangeAsync(userId, status, connect: false);

    private async Task<PresenceChange> ChangeAsync(string userId, string? status, bool connect)
    {
        var node = cluster.NodeName;
        var result = (RedisResult[])(await cluster.Database.ScriptEvaluateAsync(
            ChangeScript,
            [UserKey(userId), AnnouncedKey, GraceKey, NodeUsersKey(node), NodesKey, AliveKey(node)],
            [userId, NodeField(node), node, status ?? "", connect ? 1 : 0, (long)AliveTtl.TotalMilliseconds]))!;
        var previous = (string?)result[0];
        var announce = (string?)result[2];
        return new PresenceChange(string.IsNullOrEmpty(previous) ? null : previous, (string)result[1]!, string.IsNullOrEmpty(announce) ? null : announce);
    }

    public async Task DisconnectAsync(string userId, long graceEndsMs)
    {
        var node = cluster.NodeName;
        await cluster.Database.ScriptEvaluateAsync(DisconnectScript, [UserKey(userId), GraceKey, NodeUsersKey(node)], [userId, NodeField(node), graceEndsMs]);
    }

    public async Task<IReadOnlyList<string>> ExpireAsync(long nowMs)
    {
        var db = cluster.Database;
        var due = await db.SortedSetRangeByScoreAsync(GraceKey, double.NegativeInfinity, nowMs, take: 500);
        if (due.Length == 0)
        {
            return [];
        }

        var offline = new List<string>();
        foreach (var member in due)
        {
            var userId = (string)member!;
            // Every node sweeps; the script removes the deadline, so exactly one of them announces.
            if ((long)await db.ScriptEvaluateAsync(ExpireScript, [UserKey(userId), GraceKey, AnnouncedKey], [userId, nowMs]) == 1)
            {
                offline.Add(userId);
            }
        }

        return offline;
    }

    public async Task<(bool Connected, string? Status)> GetAsync(string userId)
    {
        var fields = await cluster.Database.HashGetAllAsync(UserKey(userId));
        string? status = null;
        var connected = false;
        foreach (var field in fields)
        {
            var name = (string)field.Name!;
            if (name == "s")
            {
                status = field.Value;
            }
            else if (name.StartsWith("c:", StringComparison.Ordinal) && (long)field.Value > 0)
            {
                connected = true;
            }
        }

        return (connected, status);
    }

    public async Task<IReadOnlyDictionary<string, string>> AnnouncedAsync()
    {
        var entries = await cluster.Database.HashGetAllAsync(AnnouncedKey);
        return entries.ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyDictionary<string, PresenceChange>> ResyncAsync(IReadOnlyList<PresenceResyncEntry> users, long graceEndsMs)
    {
        var db = cluster.Database;
        var node = cluster.NodeName;
        await db.StringSetAsync(AliveKey(node), "1", AliveTtl);
        await db.SetAddAsync(NodesKey, node);
        var changes = new Dictionary<string, PresenceChange>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            var result = (RedisResult[])(await db.ScriptEvaluateAsync(
                ResyncScript,
                [UserKey(user.UserId), AnnouncedKey, GraceKey, NodeUsersKey(node)],
                [user.UserId, NodeField(node), user.StatusChangedLocally ? user.Status : "", user.Status, user.Connections]))!;
            var previous = (string?)result[0];
            var announce = (string?)result[2];
            changes[user.UserId] = new PresenceChange(string.IsNullOrEmpty(previous) ? null : previous, (string)result[1]!, string.IsNullOrEmpty(announce) ? null : announce);
        }

        // Connections this node recorded before the outage and that closed meanwhile.
        foreach (var member in await db.SetMembersAsync(NodeUsersKey(node)))
        {
            var userId = (string)member!;
            if (!changes.ContainsKey(userId))
            {
                await db.ScriptEvaluateAsync(ReapScript, [UserKey(userId), GraceKey], [userId, NodeField(node), graceEndsMs]);
                await db.SetRemoveAsync(NodeUsersKey(node), userId);
            }
        }

        return changes;
    }

    public async Task MaintainAsync(long graceEndsMs)
    {
        var db = cluster.Database;
        var self = cluster.NodeName;
        await db.StringSetAsync(AliveKey(self), "1", AliveTtl);
        foreach (var member in await db.SetMembersAsync(NodesKey))
        {
            var node = (string)member!;
            if (node == self || await db.KeyExistsAsync(AliveKey(node)))
            {
                continue;
            }

            // The node died without closing its connections: give them up, then forget the node.
            var users = await db.SetMembersAsync(NodeUsersKey(node));
            logger.LogWarning("Presence: node {Node} stopped renewing its liveness; giving up its {Count} users' connections", node, users.Length);
            foreach (var user in users)
            {
                var userId = (string)user!;
                await db.ScriptEvaluateAsync(ReapScript, [UserKey(userId), GraceKey], [userId, NodeField(node), graceEndsMs]);
            }

            await db.KeyDeleteAsync(NodeUsersKey(node));
            await db.SetRemoveAsync(NodesKey, node);
        }
    }

    // KEYS: user hash, grace zset. ARGV: user id, dead node field, grace end ms.
    private const string ReapScript = CountFunction + """

        if redis.call('HDEL', KEYS[1], ARGV[2]) == 0 then return 0 end
        if connections(KEYS[1]) <= 0 then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) end
        return 1
        """;
}
