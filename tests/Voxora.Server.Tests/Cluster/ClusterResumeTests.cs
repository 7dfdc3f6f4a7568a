using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests.Cluster;

/// <summary>
/// RESUME on any node: a client that comes back through another node gets exactly the events it missed, numbered
/// without a gap, then live events from every node; never someone else's session; and a clean "start over" (op 7)
/// when the session's node is gone.
/// </summary>
public sealed class ClusterResumeTests
{
    [Fact]
    public async Task A_session_resumes_on_another_node_with_exactly_the_missed_events_and_back_again()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (ownerApi, _, community) = await cluster[0].NewCommunityAsync("Resume anywhere");
        using var _o = ownerApi;
        var (otherApi, _) = await cluster[1].NewMemberAsync(ownerApi, community.Id);
        using var _m = otherApi;
        var (receiverApi, _) = await cluster[0].NewMemberAsync(ownerApi, community.Id);
        using var _r = receiverApi;
        var channel = community.TextChannel();
        // Messages sent through both nodes, alternately.
        VoxoraClient SenderFor(int i) => i % 2 == 0 ? ownerApi : otherApi;

        var first = await GatewayClient.ConnectAsync(cluster[0].BaseAddress);
        var ready = await first.IdentifyAsync(receiverApi.AccessToken!);
        await ownerApi.SendMessageAsync(channel.Id, "seen");
        await first.WaitForDispatchAsync(GatewayEvents.MessageCreate);
        var seq = first.LastSeq;
        first.Drop();
        await first.DisposeAsync();

