using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Voice;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Voice.VoiceGateway;

namespace Voxora.Server.Tests.Voice;

/// <summary>
/// A media plane that answers at once, so the gateway signaling policy can be tested without Janus (the real one is
/// tested in JanusLiveTests). It records what the signaling layer asked of each member's media.
/// </summary>
public sealed class FakeVoiceMedia : IVoiceMedia
{
    public VoiceStatus Status { get; } = new(true);

    public int Live;

    /// <summary>The latest peer per user.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, FakePeer> Peers { get; } = new();

    /// <summary>The bitrate each channel's room was made with or last set to.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> Bitrates { get; } = new();

    public Task<IVoicePeer> ConnectAsync(string channelId, int bitrate, string userId, bool serverMute, bool serverDeaf, IVoicePeerEvents events, CancellationToken ct)
    {
        Interlocked.Increment(ref Live);
        Bitrates[channelId] = bitrate;
        var peer = new FakePeer(this, channelId, events) { ServerMute = serverMute, ServerDeaf = serverDeaf };
        Peers[userId] = peer;
        return Task.FromResult<IVoicePeer>(peer);
    }

    public Task SetBitrateAsync(string channelId, int bitrate, CancellationToken ct)
    {
        Bitrates[channelId] = bitrate;
        return Task.CompletedTask;
    }

    public sealed class FakePeer(FakeVoiceMedia owner, string channelId, IVoicePeerEvents events) : IVoicePeer
    {
        public string ChannelId { get; } = channelId;
        public IVoicePeerEvents Events { get; } = events;
        public volatile bool ServerMute;
        public volatile bool ServerDeaf;
        public volatile bool Receiving;
        public volatile bool Disposed;

        public Task<string> PublishAsync(string offerSdp, CancellationToken ct) => Task.FromResult("answer-to:" + offerSdp);

        public Task AnswerAsync(string answerSdp, CancellationToken ct) => Task.CompletedTask;

        public Task TrickleAsync(bool send, VoiceIceCandidate? candidate, CancellationToken ct) => Task.CompletedTask;

        public Task StartReceivingAsync(CancellationToken ct)
        {
            Receiving = true;
            return Task.CompletedTask;
        }

        public Task SetServerMuteAsync(bool mute, CancellationToken ct)
        {
            ServerMute = mute;
            return Task.CompletedTask;
        }

