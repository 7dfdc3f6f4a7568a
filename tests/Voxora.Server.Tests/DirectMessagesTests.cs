using System.Net;
using System.Text;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests;

/// <summary>One-to-one and group DMs: opening, listing, READY, messages and their events among participants only, group membership, privacy — on each provider.</summary>
public abstract class DirectMessagesTests(ServerFixture fixture)
{
    private const string UnknownUser = "usr_01ARZ3NDEKTSV4RRFFQ69G5FAV";
    private const string UnknownChannel = "ch_01ARZ3NDEKTSV4RRFFQ69G5FAV";

    private TestServer Server => fixture.Server;

    /// <summary>A community of <paramref name="count"/> people, each with a live gateway connection.</summary>
    private async Task<(Community Community, GatewayPerson[] People)> PeopleAsync(int count)
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        var people = new List<GatewayPerson> { await ConnectAsync(Server, owner, ownerUser) };
        for (var i = 1; i < count; i++)
        {
            var (member, memberUser) = await Server.NewMemberAsync(owner, community.Id);
            people.Add(await ConnectAsync(Server, member, memberUser));
        }

        // Drain the joins' member events so each test starts from a quiet line.
        await Task.Delay(Quiet);
        foreach (var person in people)
        {
            while (await person.Gateway.TryReceiveDispatchAsync(TimeSpan.FromMilliseconds(50)) is not null)
            {
            }
        }

