using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using StackExchange.Redis;

namespace Voxora.Server.Infrastructure.Cluster;

/// <summary>One message on the bus: what kind it is, the node that sent it, and its bytes.</summary>
public readonly record struct ClusterMessage(string Kind, string OriginNode, ReadOnlyMemory<byte> Body)
{
    /// <summary>
    /// True for a message this node published itself. Caches apply their own changes at once, before publishing, so
    /// they skip their own message when the bus brings it back.
    /// </summary>
    public bool IsFrom(ClusterBus bus) => string.Equals(OriginNode, bus.NodeName, StringComparison.Ordinal);
}

/// <summary>
/// How a change reaches every node. <see cref="Publish"/> delivers a message to the handlers of its kind on every node,
/// the sender included, exactly once each, and in one order that all nodes share (so an invalidation published before a
/// dispatch is applied before it everywhere).
/// <para>On a single node (no Redis) a publish runs the handlers at once on the caller's thread: today's behaviour and
/// cost. With Redis every message goes through one pub/sub channel and is handled, in order, on one reader per node;
/// handlers must therefore be quick and never block (queue work, don't do it). While Redis is unreachable a publish is
/// handled on this node only (its own clients still get their events) and the outage is logged.</para>
/// </summary>
public sealed class ClusterBus : IAsyncDisposable
{
    private readonly ClusterConnection connection;
    private readonly ILogger<ClusterBus> logger;
    private readonly ConcurrentDictionary<string, Action<ClusterMessage>[]> handlers = new(StringComparer.Ordinal);
    private readonly Lock subscribeGate = new();
    private ChannelMessageQueue? queue;
    private bool disposed;
    private int outageLogged;

    public ClusterBus(ClusterConnection connection, ILogger<ClusterBus> logger)
    {
        this.connection = connection;
        this.logger = logger;
        if (connection.Multiplexer is { } multiplexer)
        {
            // Subscribed at construction, so nothing published after this node is up can be missed. StackExchange.Redis
            // resubscribes by itself after a reconnect; what was published meanwhile is lost (pub/sub keeps nothing),
            // which the reconnect handlers of each feature account for. When Redis is down at start the node starts
            // anyway and subscribes as soon as Redis answers.
            multiplexer.ConnectionRestored += (_, _) =>
            {
                Interlocked.Exchange(ref outageLogged, 0);
                TrySubscribe(multiplexer);
                // Whatever other nodes published meanwhile never arrived here: let the caches start afresh.
                OnReconnected();
            };
            if (!TrySubscribe(multiplexer))
            {
                _ = SubscribeWhenReachableAsync(multiplexer);
            }
        }
    }

    private bool TrySubscribe(IConnectionMultiplexer multiplexer)
    {
        lock (subscribeGate)
        {
            if (queue is not null || disposed)
            {
                return true;
            }

            if (!multiplexer.IsConnected)
            {
                return false;
            }

            try
            {
                queue = multiplexer.GetSubscriber().Subscribe(connection.Channel("bus"));
                queue.OnMessage(OnRedisMessage);
                return true;
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
            {
                logger.LogWarning("Cannot subscribe to the cluster bus yet ({Error}); retrying", ex.Message);
                return false;
            }
        }
    }

    private async Task SubscribeWhenReachableAsync(IConnectionMultiplexer multiplexer)
    {
        logger.LogWarning("Redis is unreachable at start: this node serves its own clients only until it can subscribe to the cluster bus");
        while (!TrySubscribe(multiplexer))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        logger.LogWarning("Subscribed to the cluster bus");
    }

    /// <summary>
    /// Raised after the link to Redis came back: bus messages published during the outage are lost (pub/sub keeps
    /// nothing), so caches kept consistent by bus invalidations drop what they hold and reload on demand.
    /// </summary>
    public event Action? Reconnected;

    private void OnReconnected()
    {
        try
        {
            Reconnected?.Invoke();
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "A cache failed to reset after Redis came back");
        }
    }

    /// <summary>True on a single node, and on a cluster while Redis answers (bus messages reach the other nodes).</summary>
    public bool IsConnected => connection.IsHealthy;

    /// <summary>True when other nodes may exist (Redis configured).</summary>
    public bool IsClustered => connection.Enabled;

    /// <summary>This process's name on the bus.</summary>
    public string NodeName => connection.NodeName;

    /// <summary>Handles every message of <paramref name="kind"/>, from any node, in bus order. Register at start-up.</summary>
    public void Subscribe(string kind, Action<ClusterMessage> handler)
    {
        lock (subscribeGate)
        {
            handlers[kind] = [.. handlers.GetValueOrDefault(kind) ?? [], handler];
        }
    }

