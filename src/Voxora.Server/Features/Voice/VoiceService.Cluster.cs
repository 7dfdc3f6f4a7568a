using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Features.Voice;

/// <summary>
/// Voice across several nodes (Redis configured). The node that holds a member's gateway connection and media owns
/// their voice state; it publishes every change on the cluster bus and every other node keeps a replica
/// (<see cref="remote"/>), so READY, <c>GET voice-states</c> and user limits see members of all nodes. A moderator's
/// action on a member of another node is forwarded to that node, which carries it out and answers. Each node keeps
/// a liveness key in Redis; when a node's key expires the others drop its members and one of them (the first to
/// claim the sweep) announces their leave and deletes their <c>voice_sessions</c> rows.
/// On a single node none of this runs: the replica stays empty and nothing is published.
/// </summary>
public sealed partial class VoiceService
{
    private const string StateKind = "voice.state";
    private const string LeaveKind = "voice.leave";
    private const string HelloKind = "voice.hello";
    private const string ModerateKind = "voice.moderate";
    private const string ModeratedKind = "voice.moderated";

    /// <summary>How often a node renews its liveness key.</summary>
    public static readonly TimeSpan NodeHeartbeat = TimeSpan.FromSeconds(2);

    /// <summary>How long a node's liveness key outlives its last renewal: a dead node's members go within about this plus <see cref="NodeHeartbeat"/>.</summary>
    public static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(6);

    /// <summary>How long a moderator's request waits for the node that holds the member.</summary>
    private static readonly TimeSpan ModerationTimeout = TimeSpan.FromSeconds(10);

    private readonly ClusterBus bus;
    private readonly ClusterConnection cluster;

    /// <summary>Voice members connected to other nodes, by user id (guarded by <see cref="gate"/>).</summary>
    private readonly Dictionary<string, RemoteMember> remote = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, TaskCompletionSource<VoiceModeration>> pendingModerations = new(StringComparer.Ordinal);

    /// <summary>A voice member of another node, as that node last published them.</summary>
    private sealed record RemoteMember(string Node, string VoiceSessionId, VoiceState State);

    private void SubscribeToCluster()
    {
        if (!bus.IsClustered)
        {
            return;
        }

        bus.Subscribe(StateKind, OnRemoteState);
        bus.Subscribe(LeaveKind, OnRemoteLeave);
        bus.Subscribe(HelloKind, message =>
        {
            if (!message.IsFrom(bus))
            {
                // A node (re)started with an empty replica: tell it who is in voice here.
                List<Member> local;
                lock (gate)
                {
                    local = [.. members.Values];
                }

                foreach (var member in local)
                {
                    ReplicateState(member);
                }
            }
        });
        bus.Subscribe(ModerateKind, OnModerateRequest);
        bus.Subscribe(ModeratedKind, OnModerateAnswer);
    }

    private void ReplicateState(Member member)
    {
        if (!bus.IsClustered)
        {
            return;
        }

        var body = new BusWriter();
        body.String(member.VoiceSessionId);
        body.Bytes(JsonSerializer.SerializeToUtf8Bytes(member.State(), VoxoraJsonContext.Default.VoiceState));
        bus.Publish(StateKind, body.WrittenSpan);
    }

    private void ReplicateLeave(Member member) => PublishLeave(cluster.NodeName, member.UserId, member.VoiceSessionId);

    private void PublishLeave(string node, string userId, string voiceSessionId)
    {
        if (!bus.IsClustered)
        {
            return;
        }

        var body = new BusWriter();
        body.String(node);
        body.String(userId);
        body.String(voiceSessionId);
        bus.Publish(LeaveKind, body.WrittenSpan);
    }

