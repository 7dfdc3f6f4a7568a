using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Cluster;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Voice;

/// <summary>What a moderator's voice action ended in: the member's new state, or a problem to answer with.</summary>
public readonly record struct VoiceModeration(VoiceState? State, int Status, string? Code, string? Detail)
{
    public static VoiceModeration Done(VoiceState state) => new(state, 200, null, null);

    public static VoiceModeration Refused(int status, string code, string detail) => new(null, status, code, detail);
}

/// <summary>
/// Voice signaling over the gateway (docs/protocol.md, "Voice"): op 4 joins, moves, changes self mute/deaf
/// or leaves; op 13 carries SDP and candidates between a member's browser and the media plane. One voice
/// connection per user across the server. States live in memory on the node that holds the member's gateway
/// connection and media (mirrored in <c>voice_sessions</c>); in a cluster every other node keeps a replica of them
/// (VoiceService.Cluster.cs). They end with the gateway connection that opened them, and follow permission changes: a member who can no longer
/// connect is disconnected, one who can no longer speak is server-muted. Moderators mute, deafen, move and
/// disconnect members (<see cref="ModerateAsync"/>). After a media server restart every member on it is
/// reconnected and gets a fresh op 5.
/// </summary>
public sealed partial class VoiceService : IDomainEventHandler<CommunityMemberRemoved>, IDomainEventHandler<CommunityDeleted>, IDomainEventHandler<PermissionsChanged>
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Member> members = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> userLocks = new(StringComparer.Ordinal);
    private readonly GatewayHub hub;
    private readonly PermissionCache permissions;
    private readonly IServiceScopeFactory scopes;
    private readonly IVoiceMedia media;
    private readonly TurnCredentials turn;
    private readonly TimeProvider clock;
    private readonly ServerOptions serverOptions;
    private readonly ILogger<VoiceService> logger;

    public VoiceService(GatewayHub hub, PermissionCache permissions, IServiceScopeFactory scopes, IVoiceMedia media, TurnCredentials turn,
        TimeProvider clock, ServerOptions serverOptions, ClusterBus bus, ClusterConnection cluster, ILogger<VoiceService> logger)
    {
        this.bus = bus;
        this.cluster = cluster;
        this.hub = hub;
        this.permissions = permissions;
        this.scopes = scopes;
        this.media = media;
        this.turn = turn;
        this.clock = clock;
        this.serverOptions = serverOptions;
        this.logger = logger;
        SubscribeToCluster();
    }

    /// <summary>The voice states of a channel.</summary>
    public IReadOnlyList<VoiceState> StatesIn(string channelId)
    {
        lock (gate)
        {
            return members.Values.Where(m => m.ChannelId == channelId).Select(m => m.State())
                .Concat(remote.Values.Where(r => r.State.ChannelId == channelId).Select(r => r.State))
                .ToList();
        }
    }

    /// <summary>The voice states <paramref name="userId"/> may see in these communities (READY, GET voice-states).</summary>
    public List<VoiceState> VisibleStates(string userId, IEnumerable<string> communityIds)
    {
        List<VoiceState> candidates;
        var wanted = communityIds as IReadOnlySet<string> ?? communityIds.ToHashSet(StringComparer.Ordinal);
        lock (gate)
        {
            if (members.Count == 0 && remote.Count == 0)
            {
                return [];
            }

            candidates = members.Values.Where(m => wanted.Contains(m.CommunityId)).Select(m => m.State())
                .Concat(remote.Values.Where(r => wanted.Contains(r.State.CommunityId)).Select(r => r.State))
                .ToList();
        }

        return candidates
            .Where(s => permissions.Cached(s.CommunityId) is { } snapshot && snapshot.CanView(userId, s.ChannelId!))
            .ToList();
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
        var userLock = UserLock(session.UserId);
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
                await SaveAsync(current);
                PublishState(current);
                return;
            }

            await JoinAsync(session, connection, request.ChannelId, request.SelfMute ?? false, request.SelfDeaf ?? false, movedBy: null, ct);
        }
        finally
        {
            userLock.Release();
        }
    }

    /// <summary>
    /// Puts the session's user into <paramref name="channelId"/>. <paramref name="movedBy"/> is set when a moderator
    /// moves them: the moderator's rights were checked, so only visibility (not VOICE_CONNECT or the user limit) applies.
    /// Returns the refusal, if any (already sent to the session as VOICE_ERROR).
    /// </summary>
    private async Task<VoiceDecision> JoinAsync(GatewaySession session, GatewayConnection connection, string channelId, bool selfMute, bool selfDeaf,
        string? movedBy, CancellationToken ct, bool freshMedia = false)
    {
        if (!media.Status.Available)
        {
            return Refuse(session, channelId, VoiceDecision.Refuse(VoiceErrorCodes.Unavailable, media.Status.Reason ?? "voice is unavailable on this server"));
        }

        var snapshot = await SnapshotWithChannelAsync(session.UserId, channelId, ct);
        if (snapshot is null)
        {
            return Refuse(session, channelId, VoiceDecision.Refuse(VoiceErrorCodes.UnknownChannel, "unknown channel"));
        }

        // The channel's limit and bitrate come with the snapshot; only the member's moderator flags need a query.
        var settings = snapshot.Channels.First(c => c.Id == channelId);
        var (userLimit, bitrate) = (settings.UserLimit ?? 0, settings.Bitrate ?? 64_000);
        bool moderatorMute, moderatorDeaf;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
            var flags = await db.Members.AsNoTracking()
                .Where(m => m.CommunityId == snapshot.CommunityId && m.UserId == session.UserId)
                .Select(m => new { m.VoiceMute, m.VoiceDeaf })
                .FirstOrDefaultAsync(ct);
            (moderatorMute, moderatorDeaf) = (flags?.VoiceMute ?? false, flags?.VoiceDeaf ?? false);
        }

        var member = new Member(session, connection, snapshot.CommunityId, channelId, Ids.New("vs"), clock.GetUtcNow())
        {
            SelfMute = selfMute,
            SelfDeaf = selfDeaf,
            ModeratorMute = moderatorMute,
            ModeratorDeaf = moderatorDeaf,
        };

        Member? previous;
        VoiceDecision decision;
        lock (gate)
        {
            // Members connected to other nodes count too (the replica); two nodes racing for the last slot can both
            // take it, since each decides on what it has heard so far.
            var others = members.Values.Count(m => m.ChannelId == channelId && m.UserId != session.UserId)
                + remote.Values.Count(r => r.State.ChannelId == channelId && r.State.UserId != session.UserId);
            decision = VoicePolicy.Decide(snapshot, session.UserId, channelId, movedBy is null ? userLimit : 0, others, clock.GetUtcNow());
            if (movedBy is not null && decision.Error is VoiceErrorCodes.MissingPermissions or VoiceErrorCodes.TimedOut)
            {
                decision = new VoiceDecision(null, null, ServerMute: !CanSpeak(snapshot, session.UserId, channelId));
            }

            if (!decision.Allowed)
            {
                previous = null;
            }
            else
            {
                // Reserve the slot now so two racing joins cannot both take the last one.
                previous = members.GetValueOrDefault(session.UserId);
                member.CannotSpeak = decision.ServerMute;
                members[session.UserId] = member;
                // Connected to voice through another node until now: that node ends it when it hears this join.
                remote.Remove(session.UserId);
            }
        }

        if (!decision.Allowed)
        {
            return Refuse(session, channelId, decision);
        }

        if (previous is not null)
        {
            // Fresh media in the same channel replaces the member's media quietly; anything else is a leave first.
            await EndAsync(previous, reason: null, announce: !(freshMedia && previous.ChannelId == channelId));
        }

        try
        {
            member.Peer = await media.ConnectAsync(channelId, bitrate, session.UserId, member.ServerMute, member.ModeratorDeaf, new PeerEvents(this, member), ct);
        }
        catch (Exception ex) when (ex is VoiceMediaException or OperationCanceledException)
        {
            Forget(member);
            logger.LogWarning("Voice join of {User} to {Channel} failed: {Error}", session.UserId, channelId, ex.Message);
            return Refuse(session, channelId, VoiceDecision.Refuse(VoiceErrorCodes.MediaFailed, ex is VoiceMediaException ? ex.Message : "cancelled"));
        }

        await SaveAsync(member);
        PublishState(member);
        SendVoiceServer(member);
        await StartReceivingAsync(member);
        return decision;
    }

    /// <summary>The snapshot of the caller's community that holds <paramref name="channelId"/>, if any.</summary>
    private async Task<PermissionSnapshot?> SnapshotWithChannelAsync(string userId, string channelId, CancellationToken ct)
    {
        foreach (var communityId in hub.CommunitiesOf(userId))
        {
            var candidate = await permissions.GetAsync(communityId, ct);
            if (candidate is not null && candidate.HasChannel(channelId))
            {
                return candidate;
            }
        }

        return null;
    }

    private bool CanSpeak(PermissionSnapshot snapshot, string userId, string channelId) =>
        (snapshot.For(userId, channelId, clock.GetUtcNow()) & Permission.VoiceSpeak) != 0;

    private void SendVoiceServer(Member member)
    {
        var ice = turn.For(member.UserId);
        member.Connection.TryQueueRaw(GatewayServer.Frame(GatewayOp.VoiceServer,
            new VoiceServerPayload(member.ChannelId, member.VoiceSessionId, ice.IceServers, ice.Ttl), VoxoraJsonContext.Default.VoiceServerPayload));
    }

    private async Task StartReceivingAsync(Member member)
    {
        try
        {
            await member.Peer!.StartReceivingAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is JanusException or TimeoutException or VoiceMediaException)
        {
            logger.LogWarning(ex, "Subscribing {User} to the voice channel's feeds failed", member.UserId);
        }
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

    /// <summary>
    /// A moderator changes <paramref name="targetUserId"/>'s voice state in <paramref name="communityId"/>: server
    /// mute (VOICE_MUTE_OTHERS), server deafen (VOICE_DEAFEN_OTHERS), move or disconnect (VOICE_MOVE_OTHERS in the
    /// member's channel; a move also needs VOICE_MOVE_OTHERS and VOICE_CONNECT in the destination, which the member
    /// must be able to see). Rights are checked in the member's current channel, so channel overrides apply.
    /// </summary>
    public async Task<VoiceModeration> ModerateAsync(string actorId, string communityId, string targetUserId, ModerateVoiceStateRequest request, CancellationToken ct)
    {
        var snapshot = await permissions.GetAsync(communityId, ct);
        if (snapshot is null)
        {
            return VoiceModeration.Refused(404, ProblemCodes.NotFound, "Community not found.");
        }

        var userLock = UserLock(targetUserId);
        await userLock.WaitAsync(ct);
        try
        {
            Member? member;
            RemoteMember? elsewhere = null;
            lock (gate)
            {
                member = members.GetValueOrDefault(targetUserId);
                if (member is null)
                {
                    elsewhere = remote.GetValueOrDefault(targetUserId);
                }
            }

            // Connected to this node, or (in a cluster) to another one, whose replica says where they are.
            var current = member?.State() ?? elsewhere?.State;
            if (current is not { ChannelId: { } currentChannelId } || current.CommunityId != communityId || !snapshot.CanView(actorId, currentChannelId))
            {
                return VoiceModeration.Refused(404, ProblemCodes.UnknownVoiceState, "That member is not in a voice channel of this community.");
            }

            var now = clock.GetUtcNow();
            var here = snapshot.For(actorId, currentChannelId, now);
            if (request.ServerMute is not null && (here & Permission.VoiceMuteOthers) == 0)
            {
                return Missing("VOICE_MUTE_OTHERS");
            }

            if (request.ServerDeaf is not null && (here & Permission.VoiceDeafenOthers) == 0)
            {
                return Missing("VOICE_DEAFEN_OTHERS");
            }

            if (request.ChannelIdGiven && (here & Permission.VoiceMoveOthers) == 0)
            {
                return Missing("VOICE_MOVE_OTHERS");
            }

            if (request.ChannelIdGiven && request.ChannelId is { } destination && destination != currentChannelId)
            {
                var channel = snapshot.Channels.FirstOrDefault(c => c.Id == destination);
                if (channel is null || !snapshot.CanView(actorId, destination))
                {
                    return VoiceModeration.Refused(404, ProblemCodes.NotFound, "Channel not found.");
                }

                if (channel.Type != ChannelTypes.Voice)
                {
                    return VoiceModeration.Refused(400, ProblemCodes.WrongChannelType, "Members can only be moved to a voice channel.");
                }

                var there = snapshot.For(actorId, destination, now);
                if ((there & Permission.VoiceMoveOthers) == 0 || (there & Permission.VoiceConnect) == 0)
                {
                    return Missing("VOICE_MOVE_OTHERS and VOICE_CONNECT in the destination channel");
                }

                if (!snapshot.CanView(targetUserId, destination))
                {
                    return VoiceModeration.Refused(403, ProblemCodes.Forbidden, "That member cannot see the destination channel.");
                }
            }

            // The flags persist on the member (like Discord's server mute), so they survive leaving and rejoining.
            if (request.ServerMute is not null || request.ServerDeaf is not null)
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
                var row = await db.Members.SingleOrDefaultAsync(m => m.CommunityId == communityId && m.UserId == targetUserId, ct);
                if (row is null)
                {
                    return VoiceModeration.Refused(404, ProblemCodes.UnknownVoiceState, "That member is not in a voice channel of this community.");
                }

                row.VoiceMute = request.ServerMute ?? row.VoiceMute;
                row.VoiceDeaf = request.ServerDeaf ?? row.VoiceDeaf;
                await db.SaveChangesAsync(ct);
            }

            // The node holding the member's gateway connection and media carries the action out.
            return member is not null
                ? await ActAsync(member, actorId, request, ct)
                : await ModerateElsewhereAsync(elsewhere!, actorId, request, ct);
        }
        finally
        {
            userLock.Release();
        }

        static VoiceModeration Missing(string what) =>
            VoiceModeration.Refused(403, ProblemCodes.Forbidden, $"This needs the {what} permission.");
    }

    /// <summary>
    /// Under the member's user lock, with the moderator's rights checked: disconnects, moves or applies the server
    /// mute/deafen to a member connected to this node.
    /// </summary>
    private async Task<VoiceModeration> ActAsync(Member member, string actorId, ModerateVoiceStateRequest request, CancellationToken ct)
    {
        if (request.ChannelIdGiven && request.ChannelId is null)
        {
            Forget(member);
            await EndAsync(member, reason: "a moderator disconnected you from voice");
            return VoiceModeration.Done(member.State() with { ChannelId = null });
        }

        if (request.ChannelIdGiven && request.ChannelId is { } target && target != member.ChannelId)
        {
            var refused = await JoinAsync(member.Session, member.Connection, target, member.SelfMute, member.SelfDeaf, movedBy: actorId, ct);
            if (!refused.Allowed)
            {
                return VoiceModeration.Refused(409, refused.Error!, refused.Message!);
            }

            lock (gate)
            {
                member = members.GetValueOrDefault(member.UserId) ?? member;
            }

            return VoiceModeration.Done(member.State());
        }

        await ApplyServerFlagsAsync(member, request.ServerMute ?? member.ModeratorMute, request.ServerDeaf ?? member.ModeratorDeaf, member.CannotSpeak);
        return VoiceModeration.Done(member.State());
    }

    /// <summary>Under the member's user lock: new server flags reach the media server, the database and the channel.</summary>
    private async Task ApplyServerFlagsAsync(Member member, bool moderatorMute, bool moderatorDeaf, bool cannotSpeak)
    {
        var wasMuted = member.ServerMute;
        var wasDeaf = member.ModeratorDeaf;
        member.ModeratorMute = moderatorMute;
        member.ModeratorDeaf = moderatorDeaf;
        member.CannotSpeak = cannotSpeak;
        if (wasMuted == member.ServerMute && wasDeaf == member.ModeratorDeaf)
        {
            return;
        }

        if (member.Peer is { } peer)
        {
            try
            {
                if (wasMuted != member.ServerMute)
                {
                    await peer.SetServerMuteAsync(member.ServerMute, CancellationToken.None);
                }

                if (wasDeaf != member.ModeratorDeaf)
                {
                    await peer.SetServerDeafAsync(member.ModeratorDeaf, CancellationToken.None);
                }
            }
            catch (Exception ex) when (ex is JanusException or TimeoutException or VoiceMediaException)
            {
                logger.LogWarning(ex, "Applying server mute/deaf to {User} at the media server failed", member.UserId);
            }
        }

        if (member.ServerMute)
        {
            // Janus's talking detection can lag behind the mute; nobody should keep seeing a muted member talk.
            member.PublishSpeaking(hub, false);
        }

        await SaveAsync(member);
        PublishState(member);
    }

    /// <summary>
    /// A community's permissions changed (domain event, raised after the gateway announced the change): members who
    /// can no longer see or connect to their channel are disconnected; members who gained or lost VOICE_SPEAK are
    /// unmuted or muted at the media server. Done before the change's request answers.
    /// </summary>
    public async Task HandleAsync(PermissionsChanged changed, CancellationToken ct)
    {
        var communityId = changed.CommunityId;
        List<Member> affected;
        lock (gate)
        {
            affected = members.Values.Where(m => m.CommunityId == communityId).ToList();
        }

        if (affected.Count == 0)
        {
            return;
        }

        var snapshot = await permissions.GetAsync(communityId, CancellationToken.None);

        // A channel edit also lands here (it reloads the snapshot): live rooms follow the channel's bitrate.
        foreach (var channelId in affected.Select(m => m.ChannelId).Distinct())
        {
            if (snapshot?.Channels.FirstOrDefault(c => c.Id == channelId) is { Bitrate: { } bitrate })
            {
                await media.SetBitrateAsync(channelId, bitrate, CancellationToken.None);
            }
        }

        foreach (var candidate in affected)
        {
            await WithUserLockAsync(candidate.UserId, "re-checking the voice state after a permission change", async () =>
            {
                if (!IsCurrent(candidate))
                {
                    return;
                }

                var granted = snapshot is not null && snapshot.HasChannel(candidate.ChannelId) ? snapshot.For(candidate.UserId, candidate.ChannelId, clock.GetUtcNow()) : 0;
                if ((granted & Permission.ViewChannel) == 0 || (granted & Permission.VoiceConnect) == 0)
                {
                    await EndLockedAsync(candidate, reason: "you no longer have access to this voice channel");
                    return;
                }

                await ApplyServerFlagsAsync(candidate, candidate.ModeratorMute, candidate.ModeratorDeaf, (granted & Permission.VoiceSpeak) == 0);
            });
        }
    }

    /// <summary>The user left or was removed from the community (domain event): their voice connection in it ends.</summary>
    public Task HandleAsync(CommunityMemberRemoved removal, CancellationToken ct) =>
        EndInCommunityAsync(removal.User.Id, removal.CommunityId, "you are no longer a member of this community");

    /// <summary>The community was deleted (domain event): every voice connection in it ends before the delete answers.</summary>
    public async Task HandleAsync(CommunityDeleted deleted, CancellationToken ct)
    {
        List<string> inCommunity;
        lock (gate)
        {
            inCommunity = members.Values.Where(m => m.CommunityId == deleted.CommunityId).Select(m => m.UserId).ToList();
        }

        foreach (var userId in inCommunity)
        {
            await EndInCommunityAsync(userId, deleted.CommunityId, "the community was deleted");
        }
    }

    /// <summary>
    /// Ends the user's voice connection if, once their lock is held, it is still in <paramref name="communityId"/>
    /// (it may have ended or moved meanwhile). The removal events share this; failures are logged, not thrown.
    /// </summary>
    private Task EndInCommunityAsync(string userId, string communityId, string reason) =>
        WithUserLockAsync(userId, "ending a voice connection: " + reason, async () =>
        {
            Member? member;
            lock (gate)
            {
                member = members.GetValueOrDefault(userId);
            }

            if (member is not null && member.CommunityId == communityId)
            {
                await EndLockedAsync(member, reason);
            }
        });

    /// <summary>Ends <paramref name="member"/>'s connection (the caller holds their lock and checked it is current).</summary>
    private async Task EndLockedAsync(Member member, string reason)
    {
        Forget(member);
        await EndAsync(member, reason: reason);
    }

    /// <summary>
    /// The member's media is gone (the media server restarted) or cannot be repaired in place: same channel, new peer
    /// and voice session, new op 5 (the client renegotiates). The channel sees no leave.
    /// </summary>
    private Task RenewMediaAsync(Member stale) =>
        WithUserLockAsync(stale.UserId, "renewing voice media", async () =>
        {
            if (!IsCurrent(stale))
            {
                return;
            }

            logger.LogInformation("Giving {User} fresh media in voice channel {Channel}", stale.UserId, stale.ChannelId);
            await JoinAsync(stale.Session, stale.Connection, stale.ChannelId, stale.SelfMute, stale.SelfDeaf, movedBy: "media-renewal",
                CancellationToken.None, freshMedia: true);
        });

    /// <summary>The gateway connection of <paramref name="session"/> ended: its voice state ends with it.</summary>
    public Task SessionEndedAsync(GatewaySession session) =>
        WithUserLockAsync(session.UserId, "leaving voice", () => LeaveAsync(session.UserId, onlyFor: session));

    /// <summary>
    /// Runs <paramref name="action"/> under the user's voice lock, for work started by events rather than requests:
    /// a failure is logged (as <paramref name="what"/>), never thrown at the caller.
    /// </summary>
    private async Task WithUserLockAsync(string userId, string what, Func<Task> action)
    {
        try
        {
            var userLock = UserLock(userId);
            await userLock.WaitAsync();
            try
            {
                await action();
            }
            finally
            {
                userLock.Release();
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Voice: {What} for {User} failed", what, userId);
        }
    }

    /// <summary>This node starts: voice sessions it recorded before (a crash) died with their media; drop their rows.</summary>
    public async Task ClearStaleSessionsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var cleared = await db.VoiceSessions.Where(v => v.NodeId == serverOptions.NodeId).ExecuteDeleteAsync(ct);
        if (cleared > 0)
        {
            logger.LogInformation("Cleared {Count} voice session(s) left by this node's previous run", cleared);
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

        await EndAsync(member, reason: null);
    }

    /// <summary>
    /// Tears down a member already removed from <see cref="members"/> and tells the channel. With a
    /// <paramref name="reason"/> (forced), the member's own session also gets VOICE_ERROR <c>disconnected</c>, since
    /// they may no longer see the channel the leave is announced in.
    /// </summary>
    private async Task EndAsync(Member member, string? reason, bool announce = true)
    {
        if (member.Peer is { } peer)
        {
            try
            {
                await peer.DisposeAsync();
            }
            catch (Exception ex) when (ex is JanusException or TimeoutException or VoiceMediaException or ObjectDisposedException or InvalidOperationException)
            {
                logger.LogDebug(ex, "Voice teardown for {User}", member.UserId);
            }
        }

        await DeleteAsync(member);
        if (!announce)
        {
            return;
        }

        ReplicateLeave(member);
        hub.Publish(GatewayEvents.VoiceStateUpdate, member.State() with { ChannelId = null }, VoxoraJsonContext.Default.VoiceState,
            Audience.Channel(member.CommunityId, member.ChannelId));
        if (reason is not null)
        {
            Error(member.Session, member.ChannelId, VoiceErrorCodes.Disconnected, reason);
        }
    }

    private void Forget(Member member)
    {
        lock (gate)
        {
            if (members.GetValueOrDefault(member.UserId) == member)
            {
                members.Remove(member.UserId);
            }
        }
    }

    private async Task SaveAsync(Member member)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
            var row = await db.VoiceSessions.SingleOrDefaultAsync(v => v.Id == member.VoiceSessionId);
            if (row is null)
            {
                // One voice connection per user: a row left by an earlier session of this user goes first.
                await db.VoiceSessions.Where(v => v.UserId == member.UserId).ExecuteDeleteAsync();
                row = new VoiceSessionEntity
                {
                    Id = member.VoiceSessionId,
                    CommunityId = member.CommunityId,
                    ChannelId = member.ChannelId,
                    UserId = member.UserId,
                    SessionId = member.Session.Id,
                    NodeId = serverOptions.NodeId,
                    ConnectedAt = member.ConnectedAt,
                };
                db.VoiceSessions.Add(row);
            }

            row.SelfMute = member.SelfMute;
            row.SelfDeaf = member.SelfDeaf;
            row.ServerMute = member.ServerMute;
            row.ServerDeaf = member.ModeratorDeaf;
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException ex)
        {
            // The channel was deleted meanwhile (foreign key): the permission change that follows disconnects the member.
            logger.LogInformation(ex, "Recording the voice session of {User} failed", member.UserId);
        }
    }

    private async Task DeleteAsync(Member member)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        await db.VoiceSessions.Where(v => v.Id == member.VoiceSessionId).ExecuteDeleteAsync();
    }

    private SemaphoreSlim UserLock(string userId) => userLocks.GetOrAdd(userId, _ => new SemaphoreSlim(1, 1));

    private void PublishState(Member member)
    {
        ReplicateState(member);
        hub.Publish(GatewayEvents.VoiceStateUpdate, member.State(), VoxoraJsonContext.Default.VoiceState, Audience.Channel(member.CommunityId, member.ChannelId));
    }

    private static VoiceDecision Refuse(GatewaySession session, string channelId, VoiceDecision decision)
    {
        Error(session, channelId, decision.Error!, decision.Message!);
        return decision;
    }

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
            // A server-muted member's audio is not forwarded, so they are not talking to anyone.
            if (owner.IsCurrent(member) && !(speaking && member.ServerMute))
            {
                member.PublishSpeaking(owner.hub, speaking);
            }
        }

        public void MediaLost() => _ = Task.Run(() => owner.RenewMediaAsync(member));
    }

    private sealed class Member(GatewaySession session, GatewayConnection connection, string communityId, string channelId, string voiceSessionId, DateTimeOffset connectedAt)
    {
        public GatewaySession Session { get; } = session;
        public GatewayConnection Connection { get; } = connection;
        public string UserId => Session.UserId;
        public string CommunityId { get; } = communityId;
        public string ChannelId { get; } = channelId;
        public string VoiceSessionId { get; } = voiceSessionId;
        public DateTimeOffset ConnectedAt { get; } = connectedAt;
        public bool SelfMute { get; set; }
        public bool SelfDeaf { get; set; }

        /// <summary>Muted by a moderator (persisted on the member).</summary>
        public bool ModeratorMute { get; set; }

        /// <summary>Deafened by a moderator (persisted on the member).</summary>
        public bool ModeratorDeaf { get; set; }

        /// <summary>Lacks VOICE_SPEAK in the channel: muted at the media server like a server mute.</summary>
        public bool CannotSpeak { get; set; }

        public bool ServerMute => ModeratorMute || CannotSpeak;

        public IVoicePeer? Peer { get; set; }

        private int speaking;

        /// <summary>VOICE_SPEAKING to the channel, only when it changes.</summary>
        public void PublishSpeaking(GatewayHub hub, bool now)
        {
            if (Interlocked.Exchange(ref speaking, now ? 1 : 0) != (now ? 1 : 0))
            {
                hub.Publish(GatewayEvents.VoiceSpeaking, new VoiceSpeaking(CommunityId, ChannelId, UserId, now),
                    VoxoraJsonContext.Default.VoiceSpeaking, Audience.Channel(CommunityId, ChannelId));
            }
        }

        public VoiceState State() => new(CommunityId, ChannelId, UserId, SelfMute, SelfDeaf, ServerMute, ModeratorDeaf);
    }
}
