using System.Net;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>Channels: list, create, read, change, delete — on each database provider.</summary>
public abstract class ChannelsApiTests(ServerFixture fixture)
{
    private const string UnknownChannel = "ch_01ARZ3NDEKTSV4RRFFQ69G5FAV";

    private TestServer Server => fixture.Server;

    [Fact]
    public async Task The_owner_creates_text_voice_and_category_channels_with_normalized_names()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;

        var category = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("  Game Rooms ", ChannelTypes.Category));
        var text = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("  Off Topic  Chat ", ChannelTypes.Text, "  anything goes ", category.Id));
        var voice = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest(" Game Night ", ChannelTypes.Voice, ParentId: category.Id, Position: 7));
        var defaultType = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("Plain"));

        Assert.Equal("Game Rooms", category.Name);
        Assert.Null(category.ParentId);
        Assert.Equal("off-topic-chat", text.Name);
        Assert.Equal("anything goes", text.Topic);
        Assert.Equal(category.Id, text.ParentId);
        Assert.Equal("Game Night", voice.Name);
        Assert.Equal(7, voice.Position);
        Assert.Equal(ChannelTypes.Text, defaultType.Type);
        Assert.Equal("plain", defaultType.Name);
        Assert.True(category.Position > 1);
        Assert.Equal(community.Id, text.CommunityId);

        var channels = await owner.GetChannelsAsync(community.Id);
        Assert.Equal(6, channels.Count);
        Assert.Equal(channels.OrderBy(c => c.Position).Select(c => c.Id), channels.Select(c => c.Id));
        Assert.Equal(text, await owner.GetChannelAsync(text.Id));
        Assert.Equal(6, (await owner.GetCommunityAsync(community.Id)).Channels!.Count);
    }

    [Theory]
    [InlineData("", ChannelTypes.Text, "name")]
    [InlineData("   ", ChannelTypes.Voice, "name")]
    [InlineData("ok", 2, "type")]
    [InlineData("ok", 99, "type")]
    [InlineData("long", ChannelTypes.Text, "name")]
    [InlineData("ok", ChannelTypes.Text, "position")]
    [InlineData("ok", ChannelTypes.Text, "topic")]
    public async Task Invalid_channels_are_rejected_and_nothing_is_created(string name, int type, string field)
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var request = new CreateChannelRequest(name == "long" ? new string('x', 101) : name, type,
            Topic: field == "topic" ? new string('t', 1025) : null,
            Position: field == "position" ? -1 : null);

        var error = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.CreateChannelAsync(community.Id, request));
        Assert.True(error.Problem!.Errors!.ContainsKey(field), string.Join(",", error.Problem.Errors.Keys));
        Assert.Equal(2, (await owner.GetChannelsAsync(community.Id)).Count);
    }

    [Fact]
    public async Task Voice_channels_carry_a_bitrate_and_a_user_limit_that_other_channels_refuse()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        Assert.Equal((64_000, 0), (community.VoiceChannel().Bitrate, community.VoiceChannel().UserLimit));
        Assert.Null(community.TextChannel().Bitrate);

        var lounge = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("Lounge", ChannelTypes.Voice, Bitrate: 96_000, UserLimit: 5));
        Assert.Equal((96_000, 5), (lounge.Bitrate, lounge.UserLimit));
        var edited = await owner.UpdateChannelAsync(lounge.Id, new UpdateChannelRequest(Bitrate: 32_000, UserLimit: 0));
        Assert.Equal((32_000, 0), (edited.Bitrate, edited.UserLimit));
        Assert.Equal((32_000, 0), (await owner.GetChannelAsync(lounge.Id)) is var read ? (read.Bitrate, read.UserLimit) : default);

        foreach (var (request, field) in new[]
                 {
                     (new CreateChannelRequest("talk", ChannelTypes.Text, Bitrate: 64_000), "bitrate"),
                     (new CreateChannelRequest("talk", ChannelTypes.Text, UserLimit: 3), "user_limit"),
                     (new CreateChannelRequest("Loud", ChannelTypes.Voice, Bitrate: 256_000), "bitrate"),
                     (new CreateChannelRequest("Tiny", ChannelTypes.Voice, Bitrate: 8_000), "bitrate"),
                     (new CreateChannelRequest("Crowd", ChannelTypes.Voice, UserLimit: 100), "user_limit"),
                     (new CreateChannelRequest("Negative", ChannelTypes.Voice, UserLimit: -1), "user_limit"),
                 })
        {
            var problem = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.CreateChannelAsync(community.Id, request));
            Assert.True(problem.Problem!.Errors!.ContainsKey(field), field);
        }

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => owner.UpdateChannelAsync(community.TextChannel().Id, new UpdateChannelRequest(UserLimit: 2)));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => owner.UpdateChannelAsync(lounge.Id, new UpdateChannelRequest(Bitrate: 1)));
        Assert.Equal(32_000, (await owner.GetChannelAsync(lounge.Id)).Bitrate);
        Assert.Equal(3, (await owner.GetChannelsAsync(community.Id)).Count);
    }

    [Fact]
    public async Task Parents_must_be_categories_of_the_same_community_and_categories_have_none()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (_, _, other) = await Server.NewCommunityAsync();
        var category = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("Cat", ChannelTypes.Category));

        foreach (var (request, why) in new[]
        {
            (new CreateChannelRequest("x", ChannelTypes.Text, ParentId: community.TextChannel().Id), "parent is a text channel"),
            (new CreateChannelRequest("x", ChannelTypes.Text, ParentId: other.Channels![0].Id), "parent in another community"),
            (new CreateChannelRequest("x", ChannelTypes.Text, ParentId: UnknownChannel), "unknown parent"),
            (new CreateChannelRequest("x", ChannelTypes.Text, ParentId: "garbage"), "malformed parent"),
            (new CreateChannelRequest("x", ChannelTypes.Category, ParentId: category.Id), "category with a parent"),
        })
        {
            var error = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.CreateChannelAsync(community.Id, request));
            Assert.True(error.Problem!.Errors!.ContainsKey("parent_id"), why);
        }

        Assert.Equal(3, (await owner.GetChannelsAsync(community.Id)).Count);
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => owner.UpdateChannelAsync(category.Id, new UpdateChannelRequest(ParentId: category.Id)));
    }

    [Fact]
    public async Task Members_read_channels_but_only_the_owner_changes_them()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var text = community.TextChannel();

        Assert.Equal(text.Id, (await member.GetChannelAsync(text.Id)).Id);
        Assert.Equal(2, (await member.GetChannelsAsync(community.Id)).Count);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.CreateChannelAsync(community.Id, new CreateChannelRequest("mine")));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.UpdateChannelAsync(text.Id, new UpdateChannelRequest("renamed")));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.DeleteChannelAsync(text.Id));
        Assert.Equal(text, await owner.GetChannelAsync(text.Id));
        Assert.Equal(2, (await owner.GetChannelsAsync(community.Id)).Count);
    }

    [Fact]
    public async Task Non_members_and_unknown_ids_get_404_and_change_nothing()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (stranger, _, _) = await Server.NewUserAsync("str");
        using var _s = stranger;
        using var anonymous = Server.NewClient();
        var text = community.TextChannel();

        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.GetChannelsAsync(community.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.CreateChannelAsync(community.Id, new CreateChannelRequest("x")));
        foreach (var id in new[] { text.Id, UnknownChannel, "ch_bad", "%20" })
        {
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.GetChannelAsync(id));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.UpdateChannelAsync(id, new UpdateChannelRequest("hacked")));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.DeleteChannelAsync(id));
        }

        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.GetChannelAsync(UnknownChannel));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetChannelAsync(text.Id));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetChannelsAsync(community.Id));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.DeleteChannelAsync(text.Id));
        Assert.Equal(text, await owner.GetChannelAsync(text.Id));
    }

    [Fact]
    public async Task The_owner_updates_name_topic_parent_and_position()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var category = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("Cat", ChannelTypes.Category));
        var text = community.TextChannel();

        var updated = await owner.UpdateChannelAsync(text.Id, new UpdateChannelRequest("Main Hall", "Be nice", category.Id, 5));
        Assert.Equal("main-hall", updated.Name);
        Assert.Equal("Be nice", updated.Topic);
        Assert.Equal(category.Id, updated.ParentId);
        Assert.Equal(5, updated.Position);
        Assert.Equal(updated, await owner.GetChannelAsync(text.Id));

        // Left-out fields stay; "" clears topic and parent.
        updated = await owner.UpdateChannelAsync(text.Id, new UpdateChannelRequest(Topic: "", ParentId: ""));
        Assert.Equal("main-hall", updated.Name);
        Assert.Null(updated.Topic);
        Assert.Null(updated.ParentId);
        Assert.Equal(5, updated.Position);

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdateChannelAsync(text.Id, new UpdateChannelRequest("  ")));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdateChannelAsync(text.Id, new UpdateChannelRequest(Position: -3)));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdateChannelAsync(text.Id, new UpdateChannelRequest(ParentId: text.Id)));
        Assert.Equal(updated, await owner.GetChannelAsync(text.Id));
    }

    [Fact]
    public async Task Deleting_a_category_moves_its_children_out_and_deleting_a_channel_removes_its_messages()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var category = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("Cat", ChannelTypes.Category));
        var child = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("child", ChannelTypes.Text, ParentId: category.Id));
        await owner.SendMessageAsync(child.Id, "hello");

        await owner.DeleteChannelAsync(category.Id);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.GetChannelAsync(category.Id));
        Assert.Null((await owner.GetChannelAsync(child.Id)).ParentId);
        Assert.Single(await owner.GetMessagesAsync(child.Id));

        await owner.DeleteChannelAsync(child.Id);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.GetChannelAsync(child.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.GetMessagesAsync(child.Id));
        Assert.Equal(2, (await owner.GetChannelsAsync(community.Id)).Count);
    }
}

public sealed class ChannelsApiTestsOnSqlite(SqliteServerFixture fixture) : ChannelsApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class ChannelsApiTestsOnPostgres(PostgresServerFixture fixture) : ChannelsApiTests(fixture), IClassFixture<PostgresServerFixture>;
