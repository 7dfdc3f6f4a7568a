using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;
using Voxora.Server.Tests.Notifications;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests.Cluster;

/// <summary>Web Push on two nodes (PostgreSQL + Redis): one push per notification, and none while connected to any node.</summary>
public sealed class ClusterPushTests
{
    private static readonly Dictionary<string, string?> PushSettings = new()
    {
        ["PUSH:ALLOW_LOOPBACK_HTTP"] = "true",
        ["PUSH:BATCH_MILLISECONDS"] = "300",
    };

    [Fact]
    public async Task A_notification_is_pushed_once_by_the_node_that_saved_the_message_and_not_while_connected_to_another_node()
    {
        await using var push = await PushServiceStandIn.StartAsync();
        await using var cluster = await ClusterNodes.StartAsync(2, PushSettings);
        var (ownerApi, _, community) = await cluster[0].NewCommunityAsync("Two nodes");
        var (bobApi, bob) = await cluster[1].NewMemberAsync(ownerApi, community.Id);
        using var browser = push.NewSubscription();
        await bobApi.SubscribePushAsync(browser.Request());
        var channel = community.TextChannel();

        // Both nodes share the VAPID key the browser subscribed with.
        var vapid = await bobApi.GetVapidPublicKeyAsync();
        using (var otherNode = cluster[0].NewClient())
        {
            otherNode.AccessToken = bobApi.AccessToken;
            Assert.Equal(vapid, await otherNode.GetVapidPublicKeyAsync());
        }

        // Bob is connected to node 1; the message is saved by node 0: no push.
        await using (var connected = await ConnectAsync(cluster[1], bobApi, bob))
        {
            await ownerApi.SendMessageAsync(channel.Id, $"<@{bob.Id}> while connected elsewhere");
            Assert.Null(await browser.NextAsync(TimeSpan.FromSeconds(1.5)));
        }

        await Task.Delay(300);
        var sent = await ownerApi.SendMessageAsync(channel.Id, $"<@{bob.Id}> offline now");
        var received = await browser.NextAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(received);
        var claims = VapidCheck.Verify(received.Authorization, vapid.PublicKey);
        Assert.Equal(push.Origin, claims.Audience);
        // The public URL is plain http here, which RFC 8292 does not allow as a contact: none is sent.
        Assert.Null(claims.Subject);
        Assert.Equal(sent.Id, browser.Open(received).MessageId);
        // Exactly once: the other node did not send it too.
        Assert.Null(await browser.NextAsync(TimeSpan.FromSeconds(1.5)));
    }
}
