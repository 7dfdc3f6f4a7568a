using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Voxora.Bench;

/// <summary>
/// Many gateway connections at once, cheaply. Unlike <c>Voxora.Client.GatewayClient</c> (a 16 KiB receive
/// buffer, a frame Channel, a JsonElement per frame, a heartbeat task and a CancellationTokenSource per
/// connection), each connection is a <see cref="BenchSocket"/> (no buffer while idle, every frame that has
/// arrived taken in one socket read), frames are scanned with Utf8JsonReader for the few fields the
/// bench needs, and one pump sends everyone's heartbeats. Optionally spreads connections over several
/// loopback source addresses (127.0.0.1 … 127.0.0.K) so 4-tuples don't run out.
/// </summary>
public sealed class LeanGateway : IAsyncDisposable
{
    private readonly Uri gatewayUri;
    private readonly IPAddress?[] localAddresses;
    private readonly List<LeanConnection> pumped = [];
    private readonly CancellationTokenSource stop = new();
    private readonly Task pump;

    public LeanGateway(Uri serverBase, int localAddresses = 1)
    {
        var builder = new UriBuilder(new Uri(serverBase, "gateway?v=1&encoding=json"));
        builder.Scheme = builder.Scheme == "https" ? "wss" : "ws";
        if (builder.Scheme == "wss")
        {
            throw new ArgumentException("the bench's lean gateway connections speak plain ws:// only", nameof(serverBase));
        }

        gatewayUri = builder.Uri;
        this.localAddresses = localAddresses <= 1
            ? [null]
            : [.. Enumerable.Range(1, localAddresses).Select(i => new IPAddress([127, 0, 0, (byte)i]))];
        pump = Task.Run(HeartbeatPumpAsync);
    }

    public int HeartbeatIntervalMs { get; private set; } = 41250;

    /// <summary>Opens a socket, waits for HELLO, sends IDENTIFY and waits for READY.</summary>
    public async Task<LeanConnection> ConnectIdentifiedAsync(int index, string token, TimeSpan timeout, CancellationToken ct)
    {
        var connection = new LeanConnection(index, this);
        await connection.OpenAsync(timeout, ct);
        await connection.SendAsync(Encoding.UTF8.GetBytes($$$"""{"op":2,"d":{"token":"{{{token}}}"}}"""));
        await connection.Ready.WaitAsync(timeout, ct);
        Register(connection);
        return connection;
    }

    internal Task<BenchSocket> OpenSocketAsync(int index, CancellationToken ct) =>
        BenchSocket.ConnectAsync(gatewayUri, localAddresses[index % localAddresses.Length], ct);

    internal void SawHello(int intervalMs) => HeartbeatIntervalMs = intervalMs;

    private void Register(LeanConnection c)
    {
        lock (pumped)
        {
            pumped.Add(c);
        }
    }

    private async Task HeartbeatPumpAsync()
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(500, stop.Token);
                LeanConnection[] all;
                lock (pumped)
                {
                    all = [.. pumped];
                }

                var now = Environment.TickCount64;
                var every = HeartbeatIntervalMs / 2;
                foreach (var c in all)
                {
                    if (now - c.LastHeartbeatSent >= every && !c.IsDropped)
                    {
                        c.LastHeartbeatSent = now;
                        _ = c.SendHeartbeatAsync();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await pump;
        LeanConnection[] all;
        lock (pumped)
        {
            all = [.. pumped];
        }

        foreach (var c in all)
        {
            c.Abort();
        }

        stop.Dispose();
    }
}

/// <summary>What a MESSAGE_CREATE delivery tells a scenario: which connection, which nonce, when it arrived.</summary>
public delegate void MessageSeen(LeanConnection connection, long nonce, long receivedTimestamp);

/// <summary>One logical gateway session; survives drop + RESUME onto a new socket.</summary>
public sealed class LeanConnection
{
    private readonly LeanGateway owner;
    private readonly Lock gate = new();
    private BenchSocket? ws;
    private Task receiving = Task.CompletedTask;
    private int generation;
    private long lastSeq;
    private TaskCompletionSource<int> hello = NewTcs<int>();
    private TaskCompletionSource<bool> resumed = NewTcs<bool>();

