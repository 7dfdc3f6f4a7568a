using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Voxora.Protocol;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Gateway;

/// <summary>
/// Who is connected and what they may see; the one place features publish events through.
/// A feature saves its change, then calls <see cref="Publish{T}"/>: the payload is serialized once and
/// the same bytes are queued on every recipient session (each adds only its own sequence number).
/// Membership changes (<see cref="JoinCommunity"/>, <see cref="LeaveCommunity"/>) take effect on live
/// connections at once. Channel events (<see cref="Audience.Channel"/>) reach only the members who may
/// view that channel, decided per recipient from the community's in-memory permission snapshot.
/// <para>On a cluster, dispatches and membership changes travel on the bus and are applied on every node, the sender
/// included, in the bus's one order; a community's work waits in its <see cref="CommunityLanes"/> lane while a
/// permission snapshot it needs is loaded (asynchronously: nothing on the publish or delivery path reads the database
/// synchronously). Ending a login session or a user closes their sessions on this node at once and on the others when
/// the bus brings the message.</para>
/// </summary>
public sealed class GatewayHub
{
    private const string DispatchKind = "gateway.dispatch";
    private const string MembershipKind = "gateway.membership";
    private const string EndKind = "gateway.end";

    private readonly ILogger<GatewayHub> logger;
    private readonly PermissionCache permissions;
    private readonly ClusterBus bus;
    private readonly CommunityLanes lanes;

    public GatewayHub(ILogger<GatewayHub> logger, PermissionCache permissions, ClusterBus bus, CommunityLanes lanes)
    {
        this.logger = logger;
        this.permissions = permissions;
        this.bus = bus;
        this.lanes = lanes;
        bus.Subscribe(DispatchKind, OnClusterDispatch);
        bus.Subscribe(MembershipKind, OnClusterMembership);
        bus.Subscribe(EndKind, OnClusterEnd);
    }

    private enum MembershipChange
    {
        Join = 1,
        Leave = 2,
        RemoveCommunity = 3,
    }

    private enum EndTarget
    {
        LoginSession = 1,
        User = 2,
    }

    private readonly ConcurrentDictionary<string, GatewaySession> sessions = new(StringComparer.Ordinal);
    // user id -> that user's sessions, as an immutable array replaced (copy-on-write, under membershipGate)
    // when a session is added or removed, so fan-out reads it without locks or copies.
    private readonly ConcurrentDictionary<string, GatewaySession[]> sessionsByUser = new(StringComparer.Ordinal);

    // community id -> user ids with at least one live gateway session, who are members of it.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> onlineMembers = new(StringComparer.Ordinal);

    // user id -> communities they belong to (only tracked while the user has sessions).
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> communitiesByUser = new(StringComparer.Ordinal);

    private readonly Lock membershipGate = new();

    public int SessionCount => sessions.Count;

    public GatewaySession? FindSession(string sessionId) => sessions.GetValueOrDefault(sessionId);

    public IEnumerable<GatewaySession> Sessions => sessions.Values;

