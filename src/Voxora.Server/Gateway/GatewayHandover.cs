using System.Buffers.Binary;
using System.Collections.Concurrent;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Gateway;

/// <summary>
/// RESUME on any node of a cluster. A session lives on the node that holds its socket; when a client comes back
/// through another node (load balancer, or its node died), that node asks the cluster for the session:
/// <list type="number">
/// <item>The new node registers an incoming session for the user, so it buffers the user's events from now on, and
/// publishes a request on the cluster bus.</item>
/// <item>The bus has one order for all nodes. The owner handles the request after every dispatch published before
/// it: it hands over exactly the events the client missed up to that point and forgets the session (closing its old
/// socket). The new node's own copy of the request marks the same point in its stream: it keeps only the events
/// queued after it.</item>
/// <item>The owner's reply (also on the bus, so it always comes after that mark) lets the new node number its own
/// events after the handed-over ones and attach the socket: replay, RESUMED, live events; nothing lost or repeated.</item>
/// </list>
/// Nobody answers when the owner is dead or the session expired; after <see cref="ReplyTimeout"/> the client is told
/// to start over (op 7). Only a session of the same user is ever handed over.
/// </summary>
public sealed class GatewayHandover
{
    private const string RequestKind = "gateway.resume.request";
    private const string ReplyKind = "gateway.resume.reply";

    /// <summary>How long a RESUME waits for the session's node; a live node answers within a bus round trip.</summary>
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(2);

    private readonly ClusterBus bus;
    private readonly GatewayHub hub;
    private readonly ILogger<GatewayHandover> logger;
    private readonly ConcurrentDictionary<string, PendingHandover> pending = new(StringComparer.Ordinal);

    public GatewayHandover(ClusterBus bus, GatewayHub hub, ILogger<GatewayHandover> logger)
    {
        this.bus = bus;
        this.hub = hub;
        this.logger = logger;
        bus.Subscribe(RequestKind, OnRequest);
        bus.Subscribe(ReplyKind, OnReply);
    }

    /// <summary>True when a session unknown here may live on another node.</summary>
    public bool Enabled => bus.IsClustered;

    /// <summary>
    /// Asks the cluster for the session <paramref name="incoming"/> stands for (already registered in the hub, so it
    /// is buffering the user's events). Returns the owner's answer, or <see cref="HandoverStatus.SessionExpired"/>
    /// when nobody answers in time.
    /// </summary>
    public async Task<HandoverReply> RequestAsync(GatewaySession incoming, long afterSeq, CancellationToken ct)
    {
        var requestId = Guid.NewGuid().ToString("N");
        var waiting = new PendingHandover(incoming, new TaskCompletionSource<HandoverReply>(TaskCreationOptions.RunContinuationsAsynchronously));
        pending[requestId] = waiting;
        try
        {
            var body = new BusWriter();
            body.String(requestId);
            body.String(incoming.Id);
            body.String(incoming.UserId);
            WriteInt64(body, afterSeq);
            bus.Publish(RequestKind, body.WrittenSpan);
            return await waiting.Reply.Task.WaitAsync(ReplyTimeout, ct);
        }
        catch (TimeoutException)
        {
            logger.LogInformation("No node answered for gateway session {GatewaySession}: its node is gone or it expired", incoming.Id);
            return new HandoverReply(HandoverStatus.SessionExpired, null, []);
        }
        finally
        {
            pending.TryRemove(requestId, out _);
        }
    }

    private void OnRequest(ClusterMessage message)
    {
        var reader = new BusReader(message.Body.Span);
        var requestId = reader.String()!;
        var sessionId = reader.String()!;
        var userId = reader.String()!;
        var afterSeq = ReadInt64(ref reader);

        if (string.Equals(message.OriginNode, bus.NodeName, StringComparison.Ordinal))
        {
            // Our own request, in the bus's order: everything queued on the incoming session before it, the owner has.
            if (pending.TryGetValue(requestId, out var waiting))
            {
                waiting.Incoming.DiscardBeforeHandover();
            }

            return;
        }

        if (hub.FindSession(sessionId) is not { } session || !session.IsReady)
        {
            // Not ours (or only another node's incoming copy): the owner answers, if it is alive.
            return;
        }

        if (!string.Equals(session.UserId, userId, StringComparison.Ordinal))
        {
            // Someone else's session: refuse without saying more than "start over", and keep it for its owner.
            logger.LogWarning("Refusing to hand gateway session {GatewaySession} to a RESUME of another user", sessionId);
            Reply(message.OriginNode, requestId, HandoverStatus.SessionExpired, null, []);
            return;
        }

        if (!session.TryHandOver(afterSeq, out var missed, out var outOfRange))
        {
            Reply(message.OriginNode, requestId, outOfRange ? HandoverStatus.SeqOutOfRange : HandoverStatus.SessionExpired, null, []);
            return;
        }

        hub.Unregister(session);
        logger.LogInformation("Handed gateway session {GatewaySession} ({Count} missed events) to node {Node}", sessionId, missed.Count, message.OriginNode);
        Reply(message.OriginNode, requestId, HandoverStatus.Resumed, session.LoginSessionId, missed);
    }

    private void Reply(string targetNode, string requestId, HandoverStatus status, string? loginSessionId, IReadOnlyList<OutboundEvent> missed)
    {
        var body = new BusWriter();
        body.String(targetNode);
        body.String(requestId);
        body.Int32((int)status);
        body.String(loginSessionId);
        body.Int32(missed.Count);
        foreach (var dispatch in missed)
        {
            body.String(dispatch.Type);
            body.Bytes(dispatch.Payload);
        }

        bus.Publish(ReplyKind, body.WrittenSpan);
    }

    private void OnReply(ClusterMessage message)
    {
        var reader = new BusReader(message.Body.Span);
        if (!string.Equals(reader.String(), bus.NodeName, StringComparison.Ordinal)
            || !pending.TryGetValue(reader.String()!, out var waiting))
        {
            return;
        }

        var status = (HandoverStatus)reader.Int32();
        var loginSessionId = reader.String();
        var count = reader.Int32();
        var missed = new OutboundEvent[count];
        for (var i = 0; i < count; i++)
        {
            missed[i] = new OutboundEvent(reader.String()!, reader.Bytes().ToArray());
        }

        waiting.Reply.TrySetResult(new HandoverReply(status, loginSessionId, missed));
    }

    private static void WriteInt64(BusWriter body, long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        body.Bytes(bytes);
    }

    private static long ReadInt64(ref BusReader reader) => BinaryPrimitives.ReadInt64LittleEndian(reader.Bytes());

    private sealed record PendingHandover(GatewaySession Incoming, TaskCompletionSource<HandoverReply> Reply);
}

public enum HandoverStatus
{
    Resumed = 0,
    SessionExpired = 1,
    SeqOutOfRange = 2,
}

/// <summary>The owner's answer: the session's login session and the events after the client's seq, in order.</summary>
public sealed record HandoverReply(HandoverStatus Status, string? LoginSessionId, IReadOnlyList<OutboundEvent> Missed);
