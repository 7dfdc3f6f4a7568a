using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests.Cluster;

/// <summary>
/// The audit log on several nodes: a change is recorded once, by the node that saved it. Its domain event is raised only
/// there; the other nodes hear of it on the bus (permission rebuild, dispatches) and must not record it again.
/// </summary>
public sealed class ClusterAuditTests
{
    [Fact]
    public async Task A_role_change_on_one_node_is_audited_exactly_once_after_every_node_has_applied_it()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (ownerApi, owner, community) = await cluster[0].NewCommunityAsync("Audited on two nodes");
        var (memberApi, member) = await cluster[1].NewMemberAsync(ownerApi, community.Id);
        await using var memberGateway = await ConnectAsync(cluster[1], memberApi, member);

        var role = await ownerApi.CreateRoleAsync(community.Id, new CreateRoleRequest("mods", Permission.ManageMessages));
        await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityRoleCreate);
        await ownerApi.UpdateRoleAsync(community.Id, role.Id, new UpdateRoleRequest("moderators", Permission.ManageMessages | Permission.KickMembers));

        // Node 2 has rebuilt its snapshot and delivered the update (bus order): whatever it does with the change is done.
        var updated = await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityRoleUpdate);
        Assert.Equal("moderators", updated.D!.Value.GetProperty("name").GetString());

        var entries = (await ownerApi.GetAuditLogAsync(community.Id)).OrderBy(e => e.Seq).ToList();
        Assert.Equal(["invite.create", "role.create", "role.update"], entries.Select(e => e.Action));
        var update = entries[^1];
        Assert.Equal((owner.Id, role.Id), (update.ActorId, update.TargetId));
        Assert.Equal(
            "{\"name\":{\"old\":\"mods\",\"new\":\"moderators\"},\"permissions\":{\"old\":\"64\",\"new\":\"2112\"}}",
            update.Changes!.Value.GetRawText());
        Assert.True((await ownerApi.VerifyAuditLogAsync(community.Id)).Intact);
    }
}