        return (community, people.ToArray());
    }

    private static async ValueTask DisposeAllAsync(IEnumerable<GatewayPerson> people)
    {
        foreach (var person in people)
        {
            await person.DisposeAsync();
        }
    }

    [Fact]
    public async Task Opening_a_DM_twice_returns_the_same_one_listed_for_both_and_in_READY()
    {
        var (_, people) = await PeopleAsync(3);
        var (alice, bob, carol) = (people[0], people[1], people[2]);
        try
        {
            var (dm, created) = await alice.Api.OpenDirectChannelAsync(new CreateDirectChannelRequest(RecipientId: bob.User.Id));
            Assert.True(created);
            Assert.Equal(ChannelTypes.DirectMessage, dm.Type);
            Assert.Null(dm.OwnerId);
            Assert.Equal(new[] { alice.User.Id, bob.User.Id }.Order(), dm.Recipients.Select(r => r.Id).Order());

            // Both participants' connections hear CHANNEL_CREATE; carol, who shares the community, hears nothing.
            foreach (var person in new[] { alice, bob })
            {
                var create = (await person.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelCreate)).D!.Value;
                Assert.Equal(dm.Id, create.GetProperty("id").GetString());
                Assert.Equal(ChannelTypes.DirectMessage, create.GetProperty("type").GetInt32());
            }

            await AssertNothingArrivesAsync(carol.Gateway);

            var (again, createdAgain) = await alice.Api.OpenDirectChannelAsync(new CreateDirectChannelRequest(RecipientId: bob.User.Id));
            Assert.False(createdAgain);
            Assert.Equal(dm.Id, again.Id);
            var (fromBob, bobCreated) = await bob.Api.OpenDirectChannelAsync(new CreateDirectChannelRequest(RecipientId: alice.User.Id));
            Assert.False(bobCreated);
            Assert.Equal(dm.Id, fromBob.Id);
            await AssertNothingArrivesAsync(bob.Gateway);

            Assert.Equal(dm.Id, Assert.Single(await alice.Api.GetDirectChannelsAsync()).Id);
            Assert.Equal(dm.Id, Assert.Single(await bob.Api.GetDirectChannelsAsync()).Id);
            Assert.Empty(await carol.Api.GetDirectChannelsAsync());
            Assert.Equal(dm.Id, (await bob.Api.GetDirectChannelAsync(dm.Id)).Id);

            await using var bobAgain = await GatewayClient.ConnectAsync(Server.BaseAddress);
            var ready = await bobAgain.IdentifyAsync(bob.Api.AccessToken!);
            Assert.Equal(dm.Id, Assert.Single(ready.PrivateChannels!).Id);
            await using var carolAgain = await GatewayClient.ConnectAsync(Server.BaseAddress);
            Assert.Empty((await carolAgain.IdentifyAsync(carol.Api.AccessToken!)).PrivateChannels!);
        }
        finally
        {
            await DisposeAllAsync(people);
        }
    }

    [Fact]
    public async Task Messages_reactions_edits_replies_typing_and_unread_counts_work_and_reach_only_participants()
    {
        var (_, people) = await PeopleAsync(3);
        var (alice, bob, carol) = (people[0], people[1], people[2]);
        try
        {
            var dm = await alice.Api.OpenDirectMessageAsync(bob.User.Id);
            await alice.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelCreate);
            await bob.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelCreate);

            var hello = await alice.Api.SendMessageAsync(dm.Id, $"hi <@{bob.User.Id}> and <@{carol.User.Id}>");
            Assert.Null(hello.CommunityId);
            // Only participants can be mentioned in a DM.
            Assert.Equal([bob.User.Id], hello.Mentions);
            var created = (await bob.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate)).D!.Value;
            Assert.Equal(hello.Id, created.GetProperty("id").GetString());
            Assert.False(created.TryGetProperty("community_id", out _)); // null: a DM has no community
            await alice.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);

            var counts = Assert.Single((await bob.Api.GetUnreadCountsAsync()).Channels, c => c.ChannelId == dm.Id);
            Assert.Equal((1, 1, hello.Id, (string?)null), (counts.UnreadCount, counts.MentionCount, counts.LastMessageId, counts.CommunityId));

            var reply = await bob.Api.SendMessageAsync(dm.Id, "hello back", replyTo: hello.Id);
            Assert.Equal(hello.Id, reply.ReplyTo);
            await alice.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);
            await bob.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);

            await alice.Api.AddReactionAsync(dm.Id, reply.Id, "👍");
            Assert.Equal(reply.Id, (await bob.Gateway.WaitForDispatchAsync(GatewayEvents.MessageReactionAdd)).D!.Value.GetProperty("message_id").GetString());
            await alice.Api.EditMessageAsync(dm.Id, hello.Id, "hi bob");
            Assert.Equal("hi bob", (await bob.Gateway.WaitForDispatchAsync(GatewayEvents.MessageUpdate)).D!.Value.GetProperty("content").GetString());
            await bob.Api.StartTypingAsync(dm.Id);
            Assert.Equal(bob.User.Id, (await alice.Gateway.WaitForDispatchAsync(GatewayEvents.TypingStart)).D!.Value.GetProperty("user_id").GetString());

            await bob.Api.MarkChannelReadAsync(dm.Id, hello.Id);
            Assert.Equal(dm.Id, (await bob.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelRead)).D!.Value.GetProperty("channel_id").GetString());
            Assert.Equal(0, Assert.Single((await bob.Api.GetUnreadCountsAsync()).Channels, c => c.ChannelId == dm.Id).UnreadCount);

            var history = await bob.Api.GetMessagesAsync(dm.Id);
            Assert.Equal([reply.Id, hello.Id], history.Select(m => m.Id));

            // Nobody can moderate a DM: each deletes only their own messages.
            await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => bob.Api.DeleteMessageAsync(dm.Id, hello.Id));
            await bob.Api.DeleteMessageAsync(dm.Id, reply.Id);
            await alice.Gateway.WaitForDispatchAsync(GatewayEvents.MessageDelete);

            // Carol shares the community but not the DM: she heard none of it, and every route answers 404.
            await AssertNothingArrivesAsync(carol.Gateway);
            Assert.DoesNotContain((await carol.Api.GetUnreadCountsAsync()).Channels, c => c.ChannelId == dm.Id);
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carol.Api.GetMessagesAsync(dm.Id));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carol.Api.SendMessageAsync(dm.Id, "let me in"));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carol.Api.EditMessageAsync(dm.Id, hello.Id, "mine now"));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carol.Api.DeleteMessageAsync(dm.Id, hello.Id));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carol.Api.AddReactionAsync(dm.Id, hello.Id, "👍"));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carol.Api.GetReactionsAsync(dm.Id, hello.Id, "👍"));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carol.Api.StartTypingAsync(dm.Id));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carol.Api.MarkChannelReadAsync(dm.Id, hello.Id));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carol.Api.GetDirectChannelAsync(dm.Id));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carol.Api.LeaveDirectChannelAsync(dm.Id));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carol.Api.AddDirectRecipientAsync(dm.Id, carol.User.Id));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carol.Api.GetOverridesAsync(dm.Id));
            Assert.Equal("hi bob", (await alice.Api.GetMessagesAsync(dm.Id)).Single().Content);

            // Community-only routes refuse a DM even for its participants, and change nothing.
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.Api.GetOverridesAsync(dm.Id));
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType, () => alice.Api.ReportMessageAsync(dm.Id, hello.Id, "spam"));
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType, () => alice.Api.LeaveDirectChannelAsync(dm.Id));
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType, () => alice.Api.RenameDirectChannelAsync(dm.Id, "ours"));
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType, () => alice.Api.AddDirectRecipientAsync(dm.Id, carol.User.Id));
            Assert.Equal(2, (await alice.Api.GetDirectChannelAsync(dm.Id)).Recipients.Count);
        }
        finally
        {
            await DisposeAllAsync(people);
        }
    }

    [Fact]
    public async Task Group_owner_adds_and_removes_people_anyone_renames_or_leaves_and_the_owner_leaving_hands_it_on()
    {
        var (_, people) = await PeopleAsync(4);
        var (alice, bob, carol, dave) = (people[0], people[1], people[2], people[3]);
        try
        {
            var group = await alice.Api.CreateGroupDirectMessageAsync([bob.User.Id, carol.User.Id], "  weekend  ");
            Assert.Equal((ChannelTypes.GroupDirectMessage, "weekend", alice.User.Id, 3), (group.Type, group.Name, group.OwnerId, group.Recipients.Count));
            foreach (var person in new[] { alice, bob, carol })
            {
                await person.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelCreate);
            }

            await AssertNothingArrivesAsync(dave.Gateway);
            var first = await bob.Api.SendMessageAsync(group.Id, "before dave");

            // Only the owner adds and removes people.
            await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => bob.Api.AddDirectRecipientAsync(group.Id, dave.User.Id));
            await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => bob.Api.RemoveDirectRecipientAsync(group.Id, carol.User.Id));
            await alice.Api.AddDirectRecipientAsync(group.Id, dave.User.Id);
            var daveCreate = (await dave.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelCreate)).D!.Value;
            Assert.Equal(4, daveCreate.GetProperty("recipients").GetArrayLength());
            foreach (var person in new[] { alice, bob, carol })
            {
                var added = (await person.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelRecipientAdd)).D!.Value;
                Assert.Equal(dave.User.Id, added.GetProperty("user").GetProperty("id").GetString());
            }

            await alice.Api.AddDirectRecipientAsync(group.Id, dave.User.Id); // already in: nothing changes
            await AssertNothingArrivesAsync(dave.Gateway);
            // History from before dave joined is readable but never unread for him.
            Assert.Contains(await dave.Api.GetMessagesAsync(group.Id), m => m.Id == first.Id);
            Assert.Equal(0, Assert.Single((await dave.Api.GetUnreadCountsAsync()).Channels, c => c.ChannelId == group.Id).UnreadCount);

            var renamed = await bob.Api.RenameDirectChannelAsync(group.Id, "long weekend");
            Assert.Equal("long weekend", renamed.Name);
            Assert.Equal("long weekend", (await carol.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelUpdate)).D!.Value.GetProperty("name").GetString());

            await alice.Api.RemoveDirectRecipientAsync(group.Id, carol.User.Id);
            Assert.Equal(group.Id, (await carol.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelDelete)).D!.Value.GetProperty("id").GetString());
            var removed = (await bob.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelRecipientRemove)).D!.Value;
            Assert.Equal(carol.User.Id, removed.GetProperty("user").GetProperty("id").GetString());
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carol.Api.GetMessagesAsync(group.Id));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.Api.RemoveDirectRecipientAsync(group.Id, carol.User.Id));
            await bob.Api.SendMessageAsync(group.Id, "carol is gone");
            await AssertNothingArrivesAsync(carol.Gateway);

            // The owner leaving hands the group to the person who joined earliest; the new owner may add and remove.
            await alice.Api.LeaveDirectChannelAsync(group.Id);
            await alice.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelDelete);
            var after = await bob.Api.GetDirectChannelAsync(group.Id);
            Assert.Equal(bob.User.Id, after.OwnerId);
            Assert.Equal(new[] { bob.User.Id, dave.User.Id }.Order(), after.Recipients.Select(r => r.Id).Order());
            Assert.Empty(await alice.Api.GetDirectChannelsAsync());
            await bob.Api.RemoveDirectRecipientAsync(group.Id, dave.User.Id);

            // The last person leaving deletes the group with its messages.
            await bob.Api.RemoveDirectRecipientAsync(group.Id, bob.User.Id);
            Assert.Empty(await bob.Api.GetDirectChannelsAsync());
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => bob.Api.GetMessagesAsync(group.Id));
        }
        finally
        {
            await DisposeAllAsync(people);
        }
    }

    [Fact]
    public async Task A_group_holds_at_most_ten_people()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var others = new List<(VoxoraClient Client, User User)>();
        for (var i = 0; i < 10; i++)
        {
            others.Add(await Server.NewMemberAsync(owner, community.Id));
        }

        try
        {
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.TooManyRecipients,
                () => owner.CreateGroupDirectMessageAsync(others.Select(o => o.User.Id).ToList()));
            var group = await owner.CreateGroupDirectMessageAsync(others.Take(9).Select(o => o.User.Id).ToList());
            Assert.Equal(10, group.Recipients.Count);
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.TooManyRecipients, () => owner.AddDirectRecipientAsync(group.Id, others[9].User.Id));
            Assert.Equal(10, (await owner.GetDirectChannelAsync(group.Id)).Recipients.Count);
        }
        finally
        {
            foreach (var (client, _) in others)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task Only_people_who_share_a_community_may_open_a_DM_unless_the_recipient_turned_it_off()
    {
        var (alice, aliceUser, community) = await Server.NewCommunityAsync();
        using var _a = alice;
        var (bob, bobUser) = await Server.NewMemberAsync(alice, community.Id);
        using var _b = bob;
        var (stranger, strangerUser, _) = await Server.NewUserAsync("stranger");
        using var _s = stranger;

        var noCommunity = await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.CannotMessageUser, () => alice.OpenDirectMessageAsync(strangerUser.Id));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.CannotMessageUser, () => stranger.OpenDirectMessageAsync(aliceUser.Id));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.CannotMessageUser, () => alice.CreateGroupDirectMessageAsync([bobUser.Id, strangerUser.Id]));
        Assert.Empty(await alice.GetDirectChannelsAsync());

        Assert.True((await bob.GetUserSettingsAsync()).AllowDmsFromMembers);
        Assert.False((await bob.UpdateUserSettingsAsync(new UpdateUserSettingsRequest(false))).AllowDmsFromMembers);
        Assert.False((await bob.GetUserSettingsAsync()).AllowDmsFromMembers);
        var off = await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.CannotMessageUser, () => alice.OpenDirectMessageAsync(bobUser.Id));
        Assert.Equal((noCommunity.Problem?.Title, noCommunity.Problem?.Detail), (off.Problem?.Title, off.Problem?.Detail));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.CannotMessageUser, () => alice.CreateGroupDirectMessageAsync([bobUser.Id]));
        Assert.Empty(await alice.GetDirectChannelsAsync());

        // Bob may still reach out himself, and the DM that exists stays usable.
        var dm = await bob.OpenDirectMessageAsync(aliceUser.Id);
        Assert.Equal(dm.Id, (await alice.OpenDirectMessageAsync(bobUser.Id)).Id);
        await alice.SendMessageAsync(dm.Id, "thanks for writing");

        await bob.UpdateUserSettingsAsync(new UpdateUserSettingsRequest(true));
        var group = await alice.CreateGroupDirectMessageAsync([bobUser.Id]);
        Assert.Equal(2, group.Recipients.Count);
    }

    [Fact]
    public async Task Profiles_show_shared_communities_with_roles_and_hide_strangers()
    {
        var (alice, aliceUser, community) = await Server.NewCommunityAsync("Shared place");
        using var _a = alice;
        var (bob, bobUser) = await Server.NewMemberAsync(alice, community.Id);
        using var _b = bob;
        var (stranger, strangerUser, _) = await Server.NewUserAsync("stranger");
        using var _s = stranger;
        var role = await alice.CreateRoleAsync(community.Id, new CreateRoleRequest("helpers"));
        await alice.AddMemberRoleAsync(community.Id, bobUser.Id, role.Id);

        var profile = await alice.GetUserProfileAsync(bobUser.Id);
        Assert.Equal(bobUser.Username, profile.User.Username);
        var shared = Assert.Single(profile.SharedCommunities);
        Assert.Equal((community.Id, "Shared place"), (shared.Id, shared.Name));
        Assert.Equal([role.Id], shared.Roles);
        Assert.False(profile.Blocked);
        Assert.Equal(aliceUser.Id, (await alice.GetUserProfileAsync(aliceUser.Id)).User.Id);

        // Sharing nothing looks exactly like not existing.
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.GetUserProfileAsync(strangerUser.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.GetUserProfileAsync(aliceUser.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.GetUserProfileAsync(UnknownUser));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.GetUserProfileAsync("not-a-user"));

        // A DM keeps the profile visible after the community is gone.
        await alice.OpenDirectMessageAsync(bobUser.Id);
        await bob.LeaveCommunityAsync(community.Id);
        Assert.Empty((await alice.GetUserProfileAsync(bobUser.Id)).SharedCommunities);
    }

    [Fact]
    public async Task Unhappy_paths_answer_clear_4xx_and_change_nothing()
    {
        var (alice, aliceUser, community) = await Server.NewCommunityAsync();
        using var _a = alice;
        var (bob, bobUser) = await Server.NewMemberAsync(alice, community.Id);
        using var _b = bob;
        using var anonymous = Server.NewClient();
        var dm = await alice.OpenDirectMessageAsync(bobUser.Id);

        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.OpenDirectMessageAsync(bobUser.Id));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetDirectChannelsAsync());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.AddDirectRecipientAsync(dm.Id, bobUser.Id));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.RemoveDirectRecipientAsync(dm.Id, bobUser.Id));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetUserSettingsAsync());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.UpdateUserSettingsAsync(new UpdateUserSettingsRequest(false)));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetUserProfileAsync(bobUser.Id));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetMessagesAsync(dm.Id));

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.OpenDirectChannelAsync(new CreateDirectChannelRequest()));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => alice.OpenDirectChannelAsync(new CreateDirectChannelRequest(bobUser.Id, [bobUser.Id])));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.OpenDirectMessageAsync("not-a-user"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.OpenDirectMessageAsync(aliceUser.Id));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.CreateGroupDirectMessageAsync([]));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.CreateGroupDirectMessageAsync([bobUser.Id, bobUser.Id]));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.CreateGroupDirectMessageAsync([bobUser.Id, aliceUser.Id]));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.CreateGroupDirectMessageAsync([bobUser.Id, "usr_bad"]));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.CreateGroupDirectMessageAsync([bobUser.Id], new string('n', 101)));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.UpdateUserSettingsAsync(new UpdateUserSettingsRequest()));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.OpenDirectMessageAsync(UnknownUser));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.CreateGroupDirectMessageAsync([bobUser.Id, UnknownUser]));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.AddDirectRecipientAsync(UnknownChannel, bobUser.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.RemoveDirectRecipientAsync("nope", bobUser.Id));

        // Malformed and oversize bodies.
        using (var wrongShape = new StringContent("""{"recipient_id": 42}""", Encoding.UTF8, "application/json"))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/users/@me/channels") { Content = wrongShape };
            request.Headers.Authorization = new("Bearer", alice.AccessToken);
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.MalformedRequest, await alice.Http.SendAsync(request));
        }

        using (var huge = new StringContent($$"""{"recipient_ids": ["{{bobUser.Id}}"], "name": "{{new string('x', 2 * 1024 * 1024)}}"}""", Encoding.UTF8, "application/json"))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/users/@me/channels") { Content = huge };
            request.Headers.Authorization = new("Bearer", alice.AccessToken);
            // Answered 413 before the body is sent (see HttpSurfaceTests), not a broken pipe mid-upload.
            request.Headers.ExpectContinue = true;
            using var response = await alice.Http.SendAsync(request);
            await Expect.Problem(HttpStatusCode.RequestEntityTooLarge, ProblemCodes.PayloadTooLarge, response);
        }

        var group = await alice.CreateGroupDirectMessageAsync([bobUser.Id]);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.AddDirectRecipientAsync(group.Id, UnknownUser));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.AddDirectRecipientAsync(group.Id, "bad"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.RemoveDirectRecipientAsync(group.Id, UnknownUser));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.RenameDirectChannelAsync(group.Id, new string('n', 101)));

        var lists = (await alice.GetDirectChannelsAsync()).OrderBy(c => c.Id).ToList();
        Assert.Equal(new[] { dm.Id, group.Id }.Order(), lists.Select(c => c.Id));
        Assert.Equal(2, Assert.Single(lists, c => c.Id == group.Id).Recipients.Count);
        Assert.Null(Assert.Single(lists, c => c.Id == group.Id).Name);
        Assert.True((await bob.GetUserSettingsAsync()).AllowDmsFromMembers);
    }
}

public sealed class DirectMessagesTestsOnSqlite(SqliteServerFixture fixture) : DirectMessagesTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class DirectMessagesTestsOnPostgres(PostgresServerFixture fixture) : DirectMessagesTests(fixture), IClassFixture<PostgresServerFixture>;
