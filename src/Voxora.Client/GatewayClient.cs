using System.Net.WebSockets;
using System.Text.Json;
using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>
/// A gateway connection as a client sees it: HELLO, IDENTIFY or RESUME, automatic heartbeats, and every
/// received frame in order. Used by the tests and the bench tool; the web client has its own in TypeScript.
/// </summary>
public sealed class GatewayClient : IAsyncDisposable
{
    private readonly ClientWebSocket socket = new();
    private readonly System.Threading.Channels.Channel<GatewayFrame> frames = System.Threading.Channels.Channel.CreateUnbounded<GatewayFrame>(new System.Threading.Channels.UnboundedChannelOptions { SingleWriter = true });
    private readonly CancellationTokenSource stop = new();
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly TaskCompletionSource<(WebSocketCloseStatus? Status, string? Description)> closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? receiveLoop;
    private Task? heartbeatLoop;
    private long lastSeq;

    /// <summary>Send heartbeats automatically at the interval HELLO announced (on by default).</summary>
    public bool AutoHeartbeat { get; init; } = true;

    public int HeartbeatIntervalMs { get; private set; }

    /// <summary>
    /// Hand PRESENCE_UPDATE dispatches to the caller (off by default: they arrive whenever anyone sharing a community
    /// connects or changes status, which most callers do not watch). Skipped ones still count in <see cref="LastSeq"/>.
    /// </summary>
    public bool ReceivePresence { get; init; }

    /// <summary>The highest dispatch sequence number received so far (what RESUME sends).</summary>
    public long LastSeq => Interlocked.Read(ref lastSeq);

    public string? SessionId { get; private set; }

    /// <summary>Completes when the server closes the connection, with its close code.</summary>
    public Task<(WebSocketCloseStatus? Status, string? Description)> Closed => closed.Task;

    public WebSocketState State => socket.State;

    /// <summary>Connects to <c>/gateway?v=1&amp;encoding=json</c> and waits for HELLO.</summary>
    public static async Task<GatewayClient> ConnectAsync(Uri serverBase, bool autoHeartbeat = true, CancellationToken ct = default, bool receivePresence = false)
    {
        var client = new GatewayClient { AutoHeartbeat = autoHeartbeat, ReceivePresence = receivePresence };
        var builder = new UriBuilder(new Uri(serverBase, "gateway?v=1&encoding=json"));
        builder.Scheme = builder.Scheme == "https" ? "wss" : "ws";
        await client.socket.ConnectAsync(builder.Uri, ct);
        client.receiveLoop = Task.Run(client.ReceiveLoopAsync, CancellationToken.None);
        var hello = await client.ReceiveAsync(TimeSpan.FromSeconds(10));
        if (hello.Op != GatewayOp.Hello || hello.D is null)
        {
            throw new InvalidOperationException($"Expected HELLO, got op {hello.Op}.");
        }

        client.HeartbeatIntervalMs = hello.D.Value.Deserialize(VoxoraJsonContext.Default.HelloPayload)!.HeartbeatInterval;
        if (client.AutoHeartbeat)
        {
            client.heartbeatLoop = Task.Run(client.HeartbeatLoopAsync, CancellationToken.None);
        }

        return client;
    }

    /// <summary>Sends IDENTIFY (with an initial presence status when given) and returns READY.</summary>
    public async Task<ReadyPayload> IdentifyAsync(string token, TimeSpan? timeout = null, string? presence = null)
    {
        var initial = presence is null ? null : new PresenceUpdateRequest(presence);
        await SendAsync(GatewayOp.Identify, new IdentifyPayload(token, initial), VoxoraJsonContext.Default.IdentifyPayload);
        var ready = await WaitForDispatchAsync(GatewayEvents.Ready, timeout);
        var payload = ready.D!.Value.Deserialize(VoxoraJsonContext.Default.ReadyPayload)!;
        SessionId = payload.SessionId;
        return payload;
    }

    /// <summary>Sends op 9 PRESENCE_UPDATE with the chosen status (online, idle, dnd, invisible).</summary>
    public Task SetPresenceAsync(string status) =>
        SendAsync(GatewayOp.PresenceUpdate, new PresenceUpdateRequest(status, []), VoxoraJsonContext.Default.PresenceUpdateRequest);

