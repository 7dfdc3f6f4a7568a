using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Voxora.Server.Features.Voice;

/// <summary>A Janus error: a core error (<c>{"janus":"error"}</c>) or a plugin error (<c>error_code</c> in plugindata).</summary>
public sealed class JanusException(int code, string reason, string request)
    : Exception($"Janus refused '{request}': {reason} (code {code.ToString(CultureInfo.InvariantCulture)})")
{
    /// <summary>The Janus error code (e.g. 458 session not found, 426 VideoRoom no such room); 0 when the connection failed.</summary>
    public int Code { get; } = code;
    public string Reason { get; } = reason;
}

/// <summary>An unsolicited message from Janus: a plugin event (talking, publishers, leaving…) or a core event (webrtcup, media, hangup, slowlink, detached, timeout).</summary>
public sealed record JanusEvent(string Kind, long SessionId, long HandleId, JsonObject Message)
{
    public JsonObject? PluginData => Message["plugindata"]?["data"] as JsonObject;
    public JsonObject? Jsep => Message["jsep"] as JsonObject;
}

/// <summary>
/// The Janus JSON API over one WebSocket (subprotocol <c>janus-protocol</c>). Requests are correlated by
/// transaction id and time out; asynchronous plugin requests complete on their <c>event</c>, not their <c>ack</c>.
/// Everything Janus sends without a pending transaction is published to <see cref="EventsAsync"/>.
/// </summary>
public sealed class JanusClient : IAsyncDisposable
{
    public const string SubProtocol = "janus-protocol";
    private const int MaxMessageBytes = 4 * 1024 * 1024;

    private readonly ClientWebSocket socket;
    private readonly TimeProvider clock;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<string, Pending> pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly Lock subscribersLock = new();
    private readonly List<Channel<JanusEvent>> subscribers = [];
    private readonly CancellationTokenSource closing = new();
    private readonly TaskCompletionSource closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task receiveLoop = Task.CompletedTask;

    private JanusClient(Uri url, ClientWebSocket socket, string? apiSecret, TimeSpan requestTimeout, TimeProvider clock, ILogger logger)
    {
        Url = url;
        this.socket = socket;
        ApiSecret = apiSecret;
        RequestTimeout = requestTimeout;
        this.clock = clock;
        this.logger = logger;
    }

    public Uri Url { get; }
    public string? ApiSecret { get; }
    public TimeSpan RequestTimeout { get; }
    public TimeProvider Clock => clock;

    /// <summary>Completes when the connection is gone (Janus stopped, network, or <see cref="DisposeAsync"/>).</summary>
    public Task Closed => closed.Task;

