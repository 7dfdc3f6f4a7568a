using System.Net;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests;

/// <summary>
/// Leave, kick and ban are one domain event (a membership removed): each has the same effects on the removed
/// member's own connections, on the other members' connections and on the per-request member checks.
/// Run on both database providers.
/// </summary>
public abstract class MemberRemovalTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    public enum Removal { Leave, Kick, Ban }

    private Task<GatewayPerson> ConnectedUserAsync(string prefix) => GatewayPeople.ConnectedUserAsync(Server, prefix);

    /// <summary>Joins through an invite and drains every gateway of what the join produced.</summary>
    private static async Task JoinAsync(GatewayPerson owner, Community community, GatewayPerson joiner, params GatewayPerson[] others)
    {
        var invite = await owner.Api.CreateInviteAsync(community.Id);
        await owner.Gateway.WaitForDispatchAsync(GatewayEvents.InviteCreate);
        await joiner.Api.AcceptInviteAsync(invite.Code);
        await joiner.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityCreate);
        foreach (var other in others.Prepend(owner))
        {
            await other.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityMemberAdd);
        }
    }

    private static Task RemoveAsync(Removal removal, GatewayPerson owner, GatewayPerson member, Community community) => removal switch
    {
        Removal.Leave => member.Api.LeaveCommunityAsync(community.Id),
        Removal.Kick => owner.Api.KickAsync(community.Id, member.User.Id),
        _ => owner.Api.BanAsync(community.Id, member.User.Id),
    };

    [Theory]
    [InlineData(Removal.Leave)]
    [InlineData(Removal.Kick)]
    [InlineData(Removal.Ban)]
    public async Task Leave_kick_and_ban_have_the_same_effects_for_the_removed_member_and_everyone_else(Removal removal)
    {
        await using var owner = await ConnectedUserAsync("rmowner");
        await using var member = await ConnectedUserAsync("rmmember");
        await using var bystander = await ConnectedUserAsync("rmbystander");
        var community = await owner.Api.CreateCommunityAsync("Removal " + removal);
        await owner.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityCreate);
        await JoinAsync(owner, community, member);
        await JoinAsync(owner, community, bystander, member);
        var text = community.TextChannel();
        await member.Api.GetMessagesAsync(text.Id);

        await RemoveAsync(removal, owner, member, community);

        // The removed member's own connection is told they are gone, then that the community is gone for them.
        var removedFrame = await NextDispatchAsync(member.Gateway);
        Assert.Equal(GatewayEvents.CommunityMemberRemove, removedFrame.T);
        Assert.Equal(community.Id, removedFrame.D!.Value.GetProperty("community_id").GetString());
        Assert.Equal(member.User.Id, removedFrame.D!.Value.GetProperty("user").GetProperty("id").GetString());
        var deleted = await NextDispatchAsync(member.Gateway);
        Assert.Equal(GatewayEvents.CommunityDelete, deleted.T);
        Assert.Equal(community.Id, deleted.D!.Value.GetProperty("id").GetString());

        // Every other member hears of it exactly once.
        foreach (var other in new[] { owner, bystander })
        {
            var frame = await NextDispatchAsync(other.Gateway);
            Assert.Equal(GatewayEvents.CommunityMemberRemove, frame.T);
            Assert.Equal(member.User.Id, frame.D!.Value.GetProperty("user").GetProperty("id").GetString());
            await AssertNothingArrivesAsync(other.Gateway);
        }

        // The per-request checks stop seeing the membership as soon as the call returned.
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.Api.GetMessagesAsync(text.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.Api.SendMessageAsync(text.Id, "still here?"));
        Assert.DoesNotContain(await owner.Api.GetMembersAsync(community.Id), m => m.User.Id == member.User.Id);

        // And nothing of the community reaches the removed member any more.
        await owner.Api.SendMessageAsync(text.Id, "after");
        await bystander.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);
        await AssertNothingArrivesAsync(member.Gateway);
    }
}

public sealed class MemberRemovalTestsOnSqlite(SqliteServerFixture fixture) : MemberRemovalTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class MemberRemovalTestsOnPostgres(PostgresServerFixture fixture) : MemberRemovalTests(fixture), IClassFixture<PostgresServerFixture>;
