using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Features.Voice;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Cluster;
using Voxora.Server.Tests.Infrastructure;
using Voxora.Server.Tests.Voice;
using static Voxora.Server.Tests.Voice.VoiceGateway;

namespace Voxora.Server.Tests.Cluster;

/// <summary>
/// Voice signaling on several nodes (one PostgreSQL, one Redis), each node with its own fake media plane: voice state,
/// user limits and moderation are the same whichever node a member is connected to, and a node that dies takes its
/// voice members with it. The shared Janus room is covered by the media layer (JanusVoiceMedia) and its live tests.
/// </summary>
public sealed class ClusterVoiceTests
{
    private static readonly TimeSpan DeadNodeBound = VoiceService.NodeTimeout + VoiceService.NodeHeartbeat * 3;

    private sealed class VoiceCluster : IAsyncDisposable
    {
        public required ClusterNodes Nodes { get; init; }
        public required FakeVoiceMedia[] Media { get; init; }

        public ValueTask DisposeAsync() => Nodes.DisposeAsync();
    }

    private static async Task<VoiceCluster> StartAsync(int count)
    {
        var nodes = await ClusterNodes.StartAsync(0, new Dictionary<string, string?> { ["VOICE:ENABLED"] = "false" });
        var media = new FakeVoiceMedia[count];
        for (var i = 0; i < count; i++)
        {
            var plane = media[i] = new FakeVoiceMedia();
            await nodes.AddNodeAsync(services: s => s.AddSingleton<IVoiceMedia>(plane));
        }

        return new VoiceCluster { Nodes = nodes, Media = media };
    }

    [Fact]
    public async Task Members_on_two_nodes_in_one_channel_see_each_other_in_dispatches_ready_and_the_voice_state_list()
    {
        await using var cluster = await StartAsync(2);
        var (ownerApi, _, community) = await cluster.Nodes[0].NewCommunityAsync("Voice on two nodes");
        var (aApi, aUser) = await cluster.Nodes[0].NewMemberAsync(ownerApi, community.Id);
        var (bApi, bUser) = await cluster.Nodes[1].NewMemberAsync(ownerApi, community.Id);
        var voice = community.VoiceChannel();
        await using var a = await ConnectAsync(cluster.Nodes[0], aApi);
        await using var b = await ConnectAsync(cluster.Nodes[1], bApi);

        await JoinedAsync(a, voice.Id);
        Assert.Equal(voice.Id, (await StateAboutAsync(b, aUser.Id)).ChannelId);
        await JoinedAsync(b, voice.Id);
        Assert.Equal(voice.Id, (await StateAboutAsync(a, bUser.Id)).ChannelId);

        // A second connection to either node gets both members in READY (each signed in on the node it connects to).
        foreach (var (node, api) in new[] { (cluster.Nodes[0], aApi), (cluster.Nodes[1], bApi) })
        {
            await using var late = await GatewayClient.ConnectAsync(node.BaseAddress);
            var ready = await late.IdentifyAsync(api.AccessToken!);
            Assert.Equal(new[] { aUser.Id, bUser.Id }.Order(), ready.VoiceStates.Where(s => s.ChannelId == voice.Id).Select(s => s.UserId).Order());
        }

        var listed = await ownerApi.GetVoiceStatesAsync(community.Id);
        Assert.Equal(new[] { aUser.Id, bUser.Id }.Order(), listed.Select(s => s.UserId).Order());

        // B's self mute on node 2 reaches node 1's replica (the list) and A.
        await JoinAsync(b, voice.Id, selfMute: true);
        Assert.True((await StateAboutAsync(a, bUser.Id)).SelfMute);
        Assert.True((await ownerApi.GetVoiceStatesAsync(community.Id)).Single(s => s.UserId == bUser.Id).SelfMute);

        // B leaves: gone from node 1's list too.
        await JoinAsync(b, null);
        Assert.Null((await StateAboutAsync(a, bUser.Id)).ChannelId);
        Assert.Equal([aUser.Id], (await ownerApi.GetVoiceStatesAsync(community.Id)).Select(s => s.UserId));
    }

    [Fact]
    public async Task The_user_limit_counts_members_connected_to_every_node()
    {
        await using var cluster = await StartAsync(2);
        var (ownerApi, _, community) = await cluster.Nodes[0].NewCommunityAsync("Full across nodes");
        var voice = await ownerApi.UpdateChannelAsync(community.VoiceChannel().Id, new UpdateChannelRequest(UserLimit: 2));
        var (aApi, _) = await cluster.Nodes[0].NewMemberAsync(ownerApi, community.Id);
        var (bApi, bUser) = await cluster.Nodes[1].NewMemberAsync(ownerApi, community.Id);
        var (cApi, _) = await cluster.Nodes[0].NewMemberAsync(ownerApi, community.Id);
        await using var a = await ConnectAsync(cluster.Nodes[0], aApi);
        await using var b = await ConnectAsync(cluster.Nodes[1], bApi);
        await using var c = await ConnectAsync(cluster.Nodes[0], cApi);

        await JoinedAsync(a, voice.Id);
        await JoinedAsync(b, voice.Id);
        // C waits until its node has heard of B, as a person would see the channel fill up.
        await StateAboutAsync(c, bUser.Id);
        await JoinAsync(c, voice.Id);
        Assert.Equal(VoiceErrorCodes.ChannelFull, (await ErrorAsync(c)).Code);
        Assert.Equal(1, cluster.Media[0].Live);

        // B (on the other node) leaves: the slot is free on this one.
        await JoinAsync(b, null);
        await NextAsync(c, f => f.T == GatewayEvents.VoiceStateUpdate && StateOf(f) is { ChannelId: null } left && left.UserId == bUser.Id);
        await JoinedAsync(c, voice.Id);
    }