    private void OnRemoteState(ClusterMessage message)
    {
        if (message.IsFrom(bus))
        {
            return;
        }

        var reader = new BusReader(message.Body.Span);
        var voiceSessionId = reader.String()!;
        var state = JsonSerializer.Deserialize(reader.Bytes(), VoxoraJsonContext.Default.VoiceState)!;
        Member? replaced = null;
        lock (gate)
        {
            remote[state.UserId] = new RemoteMember(message.OriginNode, voiceSessionId, state);
            if (members.TryGetValue(state.UserId, out var local))
            {
                // One voice connection per user: they connected to voice through another node since.
                replaced = local;
            }
        }

        if (replaced is not null)
        {
            _ = Task.Run(() => WithUserLockAsync(replaced.UserId, "ending a voice connection replaced on another node", async () =>
            {
                if (!IsCurrent(replaced))
                {
                    return;
                }

                Forget(replaced);
                // The channel heard the join through the other node; a leave now would contradict it.
                await EndAsync(replaced, reason: null, announce: false);
                Error(replaced.Session, replaced.ChannelId, VoiceErrorCodes.Disconnected, "you connected to voice from another session");
            }));
        }
    }

    private void OnRemoteLeave(ClusterMessage message)
    {
        if (message.IsFrom(bus))
        {
            return;
        }

        var reader = new BusReader(message.Body.Span);
        var node = reader.String()!;
        var userId = reader.String()!;
        var voiceSessionId = reader.String()!;
        lock (gate)
        {
            if (remote.TryGetValue(userId, out var entry) && entry.Node == node && entry.VoiceSessionId == voiceSessionId)
            {
                remote.Remove(userId);
            }
        }
    }

    /// <summary>Under the user lock of a member of another node: asks that node to carry the moderator's action out.</summary>
    private async Task<VoiceModeration> ModerateElsewhereAsync(RemoteMember target, string actorId, ModerateVoiceStateRequest request, CancellationToken ct)
    {
        var requestId = Ids.New("vm");
        var answer = new TaskCompletionSource<VoiceModeration>(TaskCreationOptions.RunContinuationsAsynchronously);
        pendingModerations[requestId] = answer;
        try
        {
            var body = new BusWriter();
            body.String(requestId);
            body.String(target.Node);
            body.String(target.State.UserId);
            body.String(target.VoiceSessionId);
            body.String(actorId);
            body.Int32(Flag(request.ServerMute));
            body.Int32(Flag(request.ServerDeaf));
            body.Int32(request.ChannelIdGiven ? 1 : 0);
            body.String(request.ChannelId);
            bus.Publish(ModerateKind, body.WrittenSpan);
            return await answer.Task.WaitAsync(ModerationTimeout, clock, ct);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("Node {Node} did not answer a voice moderation of {User} within {Timeout}", target.Node, target.State.UserId, ModerationTimeout);
            return VoiceModeration.Refused(503, ProblemCodes.VoiceNodeUnreachable,
                "The server that holds this member's voice connection did not answer; try again.");
        }
        finally
        {
            pendingModerations.TryRemove(requestId, out _);
        }

        static int Flag(bool? value) => value is null ? -1 : value.Value ? 1 : 0;
    }

    private void OnModerateRequest(ClusterMessage message)
    {
        var reader = new BusReader(message.Body.Span);
        var requestId = reader.String()!;
        if (reader.String() != cluster.NodeName)
        {
            return;
        }

        var userId = reader.String()!;
        var voiceSessionId = reader.String()!;
        var actorId = reader.String()!;
        var serverMute = Flag(reader.Int32());
        var serverDeaf = Flag(reader.Int32());
        var channelIdGiven = reader.Int32() == 1;
        var channelId = reader.String();
        var request = new ModerateVoiceStateRequest { ServerMute = serverMute, ServerDeaf = serverDeaf };
        if (channelIdGiven)
        {
            request.ChannelId = channelId;
        }

        var requester = message.OriginNode;
        _ = Task.Run(async () =>
        {
            var outcome = VoiceModeration.Refused(404, ProblemCodes.UnknownVoiceState, "That member is not in a voice channel of this community.");
            await WithUserLockAsync(userId, "carrying out a voice moderation from another node", async () =>
            {
                Member? member;
                lock (gate)
                {
                    member = members.GetValueOrDefault(userId);
                }

                // The requester checked the moderator's rights on the member's voice session it knew of; a member
                // who has left or rejoined since is not the one the moderator acted on.
                if (member is not null && member.VoiceSessionId == voiceSessionId)
                {
                    outcome = await ActAsync(member, actorId, request, CancellationToken.None);
                }
            });

            var answer = new BusWriter();
            answer.String(requestId);
            answer.String(requester);
            answer.Int32(outcome.Status);
            answer.String(outcome.Code);
            answer.String(outcome.Detail);
            answer.Bytes(outcome.State is { } state ? JsonSerializer.SerializeToUtf8Bytes(state, VoxoraJsonContext.Default.VoiceState) : []);
            bus.Publish(ModeratedKind, answer.WrittenSpan);
        });

        static bool? Flag(int value) => value < 0 ? null : value == 1;
    }

