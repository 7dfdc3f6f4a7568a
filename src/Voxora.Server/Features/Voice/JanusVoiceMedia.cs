using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Voxora.Protocol;

namespace Voxora.Server.Features.Voice;

/// <summary>
/// Voice media on Janus VideoRoom: one room per voice channel, created on demand on the least loaded node and
/// destroyed when its last member leaves; per member one publisher handle (send) and one multistream
/// subscriber handle (recv). When a publisher's PeerConnection is up (<c>webrtcup</c>) every other member's
/// subscriber is extended with its feed (join on first use, then <c>subscribe</c>) and the new Janus offer is
/// handed to that member's browser; <c>talking</c>/<c>stopped-talking</c> become speaking events.
/// </summary>
public sealed class JanusVoiceMedia(JanusSupervisor supervisor, VoiceOptions options, ILogger<JanusVoiceMedia> logger) : IVoiceMedia
{
    private readonly Lock gate = new();

    private ILogger Logger => logger;
    private readonly Dictionary<string, Room> rooms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, Peer> peersByHandle = new();
    private readonly ConcurrentDictionary<JanusClient, Task> pumps = new();
    private readonly ConcurrentDictionary<JanusSession, Task<VideoRoom>> managers = new();

    public VoiceStatus Status => options.Enabled ? supervisor.Status : new VoiceStatus(false, "voice is disabled (VOXORA_VOICE__ENABLED=false)");

    public async Task<IVoicePeer> ConnectAsync(string channelId, string userId, bool serverMute, IVoicePeerEvents events, CancellationToken ct)
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
                await CreateRoomAsync(room, ct);
            }

            var session = room.Node!.Session!;
            EnsurePump(room.Node.Client!);
            var publisher = await VideoRoom.AttachAsync(session, null, ct);
            var subscriber = await VideoRoom.AttachAsync(session, null, ct);
            var peer = new Peer(this, room, userId, publisher, subscriber, events, serverMute);
            peersByHandle[publisher.Handle.Id] = peer;
            peersByHandle[subscriber.Handle.Id] = peer;
            try
            {
                var joined = await publisher.JoinAsPublisherAsync(room.RoomId, NewId(), userId, ct);
                peer.FeedId = joined.Id;
                peer.PrivateId = joined.PrivateId;
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

    private async Task CreateRoomAsync(Room room, CancellationToken ct)
    {
        var node = supervisor.PickNodeForNewRoom() ?? throw new VoiceMediaException(supervisor.Status.Reason ?? "no media server is up");
        var manager = await ManagerAsync(node, ct);
        var id = NewId();
        await manager.CreateRoomAsync(id, new VoiceRoomSettings(options.DefaultBitrate, 100, options.AudioActivePackets, options.AudioLevelAverage, "voxora " + room.ChannelId), ct);
        node.RoomCreated();
        room.Node = node;
        room.Generation = node.Generation;
        room.RoomId = id;
        room.Peers.Clear();
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
                if (node.IsUp && room.Generation == node.Generation)
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

        var live = others.Where(o => o.Publishing).Select(o => o.FeedId).ToList();
        if (live.Count > 0)
        {
            await peer.SubscribeAsync(live);
        }
    }

    private sealed class Room(string channelId)
    {
        public string ChannelId { get; } = channelId;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public JanusNode? Node { get; set; }
        public int Generation { get; set; }
        public long RoomId { get; set; }
        public List<Peer> Peers { get; } = [];
    }

    private sealed class Peer(JanusVoiceMedia owner, Room room, string userId, VideoRoom publisher, VideoRoom subscriber, IVoicePeerEvents events, bool serverMute) : IVoicePeer
    {
        private readonly SemaphoreSlim subscriberGate = new(1, 1);
        private readonly HashSet<long> subscribedFeeds = [];
        private bool subscriberJoined;
        private int disposed;

        public Room Room { get; } = room;
        public string UserId { get; } = userId;
        public long FeedId { get; set; }
        public long PrivateId { get; set; }
        public volatile bool Publishing;

        public async Task<string> PublishAsync(string offerSdp, CancellationToken ct)
        {
            var configured = await publisher.ConfigureAsync(new SessionDescription("offer", offerSdp), ct);
            if (serverMute && configured.AudioMid is { } mid)
            {
                var manager = await owner.ManagerAsync(Room.Node!, ct);
                await manager.ModerateAsync(Room.RoomId, FeedId, mid, mute: true, ct);
            }

            return configured.Answer.Sdp;
        }

        public Task AnswerAsync(string answerSdp, CancellationToken ct) =>
            subscriber.StartAsync(new SessionDescription("answer", answerSdp), ct);

        public Task TrickleAsync(bool send, VoiceIceCandidate? candidate, CancellationToken ct)
        {
            JsonObject? json = candidate?.Candidate is { Length: > 0 } c
                ? new JsonObject { ["candidate"] = c, ["sdpMid"] = candidate.SdpMid, ["sdpMLineIndex"] = candidate.SdpMLineIndex }
                : null;
            return (send ? publisher : subscriber).Handle.TrickleAsync(json, ct);
        }

        public async Task SubscribeAsync(IReadOnlyList<long> feeds)
        {
            await subscriberGate.WaitAsync();
            try
            {
                var fresh = feeds.Where(subscribedFeeds.Add).ToList();
                if (fresh.Count == 0 || Volatile.Read(ref disposed) != 0)
                {
                    return;
                }

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

                if (offer is not null)
                {
                    events.Signal(new VoiceSignal(null, "recv", "offer", offer.Sdp));
                }
            }
            catch (Exception ex) when (ex is JanusException or TimeoutException)
            {
                owner.Logger.LogWarning(ex, "Subscribing {User} to feeds {Feeds} failed", UserId, string.Join(',', feeds));
            }
            finally
            {
                subscriberGate.Release();
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
                else if (!isPublisher && SessionDescription.From(e.Jsep) is { Type: "offer" } offer)
                {
                    // Janus renegotiates on its own (a publisher left: its stream went inactive).
                    events.Signal(new VoiceSignal(null, "recv", "offer", offer.Sdp));
                }
            }
            catch (Exception ex)
            {
                owner.Logger.LogWarning(ex, "Voice event for {User} failed", UserId);
            }
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
