using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using StackExchange.Redis;
using Voxora.Protocol;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Features.Voice;

/// <summary>
/// Voice media on Janus VideoRoom: one room per voice channel, created on demand on the least loaded node and
/// destroyed when its last member leaves; per member one publisher handle (send) and one multistream
/// subscriber handle (recv). When a publisher's PeerConnection is up (<c>webrtcup</c>) every other member's
/// subscriber is extended with its feed (join on first use, then <c>subscribe</c>) and the new Janus offer is
/// handed to that member's browser; <c>talking</c>/<c>stopped-talking</c> become speaking events.
/// <para>In a cluster (Redis configured) members of one channel connected to different nodes must meet in one room:
/// the channel's Janus server and room epoch are recorded in Redis by the first joiner (an atomic script, so the first
/// choice wins), the room id follows from the channel id and the epoch, and whichever node comes first creates the
/// room. Each node's members subscribe to the feeds of other nodes' members as Janus announces them
/// (<c>publishers</c> events). The last member to leave (Janus lists nobody) ends the epoch and destroys the room.</para>
/// </summary>
public sealed class JanusVoiceMedia : IVoiceMedia
{
    // KEYS[1] the channel's room hash, KEYS[2] its epoch counter; ARGV[1] the server this node would pick.
    private const string AssignScript = """
        local server = redis.call('HGET', KEYS[1], 'server')
        if not server then
          local epoch = redis.call('INCR', KEYS[2])
          redis.call('HSET', KEYS[1], 'server', ARGV[1], 'epoch', epoch)
          return {ARGV[1], epoch}
        end
        return {server, tonumber(redis.call('HGET', KEYS[1], 'epoch'))}
        """;

    // Moves the channel from ARGV[1] (a server this node cannot use) to ARGV[2], unless someone already did.
    private const string TakeOverScript = """
        local server = redis.call('HGET', KEYS[1], 'server')
        if (not server) or server == ARGV[1] then
          local epoch = redis.call('INCR', KEYS[2])
          redis.call('HSET', KEYS[1], 'server', ARGV[2], 'epoch', epoch)
          return {ARGV[2], epoch}
        end
        return {server, tonumber(redis.call('HGET', KEYS[1], 'epoch'))}
        """;