        var missed = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            missed.Add((await SenderFor(i).SendMessageAsync(channel.Id, $"missed {i}")).Id);
        }

        await using var second = await GatewayClient.ConnectAsync(cluster[1].BaseAddress);
        await second.ResumeAsync(ready.SessionId, receiverApi.AccessToken!, seq);
        Assert.Equal(missed, await ReplayedUntilResumedAsync(second, seq));
        seq += missed.Count;

        // Live events from both nodes continue the same sequence.
        for (var i = 0; i < 2; i++)
        {
            var live = await SenderFor(i).SendMessageAsync(channel.Id, $"live {i}");
            var frame = await NextDispatchAsync(second);
            Assert.Equal(live.Id, frame.D!.Value.GetProperty("id").GetString());
            Assert.Equal(++seq, frame.S);
        }

        // And back to the first node: the session now lives on the second, which hands it over in turn.
        second.Drop();
        var missedAgain = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            missedAgain.Add((await SenderFor(i).SendMessageAsync(channel.Id, $"missed again {i}")).Id);
        }

        await using var third = await GatewayClient.ConnectAsync(cluster[0].BaseAddress);
        await third.ResumeAsync(ready.SessionId, receiverApi.AccessToken!, seq);
        Assert.Equal(missedAgain, await ReplayedUntilResumedAsync(third, seq));
        var last = await otherApi.SendMessageAsync(channel.Id, "live on the first node again");
        var next = await NextDispatchAsync(third);
        Assert.Equal(last.Id, next.D!.Value.GetProperty("id").GetString());
        Assert.Equal(seq + missedAgain.Count + 1, next.S);
        await AssertNothingArrivesAsync(third);
    }

    [Fact]
    public async Task A_session_still_attached_on_its_node_is_taken_over_and_its_old_socket_closed_with_4009()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (api, user, _) = await cluster[0].NewUserAsync("twice");
        using var _a = api;
        await using var first = await GatewayClient.ConnectAsync(cluster[0].BaseAddress);
        var ready = await first.IdentifyAsync(api.AccessToken!);

        await using var second = await GatewayClient.ConnectAsync(cluster[1].BaseAddress);
        await second.ResumeAsync(ready.SessionId, api.AccessToken!, first.LastSeq);
        await second.WaitForDispatchAsync(GatewayEvents.Resumed);
        var (status, _) = await first.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(GatewayCloseCodes.SessionTimedOut, (int?)status);
        Assert.Equal(user.Id, ready.User.Id);
    }

    [Fact]
    public async Task A_resume_on_another_node_with_another_users_token_is_refused_and_the_session_kept_for_its_owner()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (ownerApi, _, _) = await cluster[0].NewUserAsync("owner");
        using var _o = ownerApi;
        var (intruderApi, _, _) = await cluster[1].NewUserAsync("intruder");
        using var _i = intruderApi;

        var first = await GatewayClient.ConnectAsync(cluster[0].BaseAddress);
        var ready = await first.IdentifyAsync(ownerApi.AccessToken!);
        var seq = first.LastSeq;
        first.Drop();
        await first.DisposeAsync();

        await using (var intruder = await GatewayClient.ConnectAsync(cluster[1].BaseAddress))
        {
            await intruder.ResumeAsync(ready.SessionId, intruderApi.AccessToken!, seq);
            var refused = await intruder.ReceiveAsync();
            Assert.Equal(GatewayOp.Reconnect, refused.Op);
            Assert.Equal("session_expired", refused.D!.Value.GetProperty("reason").GetString());
        }

        // The intruder got nothing and took nothing: the owner resumes it, through either node.
        await using var owner = await GatewayClient.ConnectAsync(cluster[1].BaseAddress);
        await owner.ResumeAsync(ready.SessionId, ownerApi.AccessToken!, seq);
        await owner.WaitForDispatchAsync(GatewayEvents.Resumed);
    }

    [Fact]
    public async Task A_resume_of_a_session_whose_node_is_gone_is_told_to_start_over_and_identify_works()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (ownerApi, _, community) = await cluster[1].NewCommunityAsync("Node gone");
        using var _o = ownerApi;
        var (receiverApi, _) = await cluster[1].NewMemberAsync(ownerApi, community.Id);
        using var _r = receiverApi;
        var channel = community.TextChannel();

        var first = await GatewayClient.ConnectAsync(cluster[0].BaseAddress);
        var ready = await first.IdentifyAsync(receiverApi.AccessToken!);
        var seq = first.LastSeq;
        first.Drop();
        await first.DisposeAsync();
        await cluster[0].StopAsync();
        var acknowledged = await ownerApi.SendMessageAsync(channel.Id, "while the node was gone");

        await using var again = await GatewayClient.ConnectAsync(cluster[1].BaseAddress);
        await again.ResumeAsync(ready.SessionId, receiverApi.AccessToken!, seq);
        var answer = await again.ReceiveAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(GatewayOp.Reconnect, answer.Op);
        Assert.Equal("session_expired", answer.D!.Value.GetProperty("reason").GetString());

        // Start over on the same connection: READY, then live events; what was missed is in REST.
        var fresh = await again.IdentifyAsync(receiverApi.AccessToken!);
        Assert.NotEqual(ready.SessionId, fresh.SessionId);
        Assert.Contains(await receiverApi.GetMessagesAsync(channel.Id), m => m.Id == acknowledged.Id);
        var live = await ownerApi.SendMessageAsync(channel.Id, "live");
        Assert.Equal(live.Id, (await again.WaitForDispatchAsync(GatewayEvents.MessageCreate)).D!.Value.GetProperty("id").GetString());
    }

    /// <summary>The message ids replayed before RESUMED, checking they are numbered right after <paramref name="afterSeq"/>.</summary>
    private static async Task<List<string>> ReplayedUntilResumedAsync(GatewayClient gateway, long afterSeq)
    {
        var replayed = new List<string>();
        GatewayFrame frame;
        while ((frame = await NextDispatchAsync(gateway)).T != GatewayEvents.Resumed)
        {
            Assert.Equal(GatewayEvents.MessageCreate, frame.T);
            Assert.Equal(afterSeq + replayed.Count + 1, frame.S);
            replayed.Add(frame.D!.Value.GetProperty("id").GetString()!);
        }

        return replayed;
    }
}