    internal LeanConnection(int index, LeanGateway owner)
    {
        Index = index;
        this.owner = owner;
    }

    public int Index { get; }
    public string? SessionId { get; private set; }
    public long LastSeq => Interlocked.Read(ref lastSeq);
    public long LastHeartbeatSent { get; set; } = Environment.TickCount64;
    public bool IsDropped { get; private set; }

    /// <summary>READY arrived (after IDENTIFY).</summary>
    public TaskCompletionSource<bool> ReadySource { get; } = NewTcs<bool>();

    public Task Ready => ReadySource.Task;

    public MessageSeen? OnMessage { get; set; }

    public int Reconnects;
    public int UnexpectedCloses;
    public int Dispatches;
    public int Resumes;

    /// <summary>Close code of the last socket the server closed on us, if any.</summary>
    public int? LastCloseCode { get; private set; }

    private static TaskCompletionSource<T> NewTcs<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal async Task OpenAsync(TimeSpan timeout, CancellationToken ct)
    {
        var socket = await owner.OpenSocketAsync(Index, ct);
        int gen;
        lock (gate)
        {
            gen = ++generation;
            ws = socket;
            hello = NewTcs<int>();
            resumed = NewTcs<bool>();
            IsDropped = false;
        }

        receiving = Task.Run(() => ReceiveLoopAsync(socket, gen), CancellationToken.None);
        owner.SawHello(await hello.Task.WaitAsync(timeout, ct));
    }

    /// <summary>Drops the TCP connection without a close handshake, remembering the last sequence processed.</summary>
    public long Drop()
    {
        BenchSocket? socket;
        long seq;
        lock (gate)
        {
            generation++;
            IsDropped = true;
            socket = ws;
            seq = lastSeq;
        }

        socket?.Abort();
        return seq;
    }

    /// <summary>A new socket, RESUME with the last sequence processed, wait for RESUMED (false on op 7).</summary>
    public async Task<bool> ResumeAsync(string token, TimeSpan timeout, CancellationToken ct)
    {
        await OpenAsync(timeout, ct);
        var seq = LastSeq;
        var frame = $$$"""{"op":3,"d":{"session_id":"{{{SessionId}}}","token":"{{{token}}}","seq":{{{seq}}}}}""";
        await SendAsync(Encoding.UTF8.GetBytes(frame));
        var ok = await resumed.Task.WaitAsync(timeout, ct);
        if (ok)
        {
            Interlocked.Increment(ref Resumes);
        }

        return ok;
    }

    internal Task SendAsync(ReadOnlyMemory<byte> frame) => ws is { } socket ? socket.SendTextAsync(frame) : Task.CompletedTask;

    internal async Task SendHeartbeatAsync()
    {
        try
        {
            var buffer = new byte[48];
            "{\"op\":1,\"d\":"u8.CopyTo(buffer);
            var n = 12;
            Utf8Formatter.TryFormat(LastSeq, buffer.AsSpan(n), out var written);
            n += written;
            buffer[n++] = (byte)'}';
            await SendAsync(buffer.AsMemory(0, n));
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
        }
    }

    public void Abort()
    {
        lock (gate)
        {
            generation++;
            IsDropped = true;
        }

        ws?.Abort();
    }

    public async Task CloseAsync()
    {
        BenchSocket? socket;
        lock (gate)
        {
            // A new generation: the server's close reply is ours, not an unexpected close.
            socket = IsDropped ? null : ws;
            generation++;
            IsDropped = true;
        }

        if (socket is not null)
        {
            try
            {
                await socket.SendCloseAsync(1000, "bye");
                await receiving.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or TimeoutException)
            {
            }
        }

        Abort();
    }

    private async Task ReceiveLoopAsync(BenchSocket socket, int gen)
    {
        try
        {
            await socket.ReceiveAsync((message, at) => Handle(message, gen, at));
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
        }

        Closed(socket, gen);
    }

    private void Closed(BenchSocket socket, int gen)
    {
        lock (gate)
        {
            if (gen != generation)
            {
                return; // we dropped it on purpose
            }

            LastCloseCode = socket.CloseStatus;
            UnexpectedCloses++;
            IsDropped = true;
        }

        socket.Abort();
        hello.TrySetException(new IOException($"closed before HELLO ({LastCloseCode})"));
        ReadySource.TrySetException(new IOException($"closed before READY ({LastCloseCode} {socket.CloseDescription})"));
        resumed.TrySetResult(false);
    }

