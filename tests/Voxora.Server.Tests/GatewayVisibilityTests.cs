using System.Net;
using System.Text.Json;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests;

/// <summary>
/// Hidden channels leak nothing: not in READY, lists or REST reads, and none of their events reach members
/// who cannot view them. Losing or gaining VIEW_CHANNEL shows up on live connections at once; kicked and
/// banned members stop receiving the community. On each database provider.
/// </summary>
public abstract class GatewayVisibilityTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private Task<GatewayPerson> ConnectAsync(VoxoraClient api, User user) => GatewayPeople.ConnectAsync(Server, api, user);

    private static string? IdOf(GatewayFrame frame) => frame.D!.Value.GetProperty("id").GetString();

    private async Task<(GatewayPerson Owner, GatewayPerson Member, Community Community)> SetUpAsync()
    {
        var (ownerApi, ownerUser, community) = await Server.NewCommunityAsync();
        var (memberApi, memberUser) = await Server.NewMemberAsync(ownerApi, community.Id);
        var owner = await ConnectAsync(ownerApi, ownerUser);
        var member = await ConnectAsync(memberApi, memberUser);
        return (owner, member, community);
    }

    [Fact]
    public async Task A_private_channel_is_invisible_to_members_without_view_and_appears_when_they_gain_it()
    {
        var (owner, member, community) = await SetUpAsync();
        await using var _o = owner;
        await using var _m = member;
        var everyone = Assert.Single(await owner.Api.GetRolesAsync(community.Id));

        // Created inside a private category it syncs with: the member never hears of it.
        var category = await owner.Api.CreateChannelAsync(community.Id, new CreateChannelRequest("Staff", ChannelTypes.Category));
        Assert.Equal(GatewayEvents.ChannelCreate, (await NextDispatchAsync(member.Gateway)).T);
        await owner.Api.SetOverrideAsync(category.Id, "role", everyone.Id, 0, Permission.ViewChannel);
        var lost = await NextDispatchAsync(member.Gateway);
        Assert.Equal((GatewayEvents.ChannelDelete, category.Id), (lost.T, IdOf(lost)));
        var secret = await owner.Api.CreateChannelAsync(community.Id, new CreateChannelRequest("secret", ParentId: category.Id));
        Assert.True(secret.PermissionsSynced);
        await AssertNothingArrivesAsync(member.Gateway);

        // Its messages, edits, reactions and deletions reach the owner only.
        var message = await owner.Api.SendMessageAsync(secret.Id, "top secret");
        await owner.Api.EditMessageAsync(secret.Id, message.Id, "still secret");
        await owner.Api.AddReactionAsync(secret.Id, message.Id, "🤫");
        await owner.Api.DeleteMessageAsync(secret.Id, message.Id);
        await owner.Api.UpdateChannelAsync(secret.Id, new UpdateChannelRequest(Topic: "hush"));
        var kept = await owner.Api.SendMessageAsync(secret.Id, "kept");
        await AssertNothingArrivesAsync(member.Gateway);
        var seen = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            seen.Add((await NextDispatchAsync(owner.Gateway)).T);
        }

        Assert.Contains(GatewayEvents.MessageCreate, seen);

        // REST and READY: the channels do not exist for the member.
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.Api.GetChannelAsync(secret.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.Api.GetMessagesAsync(secret.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.Api.SendMessageAsync(secret.Id, "let me in"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.Api.GetOverridesAsync(secret.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.Api.AddReactionAsync(secret.Id, kept.Id, "👀"));
        Assert.DoesNotContain(await member.Api.GetChannelsAsync(community.Id), c => c.Id == secret.Id || c.Id == category.Id);
        Assert.DoesNotContain((await member.Api.GetCommunityAsync(community.Id)).Channels!, c => c.Id == secret.Id);
        Assert.DoesNotContain((await member.Api.GetMyCommunitiesAsync()).Single(c => c.Id == community.Id).Channels!, c => c.Id == secret.Id);
        Assert.Contains((await owner.Api.GetCommunityAsync(community.Id)).Channels!, c => c.Id == secret.Id);
        await using (var fresh = await GatewayClient.ConnectAsync(Server.BaseAddress))
        {
            var ready = await fresh.IdentifyAsync(member.Api.AccessToken!);
            var channels = ready.Communities.Single(c => c.Id == community.Id).Channels!;
            Assert.DoesNotContain(channels, c => c.Id == secret.Id || c.Id == category.Id);
            Assert.Contains(channels, c => c.Id == community.TextChannel().Id);
            var raw = JsonSerializer.Serialize(ready, VoxoraJsonContext.Default.ReadyPayload);
            Assert.DoesNotContain("secret", raw, StringComparison.Ordinal);
        }

        // A role allowed on the category: the member gains both channels at once, and their events from then on.
        var staff = await owner.Api.CreateRoleAsync(community.Id, new CreateRoleRequest("staff"));
        await owner.Api.SetOverrideAsync(category.Id, "role", staff.Id, Permission.ViewChannel, 0);
        await owner.Api.AddMemberRoleAsync(community.Id, member.User.Id, staff.Id);
        var gained = new HashSet<string?>();
        while (gained.Count < 2)
        {
            var frame = await NextDispatchAsync(member.Gateway);
            if (frame.T == GatewayEvents.ChannelCreate)
            {
                gained.Add(IdOf(frame));
            }
        }

        Assert.Equal([category.Id, secret.Id], gained.Order());
        Assert.Equal(kept.Id, Assert.Single(await member.Api.GetMessagesAsync(secret.Id)).Id);
        await owner.Api.SendMessageAsync(secret.Id, "welcome");
        Assert.Equal(GatewayEvents.MessageCreate, (await member.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate)).T);

        // Taking the role away hides them again, at once.
        await owner.Api.RemoveMemberRoleAsync(community.Id, member.User.Id, staff.Id);
        var hidden = new HashSet<string?>();
        while (hidden.Count < 2)
        {
            var frame = await NextDispatchAsync(member.Gateway);
            if (frame.T == GatewayEvents.ChannelDelete)
            {
                hidden.Add(IdOf(frame));
            }
        }

        Assert.Equal([category.Id, secret.Id], hidden.Order());
        await owner.Api.SendMessageAsync(secret.Id, "gone again");
        var after = await member.Gateway.TryReceiveDispatchAsync(Quiet);
        Assert.True(after is null || after.T != GatewayEvents.MessageCreate, $"unexpected {after?.T}");
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.Api.GetMessagesAsync(secret.Id));
    }

    [Fact]
    public async Task A_user_override_hides_a_channel_from_one_member_only()
    {
        var (owner, member, community) = await SetUpAsync();
        await using var _o = owner;
        await using var _m = member;
        var (otherApi, otherUser) = await Server.NewMemberAsync(owner.Api, community.Id);
        await using var other = await ConnectAsync(otherApi, otherUser);
        await member.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityMemberAdd);
        var text = community.TextChannel();

        await owner.Api.SetOverrideAsync(text.Id, "user", member.User.Id, 0, Permission.ViewChannel);
        var lost = await member.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelDelete);
        Assert.Equal(text.Id, IdOf(lost));
        await owner.Api.SendMessageAsync(text.Id, "not for you");
        Assert.Equal(GatewayEvents.MessageCreate, (await other.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate)).T);
        await AssertNothingArrivesAsync(member.Gateway);

        await owner.Api.DeleteOverrideAsync(text.Id, "user", member.User.Id);
        Assert.Equal(text.Id, IdOf(await member.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelCreate)));
    }

    [Fact]
    public async Task Kicked_and_banned_members_stop_receiving_the_community_at_once()
    {
        var (owner, member, community) = await SetUpAsync();
        await using var _o = owner;
        await using var _m = member;
        var text = community.TextChannel();

        await owner.Api.KickAsync(community.Id, member.User.Id);
        var gone = await member.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityDelete);
        Assert.Equal(community.Id, IdOf(gone));
        await owner.Api.SendMessageAsync(text.Id, "after the kick");
        await AssertNothingArrivesAsync(member.Gateway);

        await member.Api.AcceptInviteAsync((await owner.Api.CreateInviteAsync(community.Id)).Code);
        await member.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityCreate);
        await owner.Api.SendMessageAsync(text.Id, "welcome back");
        await member.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);

        await owner.Api.BanAsync(community.Id, member.User.Id);
        await member.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityDelete);
        await owner.Api.SendMessageAsync(text.Id, "after the ban");
        await owner.Api.UpdateCommunityAsync(community.Id, "renamed");
        await AssertNothingArrivesAsync(member.Gateway);
    }

    [Fact]
    public async Task Role_and_member_changes_are_announced()
    {
        var (owner, member, community) = await SetUpAsync();
        await using var _o = owner;
        await using var _m = member;

        var role = await owner.Api.CreateRoleAsync(community.Id, new CreateRoleRequest("crew"));
        Assert.Equal(role.Id, IdOf(await member.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityRoleCreate)));
        await owner.Api.UpdateRoleAsync(community.Id, role.Id, new UpdateRoleRequest("crew2"));
        var updated = await member.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityRoleUpdate);
        Assert.Equal("crew2", updated.D!.Value.GetProperty("name").GetString());
        await owner.Api.AddMemberRoleAsync(community.Id, member.User.Id, role.Id);
        var memberUpdate = await member.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityMemberUpdate);
        Assert.Equal(role.Id, memberUpdate.D!.Value.GetProperty("roles")[0].GetString());
        await owner.Api.DeleteRoleAsync(community.Id, role.Id);
        Assert.Equal(role.Id, IdOf(await member.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityRoleDelete)));
        Assert.Empty((await owner.Api.GetMembersAsync(community.Id)).Single(m => m.User.Id == member.User.Id).Roles!);

        var message = await owner.Api.SendMessageAsync(community.TextChannel().Id, "one");
        var other = await owner.Api.SendMessageAsync(community.TextChannel().Id, "two");
        await owner.Api.BulkDeleteMessagesAsync(community.TextChannel().Id, [message.Id, other.Id]);
        var bulk = await member.Gateway.WaitForDispatchAsync(GatewayEvents.MessageDeleteBulk);
        Assert.Equal(2, bulk.D!.Value.GetProperty("ids").GetArrayLength());
    }
}

public sealed class GatewayVisibilityTestsOnSqlite(SqliteServerFixture fixture) : GatewayVisibilityTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class GatewayVisibilityTestsOnPostgres(PostgresServerFixture fixture) : GatewayVisibilityTests(fixture), IClassFixture<PostgresServerFixture>;
