using System.Buffers;
using System.Buffers.Text;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace Voxora.Server.Gateway;

/// <summary>
/// One WebSocket. A single writer loop owns sending; everything else queues. The queue is bounded:
/// a client that cannot keep up with its 256 pending events is closed (it can RESUME and catch up from
/// the replay buffer) instead of letting memory grow without end.
/// </summary>
public sealed class GatewayConnection
{
    private static readonly byte[] DispatchPrefix = "{\"op\":0,\"s\":"u8.ToArray();
    private static readonly byte[] TypePart = ",\"t\":\""u8.ToArray();
    private static readonly byte[] DataPart = "\",\"d\":"u8.ToArray();

    private readonly WebSocket socket;
    private readonly Channel<Outbound> queue;
    private readonly CancellationTokenSource aborted = new();
    private int closeCode;
    private string? closeReason;

    private readonly record struct Outbound(long Seq, OutboundEvent? Event, byte[]? Raw);

    public GatewayConnection(WebSocket socket, int queueCapacity)
    {
        this.socket = socket;
        capacity = queueCapacity;

        // Unbounded underneath; live events are counted against the capacity by hand so that a RESUME
        // replay (up to the whole replay buffer) and control frames are never refused.
        queue = Channel.CreateUnbounded<Outbound>(new UnboundedChannelOptions { SingleReader = true });
    }

    private readonly int capacity;
    private int pending;

    public CancellationToken Aborted => aborted.Token;

    /// <summary>Last time the client sent a heartbeat (or connected), as Environment.TickCount64.</summary>
    public long LastHeartbeatTicks { get; set; } = Environment.TickCount64;

    public int? CloseCode => closeCode == 0 ? null : closeCode;

    public long ConnectedTicks { get; } = Environment.TickCount64;

    /// <summary>The client address the upgrade came from (after trusted-proxy forwarding).</summary>
    public string Address { get; init; } = "unknown";

    /// <summary>The user this connection counts toward (<see cref="GatewayAdmission"/>), once admitted.</summary>
    public string? AdmittedUserId { get; set; }

    /// <summary>True once IDENTIFY or RESUME succeeded.</summary>
    public bool Identified { get; set; }

    /// <summary>Queues a live event; false when the client already has the maximum number pending.</summary>
    public bool TryQueue(long seq, OutboundEvent dispatch)
    {
        if (Interlocked.Increment(ref pending) > capacity)
        {
            Interlocked.Decrement(ref pending);
            return false;
        }

        if (!queue.Writer.TryWrite(new Outbound(seq, dispatch, null)))
        {
            Interlocked.Decrement(ref pending);
        }

        return true;
    }

    /// <summary>Queues an event being replayed on RESUME (or READY's backlog); not limited.</summary>
    public void QueueReplay(long seq, OutboundEvent dispatch)
    {
        Interlocked.Increment(ref pending);
        if (!queue.Writer.TryWrite(new Outbound(seq, dispatch, null)))
        {
            Interlocked.Decrement(ref pending);
        }
    }

    /// <summary>Queues a non-dispatch frame (HELLO, HEARTBEAT_ACK, RECONNECT …), already serialized.</summary>
    public bool TryQueueRaw(byte[] frame) => queue.Writer.TryWrite(new Outbound(0, null, frame));

    /// <summary>Closes with a documented code after what is already queued has been sent.</summary>
    public void Close(int code, string reason)
    {
        if (Interlocked.CompareExchange(ref closeCode, code, 0) == 0)
        {
            Infrastructure.Metrics.VoxoraMetrics.GatewayCloses.Add(1, new KeyValuePair<string, object?>("close_code", code));
            closeReason = reason;
            queue.Writer.TryComplete();
        }
    }

