using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Gateway;

/// <summary>
/// The gateway protocol for one connection at a time: HELLO, then IDENTIFY or RESUME, heartbeats,
/// and the inbound limits (frame size, event rate, decode errors), each closing with a documented code.
/// Every other op goes to the feature that registered it (<see cref="GatewayOpRegistry"/>).
/// </summary>
public sealed class GatewayServer(
    GatewayHub hub,
    GatewayOptions options,
    GatewayAdmission admission,
    IServiceScopeFactory scopes,
    IOptionsMonitor<JwtBearerOptions> bearer,
    SessionValidator sessionValidator,
    CachingTokenHandler tokenHandler,
    Features.Permissions.PermissionCache permissions,
    Features.Voice.VoiceService voice,
    Features.Presence.PresenceService presence,
    GatewayOpRegistry ops,
    GatewayHandover handover,
    TimeProvider clock,
    ILogger<GatewayServer> logger)
{
    private static readonly byte[] DrainingFrame = Frame(GatewayOp.Reconnect, new ReconnectPayload(ReconnectReasons.Draining), VoxoraJsonContext.Default.ReconnectPayload);

    private readonly ConcurrentDictionary<GatewayConnection, byte> live = new();
    private volatile bool draining;

    public int ConnectionCount => live.Count;

    /// <summary>
    /// The node is stopping: every connection, now and from here on, gets op 7 RECONNECT <c>draining</c> after
    /// what is already queued for it, then close <see cref="GatewayCloseCodes.ServerDraining"/>. Its session stays
    /// resumable, so the client RESUMEs (through the load balancer, on another node) without losing an event.
    /// </summary>
    public void Drain()
    {
        draining = true;
        // The flag is set before the look at the connections; RunAsync registers before its look at the flag.
        Interlocked.MemoryBarrier();
        foreach (var connection in live.Keys)
        {
            AskToReconnect(connection);
        }
    }

    private static void AskToReconnect(GatewayConnection connection)
    {
        connection.TryQueueRaw(DrainingFrame);
        connection.Close(GatewayCloseCodes.ServerDraining, "server draining; reconnect and resume");
    }

    public IEnumerable<GatewayConnection> Connections => live.Keys;

    /// <summary>Serves one upgraded socket from <paramref name="address"/> (already admitted by <see cref="GatewayAdmission.TryOpen"/>).</summary>
    public async Task RunAsync(WebSocket socket, string address, CancellationToken stopping)
    {
        var connection = new GatewayConnection(socket, options.OutboundQueue) { Address = address };
        connection.TryQueueRaw(Frame(GatewayOp.Hello, new HelloPayload(options.HeartbeatIntervalMs), VoxoraJsonContext.Default.HelloPayload));
        live[connection] = 0;
        Interlocked.MemoryBarrier();
        if (draining)
        {
            AskToReconnect(connection);
        }

        var writer = connection.RunWriterAsync(stopping);
        using var readerStop = CancellationTokenSource.CreateLinkedTokenSource(stopping);

        // Once the writer has sent its close frame, give the client a moment to answer it, then stop reading.
        _ = writer.ContinueWith(_ => SafeCancelAfter(readerStop, TimeSpan.FromSeconds(2)), TaskScheduler.Default);

        GatewaySession? session = null;
        var leftVoice = Task.CompletedTask;
        try
        {
            var bucket = new TokenBucket(options.InboundPer10Seconds, TimeSpan.FromSeconds(10), Environment.TickCount64);
            // Rented per message (ReceiveMessageAsync) and returned once it is decoded: an idle connection holds none.
            var buffer = Array.Empty<byte>();
            try
            {
                while (connection.CloseCode is null)
                {
                    var (length, outcome) = await ReceiveMessageAsync(socket, buffer, readerStop.Token);
                    buffer = outcome.Buffer;
                    if (outcome.Closed)
                    {
                        break;
                    }

                    if (outcome.TooLarge)
                    {
                        connection.Abort(GatewayCloseCodes.MessageTooLarge, "message larger than 64 KiB");
                        break;
                    }

                    if (!bucket.TryTake(Environment.TickCount64))
                    {
                        connection.Abort(GatewayCloseCodes.RateLimited, "too many events");
                        break;
                    }

                    GatewayFrame? frame;
                    try
                    {
                        frame = outcome.Binary ? null : JsonSerializer.Deserialize(buffer.AsSpan(0, length), VoxoraJsonContext.Default.GatewayFrame);
                    }
                    catch (JsonException)
                    {
                        frame = null;
                    }

                    ReturnBuffer(ref buffer);

                    if (frame is null)
                    {
                        connection.Abort(GatewayCloseCodes.DecodeError, "frames must be JSON objects {op, d}");
                        break;
                    }

                    session = await HandleAsync(connection, session, frame, readerStop.Token);
                }
            }
            finally
            {
                ReturnBuffer(ref buffer);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // Client vanished, heartbeat timeout, or shutdown.
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Gateway connection failed");
            connection.Abort(GatewayCloseCodes.UnknownError, "internal error");
        }
        finally
        {
            live.TryRemove(connection, out _);
            if (connection.AdmittedUserId is { } admittedUserId)
            {
                admission.UserConnectionClosed(admittedUserId);
            }

            session?.Detach(connection, clock.GetUtcNow());
            if (session is not null)
            {
                // Identify-and-drop must not pile up resumable sessions: keep only the newest few per user.
                hub.EvictResumableSessions(session.UserId, options.MaxResumableSessionsPerUser);
                // A voice state lives only as long as the connection that opened it (its media would not survive a resume).
                leftVoice = voice.SessionEndedAsync(session);
            }

            connection.Close((int)WebSocketCloseStatus.NormalClosure, "bye");
            await writer;
            await AwaitClientCloseAsync(socket);

            // The request (which a draining node waits for) ends once the voice leave has been announced. Never throws.
            await leftVoice;
            // Counted off once the socket is done (never throws); the last connection's grace starts here.
            await presence.ClosedAsync(connection);
        }
    }

    /// <summary>
    /// After our close frame, read (and discard) until the client's close arrives, briefly. Closing the
    /// TCP connection with unread input would reset it, and the client could lose the close code.
    /// </summary>
    private static async Task AwaitClientCloseAsync(WebSocket socket)
    {
        if (socket.State != WebSocketState.CloseSent)
        {
            return;
        }

        var scratch = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            while (socket.State == WebSocketState.CloseSent)
            {
                var result = await socket.ReceiveAsync(scratch.AsMemory(), timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The client went away without answering; nothing more to do.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static void SafeCancelAfter(CancellationTokenSource source, TimeSpan delay)
    {
        try
        {
            source.CancelAfter(delay);
        }
        catch (ObjectDisposedException)
        {
            // The connection already finished.
        }
    }

    private async Task<GatewaySession?> HandleAsync(GatewayConnection connection, GatewaySession? session, GatewayFrame frame, CancellationToken ct)
    {
        switch (frame.Op)
        {
            case GatewayOp.Heartbeat:
                connection.LastHeartbeatTicks = Environment.TickCount64;
                connection.TryQueueRaw(Frame(GatewayOp.HeartbeatAck));
                return session;

            case GatewayOp.Identify or GatewayOp.Resume when session is null && !await admission.TryIdentifyFromAddressAsync(connection.Address, Environment.TickCount64):
                connection.Abort(GatewayCloseCodes.IdentifyRateLimited, "too many identify attempts from this address; wait a minute");
                return null;

            case GatewayOp.Identify when session is null:
                var identify = GatewayOpRegistry.Decode(frame, VoxoraJsonContext.Default.IdentifyPayload);
                if (identify is null)
                {
                    connection.Abort(GatewayCloseCodes.DecodeError, "IDENTIFY needs d: {token}");
                    return null;
                }

                if (identify.Presence is not null && Features.Presence.PresenceRules.Requested(identify.Presence) is null)
                {
                    connection.Abort(GatewayCloseCodes.DecodeError, "IDENTIFY's presence needs a status of online, idle, dnd or invisible and no activities");
                    return null;
                }

                return await IdentifyAsync(connection, identify.Token, identify.Presence?.Status, ct);

            case GatewayOp.Resume when session is null:
                var resume = GatewayOpRegistry.Decode(frame, VoxoraJsonContext.Default.ResumePayload);
                if (resume is null)
                {
                    connection.Abort(GatewayCloseCodes.DecodeError, "RESUME needs d: {session_id, token, seq}");
                    return null;
                }

                var resumed = await ResumeAsync(connection, resume, ct);
                if (resumed is not null)
                {
                    await presence.ConnectedAsync(connection, resumed.UserId, null);
                }

                return resumed;

            case GatewayOp.Identify or GatewayOp.Resume:
                connection.Abort(GatewayCloseCodes.AlreadyAuthenticated, "already identified");
                return session;

            default:
                // Every other op belongs to a feature (or to no one): the registry routes or refuses it.
                await ops.DispatchAsync(new GatewayOpContext(connection, session), frame, ct);
                return session;
        }
    }

    private async Task<GatewaySession?> IdentifyAsync(GatewayConnection connection, string? token, string? presenceStatus, CancellationToken ct)
    {
        var principal = await ValidateTokenAsync(token, ct);
        if (principal is null)
        {
            connection.Abort(GatewayCloseCodes.AuthenticationFailed, "invalid or expired token");
            return null;
        }

        if (!await admission.TryIdentifyAsUserAsync(principal.Value.UserId, Environment.TickCount64))
        {
            connection.Abort(GatewayCloseCodes.IdentifyRateLimited, "too many identify attempts; wait a minute");
            return null;
        }

        if (!await AdmitUserAsync(connection, principal.Value.UserId, replacesOpenConnection: false))
        {
            return null;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == principal.Value.UserId, ct);
        if (user is null)
        {
            connection.Abort(GatewayCloseCodes.AuthenticationFailed, "unknown user");
            return null;
        }

        var session = new GatewaySession(Ids.New(Ids.GatewaySession), user.Id, principal.Value.SessionId, options.ReplayBufferSize);
        await hub.RegisterAsync(session, innerCt => ReadyState.CommunityIdsAsync(db, user.Id, innerCt), ct);
        var communities = await ReadyState.CommunitiesAsync(db, permissions, user.Id, hub.CommunitiesOf(user.Id), ct);
        var ownStatus = await presence.ConnectedAsync(connection, user.Id, presenceStatus);
        var (presences, lazyPresences) = await presence.ReadyPresencesAsync(db, user.Id, ownStatus, communities.Select(c => c.Id).ToList(), ct);
        var privateChannels = await scope.ServiceProvider.GetRequiredService<Features.DirectMessages.DirectChannelStore>().ListAsync(user.Id, ct);
        var ready = new ReadyPayload(session.Id, user.ToSelf(), communities, voice.VisibleStates(user.Id, communities.Select(c => c.Id)), presences,
            privateChannels, lazyPresences.Count > 0 ? lazyPresences : null);
        session.MarkReady(new OutboundEvent(GatewayEvents.Ready, JsonSerializer.SerializeToUtf8Bytes(ready, VoxoraJsonContext.Default.ReadyPayload)), connection);
        connection.Identified = true;
        return session;
    }

    private async Task<GatewaySession?> ResumeAsync(GatewayConnection connection, ResumePayload resume, CancellationToken ct)
    {
        var principal = await ValidateTokenAsync(resume.Token, ct);
        if (principal is null)
        {
            connection.Abort(GatewayCloseCodes.AuthenticationFailed, "invalid or expired token");
            return null;
        }

        if (!await admission.TryIdentifyAsUserAsync(principal.Value.UserId, Environment.TickCount64))
        {
            connection.Abort(GatewayCloseCodes.IdentifyRateLimited, "too many identify attempts; wait a minute");
            return null;
        }

        var session = resume.SessionId is null ? null : hub.FindSession(resume.SessionId);
        if (session is null && resume.SessionId is not null && handover.Enabled)
        {
            return await ResumeFromAnotherNodeAsync(connection, resume.SessionId, resume.Seq ?? -1, principal.Value, ct);
        }

        if (session is null || session.UserId != principal.Value.UserId || session.Invalidated)
        {
            // Unknown, expired, or someone else's: say nothing more than "start over".
            connection.TryQueueRaw(Frame(GatewayOp.Reconnect, new ReconnectPayload(ReconnectReasons.SessionExpired), VoxoraJsonContext.Default.ReconnectPayload));
            return null;
        }

        if (!await AdmitUserAsync(connection, session.UserId, replacesOpenConnection: session.IsAttached))
        {
            return null;
        }

        if (!session.TryResume(connection, resume.Seq ?? -1, Frame(GatewayOp.Dispatch, type: GatewayEvents.Resumed), out var previous))
        {
            // The connection stays open but unidentified: it no longer counts toward the user's connections.
            connection.AdmittedUserId = null;
            admission.UserConnectionClosed(session.UserId);
            connection.TryQueueRaw(Frame(GatewayOp.Reconnect, new ReconnectPayload(ReconnectReasons.SeqOutOfRange), VoxoraJsonContext.Default.ReconnectPayload));
            return null;
        }

        previous?.Abort(GatewayCloseCodes.SessionTimedOut, "resumed elsewhere");
        connection.Identified = true;
        return session;
    }

    /// <summary>
    /// A RESUME of a session this node does not hold: in a cluster it may live on another node, which hands it over
    /// (<see cref="GatewayHandover"/>). The incoming session is registered first, so it buffers the user's events from
    /// before the handover point on; if the handover fails it is forgotten and the client told to start over.
    /// </summary>
    private async Task<GatewaySession?> ResumeFromAnotherNodeAsync(GatewayConnection connection, string sessionId, long afterSeq, (string UserId, string SessionId) principal, CancellationToken ct)
    {
        if (sessionId.Length > 64 || !await AdmitUserAsync(connection, principal.UserId, replacesOpenConnection: false))
        {
            if (connection.CloseCode is null)
            {
                connection.TryQueueRaw(Frame(GatewayOp.Reconnect, new ReconnectPayload("session_expired"), VoxoraJsonContext.Default.ReconnectPayload));
            }

            return null;
        }

        var incoming = new GatewaySession(sessionId, principal.UserId, principal.SessionId, options.ReplayBufferSize);
        var reply = new HandoverReply(HandoverStatus.SessionExpired, null, []);
        var registered = false;
        try
        {
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
                registered = await hub.RegisterAsync(incoming, innerCt => ReadyState.CommunityIdsAsync(db, principal.UserId, innerCt), ct);
            }

            if (registered)
            {
                reply = await handover.RequestAsync(incoming, afterSeq, ct);
            }

            if (reply.Status == HandoverStatus.Resumed
                && incoming.TryAdopt(reply.LoginSessionId!, afterSeq, reply.Missed, connection, Frame(GatewayOp.Dispatch, type: GatewayEvents.Resumed)))
            {
                connection.Identified = true;
                return incoming;
            }
        }
        finally
        {
            if (registered && !connection.Identified)
            {
                incoming.Invalidate(GatewayCloseCodes.SessionTimedOut, "handover failed");
                hub.Unregister(incoming);
            }
        }

        // The connection stays open but unidentified: it no longer counts toward the user's connections.
        connection.AdmittedUserId = null;
        admission.UserConnectionClosed(principal.UserId);
        var reason = reply.Status == HandoverStatus.SeqOutOfRange ? "seq_out_of_range" : "session_expired";
        connection.TryQueueRaw(Frame(GatewayOp.Reconnect, new ReconnectPayload(reason), VoxoraJsonContext.Default.ReconnectPayload));
        return null;
    }

    /// <summary>
    /// Counts an identified connection of the user (released when the connection ends), or closes it
    /// with <see cref="GatewayCloseCodes.TooManyConnections"/> when the user already holds the maximum.
    /// </summary>
    private async ValueTask<bool> AdmitUserAsync(GatewayConnection connection, string userId, bool replacesOpenConnection)
    {
        if (!await admission.TryAdmitUserAsync(userId, replacesOpenConnection))
        {
            logger.LogInformation("Refusing a gateway connection of {UserId}: it already holds {Max} connections", userId, options.MaxConnectionsPerUser);
            connection.Abort(GatewayCloseCodes.TooManyConnections, $"at most {options.MaxConnectionsPerUser} connections per user");
            return false;
        }

        connection.AdmittedUserId = userId;
        return true;
    }

    private async Task<(string UserId, string SessionId)?> ValidateTokenAsync(string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096)
        {
            return null;
        }

        var parameters = bearer.Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters;
        var result = await tokenHandler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid
            || !result.Claims.TryGetValue(JwtRegisteredClaimNames.Sub, out var sub) || sub is not string userId
            || !result.Claims.TryGetValue(AccessTokens.SessionClaim, out var sid) || sid is not string sessionId
            || !await sessionValidator.IsActiveAsync(sessionId, ct))
        {
            return null;
        }

        return (userId, sessionId);
    }

    internal static byte[] Frame(int op) => JsonSerializer.SerializeToUtf8Bytes(new GatewayFrame(op), VoxoraJsonContext.Default.GatewayFrame);

    internal static byte[] Frame(int op, string type) =>
        JsonSerializer.SerializeToUtf8Bytes(new GatewayFrame(op, T: type), VoxoraJsonContext.Default.GatewayFrame);

    internal static byte[] Frame<T>(int op, T payload, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.SerializeToUtf8Bytes(new GatewayFrame(op, JsonSerializer.SerializeToElement(payload, type)), VoxoraJsonContext.Default.GatewayFrame);

    private readonly record struct ReceiveOutcome(byte[] Buffer, bool Closed, bool TooLarge, bool Binary);

    private static void ReturnBuffer(ref byte[] buffer)
    {
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
        }
    }

    /// <summary>
    /// Reads one whole message, growing the pooled buffer up to the 64 KiB cap. Waits for it with a
    /// zero-byte read first and rents the buffer (when <paramref name="buffer"/> is empty) only then.
    /// </summary>
    private static async Task<(int Length, ReceiveOutcome Outcome)> ReceiveMessageAsync(WebSocket socket, byte[] buffer, CancellationToken ct)
    {
        if (buffer.Length == 0)
        {
            var peek = await socket.ReceiveAsync(Memory<byte>.Empty, ct);
            if (peek.MessageType == WebSocketMessageType.Close)
            {
                return (0, new ReceiveOutcome(buffer, true, false, false));
            }

            if (peek.EndOfMessage)
            {
                return (0, new ReceiveOutcome(buffer, false, false, peek.MessageType == WebSocketMessageType.Binary));
            }

            buffer = ArrayPool<byte>.Shared.Rent(4096);
        }

        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= GatewayOptions.MaxMessageBytes)
                {
                    return (length, new ReceiveOutcome(buffer, false, true, false));
                }

                var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, GatewayOptions.MaxMessageBytes));
                buffer.AsSpan(0, length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }

            var room = Math.Min(buffer.Length, GatewayOptions.MaxMessageBytes) - length;
            var result = await socket.ReceiveAsync(buffer.AsMemory(length, room), ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (0, new ReceiveOutcome(buffer, true, false, false));
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return (length, new ReceiveOutcome(buffer, false, false, result.MessageType == WebSocketMessageType.Binary));
            }

            if (length >= GatewayOptions.MaxMessageBytes)
            {
                return (length, new ReceiveOutcome(buffer, false, true, false));
            }
        }
    }
}
