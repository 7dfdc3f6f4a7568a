using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Features.Presence;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Presence.PresenceWatch;

namespace Voxora.Server.Tests.Presence;

/// <summary>
/// Presence through the gateway (op 9, IDENTIFY's presence, READY's presences, PRESENCE_UPDATE) and
/// <c>GET /communities/{id}/presences</c>, with a 1 s grace so "offline after the grace" is quick to see.
/// </summary>
public abstract class PresenceTests(Provider provider)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    private Task<TestServer> StartAsync() =>
        TestServer.StartAsync(provider, new Dictionary<string, string?> { ["PRESENCE:GRACE_SECONDS"] = "1" });

    [Fact]
    public async Task Others_see_online_idle_dnd_then_invisible_as_offline_and_the_user_sees_their_real_status()
    {
        await using var server = await StartAsync();
        var (aliceApi, alice, community) = await server.NewCommunityAsync("Presence");
        var (bobApi, bob) = await server.NewMemberAsync(aliceApi, community.Id);
        await using var aliceWatch = await WatchingAsync(server, aliceApi, alice);

        await using var bobWatch = await WatchingAsync(server, bobApi, bob);
        Assert.Equal(PresenceStatuses.Online, await NextStatusAsync(aliceWatch.Gateway, bob.Id));

        await bobWatch.Gateway.SetPresenceAsync(PresenceStatuses.Idle);
        Assert.Equal(PresenceStatuses.Idle, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
        Assert.Equal(PresenceStatuses.Idle, await NextStatusAsync(bobWatch.Gateway, bob.Id));

        await bobWatch.Gateway.SetPresenceAsync(PresenceStatuses.Dnd);
        Assert.Equal(PresenceStatuses.Dnd, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
        Assert.Equal(PresenceStatuses.Dnd, await NextStatusAsync(bobWatch.Gateway, bob.Id));
        Assert.Equal(PresenceStatuses.Dnd, await server.Services.GetRequiredService<PresenceDirectory>().GetStatusAsync(bob.Id));

        await bobWatch.Gateway.SetPresenceAsync(PresenceStatuses.Invisible);
        Assert.Equal(PresenceStatuses.Offline, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
        Assert.Equal(PresenceStatuses.Invisible, await NextStatusAsync(bobWatch.Gateway, bob.Id));

        // Invisible is offline to everyone else: READY and the presences list leave bob out; his own READY says invisible.
        var (late, lateReady) = await IdentifyAsync(server, aliceApi);
        await using var _late = late;
        Assert.DoesNotContain(lateReady.Presences!, p => p.UserId == bob.Id);
        Assert.DoesNotContain(await aliceApi.GetPresencesAsync(community.Id), p => p.UserId == bob.Id);
        var (bobSecond, bobReady) = await IdentifyAsync(server, bobApi);
        await using var _bobSecond = bobSecond;
        Assert.Contains(bobReady.Presences!, p => p.UserId == bob.Id && p.Status == PresenceStatuses.Invisible);

        // Closing the connections of an invisible user announces nothing: others already see offline.
        await bobWatch.Gateway.CloseAsync();
        await bobSecond.CloseAsync();
        await AssertNoPresenceAsync(aliceWatch.Gateway, bob.Id, Grace * 3);
        Assert.False(await server.Services.GetRequiredService<PresenceDirectory>().IsConnectedAnywhereAsync(bob.Id));
    }

    [Fact]
    public async Task The_last_connection_closing_announces_offline_after_the_grace_and_a_quick_reconnect_announces_nothing()
    {
        await using var server = await StartAsync();
        var (aliceApi, alice, community) = await server.NewCommunityAsync("Grace");
        var (bobApi, bob) = await server.NewMemberAsync(aliceApi, community.Id);
        await using var aliceWatch = await WatchingAsync(server, aliceApi, alice);
        var directory = server.Services.GetRequiredService<PresenceDirectory>();

        var bobGateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await bobGateway.IdentifyAsync(bobApi.AccessToken!);
        Assert.Equal(PresenceStatuses.Online, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
        Assert.True(await directory.IsConnectedAnywhereAsync(bob.Id));

        // Dropped and back at once (a network blip): no offline, no second online.
        bobGateway.Drop();
        await bobGateway.DisposeAsync();
        await using var bobAgain = await GatewayClient.ConnectAsync(server.BaseAddress);
        await bobAgain.IdentifyAsync(bobApi.AccessToken!);
        await AssertNoPresenceAsync(aliceWatch.Gateway, bob.Id, Grace * 3);
        Assert.True(await directory.IsConnectedAnywhereAsync(bob.Id));

        var closedAt = DateTimeOffset.UtcNow;
        await bobAgain.CloseAsync();
        Assert.Equal(PresenceStatuses.Offline, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
        Assert.True(DateTimeOffset.UtcNow - closedAt >= Grace - TimeSpan.FromMilliseconds(100), "offline came before the grace ended");
        Assert.False(await directory.IsConnectedAnywhereAsync(bob.Id));
        Assert.Equal(PresenceStatuses.Offline, await directory.GetStatusAsync(bob.Id));
    }

    [Fact]
    public async Task With_two_connections_closing_one_keeps_the_user_online_and_the_status_is_shared()
    {
        await using var server = await StartAsync();
        var (aliceApi, alice, community) = await server.NewCommunityAsync("Two tabs");
        var (bobApi, bob) = await server.NewMemberAsync(aliceApi, community.Id);
        await using var aliceWatch = await WatchingAsync(server, aliceApi, alice);

        var (phone, _) = await IdentifyAsync(server, bobApi, PresenceStatuses.Dnd);
        Assert.Equal(PresenceStatuses.Dnd, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
        // A second connection without a status keeps the one chosen last; nobody is told anything new.
        var (desktop, desktopReady) = await IdentifyAsync(server, bobApi);
        await using var _desktop = desktop;
        Assert.Contains(desktopReady.Presences!, p => p.UserId == bob.Id && p.Status == PresenceStatuses.Dnd);
        await AssertNoPresenceAsync(aliceWatch.Gateway, bob.Id, TimeSpan.FromMilliseconds(500));

        // The most recently set status wins, and the user's other connection follows it.
        await desktop.SetPresenceAsync(PresenceStatuses.Online);
        Assert.Equal(PresenceStatuses.Online, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
        Assert.Equal(PresenceStatuses.Online, await NextStatusAsync(phone, bob.Id));

        await phone.CloseAsync();
        await phone.DisposeAsync();
        await AssertNoPresenceAsync(aliceWatch.Gateway, bob.Id, Grace * 3);

        await desktop.CloseAsync();
        Assert.Equal(PresenceStatuses.Offline, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
    }

    [Fact]
    public async Task Only_users_sharing_a_community_receive_a_presence_and_a_new_member_is_announced_to_the_community()
    {
        await using var server = await StartAsync();
        var (aliceApi, alice, community) = await server.NewCommunityAsync("Shared");
        var (bobApi, bob) = await server.NewMemberAsync(aliceApi, community.Id);
        var (carolApi, carol, elsewhere) = await server.NewCommunityAsync("Elsewhere");
        await using var aliceWatch = await WatchingAsync(server, aliceApi, alice);
        await using var carolWatch = await WatchingAsync(server, carolApi, carol);

        await using var bobWatch = await WatchingAsync(server, bobApi, bob);
        Assert.Equal(PresenceStatuses.Online, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
        await bobWatch.Gateway.SetPresenceAsync(PresenceStatuses.Dnd);
        Assert.Equal(PresenceStatuses.Dnd, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
        await AssertNoPresenceAsync(carolWatch.Gateway, null, TimeSpan.FromMilliseconds(600));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carolApi.GetPresencesAsync(community.Id));

        // Bob joins carol's community: its members see him from now on.
        var invite = await carolApi.CreateInviteAsync(elsewhere.Id);
        await bobApi.AcceptInviteAsync(invite.Code);
        Assert.Equal(PresenceStatuses.Dnd, await NextStatusAsync(carolWatch.Gateway, bob.Id));
        Assert.Contains(await carolApi.GetPresencesAsync(elsewhere.Id), p => p.UserId == bob.Id && p.Status == PresenceStatuses.Dnd);

        // Bob leaves it again: his changes no longer reach carol.
        await bobApi.LeaveCommunityAsync(elsewhere.Id);
        await bobWatch.Gateway.SetPresenceAsync(PresenceStatuses.Idle);
        Assert.Equal(PresenceStatuses.Idle, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
        await AssertNoPresenceAsync(carolWatch.Gateway, bob.Id, TimeSpan.FromMilliseconds(600));
    }

    [Fact]
    public async Task Ready_carries_the_visible_members_of_the_users_communities_and_their_own_status()
    {
        await using var server = await StartAsync();
        var (aliceApi, alice, community) = await server.NewCommunityAsync("Ready");
        var (bobApi, bob) = await server.NewMemberAsync(aliceApi, community.Id);
        var (carolApi, carol) = await server.NewMemberAsync(aliceApi, community.Id);
        var (daveApi, dave, _) = await server.NewCommunityAsync("Not shared");
        var (bobGateway, _) = await IdentifyAsync(server, bobApi, PresenceStatuses.Dnd);
        await using var _bob = bobGateway;
        var (carolGateway, _) = await IdentifyAsync(server, carolApi, PresenceStatuses.Invisible);
        await using var _carol = carolGateway;
        var (daveGateway, _) = await IdentifyAsync(server, daveApi);
        await using var _dave = daveGateway;

        var (aliceGateway, ready) = await IdentifyAsync(server, aliceApi, PresenceStatuses.Idle);
        await using var _alice = aliceGateway;

        Assert.Equal(
            new[] { (alice.Id, PresenceStatuses.Idle), (bob.Id, PresenceStatuses.Dnd) }.Order(),
            ready.Presences!.Select(p => (p.UserId, p.Status)).Order());
        var listed = await aliceApi.GetPresencesAsync(community.Id);
        Assert.Equal(new[] { (alice.Id, PresenceStatuses.Idle), (bob.Id, PresenceStatuses.Dnd) }.Order(), listed.Select(p => (p.UserId, p.Status)).Order());
        Assert.DoesNotContain(listed, p => p.UserId == carol.Id || p.UserId == dave.Id);
    }

    [Fact]
    public async Task Ready_names_a_community_with_more_members_online_than_the_limit_instead_of_listing_them()
    {
        // The limit is 1,000 by default; 1 here, so two people online are "too many" for READY.
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?>
        {
            ["PRESENCE:GRACE_SECONDS"] = "1",
            ["PRESENCE:READY_LIMIT_PER_COMMUNITY"] = "1",
        });
        var (aliceApi, alice, big) = await server.NewCommunityAsync("Big");
        var (bobApi, bob) = await server.NewMemberAsync(aliceApi, big.Id);
        var (carolApi, carol) = await server.NewMemberAsync(aliceApi, big.Id);
        var (daveApi, _, small) = await server.NewCommunityAsync("Small");
        using var _dave = daveApi;
        var smallInvite = await daveApi.CreateInviteAsync(small.Id);
        await aliceApi.AcceptInviteAsync(smallInvite.Code);
        await bobApi.AcceptInviteAsync(smallInvite.Code);
        var (bobGateway, _) = await IdentifyAsync(server, bobApi);
        await using var _bob = bobGateway;
        var (carolGateway, _) = await IdentifyAsync(server, carolApi);
        await using var _carol = carolGateway;

        var (aliceGateway, ready) = await IdentifyAsync(server, aliceApi);
        await using var _alice = aliceGateway;

        // "Big" has bob and carol online (2 > 1): left out and named; "Small" has only bob (1): listed as usual.
        Assert.Equal([big.Id], ready.LazyPresenceCommunityIds!);
        Assert.Equal(new[] { alice.Id, bob.Id }.Order(), ready.Presences!.Select(p => p.UserId).Order());
        Assert.DoesNotContain(ready.Presences!, p => p.UserId == carol.Id);
        // What the client then pages.
        var paged = await aliceApi.GetPresencesAsync(big.Id);
        Assert.Contains(paged, p => p.UserId == carol.Id && p.Status == PresenceStatuses.Online);
    }

    [Fact]
    public async Task The_presences_list_pages_by_user_id_and_refuses_bad_requests()
    {
        await using var server = await StartAsync();
        var (aliceApi, _, community) = await server.NewCommunityAsync("Paging");
        var people = new List<GatewayClient>();
        try
        {
            people.Add((await IdentifyAsync(server, aliceApi)).Gateway);
            for (var i = 0; i < 3; i++)
            {
                var (api, _) = await server.NewMemberAsync(aliceApi, community.Id);
                people.Add((await IdentifyAsync(server, api)).Gateway);
            }

            var all = await aliceApi.GetPresencesAsync(community.Id);
            Assert.Equal(4, all.Count);
            Assert.Equal(all.Select(p => p.UserId).Order(StringComparer.Ordinal), all.Select(p => p.UserId));
            var first = await aliceApi.GetPresencesAsync(community.Id, limit: 2);
            var second = await aliceApi.GetPresencesAsync(community.Id, after: first[^1].UserId, limit: 2);
            Assert.Equal(all.Select(p => p.UserId), first.Concat(second).Select(p => p.UserId));

            using var anonymous = server.NewClient();
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetPresencesAsync(community.Id));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => aliceApi.GetPresencesAsync("com_01HZZZZZZZZZZZZZZZZZZZZZZZ"));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => aliceApi.GetPresencesAsync("nonsense"));
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => aliceApi.GetPresencesAsync(community.Id, limit: 0));
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => aliceApi.GetPresencesAsync(community.Id, limit: 1001));
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => aliceApi.GetPresencesAsync(community.Id, after: "not-a-user"));
        }
        finally
        {
            foreach (var gateway in people)
            {
                await gateway.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task More_than_five_updates_a_minute_close_the_connection_4008_and_the_sixth_reaches_nobody()
    {
        await using var server = await StartAsync();
        var (aliceApi, alice, community) = await server.NewCommunityAsync("Rate");
        var (bobApi, bob) = await server.NewMemberAsync(aliceApi, community.Id);
        await using var aliceWatch = await WatchingAsync(server, aliceApi, alice);
        var (bobGateway, _) = await IdentifyAsync(server, bobApi);
        await using var _bob = bobGateway;
        Assert.Equal(PresenceStatuses.Online, await NextStatusAsync(aliceWatch.Gateway, bob.Id));

        string[] statuses = [PresenceStatuses.Idle, PresenceStatuses.Dnd, PresenceStatuses.Idle, PresenceStatuses.Dnd, PresenceStatuses.Idle];
        foreach (var status in statuses)
        {
            await bobGateway.SetPresenceAsync(status);
            Assert.Equal(status, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
        }

        await bobGateway.SetPresenceAsync(PresenceStatuses.Dnd);
        var closed = await bobGateway.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(GatewayCloseCodes.RateLimited, (int?)closed.Status);
        // The refused dnd never went out; the closed connection was bob's last, so offline follows the grace.
        Assert.Equal(PresenceStatuses.Offline, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
    }

    [Theory]
    [InlineData("""{"op":9,"d":{"status":"away"}}""")]
    [InlineData("""{"op":9,"d":{"status":"offline"}}""")]
    [InlineData("""{"op":9,"d":{"status":"dnd","activities":[{"name":"a game","type":0}]}}""")]
    [InlineData("""{"op":9,"d":{"status":7}}""")]
    [InlineData("""{"op":9,"d":{}}""")]
    [InlineData("""{"op":9,"d":"dnd"}""")]
    public async Task A_malformed_update_closes_4002_and_changes_nothing(string frame)
    {
        await using var server = await StartAsync();
        var (aliceApi, alice, community) = await server.NewCommunityAsync("Malformed");
        var (bobApi, bob) = await server.NewMemberAsync(aliceApi, community.Id);
        await using var aliceWatch = await WatchingAsync(server, aliceApi, alice);
        var (bobGateway, _) = await IdentifyAsync(server, bobApi, PresenceStatuses.Idle);
        await using var _bob = bobGateway;
        Assert.Equal(PresenceStatuses.Idle, await NextStatusAsync(aliceWatch.Gateway, bob.Id));

        await bobGateway.SendRawAsync(System.Text.Encoding.UTF8.GetBytes(frame));

        var closed = await bobGateway.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(GatewayCloseCodes.DecodeError, (int?)closed.Status);
        Assert.Equal(PresenceStatuses.Offline, await NextStatusAsync(aliceWatch.Gateway, bob.Id));
    }

    [Fact]
    public async Task An_update_before_identify_closes_4003_and_a_bad_identify_presence_closes_4002()
    {
        await using var server = await StartAsync();
        var (api, _, _) = await server.NewUserAsync("early");
        await using (var early = await GatewayClient.ConnectAsync(server.BaseAddress))
        {
            await early.SetPresenceAsync(PresenceStatuses.Dnd);
            Assert.Equal(GatewayCloseCodes.NotAuthenticated, (int?)(await early.Closed.WaitAsync(TimeSpan.FromSeconds(10))).Status);
        }

        await using var badIdentify = await GatewayClient.ConnectAsync(server.BaseAddress);
        await badIdentify.SendRawAsync(System.Text.Encoding.UTF8.GetBytes("""{"op":2,"d":{"token":""" + "\"" + api.AccessToken + "\"" + ""","presence":{"status":"busy"}}}"""));
        Assert.Equal(GatewayCloseCodes.DecodeError, (int?)(await badIdentify.Closed.WaitAsync(TimeSpan.FromSeconds(10))).Status);
    }
}

public sealed class PresenceTestsOnSqlite() : PresenceTests(Provider.Sqlite);

public sealed class PresenceTestsOnPostgres() : PresenceTests(Provider.Postgres);