    /// <summary>
    /// Closes with a documented code, dropping what is still queued. A frame already being written gets
    /// a short grace period so the close frame (and its code) can follow it; a client that is not reading
    /// at all is cut off when that runs out.
    /// </summary>
    public void Abort(int code, string reason)
    {
        if (Interlocked.CompareExchange(ref closeCode, code, 0) == 0)
        {
            Infrastructure.Metrics.VoxoraMetrics.GatewayCloses.Add(1, new KeyValuePair<string, object?>("close_code", code));
            closeReason = reason;
        }

        dropQueued = true;
        queue.Writer.TryComplete();
        try
        {
            aborted.CancelAfter(AbortGrace);
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }

    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(5);
    private const int InitialFrameBuffer = 256;
    private const int RetainedFrameBuffer = 1024;
    private volatile bool dropQueued;

    // 1 while the writer is inside socket.SendAsync: OnCancelled aborts the socket then, or the send could hang.
    private int sending;

    /// <summary>Sends queued frames until the queue completes, then the close frame.</summary>
    /// <remarks>
    /// Cancellation (server stopping, or <see cref="Abort"/>'s grace running out) is wired once per connection
    /// instead of passing a token to every wait and send: a cancellable token sends ManagedWebSocket down its
    /// slow path (an async state machine and a token registration per frame) and makes each channel wait
    /// register too, which measured as a visible share of fan-out CPU. The effect is the same: waiting stops,
    /// and a send in progress is cut off by aborting the socket, as a cancelled send would.
    /// </remarks>
    public async Task RunWriterAsync(CancellationToken stopping)
    {
        var buffer = new ArrayBufferWriter<byte>(InitialFrameBuffer);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, aborted.Token);
        using var registration = linked.Token.UnsafeRegister(static state => ((GatewayConnection)state!).OnCancelled(), this);
        try
        {
            while (!dropQueued && await queue.Reader.WaitToReadAsync(CancellationToken.None))
            {
                while (!dropQueued && queue.Reader.TryRead(out var item))
                {
                    if (item.Event is not null)
                    {
                        Interlocked.Decrement(ref pending);
                    }

                    ReadOnlyMemory<byte> frame;
                    if (item.Raw is not null)
                    {
                        frame = item.Raw;
                    }
                    else
                    {
                        buffer.ResetWrittenCount();
                        WriteDispatch(buffer, item.Seq, item.Event!);
                        frame = buffer.WrittenMemory;
                    }

                    // Announce the send before the last look at dropQueued; OnCancelled does the mirror image,
                    // so either this loop sees the cancellation or the canceller sees the send and aborts it.
                    Interlocked.Exchange(ref sending, 1);
                    if (dropQueued)
                    {
                        break;
                    }

                    await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                    Volatile.Write(ref sending, 0);
                }

                // READY (or a long message) grew the frame buffer; an idle connection should not keep that.
                if (buffer.Capacity > RetainedFrameBuffer)
                {
                    buffer = new ArrayBufferWriter<byte>(InitialFrameBuffer);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The socket is going away; closing below is best effort.
        }

        await CloseSocketAsync();
    }

    private void OnCancelled()
    {
        dropQueued = true;
        queue.Writer.TryComplete();
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref sending) == 1)
        {
            // A frame is being written to a client that is not taking it: cut it off, as a cancelled send would.
            socket.Abort();
        }
    }

    private static void WriteDispatch(ArrayBufferWriter<byte> buffer, long seq, OutboundEvent dispatch)
    {
        buffer.Write(DispatchPrefix);
        var span = buffer.GetSpan(20);
        Utf8Formatter.TryFormat(seq, span, out var written);
        buffer.Advance(written);
        buffer.Write(TypePart);
        var typeLength = Encoding.UTF8.GetByteCount(dispatch.Type);
        Encoding.UTF8.GetBytes(dispatch.Type, buffer.GetSpan(typeLength));
        buffer.Advance(typeLength);
        buffer.Write(DataPart);
        buffer.Write(dispatch.Payload);
        buffer.Write("}"u8);
    }

    private async Task CloseSocketAsync()
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var code = closeCode == 0 ? (int)WebSocketCloseStatus.NormalClosure : closeCode;
            await socket.CloseOutputAsync((WebSocketCloseStatus)code, closeReason, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            socket.Abort();
        }
    }
}