    public static async Task<JanusClient> ConnectAsync(
        Uri url, string? apiSecret, TimeSpan requestTimeout, TimeProvider clock, ILogger logger, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(SubProtocol);
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(requestTimeout);
            await socket.ConnectAsync(url, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var client = new JanusClient(url, socket, apiSecret, requestTimeout, clock, logger);
        client.receiveLoop = Task.Run(client.ReceiveLoopAsync, CancellationToken.None);
        return client;
    }

    /// <summary>The server's <c>info</c> (version, plugins, transports). Cheap; used as the health probe.</summary>
    public Task<JsonObject> InfoAsync(CancellationToken ct = default) =>
        SendAsync(new JsonObject { ["janus"] = "info" }, ct);

    public async Task<JanusSession> CreateSessionAsync(CancellationToken ct = default)
    {
        var response = await SendAsync(new JsonObject { ["janus"] = "create" }, ct);
        var id = response["data"]?["id"]?.GetValue<long>() ?? throw new JanusException(0, "no session id in the answer", "create");
        return new JanusSession(this, id);
    }

    /// <summary>Events from Janus for as long as the caller enumerates (oldest dropped past 4096 unread).</summary>
    public async IAsyncEnumerable<JanusEvent> EventsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var channel = Channel.CreateBounded<JanusEvent>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (subscribersLock)
        {
            if (closed.Task.IsCompleted)
            {
                yield break;
            }

            subscribers.Add(channel);
        }

        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(ct))
            {
                yield return item;
            }
        }
        finally
        {
            lock (subscribersLock)
            {
                subscribers.Remove(channel);
            }
        }
    }

    /// <summary>
    /// Sends a request and waits for its answer. <paramref name="ackIsFinal"/>: requests Janus only acknowledges
    /// (keepalive, trickle). Plugin messages answered with <c>ack</c> wait for the <c>event</c> that carries the result.
    /// </summary>
    public async Task<JsonObject> SendAsync(JsonObject request, CancellationToken ct, bool ackIsFinal = false)
    {
        var kind = request["janus"]?.GetValue<string>() ?? "?";
        var what = request["body"]?["request"]?.GetValue<string>() is { } pluginRequest ? $"{kind}/{pluginRequest}" : kind;
        var transaction = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        request["transaction"] = transaction;
        if (ApiSecret is not null)
        {
            request["apisecret"] = ApiSecret;
        }

        var waiter = new Pending(ackIsFinal, what);
        pending[transaction] = waiter;
        try
        {
            if (closed.Task.IsCompleted)
            {
                throw new JanusException(0, "the connection to Janus is closed", what);
            }

            var bytes = Encoding.UTF8.GetBytes(request.ToJsonString());
            await sendLock.WaitAsync(ct);
            try
            {
                await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
            }
            catch (WebSocketException ex)
            {
                throw new JanusException(0, "the connection to Janus is closed: " + ex.Message, what);
            }
            finally
            {
                sendLock.Release();
            }

            try
            {
                return await waiter.Completion.Task.WaitAsync(RequestTimeout, clock, ct);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Janus did not answer '{what}' within {RequestTimeout.TotalSeconds:0.#} s ({Url}).");
            }
        }
        finally
        {
            pending.TryRemove(transaction, out _);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (!closing.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer, closing.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (message.Length > MaxMessageBytes)
                {
                    logger.LogWarning("Janus sent a message over {Limit} bytes; closing the connection", MaxMessageBytes);
                    break;
                }

                if (!result.EndOfMessage)
                {
                    continue;
                }

                JsonObject? parsed = null;
                try
                {
                    parsed = JsonNode.Parse(message.GetBuffer().AsSpan(0, (int)message.Length)) as JsonObject;
                }
                catch (System.Text.Json.JsonException ex)
                {
                    logger.LogWarning(ex, "Janus sent invalid JSON");
                }

                message.SetLength(0);
                if (parsed is not null)
                {
                    Dispatch(parsed);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (!closing.IsCancellationRequested)
            {
                logger.LogWarning("Connection to Janus at {Url} lost: {Error}", Url, ex.Message);
            }
        }
        finally
        {
            foreach (var waiter in pending.Values)
            {
                waiter.Completion.TrySetException(new JanusException(0, "the connection to Janus closed", waiter.What));
            }

            lock (subscribersLock)
            {
                foreach (var channel in subscribers)
                {
                    channel.Writer.TryComplete();
                }

                closed.TrySetResult();
            }
        }
    }

    private void Dispatch(JsonObject message)
    {
        var kind = message["janus"]?.GetValue<string>() ?? "";
        if (message["transaction"]?.GetValue<string>() is { } transaction && pending.TryGetValue(transaction, out var waiter))
        {
            switch (kind)
            {
                case "ack":
                    if (waiter.AckIsFinal)
                    {
                        waiter.Completion.TrySetResult(message);
                    }

                    return;
                case "error":
                    var error = message["error"];
                    waiter.Completion.TrySetException(new JanusException(
                        error?["code"]?.GetValue<int>() ?? 0, error?["reason"]?.GetValue<string>() ?? "unknown error", waiter.What));
                    return;
                default:
                    if (message["plugindata"]?["data"] is JsonObject data && data["error_code"] is { } code)
                    {
                        waiter.Completion.TrySetException(new JanusException(
                            code.GetValue<int>(), data["error"]?.GetValue<string>() ?? "plugin error", waiter.What));
                    }
                    else
                    {
                        waiter.Completion.TrySetResult(message);
                    }

                    return;
            }
        }

        if (kind is "ack" or "success")
        {
            return; // late answer to a request that already timed out
        }

        var evt = new JanusEvent(kind, message["session_id"]?.GetValue<long>() ?? 0, message["sender"]?.GetValue<long>() ?? 0, message);
        lock (subscribersLock)
        {
            foreach (var channel in subscribers)
            {
                channel.Writer.TryWrite(evt);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await closing.CancelAsync();
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Janus is gone already.
        }

        await receiveLoop;
        socket.Dispose();
        closing.Dispose();
        sendLock.Dispose();
    }

    private sealed class Pending(bool ackIsFinal, string what)
    {
        public bool AckIsFinal { get; } = ackIsFinal;
        public string What { get; } = what;
        public TaskCompletionSource<JsonObject> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A Janus session: a container of plugin handles, kept alive every 25 s (Janus drops it after 60 s of silence).</summary>
public sealed class JanusSession : IAsyncDisposable
{
    public static readonly TimeSpan KeepaliveInterval = TimeSpan.FromSeconds(25);
    private readonly CancellationTokenSource stop = new();
    private readonly Task keepalive;

    internal JanusSession(JanusClient client, long id)
    {
        Client = client;
        Id = id;
        keepalive = Task.Run(KeepaliveLoopAsync, CancellationToken.None);
    }

    public JanusClient Client { get; }
    public long Id { get; }

    public async Task<JanusHandle> AttachAsync(string plugin, CancellationToken ct = default)
    {
        var response = await Client.SendAsync(new JsonObject { ["janus"] = "attach", ["session_id"] = Id, ["plugin"] = plugin }, ct);
        var id = response["data"]?["id"]?.GetValue<long>() ?? throw new JanusException(0, "no handle id in the answer", "attach");
        return new JanusHandle(this, id);
    }

    private async Task KeepaliveLoopAsync()
    {
        using var timer = new PeriodicTimer(KeepaliveInterval, Client.Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                try
                {
                    await Client.SendAsync(new JsonObject { ["janus"] = "keepalive", ["session_id"] = Id }, stop.Token, ackIsFinal: true);
                }
                catch (Exception ex) when (ex is JanusException or TimeoutException)
                {
                    if (Client.Closed.IsCompleted)
                    {
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Session disposed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await keepalive;
        stop.Dispose();
        if (!Client.Closed.IsCompleted)
        {
            try
            {
                await Client.SendAsync(new JsonObject { ["janus"] = "destroy", ["session_id"] = Id }, CancellationToken.None);
            }
            catch (Exception ex) when (ex is JanusException or TimeoutException)
            {
                // Already gone on the Janus side.
            }
        }
    }
}

/// <summary>A handle attached to a plugin inside a session: one per PeerConnection (or one for room management).</summary>
public sealed class JanusHandle(JanusSession session, long id)
{
    public JanusSession Session { get; } = session;
    public long Id { get; } = id;

    /// <summary>Sends a plugin request; returns the <c>plugindata.data</c> object and the JSEP Janus attached, if any.</summary>
    public async Task<(JsonObject Data, JsonObject? Jsep)> MessageAsync(JsonObject body, JsonObject? jsep = null, CancellationToken ct = default)
    {
        var request = new JsonObject { ["janus"] = "message", ["session_id"] = Session.Id, ["handle_id"] = Id, ["body"] = body };
        if (jsep is not null)
        {
            request["jsep"] = jsep;
        }

        var response = await Session.Client.SendAsync(request, ct);
        var data = response["plugindata"]?["data"] as JsonObject ?? [];
        return (data, response["jsep"] as JsonObject);
    }

    /// <summary>Trickles one ICE candidate (<c>{candidate, sdpMid, sdpMLineIndex}</c>), or end-of-candidates when null.</summary>
    public Task TrickleAsync(JsonObject? candidate, CancellationToken ct = default)
    {
        var request = new JsonObject { ["janus"] = "trickle", ["session_id"] = Session.Id, ["handle_id"] = Id };
        request["candidate"] = candidate ?? new JsonObject { ["completed"] = true };
        return Session.Client.SendAsync(request, ct, ackIsFinal: true);
    }

    /// <summary>Closes this handle's PeerConnection but keeps the handle.</summary>
    public Task HangupAsync(CancellationToken ct = default) =>
        Session.Client.SendAsync(new JsonObject { ["janus"] = "hangup", ["session_id"] = Session.Id, ["handle_id"] = Id }, ct);

    public Task DetachAsync(CancellationToken ct = default) =>
        Session.Client.SendAsync(new JsonObject { ["janus"] = "detach", ["session_id"] = Session.Id, ["handle_id"] = Id }, ct);
}