    private void Handle(ReadOnlySpan<byte> json, int gen, long receivedAt)
    {
        lock (gate)
        {
            if (gen != generation)
            {
                return;
            }

            var f = Frame.Parse(json);
            switch (f.Op)
            {
                case 0:
                    Dispatches++;
                    if (f.S > 0)
                    {
                        Interlocked.Exchange(ref lastSeq, f.S);
                    }

                    switch (f.Kind)
                    {
                        case EventKind.MessageCreate when f.Nonce >= 0:
                            OnMessage?.Invoke(this, f.Nonce, receivedAt);
                            break;
                        case EventKind.Ready:
                            SessionId = f.SessionId;
                            ReadySource.TrySetResult(true);
                            break;
                        case EventKind.Resumed:
                            resumed.TrySetResult(true);
                            break;
                        default:
                            break;
                    }

                    break;
                case 8:
                    hello.TrySetResult(f.HeartbeatInterval);
                    break;
                case 7:
                    Reconnects++;
                    resumed.TrySetResult(false);
                    break;
                default:
                    break;
            }
        }
    }
}

public enum EventKind
{
    Other,
    Ready,
    Resumed,
    MessageCreate,
}

/// <summary>The few fields of a frame the bench reads: op, s, t, and d.nonce / d.session_id / d.heartbeat_interval.</summary>
public ref struct Frame
{
    public int Op;
    public long S;
    public EventKind Kind;
    public long Nonce;
    public string? SessionId;
    public int HeartbeatInterval;

    public static Frame Parse(ReadOnlySpan<byte> json)
    {
        var f = new Frame { Op = -1, Nonce = -1 };
        var r = new Utf8JsonReader(json);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
        {
            return f;
        }

        while (r.Read())
        {
            if (r.TokenType != JsonTokenType.PropertyName || r.CurrentDepth != 1)
            {
                continue;
            }

            if (r.ValueTextEquals("op"u8))
            {
                r.Read();
                f.Op = r.GetInt32();
            }
            else if (r.ValueTextEquals("s"u8))
            {
                r.Read();
                if (r.TokenType == JsonTokenType.Number)
                {
                    f.S = r.GetInt64();
                }
            }
            else if (r.ValueTextEquals("t"u8))
            {
                r.Read();
                f.Kind = r.TokenType != JsonTokenType.String ? EventKind.Other
                    : r.ValueTextEquals("MESSAGE_CREATE"u8) ? EventKind.MessageCreate
                    : r.ValueTextEquals("READY"u8) ? EventKind.Ready
                    : r.ValueTextEquals("RESUMED"u8) ? EventKind.Resumed
                    : EventKind.Other;
            }
            else if (r.ValueTextEquals("d"u8))
            {
                r.Read();
                if (r.TokenType == JsonTokenType.StartObject)
                {
                    ParseData(ref r, ref f);
                }
                else if (r.TokenType == JsonTokenType.StartArray)
                {
                    r.Skip();
                }
            }
            else
            {
                r.Read();
                if (r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    r.Skip();
                }
            }
        }

        return f;
    }

    private static void ParseData(ref Utf8JsonReader r, ref Frame f)
    {
        while (r.Read() && !(r.TokenType == JsonTokenType.EndObject && r.CurrentDepth == 1))
        {
            if (r.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (r.ValueTextEquals("nonce"u8))
            {
                r.Read();
                if (r.TokenType == JsonTokenType.String && !r.ValueIsEscaped && Utf8Parser.TryParse(r.ValueSpan, out long n, out var used) && used == r.ValueSpan.Length)
                {
                    f.Nonce = n;
                }
            }
            else if (r.ValueTextEquals("session_id"u8))
            {
                r.Read();
                f.SessionId = r.GetString();
            }
            else if (r.ValueTextEquals("heartbeat_interval"u8))
            {
                r.Read();
                f.HeartbeatInterval = r.GetInt32();
            }
            else
            {
                r.Read();
                if (r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    r.Skip();
                }
            }
        }
    }
}
