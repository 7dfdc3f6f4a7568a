using System.Text.Json;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests;

/// <summary>
/// REST changes arriving live over real gateway sockets: who receives what, membership changes on live
/// connections, and RESUME with real traffic. Run on both database providers.
/// </summary>
public abstract class GatewayLiveTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private Task<GatewayPerson> ConnectedUserAsync(string prefix) => GatewayPeople.ConnectedUserAsync(Server, prefix);

    /// <summary>Owner creates a community; member joins through an invite. Both gateways are drained afterwards.</summary>
    private async Task<(Community Community, string ChannelId)> CommunityWithMemberAsync(GatewayPerson owner, GatewayPerson member)
    {
        var community = await owner.Api.CreateCommunityAsync("Live " + Guid.NewGuid().ToString("N")[..6]);
        await owner.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityCreate);
        var invite = await owner.Api.CreateInviteAsync(community.Id);
        await owner.Gateway.WaitForDispatchAsync(GatewayEvents.InviteCreate);
        await member.Api.AcceptInviteAsync(invite.Code);
        await owner.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityMemberAdd);
        await member.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityCreate);
        var text = community.Channels!.First(c => c.Type == ChannelTypes.Text);
        return (community, text.Id);
    }

    [Fact]
    public async Task Invite_events_reach_only_managers_and_the_inviter()
    {
        await using var alice = await ConnectedUserAsync("alice");
        await using var bob = await ConnectedUserAsync("bob");
        await using var carol = await ConnectedUserAsync("carol");
        var (community, _) = await CommunityWithMemberAsync(alice, bob);
        var toCarol = await alice.Api.CreateInviteAsync(community.Id);
        await alice.Gateway.WaitForDispatchAsync(GatewayEvents.InviteCreate);
        await carol.Api.AcceptInviteAsync(toCarol.Code);
        await carol.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityCreate);
        await alice.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityMemberAdd);
        await bob.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityMemberAdd);
        while (await carol.Gateway.TryReceiveDispatchAsync(Quiet) is not null)
        {
            // Carol's own COMMUNITY_MEMBER_ADD may come before or after her COMMUNITY_CREATE: drain.
        }

        // Bob (a plain member with CREATE_INVITES) makes an invite: he and the owner hear of it; Carol, who cannot list invites, does not.
        var invite = await bob.Api.CreateInviteAsync(community.Id);
        Assert.Equal(invite.Code, (await alice.Gateway.WaitForDispatchAsync(GatewayEvents.InviteCreate)).D!.Value.GetProperty("code").GetString());
        Assert.Equal(invite.Code, (await bob.Gateway.WaitForDispatchAsync(GatewayEvents.InviteCreate)).D!.Value.GetProperty("code").GetString());
        await AssertNothingArrivesAsync(carol.Gateway);

        await alice.Api.RevokeInviteAsync(invite.Code);
        await alice.Gateway.WaitForDispatchAsync(GatewayEvents.InviteDelete);
        await bob.Gateway.WaitForDispatchAsync(GatewayEvents.InviteDelete);
        await AssertNothingArrivesAsync(carol.Gateway);
    }

    [Fact]
    public async Task Members_see_messages_edits_deletes_and_reactions_live_and_outsiders_see_nothing()
    {
        await using var alice = await ConnectedUserAsync("alice");
        await using var bob = await ConnectedUserAsync("bob");
        await using var eve = await ConnectedUserAsync("eve");
        var (community, channelId) = await CommunityWithMemberAsync(alice, bob);

        var sent = await alice.Api.SendMessageAsync(channelId, $"hello <@{bob.User.Id}>", nonce: "n-1");
        foreach (var gateway in new[] { alice.Gateway, bob.Gateway })
        {
            var created = await NextDispatchAsync(gateway);
            Assert.Equal(GatewayEvents.MessageCreate, created.T);
            var message = created.D!.Value.Deserialize(VoxoraJsonContext.Default.Message)!;
            Assert.Equal(sent.Id, message.Id);
            Assert.Equal("n-1", message.Nonce);
            Assert.Equal([bob.User.Id], message.Mentions);
            Assert.Equal(community.Id, message.CommunityId);
        }

        await bob.Api.SendMessageAsync(channelId, "hi alice");
        Assert.Equal("hi alice", (await NextDispatchAsync(alice.Gateway)).D!.Value.GetProperty("content").GetString());
        await NextDispatchAsync(bob.Gateway);

        await alice.Api.EditMessageAsync(channelId, sent.Id, "hello, edited");
        var update = await NextDispatchAsync(bob.Gateway);
        Assert.Equal(GatewayEvents.MessageUpdate, update.T);
        Assert.Equal("hello, edited", update.D!.Value.GetProperty("content").GetString());
        Assert.Equal(JsonValueKind.String, update.D!.Value.GetProperty("edited_at").ValueKind);
        await NextDispatchAsync(alice.Gateway);

        await bob.Api.AddReactionAsync(channelId, sent.Id, "👍");
        var reaction = await NextDispatchAsync(alice.Gateway);
        Assert.Equal(GatewayEvents.MessageReactionAdd, reaction.T);
        var reactionEvent = reaction.D!.Value.Deserialize(VoxoraJsonContext.Default.ReactionEvent)!;
        Assert.Equal((sent.Id, bob.User.Id, "👍"), (reactionEvent.MessageId, reactionEvent.UserId, reactionEvent.Emoji));
        await NextDispatchAsync(bob.Gateway);

        await bob.Api.RemoveReactionAsync(channelId, sent.Id, "👍");
        Assert.Equal(GatewayEvents.MessageReactionRemove, (await NextDispatchAsync(alice.Gateway)).T);
        await NextDispatchAsync(bob.Gateway);

        await alice.Api.DeleteMessageAsync(channelId, sent.Id);
        var deleted = await NextDispatchAsync(bob.Gateway);
        Assert.Equal(GatewayEvents.MessageDelete, deleted.T);
        Assert.Equal(sent.Id, deleted.D!.Value.GetProperty("id").GetString());
        await NextDispatchAsync(alice.Gateway);

        // Eve is connected the whole time but belongs to no community: she saw none of it.
        await AssertNothingArrivesAsync(eve.Gateway);
    }

    [Fact]
    public async Task Joining_starts_and_leaving_stops_a_communitys_events_without_reconnecting()
    {
        await using var owner = await ConnectedUserAsync("owner");
        await using var guest = await ConnectedUserAsync("guest");
        var community = await owner.Api.CreateCommunityAsync("Door");
        await owner.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityCreate);
        var channelId = community.Channels!.First(c => c.Type == ChannelTypes.Text).Id;

        // Before joining: nothing.
        await owner.Api.SendMessageAsync(channelId, "before");
        await owner.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);
        await AssertNothingArrivesAsync(guest.Gateway);

        var invite = await owner.Api.CreateInviteAsync(community.Id);
        await owner.Gateway.WaitForDispatchAsync(GatewayEvents.InviteCreate);
        await guest.Api.AcceptInviteAsync(invite.Code);
        var joined = await NextDispatchAsync(guest.Gateway);
        Assert.Equal(GatewayEvents.CommunityMemberAdd, joined.T);
        var created = await NextDispatchAsync(guest.Gateway);
        Assert.Equal(GatewayEvents.CommunityCreate, created.T);
        Assert.Equal(community.Id, created.D!.Value.GetProperty("id").GetString());
        Assert.True(created.D!.Value.GetProperty("channels").GetArrayLength() >= 2);
        Assert.Equal(guest.User.Id, (await owner.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityMemberAdd)).D!.Value.GetProperty("user").GetProperty("id").GetString());

        // Joined: live messages arrive on the same connection.
        await owner.Api.SendMessageAsync(channelId, "welcome");
        Assert.Equal("welcome", (await guest.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate)).D!.Value.GetProperty("content").GetString());
        await owner.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);

        await guest.Api.LeaveCommunityAsync(community.Id);
        Assert.Equal(GatewayEvents.CommunityMemberRemove, (await NextDispatchAsync(guest.Gateway)).T);
        Assert.Equal(GatewayEvents.CommunityDelete, (await NextDispatchAsync(guest.Gateway)).T);
        await owner.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityMemberRemove);

        // Left: nothing more.
        await owner.Api.SendMessageAsync(channelId, "after");
        await owner.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);
        await AssertNothingArrivesAsync(guest.Gateway);
    }

    [Fact]
    public async Task Every_connection_of_a_joiner_gets_the_community_and_every_member_connection_gets_its_deletion_once()
    {
        await using var owner = await ConnectedUserAsync("joinowner");
        await using var ownerSecond = await ConnectAsync(Server, owner.Api, owner.User);
        await using var guest = await ConnectedUserAsync("joinguest");
        await using var guestSecond = await ConnectAsync(Server, guest.Api, guest.User);

        // Create: both of the creator's connections get the whole community, nothing else.
        var community = await owner.Api.CreateCommunityAsync("Joined " + Guid.NewGuid().ToString("N")[..6]);
        foreach (var connection in new[] { owner.Gateway, ownerSecond.Gateway })
        {
            var created = await NextDispatchAsync(connection);
            Assert.Equal(GatewayEvents.CommunityCreate, created.T);
            Assert.Equal(community.Id, created.D!.Value.GetProperty("id").GetString());
        }

        var invite = await owner.Api.CreateInviteAsync(community.Id);
        await owner.Gateway.WaitForDispatchAsync(GatewayEvents.InviteCreate);
        await ownerSecond.Gateway.WaitForDispatchAsync(GatewayEvents.InviteCreate);

        // Accept: each of the joiner's connections gets COMMUNITY_MEMBER_ADD then COMMUNITY_CREATE; members get the add.
        await guest.Api.AcceptInviteAsync(invite.Code);
        foreach (var connection in new[] { guest.Gateway, guestSecond.Gateway })
        {
            Assert.Equal(GatewayEvents.CommunityMemberAdd, (await NextDispatchAsync(connection)).T);
            var created = await NextDispatchAsync(connection);
            Assert.Equal(GatewayEvents.CommunityCreate, created.T);
            Assert.Equal(community.Id, created.D!.Value.GetProperty("id").GetString());
        }

        foreach (var connection in new[] { owner.Gateway, ownerSecond.Gateway })
        {
            var added = await NextDispatchAsync(connection);
            Assert.Equal(GatewayEvents.CommunityMemberAdd, added.T);
            Assert.Equal(guest.User.Id, added.D!.Value.GetProperty("user").GetProperty("id").GetString());
        }

        // Delete: every member connection gets COMMUNITY_DELETE exactly once, then nothing more about it.
        await owner.Api.DeleteCommunityAsync(community.Id);
        foreach (var connection in new[] { owner.Gateway, ownerSecond.Gateway, guest.Gateway, guestSecond.Gateway })
        {
            var deleted = await NextDispatchAsync(connection);
            Assert.Equal(GatewayEvents.CommunityDelete, deleted.T);
            Assert.Equal(community.Id, deleted.D!.Value.GetProperty("id").GetString());
            await AssertNothingArrivesAsync(connection);
        }
    }

    [Fact]
    public async Task Channel_and_community_changes_reach_members_and_ready_lists_them()
    {
        await using var owner = await ConnectedUserAsync("chanowner");
        await using var member = await ConnectedUserAsync("chanmember");
        var (community, _) = await CommunityWithMemberAsync(owner, member);

        var channel = await owner.Api.CreateChannelAsync(community.Id, new CreateChannelRequest("Announcements"));
        Assert.Equal(channel.Id, (await member.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelCreate)).D!.Value.GetProperty("id").GetString());
        await owner.Api.UpdateChannelAsync(channel.Id, new UpdateChannelRequest(Topic: "News"));
        Assert.Equal("News", (await member.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelUpdate)).D!.Value.GetProperty("topic").GetString());
        await owner.Api.UpdateCommunityAsync(community.Id, name: "Renamed");
        Assert.Equal("Renamed", (await member.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityUpdate)).D!.Value.GetProperty("name").GetString());

        // A fresh IDENTIFY sees the community with its channels.
        await using var again = await GatewayClient.ConnectAsync(Server.BaseAddress);
        var ready = await again.IdentifyAsync(member.Api.AccessToken!);
        var listed = Assert.Single(ready.Communities, c => c.Id == community.Id);
        Assert.Equal("Renamed", listed.Name);
        Assert.Contains(listed.Channels!, c => c.Id == channel.Id);

        await owner.Api.DeleteChannelAsync(channel.Id);
        Assert.Equal(channel.Id, (await member.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelDelete)).D!.Value.GetProperty("id").GetString());
        await owner.Api.DeleteCommunityAsync(community.Id);
        Assert.Equal(community.Id, (await member.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityDelete)).D!.Value.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_resumed_session_gets_exactly_the_messages_it_missed()
    {
        await using var sender = await ConnectedUserAsync("sender");
        var (receiverApi, receiverUser, _) = await Server.NewUserAsync("receiver");
        using var _r = receiverApi;
        var receiver = await GatewayClient.ConnectAsync(Server.BaseAddress);
        var ready = await receiver.IdentifyAsync(receiverApi.AccessToken!);
        var (_, channelId) = await CommunityWithMemberAsync(sender, new GatewayPerson(receiverApi, receiverUser, receiver));

        await sender.Api.SendMessageAsync(channelId, "seen");
        await receiver.WaitForDispatchAsync(GatewayEvents.MessageCreate);
        var seq = receiver.LastSeq;
        receiver.Drop();
        await receiver.DisposeAsync();

        var missed = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            missed.Add((await sender.Api.SendMessageAsync(channelId, $"missed {i}")).Id);
        }

        await using var resumed = await GatewayClient.ConnectAsync(Server.BaseAddress);
        await resumed.ResumeAsync(ready.SessionId, receiverApi.AccessToken!, seq);
        var replayed = new List<string>();
        GatewayFrame frame;
        while ((frame = await NextDispatchAsync(resumed)).T != GatewayEvents.Resumed)
        {
            Assert.Equal(GatewayEvents.MessageCreate, frame.T);
            replayed.Add(frame.D!.Value.GetProperty("id").GetString()!);
        }

        Assert.Equal(missed, replayed);
        var live = await sender.Api.SendMessageAsync(channelId, "live again");
        var next = await NextDispatchAsync(resumed);
        Assert.Equal(live.Id, next.D!.Value.GetProperty("id").GetString());
        Assert.Equal(seq + 21, next.S);
    }
}

public sealed class GatewayLiveTestsOnSqlite(SqliteServerFixture fixture) : GatewayLiveTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class GatewayLiveTestsOnPostgres(PostgresServerFixture fixture) : GatewayLiveTests(fixture), IClassFixture<PostgresServerFixture>;
