using System.Net;
using System.Text;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>Communities: create, list, read, change, delete, members, leave — on each database provider.</summary>
public abstract class CommunitiesApiTests(ServerFixture fixture)
{
    private const string UnknownCommunity = "com_01ARZ3NDEKTSV4RRFFQ69G5FAV";

    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Creating_a_community_makes_the_creator_owner_with_default_channels()
    {
        var (client, user, _) = await Server.NewUserAsync("cc");
        using var _c = client;
        var community = await client.CreateCommunityAsync("  Night Owls  ", "  late chats  ");

        Assert.StartsWith("com_", community.Id, StringComparison.Ordinal);
        Assert.Equal("Night Owls", community.Name);
        Assert.Equal("late chats", community.Description);
        Assert.Equal(user.Id, community.OwnerId);
        Assert.Equal(1, community.MemberCount);
        Assert.Collection(community.Channels!,
            c => { Assert.Equal("general", c.Name); Assert.Equal(ChannelTypes.Text, c.Type); Assert.Equal(0, c.Position); },
            c => { Assert.Equal("General", c.Name); Assert.Equal(ChannelTypes.Voice, c.Type); Assert.Equal(1, c.Position); });

        var mine = Assert.Single(await client.GetMyCommunitiesAsync());
        Assert.Equal(community.Id, mine.Id);
        Assert.Equal(2, mine.Channels!.Count);
        Assert.Equal(1, mine.MemberCount);

        var read = await client.GetCommunityAsync(community.Id);
        Assert.Equal(community.Name, read.Name);
        Assert.Equal(1, read.MemberCount);
        Assert.Equal(community.Channels!.Select(c => c.Id), read.Channels!.Select(c => c.Id));

        var member = Assert.Single(await client.GetMembersAsync(community.Id));
        Assert.Equal(user.Id, member.User.Id);
        Assert.Equal(user.Username, member.User.Username);
    }

