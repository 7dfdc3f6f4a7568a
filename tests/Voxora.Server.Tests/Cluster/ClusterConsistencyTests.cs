using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests.Cluster;

/// <summary>
/// Several nodes on one PostgreSQL and one Redis: a change made through one node (permissions, memberships, sessions,
/// pod roles, names) takes effect for people connected to another node within a second, not when a cache expires.
/// </summary>
public sealed class ClusterConsistencyTests
{
    /// <summary>The bound: a change on one node is in force on every node within this.</summary>
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(1);


    private static string? IdOf(GatewayFrame frame) => frame.D!.Value.GetProperty("id").GetString();

    [Fact]
    public async Task A_member_on_node_2_loses_and_regains_a_channel_when_its_overrides_and_roles_change_on_node_1()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (ownerApi, owner, community) = await cluster[0].NewCommunityAsync("Permissions across nodes");
        var (memberApi, member) = await cluster[1].NewMemberAsync(ownerApi, community.Id);
        var text = community.TextChannel();
        await using var ownerGateway = await ConnectAsync(cluster[0], ownerApi, owner);
        await using var memberGateway = await ConnectAsync(cluster[1], memberApi, member);
        var everyone = Assert.Single(await ownerApi.GetRolesAsync(community.Id));

        // @everyone denied VIEW_CHANNEL on node 1: the member on node 2 loses it and none of its messages reach them.
        await ownerApi.SetOverrideAsync(text.Id, "role", everyone.Id, 0, Permission.ViewChannel);
        Assert.Equal(text.Id, IdOf(await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelDelete)));
        var hidden = await ownerApi.SendMessageAsync(text.Id, "not for node 2");
        Assert.Equal(hidden.Id, IdOf(await ownerGateway.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate)));
        await AssertNothingArrivesAsync(memberGateway.Gateway);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => memberApi.GetMessagesAsync(text.Id));

        // A role allowed on the channel, given on node 1: the channel comes back, and so do its messages.
        var readers = await ownerApi.CreateRoleAsync(community.Id, new CreateRoleRequest("readers"));
        await ownerApi.SetOverrideAsync(text.Id, "role", readers.Id, Permission.ViewChannel, 0);
        await ownerApi.AddMemberRoleAsync(community.Id, member.Id, readers.Id);
        Assert.Equal(text.Id, IdOf(await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelCreate)));
        var shown = await ownerApi.SendMessageAsync(text.Id, "welcome back");
        Assert.Equal(shown.Id, IdOf(await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate)));

        // Taking the role away on node 1 hides it again; a message sent right after the change is not delivered with
        // node 2's old snapshot.
        await ownerApi.RemoveMemberRoleAsync(community.Id, member.Id, readers.Id);
        await ownerApi.SendMessageAsync(text.Id, "sent right after the change");
        Assert.Equal(text.Id, IdOf(await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelDelete)));
        var after = await memberGateway.Gateway.TryReceiveDispatchAsync(Quiet);
        Assert.True(after is null || after.T != GatewayEvents.MessageCreate, $"unexpected {after?.T}: {after?.D}");
    }

    [Fact]
    public async Task A_member_on_node_2_hears_of_a_channel_opened_to_them_on_node_1_before_its_first_message()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (ownerApi, owner, community) = await cluster[0].NewCommunityAsync("Opened channel");
        var (memberApi, member) = await cluster[1].NewMemberAsync(ownerApi, community.Id);
        var everyone = Assert.Single(await ownerApi.GetRolesAsync(community.Id));
        // Connected before the channel exists, and each step seen, so no late dispatch of the setup (the bus may be
        // slower than a REST call under load) is taken for the one under test.
        await using var memberGateway = await ConnectAsync(cluster[1], memberApi, member);
        var secret = await ownerApi.CreateChannelAsync(community.Id, new CreateChannelRequest("secret"));
        Assert.Equal(secret.Id, IdOf(await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelCreate)));
        await ownerApi.SetOverrideAsync(secret.Id, "role", everyone.Id, 0, Permission.ViewChannel);
        Assert.Equal(secret.Id, IdOf(await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelDelete)));

        // The override goes, and a message follows at once: node 2 must deliver it with the new snapshot, after the
        // CHANNEL_CREATE, not drop it with the old one.
        await ownerApi.DeleteOverrideAsync(secret.Id, "role", everyone.Id);
        var sent = await ownerApi.SendMessageAsync(secret.Id, "first words");
        var created = await NextDispatchAsync(memberGateway.Gateway);
        while (created.T is not (GatewayEvents.ChannelCreate or GatewayEvents.ChannelDelete or GatewayEvents.MessageCreate))
        {
            created = await NextDispatchAsync(memberGateway.Gateway); // presence and the like are not the point here
        }

        Assert.Equal((GatewayEvents.ChannelCreate, secret.Id), (created.T, IdOf(created)));
        var message = await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);
        Assert.Equal(sent.Id, IdOf(message));
    }

    [Fact]
    public async Task Someone_who_joins_through_node_1_while_connected_to_node_2_receives_the_community_at_once()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (ownerApi, owner, community) = await cluster[0].NewCommunityAsync("Join across nodes");
        await using var ownerGateway = await ConnectAsync(cluster[0], ownerApi, owner);
        var (joinerApi, joiner, password) = await cluster[0].NewUserAsync("joiner");
        using var _j = joinerApi;
        // The joiner's gateway is on node 2 (signed in there), their REST calls go to node 1.
        using var onNode2 = cluster[1].NewClient();
        await onNode2.LoginAsync(joiner.Username, password);
        await using var joinerGateway = await ConnectAsync(cluster[1], onNode2, joiner);

        await joinerApi.AcceptInviteAsync((await ownerApi.CreateInviteAsync(community.Id)).Code);
        var create = await joinerGateway.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityCreate);
        Assert.Equal(community.Id, IdOf(create));
        await ownerGateway.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityMemberAdd);

        var sent = await ownerApi.SendMessageAsync(community.TextChannel().Id, "hello newcomer");
        Assert.Equal(sent.Id, IdOf(await joinerGateway.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate)));
    }

    [Fact]
    public async Task Kicked_and_banned_through_node_1_a_member_on_node_2_is_told_and_stops_receiving()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (ownerApi, owner, community) = await cluster[0].NewCommunityAsync("Removal across nodes");
        var (memberApi, member) = await cluster[1].NewMemberAsync(ownerApi, community.Id);
        var text = community.TextChannel();
        await using var ownerGateway = await ConnectAsync(cluster[0], ownerApi, owner);
        await using var memberGateway = await ConnectAsync(cluster[1], memberApi, member);

        await ownerApi.KickAsync(community.Id, member.Id);
        var removed = await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityMemberRemove);
        Assert.Equal(member.Id, removed.D!.Value.GetProperty("user").GetProperty("id").GetString());
        Assert.Equal(community.Id, IdOf(await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityDelete)));
        await ownerApi.SendMessageAsync(text.Id, "after the kick");
        await ownerGateway.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);
        await AssertNothingArrivesAsync(memberGateway.Gateway);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => memberApi.GetMessagesAsync(text.Id));

        // Back through an invite accepted on node 2, then banned on node 1.
        await memberApi.AcceptInviteAsync((await ownerApi.CreateInviteAsync(community.Id)).Code);
        await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityCreate);
        await ownerApi.SendMessageAsync(text.Id, "welcome back");
        await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);

        await ownerApi.BanAsync(community.Id, member.Id);
        await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityMemberRemove);
        await memberGateway.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityDelete);
        await ownerApi.SendMessageAsync(text.Id, "after the ban");
        await ownerApi.UpdateCommunityAsync(community.Id, "renamed");
        await AssertNothingArrivesAsync(memberGateway.Gateway);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => memberApi.GetMessagesAsync(text.Id));
    }

    [Fact]
    public async Task Logout_on_node_1_is_refused_on_node_2_within_a_second_and_closes_its_gateway_there()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (api, user, _) = await cluster[0].NewUserAsync("leaver");
        using var _a = api;
        using var sameTokenOnNode2 = OnNode(cluster[1], api.AccessToken!);
        await using var gateway = await ConnectAsync(cluster[1], sameTokenOnNode2, user);
        // Node 2 has now cached "this session is active".
        await sameTokenOnNode2.GetMeAsync();

        await api.LogoutAsync();
        await AssertRefusedWithinAsync(sameTokenOnNode2);
        await AssertClosedAsRevokedAsync(gateway.Gateway);
    }

    [Fact]
    public async Task A_session_revoked_on_node_1_is_refused_on_node_2_within_a_second_and_its_gateway_there_closes()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (api, user, password) = await cluster[0].NewUserAsync("revoker");
        using var _a = api;
        using var other = cluster[1].NewClient();
        await other.LoginAsync(user.Username, password);
        await using var gateway = await ConnectAsync(cluster[1], other, user);
        await other.GetMeAsync();
        var otherSession = (await api.GetSessionsAsync()).Single(s => !s.Current);

        await api.RevokeSessionAsync(otherSession.Id);
        await AssertRefusedWithinAsync(other);
        await AssertClosedAsRevokedAsync(gateway.Gateway);
        await api.GetMeAsync();
    }

    [Fact]
    public async Task A_password_change_on_node_1_ends_the_other_sessions_on_node_2_within_a_second()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (api, user, password) = await cluster[0].NewUserAsync("changer");
        using var _a = api;
        using var other = cluster[1].NewClient();
        await other.LoginAsync(user.Username, password);
        await using var gateway = await ConnectAsync(cluster[1], other, user);
        await other.GetMeAsync();

        await api.ChangePasswordAsync(password, password + "-and-more");
        await AssertRefusedWithinAsync(other);
        await AssertClosedAsRevokedAsync(gateway.Gateway);
    }

    [Fact]
    public async Task A_pod_ban_on_node_1_is_refused_on_node_2_within_a_second_and_closes_its_gateway_there()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (owner, _, _) = await cluster[0].NewUserAsync("podowner");
        using var _o = owner;
        var (user, userUser, password) = await cluster[1].NewUserAsync("podbanned");
        using var _u = user;
        await using var gateway = await ConnectAsync(cluster[1], user, userUser);
        await user.GetMeAsync();

        await owner.PodBanAsync(userUser.Id, "abuse");
        await AssertRefusedWithinAsync(user);
        await AssertClosedAsRevokedAsync(gateway.Gateway);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.PodBanned, () => cluster[1].NewClient().LoginAsync(userUser.Username, password));
    }

    [Fact]
    public async Task A_pod_role_given_on_node_1_counts_on_node_2_within_a_second()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (owner, _, _) = await cluster[0].NewUserAsync("podowner");
        using var _o = owner;
        var (user, userUser, _) = await cluster[1].NewUserAsync("promoted");
        using var _u = user;
        // Node 2 caches the user's pod permissions.
        Assert.Equal(PodPermission.EveryoneDefault, (await user.GetPodSelfAsync()).Permissions);

        var moderators = await owner.CreatePodRoleAsync(new CreatePodRoleRequest("moderators", PodPermission.BanMembers));
        await owner.AddPodRoleAsync(userUser.Id, moderators.Id);
        await PollAsync(async () => ((await user.GetPodSelfAsync()).Permissions & PodPermission.BanMembers) != 0, "the pod role on node 2");
    }

    [Fact]
    public async Task A_rename_on_node_1_shows_in_what_node_2_serves_within_a_second()
    {
        await using var cluster = await ClusterNodes.StartAsync(2);
        var (ownerApi, _, community) = await cluster[0].NewCommunityAsync("Renames");
        var (memberApi, member) = await cluster[1].NewMemberAsync(ownerApi, community.Id);
        var text = community.TextChannel();
        // Node 2 caches the member as shown to others (the author of their messages).
        Assert.Equal(member.DisplayName, (await memberApi.SendMessageAsync(text.Id, "before")).Author.DisplayName);

        using var onNode1 = OnNode(cluster[0], memberApi.AccessToken!);
        await onNode1.UpdateMeAsync("Renamed Person");
        await PollAsync(
            async () => (await memberApi.SendMessageAsync(text.Id, "after")).Author.DisplayName == "Renamed Person",
            "the new name on node 2");
    }

    private static VoxoraClient OnNode(TestServer node, string accessToken) => new(node.BaseAddress) { AccessToken = accessToken };

    /// <summary>Polls the condition until it holds, failing if it still does not after <see cref="Within"/>.</summary>
    private static async Task PollAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await condition())
            {
                return;
            }

            Assert.True(clock.Elapsed < Within, $"{what} did not take effect within {Within.TotalSeconds} s");
            await Task.Delay(50);
        }
    }

    private static Task AssertRefusedWithinAsync(VoxoraClient client) =>
        PollAsync(async () =>
        {
            try
            {
                await client.GetMeAsync();
                return false;
            }
            catch (VoxoraApiException ex) when (ex.Status == HttpStatusCode.Unauthorized)
            {
                return true;
            }
        }, "the refusal on the other node");

    private static async Task AssertClosedAsRevokedAsync(GatewayClient gateway)
    {
        var closed = await gateway.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((WebSocketCloseStatus)GatewayCloseCodes.SessionRevoked, closed.Status);
    }
}