    /// <summary>Serializes the payload once and queues it for every session in the audience.</summary>
    public void Publish<T>(string eventType, T payload, JsonTypeInfo<T> typeInfo, Audience audience)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(payload, typeInfo);
        Publish(eventType, bytes, audience);
    }

    /// <summary>
    /// Queues the event for its audience on every node: directly on a single node, through the cluster bus (which
    /// brings it back to this node too, in the bus's order) when there are several.
    /// </summary>
    public void Publish(string eventType, byte[] payload, Audience audience)
    {
        Infrastructure.Metrics.VoxoraMetrics.Dispatches.Add(1);
        using var activity = Infrastructure.Telemetry.Tracing.Source.StartActivity("gateway.dispatch", System.Diagnostics.ActivityKind.Producer);
        activity?.SetTag("voxora.event", eventType);
        activity?.SetTag("voxora.community_id", audience.CommunityId);
        if (!bus.IsClustered)
        {
            DeliverLocally(eventType, payload, audience);
            return;
        }

        var body = new BusWriter();
        body.String(eventType);
        body.String(audience.CommunityId);
        body.String(audience.ChannelId);
        body.Int32((int)audience.Rule);
        body.Int64(audience.Permission);
        body.String(audience.AlsoUserId);
        body.String(audience.ExceptUserId);
        var userIds = audience.UserIds;
        body.Int32(userIds?.Count ?? -1);
        foreach (var userId in userIds ?? [])
        {
            body.String(userId);
        }

        body.Bytes(payload);
        bus.Publish(DispatchKind, body.WrittenSpan);
    }

    private void OnClusterDispatch(ClusterMessage message)
    {
        var reader = new BusReader(message.Body.Span);
        var eventType = reader.String()!;
        var communityId = reader.String();
        var channelId = reader.String();
        var rule = (AudienceRule)reader.Int32();
        var permission = reader.Int64();
        var alsoUserId = reader.String();
        var exceptUserId = reader.String();
        var userCount = reader.Int32();
        Audience audience;
        if (userCount >= 0)
        {
            var userIds = new string[userCount];
            for (var i = 0; i < userCount; i++)
            {
                userIds[i] = reader.String()!;
            }

            audience = Audience.Users(userIds);
        }
        else
        {
            audience = Audience.Of(communityId!, channelId, rule, permission, alsoUserId, exceptUserId);
        }

        DeliverLocally(eventType, reader.Bytes().ToArray(), audience);
    }

    /// <summary>
    /// Queues the event on this node's sessions in the audience. Events of a community run in its lane: at once when
    /// nothing of that community is waiting and the snapshot a channel event needs is in memory (the usual case, and
    /// the whole single-node path), otherwise after what is waiting, loading the snapshot asynchronously first.
    /// </summary>
    private void DeliverLocally(string eventType, byte[] payload, Audience audience)
    {
        var dispatch = new OutboundEvent(eventType, payload);
        if (audience.UserIds is { } userIds)
        {
            foreach (var userId in userIds)
            {
                DeliverToUser(userId, dispatch);
            }

            return;
        }

        if (audience.CommunityId is not { } communityId)
        {
            return;
        }

        if (!lanes.IsBusy(communityId))
        {
            if (!onlineMembers.TryGetValue(communityId, out var members))
            {
                return;
            }

            if (audience.ChannelId is null && audience.Rule == AudienceRule.Members)
            {
                DeliverToMembers(members, dispatch);
                return;
            }

            if (permissions.Cached(communityId) is { } snapshot)
            {
                DeliverWithSnapshot(members, snapshot, audience, dispatch);
                return;
            }
        }

        lanes.Run(communityId, () => DeliverInLaneAsync(communityId, audience, dispatch));
    }

    private async ValueTask DeliverInLaneAsync(string communityId, Audience audience, OutboundEvent dispatch)
    {
        var needsSnapshot = audience.ChannelId is not null || audience.Rule != AudienceRule.Members;
        PermissionSnapshot? snapshot = null;
        if (needsSnapshot && (snapshot = permissions.Cached(communityId)) is null && onlineMembers.ContainsKey(communityId))
        {
            // Off the caller's thread (the bus reader on a cluster) before touching the database.
            await Task.Yield();
            snapshot = await permissions.GetAsync(communityId, CancellationToken.None);
        }

        if (!onlineMembers.TryGetValue(communityId, out var members))
        {
            return;
        }

        if (!needsSnapshot)
        {
            DeliverToMembers(members, dispatch);
        }
        else if (snapshot is not null)
        {
            // No snapshot means the community is gone: nobody may see its channels.
            DeliverWithSnapshot(members, snapshot, audience, dispatch);
        }
    }

    private void DeliverWithSnapshot(ConcurrentDictionary<string, byte> members, PermissionSnapshot snapshot, Audience audience, OutboundEvent dispatch)
    {
        switch (audience.Rule)
        {
            case AudienceRule.DeletedChannelViewers:
                // The snapshot rebuilt after the deletion no longer has the channel; the one it replaced still does.
                var before = snapshot.HasChannel(audience.ChannelId!) ? snapshot : permissions.Previous(snapshot.CommunityId);
                if (before is not null && before.HasChannel(audience.ChannelId!))
                {
                    DeliverToViewers(members, before, audience.ChannelId!, null, dispatch);
                }

                break;
            case AudienceRule.PermissionHolders:
                var now = permissions.Now;
                foreach (var (userId, _) in members)
                {
                    if (userId == audience.AlsoUserId || PermissionResolver.Has(snapshot.Base(userId, now), audience.Permission))
                    {
                        DeliverToUser(userId, dispatch);
                    }
                }

                break;
            default:
                if (audience.ChannelId is { } channelId)
                {
                    DeliverToViewers(members, snapshot, channelId, audience.ExceptUserId, dispatch);
                }
                else
                {
                    DeliverToMembers(members, dispatch);
                }

                break;
        }
    }

    private void DeliverToMembers(ConcurrentDictionary<string, byte> members, OutboundEvent dispatch)
    {
        // Enumerating the dictionary itself is lock-free and copies nothing (.Keys locks every bucket and copies).
        foreach (var (userId, _) in members)
        {
            DeliverToUser(userId, dispatch);
        }
    }

    private void DeliverToViewers(ConcurrentDictionary<string, byte> members, PermissionSnapshot snapshot, string channelId, string? exceptUserId, OutboundEvent dispatch)
    {
        foreach (var (userId, _) in members)
        {
            if (userId != exceptUserId && snapshot.CanView(userId, channelId))
            {
                DeliverToUser(userId, dispatch);
            }
        }
    }

    /// <summary>
    /// Queues an event on this node's sessions of the given users only, without the bus: for a feature that carries
    /// its own bus message to every node and picks the recipients there (presence: everyone sharing a community).
    /// </summary>
    public void DeliverHere(string eventType, byte[] payload, IEnumerable<string> userIds)
    {
        var dispatch = new OutboundEvent(eventType, payload);
        foreach (var userId in userIds)
        {
            DeliverToUser(userId, dispatch);
        }
    }

    /// <summary>Members of the community with a live gateway session.</summary>
    public IReadOnlyList<string> OnlineMembers(string communityId) =>
        onlineMembers.TryGetValue(communityId, out var members) ? members.Keys.ToList() : [];

    /// <summary>
    /// After a permission change: every online member who lost sight of a channel gets CHANNEL_DELETE for it,
    /// and every one who gained it gets CHANNEL_CREATE, so clients never hold a channel they cannot see.
    /// Only channels present before and after are compared (creations and deletions announce themselves).
    /// </summary>
    public void AnnounceVisibilityChanges(PermissionSnapshot? before, PermissionSnapshot? after)
    {
        if (before is null || after is null || !onlineMembers.TryGetValue(after.CommunityId, out var members))
        {
            return;
        }

        var created = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var deleted = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var userId in members.Keys)
        {
            foreach (var channel in after.Channels)
            {
                if (!before.HasChannel(channel.Id))
                {
                    continue;
                }

                var was = before.CanView(userId, channel.Id);
                var now = after.CanView(userId, channel.Id);
                if (was == now)
                {
                    continue;
                }

                if (now)
                {
                    if (!created.TryGetValue(channel.Id, out var payload))
                    {
                        payload = JsonSerializer.SerializeToUtf8Bytes(channel, VoxoraJsonContext.Default.Channel);
                        created[channel.Id] = payload;
                    }

                    DeliverToUser(userId, new OutboundEvent(GatewayEvents.ChannelCreate, payload));
                }
                else
                {
                    if (!deleted.TryGetValue(channel.Id, out var payload))
                    {
                        payload = JsonSerializer.SerializeToUtf8Bytes(new Deleted(channel.Id, channel.CommunityId), VoxoraJsonContext.Default.Deleted);
                        deleted[channel.Id] = payload;
                    }

                    DeliverToUser(userId, new OutboundEvent(GatewayEvents.ChannelDelete, payload));
                }
            }
        }
    }

    /// <summary>A user was banned from the pod: close every gateway session they have, for good, on every node.</summary>
    public void EndUser(string userId, int closeCode, string reason)
    {
        EndUserHere(userId, closeCode, reason);
        PublishEnd(EndTarget.User, userId, closeCode, reason);
    }

    private void EndUserHere(string userId, int closeCode, string reason)
    {
        foreach (var session in sessions.Values)
        {
            if (session.UserId == userId)
            {
                session.Invalidate(closeCode, reason);
            }
        }
    }

    private void DeliverToUser(string userId, OutboundEvent dispatch)
    {
        if (!sessionsByUser.TryGetValue(userId, out var userSessions))
        {
            return;
        }

        foreach (var session in userSessions)
        {
            session.Enqueue(dispatch);
        }
    }

    // Bumped by every membership change, so IDENTIFY can tell whether its database read raced one.
    private long membershipEpoch;

    /// <summary>
    /// Adds an identified session and fills in its user's communities. The session is registered before
    /// memberships are read, and the read is retried if any membership changed meanwhile, so a join or
    /// leave racing the IDENTIFY is never lost and a left community is never re-added. False (and nothing
    /// registered) when a session with the same id is already here (two RESUMEs of one session racing).
    /// </summary>
    public async Task<bool> RegisterAsync(GatewaySession session, Func<CancellationToken, Task<IReadOnlyCollection<string>>> loadCommunityIds, CancellationToken ct)
    {
        lock (membershipGate)
        {
            if (!sessions.TryAdd(session.Id, session))
            {
                return false;
            }

            var current = sessionsByUser.GetValueOrDefault(session.UserId) ?? [];
            if (Array.IndexOf(current, session) < 0)
            {
                sessionsByUser[session.UserId] = [.. current, session];
            }

            communitiesByUser.GetOrAdd(session.UserId, _ => new(StringComparer.Ordinal));
        }

        while (true)
        {
            var epoch = Interlocked.Read(ref membershipEpoch);
            var communityIds = await loadCommunityIds(ct);
            lock (membershipGate)
            {
                if (epoch != membershipEpoch)
                {
                    continue;
                }

                var memberships = communitiesByUser.GetOrAdd(session.UserId, _ => new(StringComparer.Ordinal));
                foreach (var communityId in communityIds)
                {
                    memberships[communityId] = 0;
                    onlineMembers.GetOrAdd(communityId, _ => new(StringComparer.Ordinal))[session.UserId] = 0;
                }

                return true;
            }
        }
    }

    /// <summary>The communities the hub currently routes to this user.</summary>
    public IReadOnlyCollection<string> CommunitiesOf(string userId) =>
        communitiesByUser.TryGetValue(userId, out var memberships) ? memberships.Keys.ToList() : [];

    /// <summary>Forgets a session for good (after its resume window, or when it is invalidated).</summary>
    public void Unregister(GatewaySession session)
    {
        lock (membershipGate)
        {
            if (!sessions.TryRemove(new KeyValuePair<string, GatewaySession>(session.Id, session)))
            {
                return;
            }

            if (sessionsByUser.TryGetValue(session.UserId, out var userSessions))
            {
                var remaining = Array.FindAll(userSessions, s => !ReferenceEquals(s, session));
                if (remaining.Length > 0)
                {
                    sessionsByUser[session.UserId] = remaining;
                }
                else
                {
                    sessionsByUser.TryRemove(session.UserId, out _);
                    if (communitiesByUser.TryRemove(session.UserId, out var memberships))
                    {
                        foreach (var communityId in memberships.Keys)
                        {
                            RemoveOnlineMember(communityId, session.UserId);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Keeps at most <paramref name="max"/> disconnected, still resumable sessions of the user: older ones
    /// are invalidated and forgotten at once (a RESUME of them is told to start over), so IDENTIFY-and-drop
    /// cannot pile up sessions and their replay buffers until the resume window passes.
    /// </summary>
    public void EvictResumableSessions(string userId, int max)
    {
        if (!sessionsByUser.TryGetValue(userId, out var userSessions))
        {
            return;
        }

        var detached = userSessions
            .Where(s => s.DetachedAt is not null && !s.Invalidated)
            .OrderBy(s => s.DetachedAt)
            .ToList();
        for (var i = 0; i < detached.Count - max; i++)
        {
            var oldest = detached[i];
            logger.LogInformation("Forgetting resumable gateway session {GatewaySession}: its user has more than {Max}", oldest.Id, max);
            oldest.Invalidate(Protocol.GatewayCloseCodes.SessionTimedOut, "too many resumable sessions");
            Unregister(oldest);
        }
    }

    /// <summary>
    /// Applies a membership change on every node: here at once on a single node; on a cluster through the bus, so each
    /// node (this one included) applies it in the same order as the dispatches around it, e.g. a joiner receives the
    /// COMMUNITY_MEMBER_ADD published after their join, and a deleted community's COMMUNITY_DELETE, published before it
    /// is routed to nobody, still reaches its members everywhere.
    /// </summary>
    private void ChangeMembership(MembershipChange change, string? userId, string communityId)
    {
        if (!bus.IsClustered)
        {
            ApplyMembership(change, userId, communityId);
            return;
        }

        var body = new BusWriter();
        body.Int32((int)change);
        body.String(userId);
        body.String(communityId);
        bus.Publish(MembershipKind, body.WrittenSpan);
    }

    private void OnClusterMembership(ClusterMessage message)
    {
        var reader = new BusReader(message.Body.Span);
        var change = (MembershipChange)reader.Int32();
        var userId = reader.String();
        var communityId = reader.String()!;
        ApplyMembership(change, userId, communityId);
    }

    private void ApplyMembership(MembershipChange change, string? userId, string communityId) =>
        lanes.Run(communityId, () =>
        {
            switch (change)
            {
                case MembershipChange.Join:
                    JoinHere(userId!, communityId);
                    break;
                case MembershipChange.Leave:
                    LeaveHere(userId!, communityId);
                    break;
                case MembershipChange.RemoveCommunity:
                    RemoveCommunityHere(communityId);
                    break;
            }

            return ValueTask.CompletedTask;
        });

    /// <summary>The user joined (or created) a community: their live sessions receive its events from now on.</summary>
    public void JoinCommunity(string userId, string communityId) => ChangeMembership(MembershipChange.Join, userId, communityId);

    private void JoinHere(string userId, string communityId)
    {
        lock (membershipGate)
        {
            membershipEpoch++;
            if (!sessionsByUser.ContainsKey(userId))
            {
                return;
            }

            communitiesByUser.GetOrAdd(userId, _ => new(StringComparer.Ordinal))[communityId] = 0;
            onlineMembers.GetOrAdd(communityId, _ => new(StringComparer.Ordinal))[userId] = 0;
        }
    }

    /// <summary>The user left or was removed: their live sessions stop receiving the community's events now.</summary>
    public void LeaveCommunity(string userId, string communityId) => ChangeMembership(MembershipChange.Leave, userId, communityId);

    private void LeaveHere(string userId, string communityId)
    {
        lock (membershipGate)
        {
            membershipEpoch++;
            if (communitiesByUser.TryGetValue(userId, out var memberships))
            {
                memberships.TryRemove(communityId, out _);
            }

            RemoveOnlineMember(communityId, userId);
        }
    }

    /// <summary>The community is gone: nobody receives its events any more.</summary>
    public void RemoveCommunity(string communityId) => ChangeMembership(MembershipChange.RemoveCommunity, null, communityId);

    private void RemoveCommunityHere(string communityId)
    {
        lock (membershipGate)
        {
            membershipEpoch++;
            if (onlineMembers.TryRemove(communityId, out var members))
            {
                foreach (var userId in members.Keys)
                {
                    if (communitiesByUser.TryGetValue(userId, out var memberships))
                    {
                        memberships.TryRemove(communityId, out _);
                    }
                }
            }
        }
    }

    public bool IsMember(string userId, string communityId) =>
        communitiesByUser.TryGetValue(userId, out var memberships) && memberships.ContainsKey(communityId);

    /// <summary>A login session ended (logout, revoke, password change): close its gateway sessions too, on every node.</summary>
    public void EndLoginSession(string loginSessionId)
    {
        EndLoginSessionHere(loginSessionId);
        PublishEnd(EndTarget.LoginSession, loginSessionId, Protocol.GatewayCloseCodes.SessionRevoked, "session revoked");
    }

    // Closed here before publishing, so this node does not wait for Redis; the others close when the message arrives.
    private void PublishEnd(EndTarget target, string id, int closeCode, string reason)
    {
        if (!bus.IsClustered)
        {
            return;
        }

        var body = new BusWriter();
        body.Int32((int)target);
        body.String(id);
        body.Int32(closeCode);
        body.String(reason);
        bus.Publish(EndKind, body.WrittenSpan);
    }

    private void OnClusterEnd(ClusterMessage message)
    {
        if (message.IsFrom(bus))
        {
            return;
        }

        var reader = new BusReader(message.Body.Span);
        var target = (EndTarget)reader.Int32();
        var id = reader.String()!;
        var closeCode = reader.Int32();
        var reason = reader.String()!;
        if (target == EndTarget.User)
        {
            EndUserHere(id, closeCode, reason);
        }
        else
        {
            EndLoginSessionHere(id);
        }
    }

    private void EndLoginSessionHere(string loginSessionId)
    {
        foreach (var session in sessions.Values)
        {
            if (session.LoginSessionId == loginSessionId)
            {
                logger.LogInformation("Closing gateway session {GatewaySession}: its login session ended", session.Id);
                session.Invalidate(Protocol.GatewayCloseCodes.SessionRevoked, "session revoked");
            }
        }
    }

    private void RemoveOnlineMember(string communityId, string userId)
    {
        if (onlineMembers.TryGetValue(communityId, out var members))
        {
            members.TryRemove(userId, out _);
            if (members.IsEmpty)
            {
                onlineMembers.TryRemove(new KeyValuePair<string, ConcurrentDictionary<string, byte>>(communityId, members));
            }
        }
    }
}

/// <summary>One event on its way out: the type and the payload serialized once for all recipients.</summary>
public sealed record OutboundEvent(string Type, byte[] Payload);
