using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests.Cluster;

/// <summary>
/// Dispatches whose recipients depend on permissions (a deleted channel's CHANNEL_DELETE, invite events) are resolved by
/// every node for its own sessions: people connected to another node than the one that made the change get exactly
/// what they would on one node.
/// </summary>
public sealed class ClusterAudienceTests
{
    private static string? IdOf(GatewayFrame frame) => frame.D!.Value.GetProperty("id").GetString();

    [Fact]
    public async Task Deleting_a_channel_on_node_1_tells_who_could_see_it_on_node_2_and_nobody_else()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (ownerApi, _, community) = await cluster[0].NewCommunityAsync("Deleted channel");
        var (insiderApi, insider) = await cluster[1].NewMemberAsync(ownerApi, community.Id);
        var (outsiderApi, outsider) = await cluster[1].NewMemberAsync(ownerApi, community.Id);
        var everyone = Assert.Single(await ownerApi.GetRolesAsync(community.Id));
        var secret = await ownerApi.CreateChannelAsync(community.Id, new CreateChannelRequest("secret"));
        await ownerApi.SetOverrideAsync(secret.Id, "role", everyone.Id, 0, Permission.ViewChannel);
        await ownerApi.SetOverrideAsync(secret.Id, "user", insider.Id, Permission.ViewChannel, 0);
        await using var insiderGateway = await ConnectAsync(cluster[1], insiderApi, insider);
        await using var outsiderGateway = await ConnectAsync(cluster[1], outsiderApi, outsider);

        await ownerApi.DeleteChannelAsync(secret.Id);

        Assert.Equal(secret.Id, IdOf(await insiderGateway.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelDelete)));
        await AssertNothingArrivesAsync(outsiderGateway.Gateway);
    }

    [Fact]
    public async Task Invite_events_made_on_node_1_reach_managers_on_node_2_and_not_plain_members()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (ownerApi, owner, community) = await cluster[0].NewCommunityAsync("Invites across nodes");
        var (memberApi, member) = await cluster[1].NewMemberAsync(ownerApi, community.Id);
        var (managerApi, manager) = await cluster[1].NewMemberAsync(ownerApi, community.Id);
        var managers = await ownerApi.CreateRoleAsync(community.Id, new CreateRoleRequest("managers", Permissions: Permission.ManageCommunity));
        await ownerApi.AddMemberRoleAsync(community.Id, manager.Id, managers.Id);
        await using var ownerGateway = await ConnectAsync(cluster[0], ownerApi, owner);
        await using var memberGateway = await ConnectAsync(cluster[1], memberApi, member);
        await using var managerGateway = await ConnectAsync(cluster[1], managerApi, manager);

        var invite = await ownerApi.CreateInviteAsync(community.Id);
        var created = await managerGateway.Gateway.WaitForDispatchAsync(GatewayEvents.InviteCreate);
        Assert.Equal(invite.Code, created.D!.Value.GetProperty("code").GetString());
        await ownerGateway.Gateway.WaitForDispatchAsync(GatewayEvents.InviteCreate);

        await ownerApi.RevokeInviteAsync(invite.Code);
        await managerGateway.Gateway.WaitForDispatchAsync(GatewayEvents.InviteDelete);
        await AssertNoneOfArrivesAsync(memberGateway.Gateway, GatewayEvents.InviteCreate, GatewayEvents.InviteDelete);
    }
}