    /// <summary>Sends RESUME; the caller reads the replayed dispatches and RESUMED (or op 7) itself.</summary>
    public Task ResumeAsync(string sessionId, string token, long seq)
    {
        SessionId = sessionId;
        Interlocked.Exchange(ref lastSeq, seq);
        return SendAsync(GatewayOp.Resume, new ResumePayload(sessionId, token, seq), VoxoraJsonContext.Default.ResumePayload);
    }

    public Task HeartbeatAsync() =>
        SendRawAsync(JsonSerializer.SerializeToUtf8Bytes(new GatewayFrame(GatewayOp.Heartbeat, JsonSerializer.SerializeToElement(LastSeq, VoxoraJsonContext.Default.Int64)), VoxoraJsonContext.Default.GatewayFrame));

    public Task SendAsync<T>(int op, T payload, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        SendRawAsync(JsonSerializer.SerializeToUtf8Bytes(new GatewayFrame(op, JsonSerializer.SerializeToElement(payload, type)), VoxoraJsonContext.Default.GatewayFrame));

    /// <summary>Sends bytes as one text message, exactly as given (for tests of malformed input).</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> message, WebSocketMessageType type = WebSocketMessageType.Text)
    {
        await sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(message, type, endOfMessage: true, stop.Token);
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>The next frame of any kind.</summary>
    public async Task<GatewayFrame> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await frames.Reader.ReadAsync(cts.Token);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            var (status, description) = await Closed;
            throw new WebSocketException($"Connection closed ({(int?)status} {description}) before the expected frame.");
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException("No gateway frame arrived in time.");
        }
    }

    /// <summary>Skips frames until a dispatch of this type arrives.</summary>
    public async Task<GatewayFrame> WaitForDispatchAsync(string type, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var remaining = deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No {type} dispatch arrived in time.");
            }

            var frame = await ReceiveAsync(remaining);
            if (frame.Op == GatewayOp.Dispatch && frame.T == type)
            {
                return frame;
            }
        }
    }

    /// <summary>True if no frame at all arrives within <paramref name="quiet"/> (heartbeat ACKs aside).</summary>
    public async Task<GatewayFrame?> TryReceiveDispatchAsync(TimeSpan quiet)
    {
        var deadline = DateTimeOffset.UtcNow + quiet;
        while (true)
        {
            var remaining = deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            try
            {
                var frame = await ReceiveAsync(remaining);
                if (frame.Op != GatewayOp.HeartbeatAck)
                {
                    return frame;
                }
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
    }

    /// <summary>Drops the TCP connection without a close handshake, as a lost network would.</summary>
    public void Drop()
    {
        stop.Cancel();
        socket.Abort();
    }

    public async Task CloseAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                socket.Abort();
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer, stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    closed.TrySetResult((result.CloseStatus, result.CloseStatusDescription));
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var frame = JsonSerializer.Deserialize(message.GetBuffer().AsSpan(0, (int)message.Length), VoxoraJsonContext.Default.GatewayFrame)!;
                message.SetLength(0);
                if (frame.S is { } seq)
                {
                    Interlocked.Exchange(ref lastSeq, seq);
                }

                if (!ReceivePresence && frame.T == GatewayEvents.PresenceUpdate)
                {
                    continue;
                }

                frames.Writer.TryWrite(frame);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            closed.TrySetResult((socket.CloseStatus, socket.CloseStatusDescription ?? ex.Message));
        }
        finally
        {
            closed.TrySetResult((socket.CloseStatus, socket.CloseStatusDescription));
            frames.Writer.TryComplete();
            if (socket.State == WebSocketState.CloseReceived)
            {
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // Already gone.
                }
            }
        }
    }

    private async Task HeartbeatLoopAsync()
    {
        try
        {
            while (!stop.IsCancellationRequested && socket.State == WebSocketState.Open)
            {
                await Task.Delay(HeartbeatIntervalMs / 2, stop.Token);
                await HeartbeatAsync();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Connection ended.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        await stop.CancelAsync();
        socket.Abort();
        if (receiveLoop is not null) await receiveLoop;
        if (heartbeatLoop is not null) await heartbeatLoop;
        socket.Dispose();
        stop.Dispose();
        sendLock.Dispose();
    }
}
