using System.Net;
using System.Text;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests;

/// <summary>Read markers, unread and mention counts, CHANNEL_READ — on each database provider.</summary>
public abstract class ReadStatesApiTests(ServerFixture fixture)
{
    private const string UnknownChannel = "ch_01ARZ3NDEKTSV4RRFFQ69G5FAV";
    private const string UnknownCommunity = "com_01ARZ3NDEKTSV4RRFFQ69G5FAV";

    private TestServer Server => fixture.Server;

    private static async Task<ChannelUnread> CountsOf(VoxoraClient client, string channelId) =>
        Assert.Single((await client.GetUnreadCountsAsync()).Channels, c => c.ChannelId == channelId);

    private static async Task<(int Unread, int Mentions)> Of(VoxoraClient client, string channelId)
    {
        var counts = await CountsOf(client, channelId);
        return (counts.UnreadCount, counts.MentionCount);
    }

    [Fact]
    public async Task Counts_follow_sends_edits_and_deletes_and_own_messages_are_not_unread()
    {
        var (bob, _, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var (alice, aliceUser) = await Server.NewMemberAsync(bob, community.Id);
        using var _a = alice;
        var channel = community.TextChannel().Id;
        Assert.Equal((0, 0), await Of(alice, channel));
        Assert.Null((await CountsOf(alice, channel)).LastMessageId);

        await bob.SendMessageAsync(channel, "one");
        var plain = await bob.SendMessageAsync(channel, "two");
        var mention = await bob.SendMessageAsync(channel, $"hey <@{aliceUser.Id}>");
        Assert.Equal((3, 1), await Of(alice, channel));
        Assert.Equal((0, 0), await Of(bob, channel));

        // An edit that removes the mention un-counts it; one that adds a mention counts it.
        await bob.EditMessageAsync(channel, mention.Id, "hey you");
        Assert.Equal((3, 0), await Of(alice, channel));
        await bob.EditMessageAsync(channel, plain.Id, $"two, <@{aliceUser.Id}>");
        Assert.Equal((3, 1), await Of(alice, channel));

        // A deleted unread message no longer counts.
        await bob.DeleteMessageAsync(channel, plain.Id);
        Assert.Equal((2, 0), await Of(alice, channel));

        var own = await alice.SendMessageAsync(channel, $"mine, even mentioning <@{aliceUser.Id}>");
        var counts = await CountsOf(alice, channel);
        Assert.Equal((2, 0, own.Id, community.Id), (counts.UnreadCount, counts.MentionCount, counts.LastMessageId, counts.CommunityId));
    }

    [Fact]
    public async Task Role_mentions_count_for_holders_and_everyone_only_with_MENTION_EVERYONE()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (alice, aliceUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _a = alice;
        var (carol, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _c = carol;
        var mods = await owner.CreateRoleAsync(community.Id, new CreateRoleRequest("mods"));
        var others = await owner.CreateRoleAsync(community.Id, new CreateRoleRequest("others"));
        await owner.AddMemberRoleAsync(community.Id, aliceUser.Id, mods.Id);
        var channel = community.TextChannel().Id;

        await carol.SendMessageAsync(channel, $"<@&{mods.Id}> please");
        Assert.Equal((1, 1), await Of(alice, channel));
        await carol.SendMessageAsync(channel, $"<@&{others.Id}> please");
        Assert.Equal((2, 1), await Of(alice, channel));

        // Carol lacks MENTION_EVERYONE: her @everyone and @here are text.
        await carol.SendMessageAsync(channel, "@everyone look");
        await carol.SendMessageAsync(channel, "@here look");
        Assert.Equal((4, 1), await Of(alice, channel));

        // The owner holds every permission.
        await owner.SendMessageAsync(channel, "@here look");
        Assert.Equal((5, 2), await Of(alice, channel));
        await owner.SendMessageAsync(channel, "@everyone look");
        Assert.Equal((6, 3), await Of(alice, channel));

        // Taking the role un-counts its mentions.
        await owner.RemoveMemberRoleAsync(community.Id, aliceUser.Id, mods.Id);
        Assert.Equal((6, 2), await Of(alice, channel));
    }

    [Fact]
    public async Task Hidden_channels_are_never_listed_nor_counted_and_other_communities_are_not_listed()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (alice, aliceUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _a = alice;
        var (stranger, _, elsewhere) = await Server.NewCommunityAsync("Elsewhere");
        using var _s = stranger;
        var everyone = (await owner.GetRolesAsync(community.Id)).Single(r => r.IsEveryone);
        var secret = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("secret"));
        await owner.SetOverrideAsync(secret.Id, "role", everyone.Id, 0, Permission.ViewChannel);

        await owner.SendMessageAsync(secret.Id, $"@everyone <@{aliceUser.Id}> secret");
        await stranger.SendMessageAsync(elsewhere.TextChannel().Id, "elsewhere");
        var listed = (await alice.GetUnreadCountsAsync()).Channels;
        Assert.DoesNotContain(listed, c => c.ChannelId == secret.Id || c.CommunityId == elsewhere.Id);
        Assert.All(listed, c => Assert.Equal((0, 0), (c.UnreadCount, c.MentionCount)));
        Assert.Equal([community.TextChannel().Id], listed.Select(c => c.ChannelId));
        Assert.Contains((await owner.GetUnreadCountsAsync()).Channels, c => c.ChannelId == secret.Id);

        // Let her see it: it is listed, with what she missed; hide it again: gone.
        await owner.SetOverrideAsync(secret.Id, "user", aliceUser.Id, Permission.ViewChannel, 0);
        Assert.Equal((1, 1), await Of(alice, secret.Id));
        await owner.DeleteOverrideAsync(secret.Id, "user", aliceUser.Id);
        Assert.DoesNotContain((await alice.GetUnreadCountsAsync()).Channels, c => c.ChannelId == secret.Id);
    }

    [Fact]
    public async Task Messages_from_before_joining_are_not_unread()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        await owner.SendMessageAsync(channel, "@everyone old news");
        var (alice, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _a = alice;
        Assert.Equal((0, 0), await Of(alice, channel));
        await owner.SendMessageAsync(channel, "fresh");
        Assert.Equal((1, 0), await Of(alice, channel));
    }

    [Fact]
    public async Task Marking_read_clears_counts_up_to_the_message_and_never_moves_back()
    {
        var (bob, _, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var (alice, aliceUser) = await Server.NewMemberAsync(bob, community.Id);
        using var _a = alice;
        var channel = community.TextChannel().Id;
        var first = await bob.SendMessageAsync(channel, $"<@{aliceUser.Id}> one");
        var second = await bob.SendMessageAsync(channel, "two");
        var third = await bob.SendMessageAsync(channel, $"<@{aliceUser.Id}> three");

        await alice.MarkChannelReadAsync(channel, second.Id);
        Assert.Equal((1, 1), await Of(alice, channel));
        await alice.MarkChannelReadAsync(channel, first.Id);
        Assert.Equal((1, 1), await Of(alice, channel));
        await alice.MarkChannelReadAsync(channel, third.Id);
        Assert.Equal((0, 0), await Of(alice, channel));
        await alice.MarkChannelReadAsync(channel, third.Id);
        Assert.Equal((0, 0), await Of(alice, channel));

        await bob.SendMessageAsync(channel, "four");
        Assert.Equal((1, 0), await Of(alice, channel));
    }

    [Fact]
    public async Task Marking_a_community_read_clears_every_channel_the_user_can_view()
    {
        var (bob, _, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var (alice, aliceUser) = await Server.NewMemberAsync(bob, community.Id);
        using var _a = alice;
        var (other, _, otherCommunity) = await Server.NewCommunityAsync("Other");
        using var _x = other;
        await alice.AcceptInviteAsync((await other.CreateInviteAsync(otherCommunity.Id)).Code);
        var general = community.TextChannel().Id;
        var second = await bob.CreateChannelAsync(community.Id, new CreateChannelRequest("second"));
        await bob.SendMessageAsync(general, $"<@{aliceUser.Id}>");
        await bob.SendMessageAsync(second.Id, "hello");
        await other.SendMessageAsync(otherCommunity.TextChannel().Id, "other community");

        await alice.MarkCommunityReadAsync(community.Id);
        Assert.Equal((0, 0), await Of(alice, general));
        Assert.Equal((0, 0), await Of(alice, second.Id));
        Assert.Equal((1, 0), await Of(alice, otherCommunity.TextChannel().Id));
        await alice.MarkCommunityReadAsync(community.Id);
    }

    [Fact]
    public async Task Unread_counts_are_privately_cacheable_for_ten_seconds()
    {
        var (owner, _, _) = await Server.NewCommunityAsync();
        using var _o = owner;
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/unread-counts");
        request.Headers.Authorization = new("Bearer", owner.AccessToken);
        using var response = await owner.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cache = response.Headers.CacheControl!;
        Assert.Equal((true, TimeSpan.FromSeconds(10), false), (cache.Private, cache.MaxAge, cache.NoStore));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"unread_count\":0", body, StringComparison.Ordinal);
        Assert.Contains("\"last_updated\":", body, StringComparison.Ordinal);

        // Other API answers stay no-store.
        using var other = new HttpRequestMessage(HttpMethod.Get, "api/v1/users/@me");
        other.Headers.Authorization = new("Bearer", owner.AccessToken);
        using var otherResponse = await owner.Http.SendAsync(other);
        Assert.True(otherResponse.Headers.CacheControl!.NoStore);
    }

    [Fact]
    public async Task Unhappy_paths_answer_clear_problems_and_change_nothing()
    {
        var (bob, _, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var (alice, _) = await Server.NewMemberAsync(bob, community.Id);
        using var _a = alice;
        var (stranger, _, elsewhere) = await Server.NewCommunityAsync("Elsewhere");
        using var _s = stranger;
        var channel = community.TextChannel().Id;
        var everyone = (await bob.GetRolesAsync(community.Id)).Single(r => r.IsEveryone);
        var secret = await bob.CreateChannelAsync(community.Id, new CreateChannelRequest("secret"));
        await bob.SetOverrideAsync(secret.Id, "role", everyone.Id, 0, Permission.ViewChannel);
        var hiddenMessage = await bob.SendMessageAsync(secret.Id, "hidden");
        var foreign = await stranger.SendMessageAsync(elsewhere.TextChannel().Id, "foreign");
        var otherChannel = await bob.CreateChannelAsync(community.Id, new CreateChannelRequest("other"));
        var otherMessage = await bob.SendMessageAsync(otherChannel.Id, "in other");
        var message = await bob.SendMessageAsync(channel, "unread");

        using var anonymous = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetUnreadCountsAsync());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.MarkChannelReadAsync(channel, message.Id));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.MarkCommunityReadAsync(community.Id));

        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.MarkChannelReadAsync(UnknownChannel, message.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.MarkChannelReadAsync("not-a-channel", message.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.MarkChannelReadAsync(secret.Id, hiddenMessage.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.MarkChannelReadAsync(elsewhere.TextChannel().Id, foreign.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.MarkCommunityReadAsync(UnknownCommunity));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.MarkCommunityReadAsync(elsewhere.Id));

        foreach (var malformed in new[] { null, "", "abc", "-5", "1.5", "99999999999999999999999" })
        {
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.MarkChannelReadAsync(channel, malformed));
        }

        // Well-formed, but not a message of this channel: another channel's, another community's, a hidden one's, none at all.
        foreach (var notHere in new[] { otherMessage.Id, foreign.Id, hiddenMessage.Id, "1" })
        {
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.MarkChannelReadAsync(channel, notHere));
        }

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType,
            () => alice.MarkChannelReadAsync(community.VoiceChannel().Id, message.Id));

