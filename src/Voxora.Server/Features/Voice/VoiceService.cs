using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Voice;

/// <summary>
/// Voice signaling over the gateway (docs/protocol.md, "Voice"): op 4 joins, moves, changes self mute/deaf or
/// leaves; op 13 carries SDP and candidates between a member's browser and the media plane. One voice
/// connection per user across the server; states are kept in memory on this node and end with the gateway
/// connection that opened them.
/// </summary>
public sealed class VoiceService(
    GatewayHub hub,
    PermissionCache permissions,
    IServiceScopeFactory scopes,
    IVoiceMedia media,
    TurnCredentials turn,
    TimeProvider clock,
    ILogger<VoiceService> logger)
{
    private readonly Lock gate = new();

    private GatewayHub Hub => hub;
    private readonly Dictionary<string, Member> members = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> userLocks = new(StringComparer.Ordinal);

    /// <summary>The voice states of a channel (tests, and READY later).</summary>
    public IReadOnlyList<VoiceState> StatesIn(string channelId)
    {
        lock (gate)
        {
            return members.Values.Where(m => m.ChannelId == channelId).Select(m => m.State()).ToList();
        }
    }

    public int MemberCount
    {
        get
        {
            lock (gate)
            {
                return members.Count;
            }
        }
    }

    /// <summary>Op 4 VOICE_STATE_UPDATE.</summary>
    public async Task HandleStateUpdateAsync(GatewaySession session, GatewayConnection connection, VoiceStateUpdateRequest request, CancellationToken ct)
    {
        var userLock = userLocks.GetOrAdd(session.UserId, _ => new SemaphoreSlim(1, 1));
        await userLock.WaitAsync(ct);
        try
        {
            if (request.ChannelId is null)
            {
                await LeaveAsync(session.UserId, onlyFor: null);
                return;
            }

            Member? current;
            lock (gate)
            {
                current = members.GetValueOrDefault(session.UserId);
                if (current is not null && current.ChannelId == request.ChannelId && ReferenceEquals(current.Session, session))
                {
                    // Same channel: only the self flags change.
                    current.SelfMute = request.SelfMute ?? current.SelfMute;
                    current.SelfDeaf = request.SelfDeaf ?? current.SelfDeaf;
                }
                else
                {
                    current = null;
                }
            }

            if (current is not null)
            {
                PublishState(current.State(), current.CommunityId, current.ChannelId);
                return;
            }

            await JoinAsync(session, connection, request, ct);
        }
        finally
        {
            userLock.Release();
        }
    }

    private async Task JoinAsync(GatewaySession session, GatewayConnection connection, VoiceStateUpdateRequest request, CancellationToken ct)
    {
        var channelId = request.ChannelId!;
        if (!media.Status.Available)
        {
            Error(session, channelId, VoiceErrorCodes.Unavailable, media.Status.Reason ?? "voice is unavailable on this server");
            return;
        }

        PermissionSnapshot? snapshot = null;
        foreach (var communityId in hub.CommunitiesOf(session.UserId))
        {
            var candidate = await permissions.GetAsync(communityId, ct);
            if (candidate is not null && candidate.HasChannel(channelId))
            {
                snapshot = candidate;
                break;
            }
        }

        if (snapshot is null)
        {
            Error(session, channelId, VoiceErrorCodes.UnknownChannel, "unknown channel");
            return;
        }

        int userLimit;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
            userLimit = await db.Channels.AsNoTracking().Where(c => c.Id == channelId).Select(c => c.UserLimit).FirstOrDefaultAsync(ct);
        }

        var member = new Member(session, snapshot.CommunityId, channelId, Ids.New("vs"))
        {
            SelfMute = request.SelfMute ?? false,
            SelfDeaf = request.SelfDeaf ?? false,
        };

        Member? previous;
        VoiceDecision decision;
        lock (gate)
        {
            var others = members.Values.Count(m => m.ChannelId == channelId && m.UserId != session.UserId);
            decision = VoicePolicy.Decide(snapshot, session.UserId, channelId, userLimit, others, clock.GetUtcNow());
            if (!decision.Allowed)
            {
                previous = null;
            }
            else
            {
                // Reserve the slot now so two racing joins cannot both take the last one.
                previous = members.GetValueOrDefault(session.UserId);
                member.ServerMute = decision.ServerMute;
                members[session.UserId] = member;
            }
        }

        if (!decision.Allowed)
        {
            Error(session, channelId, decision.Error!, decision.Message!);
            return;
        }

        if (previous is not null)
        {
            await EndAsync(previous);
        }

        try
        {
            member.Peer = await media.ConnectAsync(channelId, session.UserId, member.ServerMute, new PeerEvents(this, member), ct);
        }
        catch (Exception ex) when (ex is VoiceMediaException or OperationCanceledException)
        {
            lock (gate)
            {
                if (members.GetValueOrDefault(session.UserId) == member)
                {
                    members.Remove(session.UserId);
                }
            }

            logger.LogWarning("Voice join of {User} to {Channel} failed: {Error}", session.UserId, channelId, ex.Message);
            Error(session, channelId, VoiceErrorCodes.MediaFailed, ex is VoiceMediaException ? ex.Message : "cancelled");
            return;
        }

        PublishState(member.State(), member.CommunityId, channelId);
        var ice = turn.For(session.UserId);
        connection.TryQueueRaw(GatewayServer.Frame(GatewayOp.VoiceServer,
            new VoiceServerPayload(channelId, member.VoiceSessionId, ice.IceServers, ice.Ttl), VoxoraJsonContext.Default.VoiceServerPayload));
    }

    /// <summary>Op 13 VOICE_SIGNAL.</summary>
    public async Task HandleSignalAsync(GatewaySession session, VoiceSignal signal, CancellationToken ct)
    {
        Member? member;
        lock (gate)
        {
            member = members.GetValueOrDefault(session.UserId);
        }

        if (member is null || !ReferenceEquals(member.Session, session) || member.VoiceSessionId != signal.VoiceSessionId || member.Peer is not { } peer)
        {
            Error(session, null, VoiceErrorCodes.NotInVoice, "no voice session with that voice_session_id on this gateway session");
            return;
        }

        try
        {
            switch ((signal.Pc, signal.Type))
            {
                case ("send", "offer") when signal.Sdp is { Length: > 0 } offer:
                    var answer = await peer.PublishAsync(offer, ct);
                    Send(member, new VoiceSignal(member.VoiceSessionId, "send", "answer", answer));
                    break;
                case ("recv", "answer") when signal.Sdp is { Length: > 0 } recvAnswer:
                    await peer.AnswerAsync(recvAnswer, ct);
                    break;
                case ("send" or "recv", "candidate"):
                    await peer.TrickleAsync(signal.Pc == "send", signal.Candidate, ct);
                    break;
                default:
                    Error(session, member.ChannelId, VoiceErrorCodes.InvalidSignal,
                        "expected pc \"send\" type \"offer\" with sdp, pc \"recv\" type \"answer\" with sdp, or type \"candidate\"");
                    break;
            }
        }
        catch (Exception ex) when (ex is JanusException or TimeoutException or VoiceMediaException)
        {
            Error(session, member.ChannelId, VoiceErrorCodes.MediaFailed, ex.Message);
        }
    }

    /// <summary>The gateway connection of <paramref name="session"/> ended: its voice state ends with it.</summary>
    public async Task SessionEndedAsync(GatewaySession session)
    {
        try
        {
            var userLock = userLocks.GetOrAdd(session.UserId, _ => new SemaphoreSlim(1, 1));
            await userLock.WaitAsync();
            try
            {
                await LeaveAsync(session.UserId, onlyFor: session);
            }
            finally
            {
                userLock.Release();
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Leaving voice for {User} failed", session.UserId);
        }
    }

    private async Task LeaveAsync(string userId, GatewaySession? onlyFor)
    {
        Member? member;
        lock (gate)
        {
            member = members.GetValueOrDefault(userId);
            if (member is null || (onlyFor is not null && !ReferenceEquals(member.Session, onlyFor)))
            {
                return;
            }

            members.Remove(userId);
        }

        await EndAsync(member);
    }

    /// <summary>Tears down a member already removed from <see cref="members"/> and tells the channel.</summary>
    private async Task EndAsync(Member member)
    {
        if (member.Peer is { } peer)
        {
            try
            {
                await peer.DisposeAsync();
            }
            catch (Exception ex) when (ex is JanusException or TimeoutException or VoiceMediaException)
            {
                logger.LogDebug(ex, "Voice teardown for {User}", member.UserId);
            }
        }

        PublishState(member.State() with { ChannelId = null }, member.CommunityId, member.ChannelId);
    }

    private void PublishState(VoiceState state, string communityId, string channelId) =>
        hub.Publish(GatewayEvents.VoiceStateUpdate, state, VoxoraJsonContext.Default.VoiceState, Audience.Channel(communityId, channelId));

    private static void Send(Member member, VoiceSignal signal) =>
        member.Session.Enqueue(new OutboundEvent(GatewayEvents.VoiceSignal, JsonSerializer.SerializeToUtf8Bytes(signal, VoxoraJsonContext.Default.VoiceSignal)));

    private static void Error(GatewaySession session, string? channelId, string code, string message) =>
        session.Enqueue(new OutboundEvent(GatewayEvents.VoiceError,
            JsonSerializer.SerializeToUtf8Bytes(new VoiceError(channelId, code, message), VoxoraJsonContext.Default.VoiceError)));

    private bool IsCurrent(Member member)
    {
        lock (gate)
        {
            return members.GetValueOrDefault(member.UserId) == member;
        }
    }

    private sealed class PeerEvents(VoiceService owner, Member member) : IVoicePeerEvents
    {
        public void Signal(VoiceSignal signal)
        {
            if (owner.IsCurrent(member))
            {
                Send(member, signal with { VoiceSessionId = member.VoiceSessionId });
            }
        }

        public void Speaking(bool speaking)
        {
            if (owner.IsCurrent(member))
            {
                owner.Hub.Publish(GatewayEvents.VoiceSpeaking, new VoiceSpeaking(member.CommunityId, member.ChannelId, member.UserId, speaking),
                    VoxoraJsonContext.Default.VoiceSpeaking, Audience.Channel(member.CommunityId, member.ChannelId));
            }
        }
    }

    private sealed class Member(GatewaySession session, string communityId, string channelId, string voiceSessionId)
    {
        public GatewaySession Session { get; } = session;
        public string UserId => Session.UserId;
        public string CommunityId { get; } = communityId;
        public string ChannelId { get; } = channelId;
        public string VoiceSessionId { get; } = voiceSessionId;
        public bool SelfMute { get; set; }
        public bool SelfDeaf { get; set; }
        public bool ServerMute { get; set; }
        public IVoicePeer? Peer { get; set; }

        public VoiceState State() => new(CommunityId, ChannelId, UserId, SelfMute, SelfDeaf, ServerMute, false);
    }
}
