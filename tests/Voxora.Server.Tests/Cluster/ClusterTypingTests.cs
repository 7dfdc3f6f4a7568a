using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;
using static Voxora.Server.Tests.TypingTests;

namespace Voxora.Server.Tests.Cluster;

/// <summary>Typing across nodes on one PostgreSQL and one Redis: announced on every node, throttled for the whole cluster.</summary>
public sealed class ClusterTypingTests
{
    [Fact]
    public async Task A_typist_on_one_node_reaches_viewers_on_the_others_but_not_their_own_connection_there_nor_non_viewers()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (ownerApi, owner, community) = await cluster[0].NewCommunityAsync("Typing on two nodes");
        var (typistApi, typist) = await cluster[0].NewMemberAsync(ownerApi, community.Id);
        var (outsiderApi, outsider) = await cluster[1].NewMemberAsync(ownerApi, community.Id);
        var everyone = (await ownerApi.GetRolesAsync(community.Id)).Single(r => r.IsEveryone);
        var hidden = await ownerApi.CreateChannelAsync(community.Id, new CreateChannelRequest("private"));
        await ownerApi.SetOverrideAsync(hidden.Id, "role", everyone.Id, 0, Permission.ViewChannel);
        await ownerApi.SetOverrideAsync(hidden.Id, "user", typist.Id, Permission.ViewChannel, 0);

        await using var typistOnA = await ConnectAsync(cluster[0], typistApi, typist);
        await using var typistOnB = await ConnectAsync(cluster[1], typistApi, typist);
        await using var ownerOnB = await ConnectAsync(cluster[1], ownerApi, owner);
        await using var outsiderOnB = await ConnectAsync(cluster[1], outsiderApi, outsider);

        await SendTypingAsync(typistOnA.Gateway, hidden.Id);

        var seen = await NextTypingAsync(ownerOnB.Gateway);
        Assert.Equal((hidden.Id, community.Id, typist.Id, typist.Username), (seen.ChannelId, seen.CommunityId, seen.UserId, seen.Username));
        await AssertNoTypingAsync(outsiderOnB.Gateway);
        await AssertNoTypingAsync(typistOnB.Gateway);
        await AssertNoTypingAsync(typistOnA.Gateway);

        // And the other way: REST through node B, watched on node A.
        await using var ownerOnA = await ConnectAsync(cluster[0], ownerApi, owner);
        await outsiderApi.StartTypingAsync(community.TextChannel().Id);
        Assert.Equal(outsider.Id, (await NextTypingAsync(ownerOnA.Gateway)).UserId);
        Assert.Equal(outsider.Id, (await NextTypingAsync(typistOnA.Gateway)).UserId);
    }

    [Fact]
    public async Task The_5_second_limit_holds_for_a_user_typing_on_two_nodes()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (ownerApi, owner, community) = await cluster[0].NewCommunityAsync("Throttle on two nodes");
        var (typistApi, typist) = await cluster[0].NewMemberAsync(ownerApi, community.Id);
        var channel = community.TextChannel();
        await using var typistOnA = await ConnectAsync(cluster[0], typistApi, typist);
        await using var typistOnB = await ConnectAsync(cluster[1], typistApi, typist);
        await using var ownerOnA = await ConnectAsync(cluster[0], ownerApi, owner);
        await using var ownerOnB = await ConnectAsync(cluster[1], ownerApi, owner);

        var first = TimeProvider.System.GetTimestamp();
        await SendTypingAsync(typistOnA.Gateway, channel.Id);
        Assert.Equal(typist.Id, (await NextTypingAsync(ownerOnA.Gateway)).UserId);
        Assert.Equal(typist.Id, (await NextTypingAsync(ownerOnB.Gateway)).UserId);

        // The same user through the other node, over the gateway and over REST: accepted, not announced.
        await SendTypingAsync(typistOnB.Gateway, channel.Id);
        await typistApi.StartTypingAsync(channel.Id);
        await AssertNoTypingAsync(ownerOnA.Gateway);
        await AssertNoTypingAsync(ownerOnB.Gateway);
        Assert.True(TimeProvider.System.GetElapsedTime(first) < TimeSpan.FromSeconds(5), "the check ran too late to prove the limit");

        // Once the 5 s are over (Redis's clock), node B announces it.
        var wait = TimeSpan.FromSeconds(5.2) - TimeProvider.System.GetElapsedTime(first);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        await SendTypingAsync(typistOnB.Gateway, channel.Id);
        Assert.Equal(typist.Id, (await NextTypingAsync(ownerOnA.Gateway)).UserId);
        Assert.Equal(typist.Id, (await NextTypingAsync(ownerOnB.Gateway)).UserId);
    }
}
