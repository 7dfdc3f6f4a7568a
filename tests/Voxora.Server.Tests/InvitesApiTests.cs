using System.Net;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>Invites: create, list, preview, accept, revoke, limits — on each database provider.</summary>
public abstract class InvitesApiTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Any_member_creates_an_invite_with_sensible_defaults()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync("Cozy");
        using var _o = owner;
        var invite = await owner.CreateInviteAsync(community.Id);

        Assert.Matches("^[1-9A-HJ-NP-Za-km-z]{8}$", invite.Code);
        Assert.Equal(community.Id, invite.CommunityId);
        Assert.Equal(ownerUser.Id, invite.InviterId);
        Assert.Equal(0, invite.MaxUses);
        Assert.Equal(0, invite.Uses);
        Assert.Equal(86_400, invite.MaxAgeSeconds);
        Assert.NotNull(invite.ExpiresAt);
        Assert.InRange((invite.ExpiresAt!.Value - invite.CreatedAt).TotalSeconds, 86_399, 86_401);

        var (member, memberUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var forever = await member.CreateInviteAsync(community.Id, maxUses: 1000, maxAgeSeconds: 0);
        Assert.Null(forever.ExpiresAt);
        Assert.Equal(1000, forever.MaxUses);
        Assert.Equal(memberUser.Id, forever.InviterId);

        var listed = await owner.GetInvitesAsync(community.Id);
        Assert.Contains(listed, i => i.Code == invite.Code);
        Assert.Contains(listed, i => i.Code == forever.Code);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.GetInvitesAsync(community.Id));
    }

    [Theory]
    [InlineData(-1, null, "max_uses")]
    [InlineData(1001, null, "max_uses")]
    [InlineData(null, -1, "max_age_seconds")]
    [InlineData(null, 604_801, "max_age_seconds")]
    public async Task Invalid_invite_limits_are_rejected_and_nothing_is_created(int? maxUses, int? maxAge, string field)
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var error = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.CreateInviteAsync(community.Id, maxUses, maxAge));
        Assert.True(error.Problem!.Errors!.ContainsKey(field));
        Assert.Empty(await owner.GetInvitesAsync(community.Id));
    }

    [Fact]
    public async Task The_preview_works_without_a_token_and_accepting_joins()
    {
        var (owner, _, community) = await Server.NewCommunityAsync("Book Club");
        using var _o = owner;
        await owner.UpdateCommunityAsync(community.Id, description: "We read");
        var invite = await owner.CreateInviteAsync(community.Id, maxUses: 5);

        using var anonymous = Server.NewClient();
        var preview = await anonymous.PreviewInviteAsync(invite.Code);
        Assert.Equal("Book Club", preview.CommunityName);
        Assert.Equal("We read", preview.CommunityDescription);
        Assert.Equal(1, preview.MemberCount);
        Assert.Equal(community.Id, preview.CommunityId);
        Assert.Equal(invite.ExpiresAt, preview.ExpiresAt);

        var (joiner, joinerUser, _) = await Server.NewUserAsync("join");
        using var _j = joiner;
        var joined = await joiner.AcceptInviteAsync(invite.Code);
        Assert.Equal(community.Id, joined.Id);
        Assert.Equal(2, joined.Channels!.Count);
        Assert.Equal(2, joined.MemberCount);
        Assert.Single(await joiner.GetMyCommunitiesAsync());
        Assert.Contains(await owner.GetMembersAsync(community.Id), m => m.User.Id == joinerUser.Id);

        // Joining twice is harmless and spends no second use.
        var again = await joiner.AcceptInviteAsync(invite.Code);
        Assert.Equal(community.Id, again.Id);
        Assert.Equal(1, Assert.Single(await owner.GetInvitesAsync(community.Id)).Uses);
        Assert.Equal(2, (await anonymous.PreviewInviteAsync(invite.Code)).MemberCount);
    }

    [Fact]
    public async Task Unknown_and_malformed_codes_are_404()
    {
        var (client, _, _) = await Server.NewUserAsync("unk");
        using var _c = client;
        using var anonymous = Server.NewClient();
        foreach (var code in new[] { "zzzzzzzz", "short", "0OIl0OIl", "../../x", new string('a', 200) })
        {
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.InviteNotFound, () => anonymous.PreviewInviteAsync(code));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.InviteNotFound, () => client.AcceptInviteAsync(code));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.InviteNotFound, () => client.RevokeInviteAsync(code));
        }

        Assert.Empty(await client.GetMyCommunitiesAsync());
    }

    [Fact]
    public async Task Accepting_and_revoking_need_a_token()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var invite = await owner.CreateInviteAsync(community.Id);
        using var anonymous = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.AcceptInviteAsync(invite.Code));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.RevokeInviteAsync(invite.Code));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.CreateInviteAsync(community.Id));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetInvitesAsync(community.Id));
        Assert.Equal(0, Assert.Single(await owner.GetInvitesAsync(community.Id)).Uses);
        Assert.Null((await anonymous.PreviewInviteAsync(invite.Code)).CommunityDescription);
    }

    [Fact]
    public async Task Non_members_cannot_create_list_or_revoke_invites()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var invite = await owner.CreateInviteAsync(community.Id);
        var (stranger, _, _) = await Server.NewUserAsync("str");
        using var _s = stranger;

        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.CreateInviteAsync(community.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.GetInvitesAsync(community.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.InviteNotFound, () => stranger.RevokeInviteAsync(invite.Code));
        Assert.Single(await owner.GetInvitesAsync(community.Id));
    }

    [Fact]
    public async Task Revoked_invites_are_gone_and_only_the_owner_or_inviter_may_revoke()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var (other, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _x = other;
        var mine = await member.CreateInviteAsync(community.Id);
        var owners = await owner.CreateInviteAsync(community.Id);

        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => other.RevokeInviteAsync(mine.Code));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.RevokeInviteAsync(owners.Code));
        using var anonymous = Server.NewClient();
        await anonymous.PreviewInviteAsync(mine.Code);

        await member.RevokeInviteAsync(mine.Code);
        await owner.RevokeInviteAsync(owners.Code);
        await owner.RevokeInviteAsync(owners.Code);

        var (late, _, _) = await Server.NewUserAsync("late");
        using var _l = late;
        await Expect.Problem(HttpStatusCode.Gone, ProblemCodes.InviteRevoked, () => anonymous.PreviewInviteAsync(mine.Code));
        await Expect.Problem(HttpStatusCode.Gone, ProblemCodes.InviteRevoked, () => late.AcceptInviteAsync(owners.Code));
        Assert.Empty(await late.GetMyCommunitiesAsync());
        Assert.DoesNotContain(await owner.GetInvitesAsync(community.Id), i => i.Code == mine.Code || i.Code == owners.Code);
    }

    [Fact]
    public async Task Expired_invites_answer_410()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var invite = await owner.CreateInviteAsync(community.Id, maxAgeSeconds: 1);
        await Task.Delay(1500);

        using var anonymous = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Gone, ProblemCodes.InviteExpired, () => anonymous.PreviewInviteAsync(invite.Code));
        var (late, _, _) = await Server.NewUserAsync("late");
        using var _l = late;
        await Expect.Problem(HttpStatusCode.Gone, ProblemCodes.InviteExpired, () => late.AcceptInviteAsync(invite.Code));
        Assert.Empty(await late.GetMyCommunitiesAsync());
        Assert.Equal(1, (await owner.GetCommunityAsync(community.Id)).MemberCount);
    }

    [Fact]
    public async Task Exhausted_invites_answer_410()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var invite = await owner.CreateInviteAsync(community.Id, maxUses: 1);
        var (first, _, _) = await Server.NewUserAsync("first");
        using var _f = first;
        await first.AcceptInviteAsync(invite.Code);

        var (second, _, _) = await Server.NewUserAsync("second");
        using var _s = second;
        await Expect.Problem(HttpStatusCode.Gone, ProblemCodes.InviteExhausted, () => second.AcceptInviteAsync(invite.Code));
        using var anonymous = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Gone, ProblemCodes.InviteExhausted, () => anonymous.PreviewInviteAsync(invite.Code));
        Assert.Empty(await second.GetMyCommunitiesAsync());
        Assert.Equal(2, (await owner.GetCommunityAsync(community.Id)).MemberCount);
    }

    [Fact]
    public async Task Concurrent_accepts_never_exceed_max_uses()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var invite = await owner.CreateInviteAsync(community.Id, maxUses: 3);
        var clients = new List<VoxoraClient>();
        for (var i = 0; i < 12; i++)
        {
            clients.Add((await Server.NewUserAsync("race")).Client);
        }

        var results = await Task.WhenAll(clients.Select(async client =>
        {
            try
            {
                await client.AcceptInviteAsync(invite.Code);
                return "joined";
            }
            catch (VoxoraApiException ex)
            {
                return ex.Code ?? ex.Status.ToString();
            }
        }));
        foreach (var client in clients)
        {
            client.Dispose();
        }

        Assert.Equal(3, results.Count(r => r == "joined"));
        Assert.All(results.Where(r => r != "joined"), r => Assert.Equal(ProblemCodes.InviteExhausted, r));
        Assert.Equal(4, (await owner.GetCommunityAsync(community.Id)).MemberCount);
        Assert.Equal(3, Assert.Single(await owner.GetInvitesAsync(community.Id)).Uses);
    }
}

public sealed class InvitesApiTestsOnSqlite(SqliteServerFixture fixture) : InvitesApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class InvitesApiTestsOnPostgres(PostgresServerFixture fixture) : InvitesApiTests(fixture), IClassFixture<PostgresServerFixture>;