        using var broken = new HttpRequestMessage(HttpMethod.Put, $"api/v1/channels/{channel}/read")
        {
            Content = new StringContent("{\"message_id\":", Encoding.UTF8, "application/json"),
        };
        broken.Headers.Authorization = new("Bearer", alice.AccessToken);
        using var brokenResponse = await alice.Http.SendAsync(broken);
        Assert.Equal(HttpStatusCode.BadRequest, brokenResponse.StatusCode);

        Assert.Equal((1, 0), await Of(alice, channel));
        Assert.Equal((1, 0), await Of(alice, otherChannel.Id));
    }

    [Fact]
    public async Task Marking_read_on_one_session_tells_every_session_of_that_user_and_nobody_else()
    {
        var (bob, bobUser, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var (alice, aliceUser, password) = await Server.NewUserAsync("ali");
        using var _a = alice;
        await alice.AcceptInviteAsync((await bob.CreateInviteAsync(community.Id)).Code);
        using var aliceElsewhere = Server.NewClient();
        await aliceElsewhere.LoginAsync(aliceUser.Username, password);
        var channel = community.TextChannel().Id;
        await bob.SendMessageAsync(channel, "one");
        var last = await bob.SendMessageAsync(channel, $"<@{aliceUser.Id}> two");

        await using var laptop = await ConnectAsync(Server, alice, aliceUser);
        await using var phone = await ConnectAsync(Server, aliceElsewhere, aliceUser);
        await using var bobGateway = await ConnectAsync(Server, bob, bobUser);
        await alice.MarkChannelReadAsync(channel, last.Id);

        foreach (var session in new[] { laptop, phone })
        {
            var read = (await session.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelRead)).D!.Value;
            Assert.Equal(channel, read.GetProperty("channel_id").GetString());
            Assert.Equal(community.Id, read.GetProperty("community_id").GetString());
            Assert.Equal(last.Id, read.GetProperty("last_read_id").GetString());
            Assert.Equal(0, read.GetProperty("unread_count").GetInt32());
            Assert.Equal(0, read.GetProperty("mention_count").GetInt32());
        }

        await AssertNothingArrivesAsync(bobGateway.Gateway);
        Assert.Equal((0, 0), await Of(aliceElsewhere, channel));

        // Marking an older message changes nothing and announces nothing.
        await aliceElsewhere.MarkChannelReadAsync(channel, (await bob.GetMessagesAsync(channel)).Last().Id);
        await AssertNothingArrivesAsync(laptop.Gateway);

        // A community mark announces each channel it moved.
        await bob.SendMessageAsync(channel, "three");
        await laptop.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);
        await aliceElsewhere.MarkCommunityReadAsync(community.Id);
        var communityRead = (await laptop.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelRead)).D!.Value;
        Assert.Equal(channel, communityRead.GetProperty("channel_id").GetString());
        Assert.Equal((0, 0), await Of(alice, channel));
    }
}

public sealed class ReadStatesApiTestsOnSqlite(SqliteServerFixture fixture) : ReadStatesApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class ReadStatesApiTestsOnPostgres(PostgresServerFixture fixture) : ReadStatesApiTests(fixture), IClassFixture<PostgresServerFixture>;