    [Fact]
    public async Task A_moderator_on_one_node_mutes_moves_and_disconnects_a_member_connected_to_another()
    {
        await using var cluster = await StartAsync(2);
        var (ownerApi, _, community) = await cluster.Nodes[0].NewCommunityAsync("Moderated across nodes");
        var first = community.VoiceChannel();
        // Made before the member's node loads the community, so the move does not wait for cross-node cache invalidation.
        var second = await ownerApi.CreateChannelAsync(community.Id, new CreateChannelRequest("Second voice", ChannelTypes.Voice));
        var (memberApi, memberUser) = await cluster.Nodes[1].NewMemberAsync(ownerApi, community.Id);
        await using var watcher = await ConnectAsync(cluster.Nodes[0], ownerApi);
        await using var member = await ConnectAsync(cluster.Nodes[1], memberApi);
        await JoinedAsync(member, first.Id);
        await StateAboutAsync(watcher, memberUser.Id);

        var muted = await ownerApi.ModerateVoiceAsync(community.Id, memberUser.Id, serverMute: true);
        Assert.True(muted.ServerMute);
        Assert.True(cluster.Media[1].Peers[memberUser.Id].ServerMute);
        // The member's own join dispatch (through the bus) may still be ahead of the mute.
        await NextAsync(member, f => f.T == GatewayEvents.VoiceStateUpdate && StateOf(f) is { ServerMute: true } state && state.UserId == memberUser.Id);
        Assert.True((await StateAboutAsync(watcher, memberUser.Id)).ServerMute);

        // A move: the member's own node joins them to the destination and sends them a fresh op 5.
        var moved = await ownerApi.ModerateVoiceAsync(community.Id, memberUser.Id, moveTo: second.Id);
        Assert.Equal(second.Id, moved.ChannelId);
        Assert.Equal(second.Id, VoiceServerOf(await NextAsync(member, f => f.Op == GatewayOp.VoiceServer)).ChannelId);
        Assert.Equal(second.Id, cluster.Media[1].Peers[memberUser.Id].ChannelId);

        var disconnected = await ownerApi.DisconnectVoiceAsync(community.Id, memberUser.Id);
        Assert.Null(disconnected.ChannelId);
        Assert.Equal(VoiceErrorCodes.Disconnected, (await ErrorAsync(member)).Code);
        Assert.True(cluster.Media[1].Peers[memberUser.Id].Disposed);
        Assert.Equal(0, cluster.Media[1].Live);
        await NextAsync(watcher, f => f.T == GatewayEvents.VoiceStateUpdate && StateOf(f) is { ChannelId: null } left && left.UserId == memberUser.Id);
        Assert.Empty(await ownerApi.GetVoiceStatesAsync(community.Id));

        // Nobody in voice any more, on any node.
        var error = await Assert.ThrowsAsync<VoxoraApiException>(() => ownerApi.ModerateVoiceAsync(community.Id, memberUser.Id, serverMute: false));
        Assert.Equal((HttpStatusCode.NotFound, ProblemCodes.UnknownVoiceState), (error.Status, error.Code));
    }

    [Fact]
    public async Task A_node_that_stops_answering_loses_its_voice_members_within_the_liveness_timeout()
    {
        await using var cluster = await StartAsync(2);
        var (ownerApi, _, community) = await cluster.Nodes[0].NewCommunityAsync("A node dies");
        var (memberApi, memberUser) = await cluster.Nodes[1].NewMemberAsync(ownerApi, community.Id);
        var voice = community.VoiceChannel();
        await using var watcher = await ConnectAsync(cluster.Nodes[0], ownerApi);
        await using var member = await ConnectAsync(cluster.Nodes[1], memberApi);
        await JoinedAsync(member, voice.Id);
        await StateAboutAsync(watcher, memberUser.Id);
        Assert.Single(await ownerApi.GetVoiceStatesAsync(community.Id));

        // Node 2 drops off the cluster as a crashed process does: no goodbye on the bus, no more liveness renewals.
        var started = TimeProvider.System.GetTimestamp();
        await cluster.Nodes[1].Services.GetRequiredService<ClusterConnection>().Multiplexer!.CloseAsync(allowCommandsToComplete: false);

        var left = await NextWithinAsync(watcher, DeadNodeBound + TimeSpan.FromSeconds(2),
            f => f.T == GatewayEvents.VoiceStateUpdate && StateOf(f).UserId == memberUser.Id);
        Assert.Null(StateOf(left).ChannelId);
        Assert.True(TimeProvider.System.GetElapsedTime(started) <= DeadNodeBound + TimeSpan.FromSeconds(2));
        Assert.Empty(await ownerApi.GetVoiceStatesAsync(community.Id));
    }

    [Fact]
    public async Task Voice_in_a_cluster_without_external_janus_servers_is_a_configuration_error()
    {
        var error = await Assert.ThrowsAsync<ConfigurationErrorException>(() => TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?>
        {
            ["REDIS:CONFIGURATION"] = "127.0.0.1:1",
            ["VOICE:ENABLED"] = "true",
        }));
        Assert.Contains("VOXORA_VOICE__JANUS_URL", error.Message, StringComparison.Ordinal);
    }

    private static async Task<GatewayFrame> NextWithinAsync(GatewayClient gateway, TimeSpan within, Func<GatewayFrame, bool> match)
    {
        using var deadline = new CancellationTokenSource(within);
        while (true)
        {
            var frame = await gateway.ReceiveAsync(within).WaitAsync(deadline.Token);
            if (match(frame))
            {
                return frame;
            }
        }
    }
}