    // Ends the channel's assignment if it is still at epoch ARGV[1].
    private const string ReleaseScript = """
        if redis.call('HGET', KEYS[1], 'epoch') == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    private readonly Lock gate = new();
    private readonly JanusSupervisor supervisor;
    private readonly VoiceOptions options;
    private readonly ClusterConnection cluster;
    private readonly ILogger<JanusVoiceMedia> logger;

    public JanusVoiceMedia(JanusSupervisor supervisor, VoiceOptions options, ClusterConnection cluster, ILogger<JanusVoiceMedia> logger)
    {
        this.supervisor = supervisor;
        this.options = options;
        this.cluster = cluster;
        this.logger = logger;
        supervisor.NodeUp += (_, e) => _ = Task.Run(() => OnNodeUpAsync(e));
    }

    private ILogger Logger => logger;
    private readonly Dictionary<string, Room> rooms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, Peer> peersByHandle = new();
    private readonly ConcurrentDictionary<JanusClient, Task> pumps = new();
    private readonly ConcurrentDictionary<JanusSession, Task<VideoRoom>> managers = new();

    public VoiceStatus Status => options.Enabled ? supervisor.Status : new VoiceStatus(false, "voice is disabled (VOXORA_VOICE__ENABLED=false)");

    public async Task<IVoicePeer> ConnectAsync(string channelId, int bitrate, string userId, bool serverMute, bool serverDeaf, IVoicePeerEvents events, CancellationToken ct)
    {
        if (!Status.Available)
        {
            throw new VoiceMediaException(Status.Reason ?? "voice is unavailable");
        }

        var room = GetRoom(channelId);
        await room.Gate.WaitAsync(ct);
        try
        {
            if (room.Node is null || !room.Node.IsUp || room.Generation != room.Node.Generation || room.Node.Session is null)
            {
                await CreateRoomAsync(room, bitrate, ct);
            }

            var session = room.Node!.Session!;
            EnsurePump(room.Node.Client!);
            var publisher = await VideoRoom.AttachAsync(session, null, ct);
            var subscriber = await VideoRoom.AttachAsync(session, null, ct);
            var peer = new Peer(this, room, userId, publisher, subscriber, events) { ServerMute = serverMute, ServerDeaf = serverDeaf };
            peersByHandle[publisher.Handle.Id] = peer;
            peersByHandle[subscriber.Handle.Id] = peer;
            try
            {
                var joined = await publisher.JoinAsPublisherAsync(room.RoomId, NewId(), userId, ct);
                peer.FeedId = joined.Id;
                peer.PrivateId = joined.PrivateId;
                if (cluster.Enabled)
                {
                    // Feeds already live in the room that no member of this node publishes: other nodes' members.
                    var local = room.Peers.Select(p => p.FeedId).ToHashSet();
                    room.RemoteFeeds.UnionWith(joined.Publishers.Where(f => !local.Contains(f)));
                }
            }
            catch
            {
                await peer.DetachHandlesAsync();
                throw;
            }

            room.Peers.Add(peer);
            return peer;
        }
        catch (Exception ex) when (ex is JanusException or TimeoutException)
        {
            throw new VoiceMediaException("the media server refused the join: " + ex.Message, ex);
        }
        finally
        {
            room.Gate.Release();
        }
    }

    private Room GetRoom(string channelId)
    {
        lock (gate)
        {
            if (!rooms.TryGetValue(channelId, out var room))
            {
                room = new Room(channelId);
                rooms[channelId] = room;
            }

            return room;
        }
    }

    public async Task SetBitrateAsync(string channelId, int bitrate, CancellationToken ct)
    {
        Room? room;
        lock (gate)
        {
            room = rooms.GetValueOrDefault(channelId);
        }

        if (room is null)
        {
            return;
        }

        await room.Gate.WaitAsync(ct);
        try
        {
            if (room.Node is { IsUp: true } node && room.Generation == node.Generation && room.Bitrate != bitrate)
            {
                var manager = await ManagerAsync(node, ct);
                await manager.SetBitrateAsync(room.RoomId, bitrate, ct);
                room.Bitrate = bitrate;
            }
        }
        catch (Exception ex) when (ex is JanusException or TimeoutException)
        {
            logger.LogWarning(ex, "Changing the bitrate of the voice room of {Channel} failed", channelId);
        }
        finally
        {
            room.Gate.Release();
        }
    }

    private async Task CreateRoomAsync(Room room, int bitrate, CancellationToken ct)
    {
        if (cluster.Enabled)
        {
            await UseSharedRoomAsync(room, bitrate, ct);
            return;
        }

        var node = supervisor.PickNodeForNewRoom() ?? throw new VoiceMediaException(supervisor.Status.Reason ?? "no media server is up");
        var manager = await ManagerAsync(node, ct);
        var id = NewId();
        await manager.CreateRoomAsync(id, new VoiceRoomSettings(bitrate, 100, options.AudioActivePackets, options.AudioLevelAverage, "voxora " + room.ChannelId), ct);
        room.Bitrate = bitrate;
        node.RoomCreated();
        room.Node = node;
        room.Generation = node.Generation;
        room.RoomId = id;
        room.Peers.Clear();
    }

    /// <summary>
    /// Cluster: the channel's server and epoch from Redis (this node's pick if it is the first), and the room on that
    /// server, created unless another node did so first.
    /// </summary>
    private async Task UseSharedRoomAsync(Room room, int bitrate, CancellationToken ct)
    {
        var candidate = supervisor.PickNodeForNewRoom() ?? throw new VoiceMediaException(supervisor.Status.Reason ?? "no media server is up");
        RedisKey[] keys = [RoomKey(room.ChannelId), cluster.Key("voice:room-epoch:" + room.ChannelId)];
        (string Server, long Epoch) assigned;
        try
        {
            assigned = Assignment(await cluster.Database.ScriptEvaluateAsync(AssignScript, keys, [candidate.Name]));
            if (supervisor.Nodes.FirstOrDefault(n => n.Name == assigned.Server) is not { IsUp: true })
            {
                // Down, or not among this node's VOXORA_VOICE__JANUS_URL: the channel moves to a server that is up; the
                // members left on the old one are reconnected by their nodes when it fails them.
                logger.LogWarning("Voice room of {Channel} was on {Server}, which this node cannot use; moving it to {Candidate}", room.ChannelId, assigned.Server, candidate.Name);
                assigned = Assignment(await cluster.Database.ScriptEvaluateAsync(TakeOverScript, keys, [assigned.Server, candidate.Name]));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // RedisTimeoutException is a TimeoutException, not a RedisException.
            throw new VoiceMediaException("the cluster's room directory (Redis) is unreachable: " + ex.Message, ex);
        }

        var node = supervisor.Nodes.FirstOrDefault(n => n.Name == assigned.Server && n.IsUp)
            ?? throw new VoiceMediaException($"the media server of this channel ({assigned.Server}) is not available");
        var id = SharedRoomId(room.ChannelId, assigned.Epoch);
        var manager = await ManagerAsync(node, ct);
        try
        {
            await manager.CreateRoomAsync(id, new VoiceRoomSettings(bitrate, 100, options.AudioActivePackets, options.AudioLevelAverage, "voxora " + room.ChannelId), ct);
        }
        catch (JanusException ex) when (ex.Code == JanusRoomExists)
        {
            // Another node created it first: the same room.
        }

        room.Bitrate = bitrate;
        node.RoomCreated();
        room.Node = node;
        room.Generation = node.Generation;
        room.RoomId = id;
        room.Epoch = assigned.Epoch;
        room.Peers.Clear();
        room.RemoteFeeds.Clear();

        static (string, long) Assignment(RedisResult result)
        {
            var parts = (RedisResult[])result!;
            return ((string)parts[0]!, (long)parts[1]);
        }
    }

    /// <summary>VideoRoom's "room already exists" error.</summary>
    private const int JanusRoomExists = 427;

    private RedisKey RoomKey(string channelId) => cluster.Key("voice:room:" + channelId);

    /// <summary>The room id every node derives for a channel at an epoch (below 2^48, so JSON numbers carry it exactly).</summary>
    internal static long SharedRoomId(string channelId, long epoch)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(channelId + ":" + epoch.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var id = 0L;
        for (var i = 0; i < 6; i++)
        {
            id = (id << 8) | hash[i];
        }

        return id == 0 ? 1 : id;
    }

    /// <summary>Cluster, under <c>room.Gate</c>: the last member of this node left; destroys the room only if nobody else is in it.</summary>
    private async Task LeaveSharedRoomAsync(Room room, JanusNode node, long departedFeed)
    {
        try
        {
            var manager = await ManagerAsync(node, CancellationToken.None);
            // Janus may still list the member who just detached (it tears handles down asynchronously).
            if ((await manager.ListParticipantsAsync(room.RoomId)).Any(p => p.Id != departedFeed))
            {
                return; // members of other nodes are still talking in it
            }

            // The epoch ends first: a node joining from now on makes a fresh room; one that joined this room in between
            // is told it was destroyed and reconnects its member.
            await cluster.Database.ScriptEvaluateAsync(ReleaseScript, [RoomKey(room.ChannelId)], [room.Epoch]);
            await manager.DestroyRoomAsync(room.RoomId);
        }
        catch (Exception ex) when (ex is JanusException or TimeoutException or RedisException)
        {
            logger.LogDebug(ex, "Ending shared voice room {Room} failed", room.RoomId);
        }
    }

    /// <summary>Cluster: the room was destroyed under this node's members (the last member elsewhere ended it): reconnect them.</summary>
    private async Task OnRoomDestroyedAsync(Room room, long roomId)
    {
        List<Peer> peers;
        await room.Gate.WaitAsync();
        try
        {
            if (room.RoomId != roomId || room.Node is null)
            {
                return;
            }

            peers = [.. room.Peers];
            room.Peers.Clear();
            room.Node.RoomDestroyed();
            room.Node = null;
        }
        finally
        {
            room.Gate.Release();
        }

        foreach (var peer in peers)
        {
            peer.Abandon();
        }
    }

    private Task<VideoRoom> ManagerAsync(JanusNode node, CancellationToken ct)
    {
        var session = node.Session!;
        return managers.GetOrAdd(session, s => VideoRoom.AttachAsync(s, node.RoomAdminKey, CancellationToken.None)).WaitAsync(ct);
    }

    private void EnsurePump(JanusClient client) =>
        pumps.GetOrAdd(client, c => Task.Run(() => PumpAsync(c), CancellationToken.None));

    private async Task PumpAsync(JanusClient client)
    {
        try
        {
            await foreach (var e in client.EventsAsync())
            {
                if (peersByHandle.TryGetValue(e.HandleId, out var peer))
                {
                    _ = peer.OnEventAsync(e);
                }
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Janus event pump stopped");
        }
        finally
        {
            pumps.TryRemove(client, out _);
        }
    }

    private static long NewId() => RandomNumberGenerator.GetInt32(1, int.MaxValue) * 1000L + RandomNumberGenerator.GetInt32(0, 1000);

    /// <summary>Called under <c>room.Gate</c>: the member left; destroys the room when it was the last one.</summary>
    private async Task RemoveAsync(Peer peer)
    {
        var room = peer.Room;
        await room.Gate.WaitAsync();
        try
        {
            room.Peers.Remove(peer);
            await peer.DetachHandlesAsync();
            if (room.Peers.Count == 0 && room.Node is { } node)
            {
                if (cluster.Enabled)
                {
                    if (node.IsUp && room.Generation == node.Generation)
                    {
                        await LeaveSharedRoomAsync(room, node, peer.FeedId);
                    }

                    node.RoomDestroyed();
                }
                else if (node.IsUp && room.Generation == node.Generation)
                {
                    try
                    {
                        var manager = await ManagerAsync(node, CancellationToken.None);
                        await manager.DestroyRoomAsync(room.RoomId);
                    }
                    catch (Exception ex) when (ex is JanusException or TimeoutException)
                    {
                        logger.LogDebug(ex, "Destroying voice room {Room} failed", room.RoomId);
                    }

                    node.RoomDestroyed();
                }

                room.Node = null;
                lock (gate)
                {
                    if (room.Peers.Count == 0)
                    {
                        rooms.Remove(room.ChannelId);
                    }
                }
            }
        }
        finally
        {
            room.Gate.Release();
        }

        // Other members: Janus removes the feed from their subscriptions itself and sends them an updated offer.
    }

    /// <summary>A publisher is up: add its feed to every other subscriber, and every other live feed to its own.</summary>
    private async Task OnPublisherUpAsync(Peer peer)
    {
        List<Peer> others;
        await peer.Room.Gate.WaitAsync();
        try
        {
            peer.Publishing = true;
            others = peer.Room.Peers.Where(p => !ReferenceEquals(p, peer)).ToList();
        }
        finally
        {
            peer.Room.Gate.Release();
        }

        foreach (var other in others)
        {
            await other.SubscribeAsync([peer.FeedId]);
        }
    }

    /// <summary>The feeds of everyone in <paramref name="peer"/>'s room (but them) whose send PeerConnection is up.</summary>
    private async Task<List<long>> LiveFeedsAsync(Peer peer, CancellationToken ct)
    {
        await peer.Room.Gate.WaitAsync(ct);
        try
        {
            return peer.Room.Peers.Where(p => !ReferenceEquals(p, peer) && p.Publishing).Select(p => p.FeedId)
                .Concat(peer.Room.RemoteFeeds)
                .ToList();
        }
        finally
        {
            peer.Room.Gate.Release();
        }
    }

    /// <summary>
    /// A node (re)started: rooms made on an earlier generation of it are gone together with every handle and
    /// PeerConnection. Forget them and tell each member's signaling layer, which reconnects them.
    /// </summary>
    private async Task OnNodeUpAsync(JanusNodeUpEventArgs e)
    {
        List<Room> lost;
        lock (gate)
        {
            lost = rooms.Values.Where(r => ReferenceEquals(r.Node, e.Node) && r.Generation != e.Generation).ToList();
        }

        foreach (var room in lost)
        {
            List<Peer> peers;
            await room.Gate.WaitAsync();
            try
            {
                if (!ReferenceEquals(room.Node, e.Node) || room.Generation == e.Generation)
                {
                    continue; // recreated meanwhile
                }

                peers = [.. room.Peers];
                room.Peers.Clear();
                room.Node = null;
            }
            finally
            {
                room.Gate.Release();
            }

            logger.LogWarning("Media server {Node} restarted: voice room of {Channel} lost with {Count} member(s); reconnecting them", e.Node.Name, room.ChannelId, peers.Count);
            foreach (var peer in peers)
            {
                peer.Abandon();
            }
        }
    }


    private sealed class Room(string channelId)
    {
        public string ChannelId { get; } = channelId;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public JanusNode? Node { get; set; }
        public int Generation { get; set; }
        public long RoomId { get; set; }
        public int Bitrate { get; set; }
        public List<Peer> Peers { get; } = [];

        /// <summary>Cluster: the room's epoch in Redis (part of the room id).</summary>
        public long Epoch { get; set; }

        /// <summary>Cluster: live feeds in the room published by members of other nodes (guarded by <see cref="Gate"/>).</summary>
        public HashSet<long> RemoteFeeds { get; } = [];
    }

    private sealed class Peer(JanusVoiceMedia owner, Room room, string userId, VideoRoom publisher, VideoRoom subscriber, IVoicePeerEvents events) : IVoicePeer
    {
        // Guards the subscription: which feeds it has, which wait, and whether an offer is still unanswered.
        private readonly SemaphoreSlim subscriberGate = new(1, 1);
        private readonly HashSet<long> subscribedFeeds = [];
        private readonly HashSet<long> pendingFeeds = [];
        private bool subscriberJoined;
        private bool receiving;
        private bool offerOutstanding;
        private int subscribeFailures;
        private string? audioMid;
        private int disposed;

        public Room Room { get; } = room;
        public string UserId { get; } = userId;
        public long FeedId { get; set; }
        public long PrivateId { get; set; }
        public volatile bool Publishing;
        public volatile bool ServerMute;
        public volatile bool ServerDeaf;

        public async Task<string> PublishAsync(string offerSdp, CancellationToken ct)
        {
            var configured = await publisher.ConfigureAsync(new SessionDescription("offer", offerSdp), ct);
            audioMid = configured.AudioMid;
            if (ServerMute)
            {
                await ModerateAsync(true, ct);
            }

            return configured.Answer.Sdp;
        }

        public async Task AnswerAsync(string answerSdp, CancellationToken ct)
        {
            await subscriberGate.WaitAsync(ct);
            try
            {
                await subscriber.StartAsync(new SessionDescription("answer", answerSdp), ct);
                offerOutstanding = false;

                // "start" also un-pauses: a deafened member stays deaf across renegotiations.
                if (ServerDeaf)
                {
                    await subscriber.PauseAsync(ct);
                }

                await FlushLockedAsync();
            }
            finally
            {
                subscriberGate.Release();
            }
        }

        public Task TrickleAsync(bool send, VoiceIceCandidate? candidate, CancellationToken ct)
        {
            JsonObject? json = candidate?.Candidate is { Length: > 0 } c
                ? new JsonObject { ["candidate"] = c, ["sdpMid"] = candidate.SdpMid, ["sdpMLineIndex"] = candidate.SdpMLineIndex }
                : null;
            return (send ? publisher : subscriber).Handle.TrickleAsync(json, ct);
        }

        public async Task StartReceivingAsync(CancellationToken ct)
        {
            await subscriberGate.WaitAsync(ct);
            try
            {
                receiving = true;
            }
            finally
            {
                subscriberGate.Release();
            }

            // Feeds that come up from now on arrive through SubscribeAsync; these were up already.
            await SubscribeAsync(await owner.LiveFeedsAsync(this, ct));
        }

        public async Task SetServerMuteAsync(bool mute, CancellationToken ct)
        {
            ServerMute = mute;
            if (audioMid is not null)
            {
                await ModerateAsync(mute, ct);
            }
        }

        public async Task SetServerDeafAsync(bool deaf, CancellationToken ct)
        {
            await subscriberGate.WaitAsync(ct);
            try
            {
                ServerDeaf = deaf;

                // With an offer in flight the answer's "start" applies it (AnswerAsync).
                if (subscriberJoined && !offerOutstanding)
                {
                    await (deaf ? subscriber.PauseAsync(ct) : subscriber.ResumeAsync(ct));
                }
            }
            finally
            {
                subscriberGate.Release();
            }
        }

        private async Task ModerateAsync(bool mute, CancellationToken ct)
        {
            var manager = await owner.ManagerAsync(Room.Node ?? throw new VoiceMediaException("the voice room is gone"), ct);
            await manager.ModerateAsync(Room.RoomId, FeedId, audioMid!, mute, ct);
        }

        /// <summary>Queues feeds for this member's subscription; sent at once unless an offer is still unanswered.</summary>
        public async Task SubscribeAsync(IReadOnlyList<long> feeds)
        {
            await subscriberGate.WaitAsync();
            try
            {
                foreach (var feed in feeds)
                {
                    if (!subscribedFeeds.Contains(feed))
                    {
                        pendingFeeds.Add(feed);
                    }
                }

                await FlushLockedAsync();
            }
            finally
            {
                subscriberGate.Release();
            }
        }

        /// <summary>
        /// Under <see cref="subscriberGate"/>: one receive offer at a time. Janus refuses a new subscription change while
        /// the browser has not answered the last one, and a browser handling two offers at once would glare.
        /// </summary>
        private async Task FlushLockedAsync()
        {
            if (!receiving || offerOutstanding || pendingFeeds.Count == 0 || Volatile.Read(ref disposed) != 0)
            {
                return;
            }

            var fresh = pendingFeeds.ToList();
            pendingFeeds.Clear();
            try
            {
                SessionDescription? offer;
                if (!subscriberJoined)
                {
                    offer = await subscriber.JoinAsSubscriberAsync(Room.RoomId, fresh, PrivateId);
                    subscriberJoined = true;
                }
                else
                {
                    offer = await subscriber.SubscribeAsync(fresh);
                }

                subscribedFeeds.UnionWith(fresh);
                subscribeFailures = 0;
                if (offer is not null)
                {
                    offerOutstanding = true;
                    events.Signal(new VoiceSignal(null, "recv", "offer", offer.Sdp));
                }
            }
            catch (Exception ex) when (ex is JanusException or TimeoutException)
            {
                // Janus was busy (a timeout) or a feed left meanwhile: try again shortly with the feeds still live, twice;
                // then give the member fresh media altogether rather than leave them deaf to the channel.
                subscribeFailures++;
                owner.Logger.LogWarning(ex, "Subscribing {User} to feeds {Feeds} failed (attempt {Attempt})", UserId, string.Join(',', fresh), subscribeFailures);
                pendingFeeds.UnionWith(fresh);
                if (subscribeFailures <= 2)
                {
                    _ = RetrySubscribeAsync(TimeSpan.FromSeconds(subscribeFailures));
                }
                else
                {
                    events.MediaLost();
                }
            }
        }

        private async Task RetrySubscribeAsync(TimeSpan delay)
        {
            try
            {
                await Task.Delay(delay);
                var live = await owner.LiveFeedsAsync(this, CancellationToken.None);
                await subscriberGate.WaitAsync();
                try
                {
                    pendingFeeds.IntersectWith(live);
                    await FlushLockedAsync();
                }
                finally
                {
                    subscriberGate.Release();
                }
            }
            catch (Exception ex)
            {
                owner.Logger.LogWarning(ex, "Retrying the subscription of {User} failed", UserId);
            }
        }

        public async Task OnEventAsync(JanusEvent e)
        {
            try
            {
                var isPublisher = e.HandleId == publisher.Handle.Id;
                if (e.Kind == "webrtcup" && isPublisher)
                {
                    await owner.OnPublisherUpAsync(this);
                    return;
                }

                // No audio arrives from this publisher any more (its network dropped, or it hung up): Janus sends no
                // "stopped-talking" then, so nobody must keep seeing them talk.
                if (isPublisher && (e.Kind == "hangup" || (e.Kind == "media" && e.Message["receiving"]?.GetValue<bool>() == false)))
                {
                    events.Speaking(false);
                    return;
                }

                if (e.Kind != "event")
                {
                    return;
                }

                var data = e.PluginData;
                var kind = data?["videoroom"]?.GetValue<string>();
                if (isPublisher && kind is "talking" or "stopped-talking" && data?["id"]?.GetValue<long>() == FeedId)
                {
                    events.Speaking(kind == "talking");
                }
                else if (isPublisher && owner.cluster.Enabled && kind == "destroyed" && data?["room"]?.GetValue<long>() is { } destroyedRoom)
                {
                    await owner.OnRoomDestroyedAsync(Room, destroyedRoom);
                }
                else if (isPublisher && owner.cluster.Enabled && kind == "event")
                {
                    await OnRoomNewsAsync(data!);
                }
                else if (!isPublisher && SessionDescription.From(e.Jsep) is { Type: "offer" } offer)
                {
                    // Janus renegotiates on its own (a publisher left: its stream went inactive).
                    await subscriberGate.WaitAsync();
                    try
                    {
                        offerOutstanding = true;
                    }
                    finally
                    {
                        subscriberGate.Release();
                    }

                    events.Signal(new VoiceSignal(null, "recv", "offer", offer.Sdp));
                }
            }
            catch (Exception ex)
            {
                owner.Logger.LogWarning(ex, "Voice event for {User} failed", UserId);
            }
        }

        /// <summary>
        /// Cluster: Janus tells every publisher in the room about feeds that start (<c>publishers</c>) or end
        /// (<c>unpublished</c>, <c>leaving</c>). This node's own members' feeds are subscribed when their PeerConnection is
        /// up; the others are other nodes' members, which this member subscribes to here.
        /// </summary>
        private async Task OnRoomNewsAsync(JsonObject data)
        {
            List<long> started;
            await Room.Gate.WaitAsync();
            try
            {
                var local = Room.Peers.Select(p => p.FeedId).ToHashSet();
                started = (data["publishers"] as JsonArray ?? []).OfType<JsonObject>()
                    .Select(p => p["id"]!.GetValue<long>())
                    .Where(id => !local.Contains(id))
                    .ToList();
                Room.RemoteFeeds.UnionWith(started);
                foreach (var field in new[] { "unpublished", "leaving" })
                {
                    if (data[field] is JsonValue value && value.TryGetValue<long>(out var ended))
                    {
                        Room.RemoteFeeds.Remove(ended);
                    }
                }
            }
            finally
            {
                Room.Gate.Release();
            }

            if (started.Count > 0)
            {
                await SubscribeAsync(started);
            }
        }

        /// <summary>The media server forgot this peer (restart): no teardown requests; the owner reconnects the member.</summary>
        public void Abandon()
        {
            if (Interlocked.Exchange(ref disposed, 1) != 0)
            {
                return;
            }

            owner.peersByHandle.TryRemove(publisher.Handle.Id, out _);
            owner.peersByHandle.TryRemove(subscriber.Handle.Id, out _);
            events.MediaLost();
        }

        public async Task DetachHandlesAsync()
        {
            foreach (var handle in new[] { publisher.Handle, subscriber.Handle })
            {
                owner.peersByHandle.TryRemove(handle.Id, out _);
                try
                {
                    await handle.DetachAsync();
                }
                catch (Exception ex) when (ex is JanusException or TimeoutException)
                {
                    // Janus restarted or the handle is gone already.
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                await owner.RemoveAsync(this);
            }
        }
    }
}