    public void Publish(string kind, ReadOnlySpan<byte> body)
    {
        if (connection.Multiplexer is not { } multiplexer)
        {
            Deliver(new ClusterMessage(kind, connection.NodeName, body.ToArray()));
            return;
        }

        if (multiplexer.IsConnected && Volatile.Read(ref queue) is null)
        {
            // Connected but not (yet) subscribed: the other nodes get it through Redis, this node's clients directly.
            multiplexer.GetSubscriber().Publish(connection.Channel("bus"), Encode(kind, connection.NodeName, body), CommandFlags.FireAndForget);
            Deliver(new ClusterMessage(kind, connection.NodeName, body.ToArray()));
            return;
        }

        if (!multiplexer.IsConnected)
        {
            if (Interlocked.Exchange(ref outageLogged, 1) == 0)
            {
                logger.LogWarning("Redis is unreachable: events are delivered to this node's clients only until it returns");
            }

            Deliver(new ClusterMessage(kind, connection.NodeName, body.ToArray()));
            return;
        }

        // Fire-and-forget keeps the caller's path free of a network round trip; the multiplexer writes commands in
        // the order they are issued, so one node's messages stay in order.
        multiplexer.GetSubscriber().Publish(connection.Channel("bus"), Encode(kind, connection.NodeName, body), CommandFlags.FireAndForget);
    }

    private void OnRedisMessage(ChannelMessage message)
    {
        ClusterMessage decoded;
        try
        {
            decoded = Decode(message.Message);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or IndexOutOfRangeException)
        {
            logger.LogWarning(ex, "Ignoring a malformed bus message");
            return;
        }

        Deliver(decoded);
    }

    private void Deliver(ClusterMessage message)
    {
        if (!handlers.TryGetValue(message.Kind, out var kindHandlers))
        {
            return;
        }

        foreach (var handler in kindHandlers)
        {
            try
            {
                handler(message);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Bus handler for {Kind} failed", message.Kind);
            }
        }
    }

    // [kind length: 1 byte][kind][origin length: 1 byte][origin][body]
    internal static byte[] Encode(string kind, string origin, ReadOnlySpan<byte> body)
    {
        var kindBytes = Encoding.UTF8.GetByteCount(kind);
        var originBytes = Encoding.UTF8.GetByteCount(origin);
        if (kindBytes > byte.MaxValue || originBytes > byte.MaxValue)
        {
            throw new ArgumentException("Bus kinds and node names are short words.");
        }

        var buffer = new byte[2 + kindBytes + originBytes + body.Length];
        buffer[0] = (byte)kindBytes;
        Encoding.UTF8.GetBytes(kind, buffer.AsSpan(1, kindBytes));
        buffer[1 + kindBytes] = (byte)originBytes;
        Encoding.UTF8.GetBytes(origin, buffer.AsSpan(2 + kindBytes, originBytes));
        body.CopyTo(buffer.AsSpan(2 + kindBytes + originBytes));
        return buffer;
    }

    internal static ClusterMessage Decode(ReadOnlyMemory<byte> data)
    {
        var span = data.Span;
        int kindLength = span[0];
        var kind = Encoding.UTF8.GetString(span.Slice(1, kindLength));
        int originLength = span[1 + kindLength];
        var origin = Encoding.UTF8.GetString(span.Slice(2 + kindLength, originLength));
        return new ClusterMessage(kind, origin, data[(2 + kindLength + originLength)..]);
    }

    private static ClusterMessage Decode(RedisValue value) => Decode((ReadOnlyMemory<byte>)value);

    public async ValueTask DisposeAsync()
    {
        ChannelMessageQueue? subscribed;
        lock (subscribeGate)
        {
            disposed = true;
            subscribed = queue;
            queue = null;
        }

        if (subscribed is not null)
        {
            await subscribed.UnsubscribeAsync();
        }
    }
}

/// <summary>Writes the body of a bus message: little-endian lengths, UTF-8 strings, raw byte blocks.</summary>
public sealed class BusWriter
{
    private readonly ArrayBufferWriter<byte> buffer = new(256);

    public ReadOnlySpan<byte> WrittenSpan => buffer.WrittenSpan;

    public void Int32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), value);
        buffer.Advance(4);
    }

    public void Int64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }

    public void String(string? value)
    {
        if (value is null)
        {
            Int32(-1);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(value);
        Int32(count);
        Encoding.UTF8.GetBytes(value, buffer.GetSpan(count));
        buffer.Advance(count);
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        Int32(value.Length);
        value.CopyTo(buffer.GetSpan(value.Length));
        buffer.Advance(value.Length);
    }
}

public ref struct BusReader(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> rest = data;

    public int Int32()
    {
        var value = BinaryPrimitives.ReadInt32LittleEndian(rest);
        rest = rest[4..];
        return value;
    }

    public long Int64()
    {
        var value = BinaryPrimitives.ReadInt64LittleEndian(rest);
        rest = rest[8..];
        return value;
    }

    public string? String()
    {
        var length = Int32();
        if (length < 0)
        {
            return null;
        }

        var value = Encoding.UTF8.GetString(rest[..length]);
        rest = rest[length..];
        return value;
    }

    public ReadOnlySpan<byte> Bytes()
    {
        var length = Int32();
        var value = rest[..length];
        rest = rest[length..];
        return value;
    }
}