        public Task SetServerDeafAsync(bool deaf, CancellationToken ct)
        {
            ServerDeaf = deaf;
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            Interlocked.Decrement(ref owner.Live);
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>Op 4 / op 5 / op 13 over the real gateway, with a fake media plane (no Janus needed).</summary>
public sealed class VoiceSignalingTests
{
    [Fact]
    public async Task Voice_disabled_answers_voice_unavailable_and_keeps_the_connection()
    {
        await using var server = await TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?> { ["VOICE:ENABLED"] = "false" });
        var (owner, _, community) = await server.NewCommunityAsync();
        await using var gateway = await ConnectAsync(server, owner);
        await JoinAsync(gateway, community.VoiceChannel().Id);
        var error = await ErrorAsync(gateway);
        Assert.Equal(VoiceErrorCodes.Unavailable, error.Code);
        Assert.Contains("disabled", error.Message, StringComparison.Ordinal);
        await gateway.HeartbeatAsync();
        Assert.Equal(GatewayOp.HeartbeatAck, (await NextAsync(gateway, f => f.Op == GatewayOp.HeartbeatAck)).Op);
    }

    [Fact]
    public async Task Text_channels_unknown_channels_and_missing_voice_connect_are_refused()
    {
        var media = new FakeVoiceMedia();
        await using var server = await StartAsync(media);
        var (owner, _, community) = await server.NewCommunityAsync();
        var (memberApi, _) = await server.NewMemberAsync(owner, community.Id);
        await using var member = await ConnectAsync(server, memberApi);

        await JoinAsync(member, community.TextChannel().Id);
        Assert.Equal(VoiceErrorCodes.NotVoiceChannel, (await ErrorAsync(member)).Code);

        await JoinAsync(member, "ch_nonexistent");
        Assert.Equal(VoiceErrorCodes.UnknownChannel, (await ErrorAsync(member)).Code);

        var everyone = Assert.Single(await owner.GetRolesAsync(community.Id));
        await owner.SetOverrideAsync(community.VoiceChannel().Id, "role", everyone.Id, 0, Permission.VoiceConnect);
        await JoinAsync(member, community.VoiceChannel().Id);
        Assert.Equal(VoiceErrorCodes.MissingPermissions, (await ErrorAsync(member)).Code);
        Assert.Equal(0, media.Live);
    }

    [Fact]
    public async Task User_limit_refuses_one_member_too_many()
    {
        var media = new FakeVoiceMedia();
        await using var server = await StartAsync(media);
        var (owner, _, community) = await server.NewCommunityAsync();
        var voice = await owner.UpdateChannelAsync(community.VoiceChannel().Id, new UpdateChannelRequest(UserLimit: 1));
        Assert.Equal(1, voice.UserLimit);

        var (aApi, aUser) = await server.NewMemberAsync(owner, community.Id);
        var (bApi, _) = await server.NewMemberAsync(owner, community.Id);
        await using var a = await ConnectAsync(server, aApi);
        await using var b = await ConnectAsync(server, bApi);
        await JoinAsync(a, voice.Id);
        Assert.Equal(GatewayOp.VoiceServer, (await NextAsync(a, f => f.Op == GatewayOp.VoiceServer)).Op);
        await JoinAsync(b, voice.Id);
        Assert.Equal(VoiceErrorCodes.ChannelFull, (await ErrorAsync(b)).Code);

        // The slot frees when A leaves. A and B are separate connections, so B joins only once it has seen
        // A's leave: sent at once, B's join could be handled first and rightly refused.
        await JoinAsync(a, null);
        await NextAsync(b, f => f.T == GatewayEvents.VoiceStateUpdate && StateOf(f) is { ChannelId: null } left && left.UserId == aUser.Id);
        await JoinAsync(b, voice.Id);
        Assert.Equal(GatewayOp.VoiceServer, (await NextAsync(b, f => f.Op == GatewayOp.VoiceServer)).Op);
    }

    [Fact]
    public async Task Join_signal_move_and_disconnect_dispatch_states_and_clean_up()
    {
        var media = new FakeVoiceMedia();
        await using var server = await StartAsync(media);
        var (owner, _, community) = await server.NewCommunityAsync();
        var (memberApi, memberUser) = await server.NewMemberAsync(owner, community.Id);
        var first = community.VoiceChannel();
        var second = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("Second voice", ChannelTypes.Voice));
        await using var watcher = await ConnectAsync(server, owner);
        var member = await ConnectAsync(server, memberApi);

        await JoinAsync(member, first.Id, selfMute: true);
        var server5 = await NextAsync(member, f => f.Op == GatewayOp.VoiceServer);
        var info = server5.D!.Value.Deserialize(VoxoraJsonContext.Default.VoiceServerPayload)!;
        Assert.Equal(first.Id, info.ChannelId);
        Assert.StartsWith("vs_", info.VoiceSessionId, StringComparison.Ordinal);
        var joined = StateOf(await DispatchAsync(watcher, GatewayEvents.VoiceStateUpdate));
        Assert.Equal((community.Id, first.Id, memberUser.Id, true), (joined.CommunityId, joined.ChannelId, joined.UserId, joined.SelfMute));

        // SDP goes through the gateway; the answer comes back to this session only.
        await member.SendAsync(GatewayOp.VoiceSignal, new VoiceSignal(info.VoiceSessionId, "send", "offer", "v=0 offer"), VoxoraJsonContext.Default.VoiceSignal);
        var answer = (await DispatchAsync(member, GatewayEvents.VoiceSignal)).D!.Value.Deserialize(VoxoraJsonContext.Default.VoiceSignal)!;
        Assert.Equal(("send", "answer", "answer-to:v=0 offer"), (answer.Pc, answer.Type, answer.Sdp));

        // A stale voice session id is refused.
        await member.SendAsync(GatewayOp.VoiceSignal, new VoiceSignal("vs_wrong", "send", "offer", "x"), VoxoraJsonContext.Default.VoiceSignal);
        Assert.Equal(VoiceErrorCodes.NotInVoice, (await ErrorAsync(member)).Code);

        // Moving leaves the first channel (channel_id null) and joins the second: one media peer at a time.
        await JoinAsync(member, second.Id);
        var left = StateOf(await DispatchAsync(watcher, GatewayEvents.VoiceStateUpdate));
        Assert.Null(left.ChannelId);
        var moved = StateOf(await DispatchAsync(watcher, GatewayEvents.VoiceStateUpdate));
        Assert.Equal(second.Id, moved.ChannelId);
        Assert.Equal(1, media.Live);

        // The connection ends: the voice state ends with it.
        await member.DisposeAsync();
        var gone = StateOf(await DispatchAsync(watcher, GatewayEvents.VoiceStateUpdate));
        Assert.Equal((memberUser.Id, (string?)null), (gone.UserId, gone.ChannelId));
        Assert.Equal(0, media.Live);
        Assert.Equal(0, server.Services.GetRequiredService<VoiceService>().MemberCount);
    }
}
