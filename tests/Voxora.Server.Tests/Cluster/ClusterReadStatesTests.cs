using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests.Cluster;

/// <summary>Read markers on two nodes: marking read through one clears the badge on the user's sessions on the other.</summary>
public sealed class ClusterReadStatesTests
{
    [Fact]
    public async Task Marking_read_through_one_node_reaches_the_users_session_on_the_other()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (bobApi, bob, community) = await cluster[0].NewCommunityAsync("Reads on two nodes");
        var (alice, aliceUser, password) = await cluster[0].NewUserAsync("ali");
        using var _a = alice;
        await alice.AcceptInviteAsync((await bobApi.CreateInviteAsync(community.Id)).Code);
        using var alicePhone = cluster[1].NewClient();
        await alicePhone.LoginAsync(aliceUser.Username, password);
        var channel = community.TextChannel().Id;

        await using var laptop = await ConnectAsync(cluster[0], alice, aliceUser);
        await using var phone = await ConnectAsync(cluster[1], alicePhone, aliceUser);
        await using var bobGateway = await ConnectAsync(cluster[1], bobApi, bob);

        var mention = await bobApi.SendMessageAsync(channel, $"<@{aliceUser.Id}> on node 1");
        await phone.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);
        var counts = Assert.Single((await alicePhone.GetUnreadCountsAsync()).Channels);
        Assert.Equal((1, 1, mention.Id), (counts.UnreadCount, counts.MentionCount, counts.LastMessageId));

        await alice.MarkChannelReadAsync(channel, mention.Id);
        foreach (var session in new[] { phone, laptop })
        {
            var read = (await session.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelRead)).D!.Value;
            Assert.Equal((channel, mention.Id, 0), (read.GetProperty("channel_id").GetString(), read.GetProperty("last_read_id").GetString(),
                read.GetProperty("mention_count").GetInt32()));
        }

        counts = Assert.Single((await alicePhone.GetUnreadCountsAsync()).Channels);
        Assert.Equal((0, 0), (counts.UnreadCount, counts.MentionCount));
        await bobGateway.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);
        await AssertNothingArrivesAsync(bobGateway.Gateway);
    }
}