    [Fact]
    public async Task The_wire_format_is_snake_case_and_returns_201_with_a_location()
    {
        var (client, _, _) = await Server.NewUserAsync("wire");
        using var _c = client;
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/communities")
        {
            Content = new StringContent("""{"name":"Wire"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", client.AccessToken);
        using var response = await client.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"owner_id\":\"usr_", body, StringComparison.Ordinal);
        Assert.Contains("\"member_count\":1", body, StringComparison.Ordinal);
        Assert.Contains("\"community_id\":\"com_", body, StringComparison.Ordinal);
        Assert.StartsWith("/api/v1/communities/com_", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", null, "name")]
    [InlineData("   ", null, "name")]
    [InlineData(null, null, "name")]
    [InlineData("ok", "x", "description")]
    [InlineData("bell\u0007", null, "name")]
    public async Task Invalid_communities_are_rejected_and_nothing_is_created(string? name, string? description, string field)
    {
        var (client, _, _) = await Server.NewUserAsync("bad");
        using var _c = client;
        if (description == "x")
        {
            description = new string('d', 1001);
        }

        var error = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.CreateCommunityAsync(name, description));
        Assert.True(error.Problem!.Errors!.ContainsKey(field));
        Assert.Empty(await client.GetMyCommunitiesAsync());

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => client.CreateCommunityAsync(new string('n', 101)));
        await client.CreateCommunityAsync(new string('n', 100));
    }

    [Fact]
    public async Task Anonymous_callers_get_401_everywhere()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        using var anonymous = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.CreateCommunityAsync("x"));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetMyCommunitiesAsync());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetCommunityAsync(community.Id));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.UpdateCommunityAsync(community.Id, "x"));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.DeleteCommunityAsync(community.Id));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetMembersAsync(community.Id));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.LeaveCommunityAsync(community.Id));
        Assert.Equal(community.Name, (await owner.GetCommunityAsync(community.Id)).Name);
    }

    [Fact]
    public async Task Non_members_get_404_like_for_an_unknown_community_and_change_nothing()
    {
        var (owner, _, community) = await Server.NewCommunityAsync("Secret");
        using var _o = owner;
        var (stranger, _, _) = await Server.NewUserAsync("str");
        using var _s = stranger;

        foreach (var id in new[] { community.Id, UnknownCommunity, "com_nope", "nope" })
        {
            var error = await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.GetCommunityAsync(id));
            Assert.DoesNotContain("Secret", error.Problem!.Detail ?? "", StringComparison.Ordinal);
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.UpdateCommunityAsync(id, "Hacked"));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.DeleteCommunityAsync(id));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.GetMembersAsync(id));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.LeaveCommunityAsync(id));
        }

        Assert.Empty(await stranger.GetMyCommunitiesAsync());
        var read = await owner.GetCommunityAsync(community.Id);
        Assert.Equal("Secret", read.Name);
        Assert.Equal(1, read.MemberCount);
    }

    [Fact]
    public async Task Only_the_owner_may_change_or_delete_the_community()
    {
        var (owner, _, community) = await Server.NewCommunityAsync("Original");
        using var _o = owner;
        var (member, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;

        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.UpdateCommunityAsync(community.Id, "Mine now"));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.DeleteCommunityAsync(community.Id));
        var read = await member.GetCommunityAsync(community.Id);
        Assert.Equal("Original", read.Name);
        Assert.Equal(2, read.MemberCount);

        var updated = await owner.UpdateCommunityAsync(community.Id, "  Renamed ", "About us");
        Assert.Equal("Renamed", updated.Name);
        Assert.Equal("About us", updated.Description);
        Assert.Equal("Renamed", (await member.GetCommunityAsync(community.Id)).Name);

        // Left-out fields are unchanged; "" clears the description.
        updated = await owner.UpdateCommunityAsync(community.Id, description: "");
        Assert.Equal("Renamed", updated.Name);
        Assert.Null(updated.Description);

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdateCommunityAsync(community.Id, "  "));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdateCommunityAsync(community.Id, new string('n', 101)));
        Assert.Equal("Renamed", (await owner.GetCommunityAsync(community.Id)).Name);
    }

    [Fact]
    public async Task Deleting_a_community_removes_it_for_everyone()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var channel = community.TextChannel();
        await member.SendMessageAsync(channel.Id, "soon gone");

        await owner.DeleteCommunityAsync(community.Id);

        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.GetCommunityAsync(community.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.GetCommunityAsync(community.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.GetMessagesAsync(channel.Id));
        Assert.Empty(await owner.GetMyCommunitiesAsync());
        Assert.Empty(await member.GetMyCommunitiesAsync());
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.DeleteCommunityAsync(community.Id));
    }

    [Fact]
    public async Task Members_leave_but_the_owner_cannot()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, memberUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;

        await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.OwnerCannotLeave, () => owner.LeaveCommunityAsync(community.Id));
        Assert.Equal(2, (await owner.GetCommunityAsync(community.Id)).MemberCount);

        await member.LeaveCommunityAsync(community.Id);
        Assert.Empty(await member.GetMyCommunitiesAsync());
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.GetCommunityAsync(community.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.LeaveCommunityAsync(community.Id));
        var members = await owner.GetMembersAsync(community.Id);
        Assert.Equal([ownerUser.Id], members.Select(m => m.User.Id));
        Assert.DoesNotContain(members, m => m.User.Id == memberUser.Id);
    }

    [Fact]
    public async Task Members_are_paged_by_user_id_without_gaps_or_repeats()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var invite = await owner.CreateInviteAsync(community.Id);
        var expected = new List<string> { ownerUser.Id };
        for (var i = 0; i < 7; i++)
        {
            var (client, user, _) = await Server.NewUserAsync("pg");
            using var _c = client;
            await client.AcceptInviteAsync(invite.Code);
            expected.Add(user.Id);
        }

        expected.Sort(StringComparer.Ordinal);
        var seen = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await owner.GetMembersAsync(community.Id, after, limit: 3);
            Assert.True(page.Count <= 3);
            if (page.Count == 0)
            {
                break;
            }

            seen.AddRange(page.Select(m => m.User.Id));
            after = page[^1].User.Id;
        }

        Assert.Equal(expected, seen);
        Assert.Equal(8, (await owner.GetMembersAsync(community.Id)).Count);

        foreach (var bad in new[] { "0", "101", "x" })
        {
            var error = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
                () => owner.GetAsync($"api/v1/communities/{community.Id}/members?limit={bad}", VoxoraJsonContext.Default.ListMember));
            Assert.True(error.Problem!.Errors!.ContainsKey("limit"));
        }

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.GetMembersAsync(community.Id, after: "nope"));
    }
}

public sealed class CommunitiesApiTestsOnSqlite(SqliteServerFixture fixture) : CommunitiesApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class CommunitiesApiTestsOnPostgres(PostgresServerFixture fixture) : CommunitiesApiTests(fixture), IClassFixture<PostgresServerFixture>;