    private void OnModerateAnswer(ClusterMessage message)
    {
        var reader = new BusReader(message.Body.Span);
        var requestId = reader.String()!;
        if (reader.String() != cluster.NodeName || !pendingModerations.TryGetValue(requestId, out var answer))
        {
            return;
        }

        var status = reader.Int32();
        var code = reader.String();
        var detail = reader.String();
        var state = reader.Bytes();
        answer.TrySetResult(state.Length > 0
            ? VoiceModeration.Done(JsonSerializer.Deserialize(state, VoxoraJsonContext.Default.VoiceState)!)
            : VoiceModeration.Refused(status, code!, detail!));
    }

    private RedisKey AliveKey(string node) => cluster.Key("voice:alive:" + node);

    /// <summary>
    /// In a cluster, until <paramref name="ct"/> ends: renews this node's liveness key and sweeps the members of
    /// nodes whose key expired. Asks the other nodes for their members first.
    /// </summary>
    public async Task RunClusterDutiesAsync(CancellationToken ct)
    {
        if (!bus.IsClustered)
        {
            return;
        }

        await RenewLivenessAsync();
        bus.Publish(HelloKind, []);
        using var timer = new PeriodicTimer(NodeHeartbeat, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                await RenewLivenessAsync();
                await SweepDeadNodesAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>This node stops: its members leave through their gateway connections; nobody needs to wait for the key to expire.</summary>
    public async Task LeaveClusterAsync()
    {
        if (cluster.Multiplexer is { IsConnected: true })
        {
            try
            {
                await cluster.Database.KeyDeleteAsync(AliveKey(cluster.NodeName));
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogDebug(ex, "Removing this node's voice liveness key failed");
            }
        }
    }

    private async Task RenewLivenessAsync()
    {
        try
        {
            await cluster.Database.StringSetAsync(AliveKey(cluster.NodeName), "1", NodeTimeout);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            logger.LogWarning("Renewing this node's voice liveness key failed: {Error}", ex.Message);
        }
    }

    private async Task SweepDeadNodesAsync()
    {
        List<string> nodes;
        lock (gate)
        {
            nodes = remote.Values.Select(r => r.Node).Distinct(StringComparer.Ordinal).ToList();
        }

        foreach (var node in nodes)
        {
            try
            {
                if (await cluster.Database.KeyExistsAsync(AliveKey(node)))
                {
                    continue;
                }

                List<RemoteMember> gone;
                lock (gate)
                {
                    gone = remote.Values.Where(r => r.Node == node).ToList();
                    foreach (var entry in gone)
                    {
                        remote.Remove(entry.State.UserId);
                    }
                }

                // Every node forgets them; one (the first to claim the sweep) tells the channels and the database.
                var claimed = await cluster.Database.StringSetAsync(cluster.Key("voice:swept:" + node), cluster.NodeName, TimeSpan.FromMinutes(10), When.NotExists);
                if (!claimed || gone.Count == 0)
                {
                    continue;
                }

                logger.LogWarning("Node {Node} stopped renewing its liveness: its {Count} voice member(s) left", node, gone.Count);
                await using (var scope = scopes.CreateAsyncScope())
                {
                    var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
                    var ids = gone.Select(g => g.VoiceSessionId).ToList();
                    await db.VoiceSessions.Where(v => ids.Contains(v.Id)).ExecuteDeleteAsync();
                }

                foreach (var entry in gone)
                {
                    PublishLeave(node, entry.State.UserId, entry.VoiceSessionId);
                    hub.Publish(GatewayEvents.VoiceStateUpdate, entry.State with { ChannelId = null }, VoxoraJsonContext.Default.VoiceState,
                        Audience.Channel(entry.State.CommunityId, entry.State.ChannelId!));
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or DbUpdateException)
            {
                logger.LogWarning("Sweeping the voice members of node {Node} failed: {Error}", node, ex.Message);
            }
        }
    }
}
