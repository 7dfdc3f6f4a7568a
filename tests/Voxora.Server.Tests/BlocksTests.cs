using System.Net;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests;

/// <summary>Blocking: silent, neutral refusals that do not reveal the block, undone by unblocking — on each provider.</summary>
public abstract class BlocksTests(ServerFixture fixture)
{
    private const string UnknownUser = "usr_01ARZ3NDEKTSV4RRFFQ69G5FAV";

    private TestServer Server => fixture.Server;

    [Fact]
    public async Task A_blocked_person_cannot_open_or_write_a_DM_gets_the_same_answer_as_DMs_off_and_is_never_told()
    {
        var (alice, aliceUser, community) = await Server.NewCommunityAsync();
        using var _a = alice;
        var (bob, bobUser) = await Server.NewMemberAsync(alice, community.Id);
        using var _b = bob;
        var (carol, carolUser) = await Server.NewMemberAsync(alice, community.Id);
        using var _c = carol;
        await using var aliceLive = await ConnectAsync(Server, alice, aliceUser);
        await using var bobLive = await ConnectAsync(Server, bob, bobUser);

        var dm = await bob.OpenDirectMessageAsync(aliceUser.Id);
        var before = await bob.SendMessageAsync(dm.Id, "hi alice");
        await aliceLive.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);
        await bobLive.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);
        while (await bobLive.Gateway.TryReceiveDispatchAsync(TimeSpan.FromMilliseconds(200)) is not null)
        {
        }

        await alice.BlockUserAsync(bobUser.Id);
        await alice.BlockUserAsync(bobUser.Id); // again: still blocked, no error
        Assert.Equal(bobUser.Id, Assert.Single(await alice.GetBlocksAsync()).User.Id);
        Assert.True((await alice.GetUserProfileAsync(bobUser.Id)).Blocked);
        // Bob is never told: no event, his own profile view of alice shows nothing, his block list is his own.
        await AssertNothingArrivesAsync(bobLive.Gateway);
        Assert.False((await bob.GetUserProfileAsync(aliceUser.Id)).Blocked);
        Assert.Empty(await bob.GetBlocksAsync());

        // Carol turned DMs off; bob gets exactly the same answer from her as from alice, who blocked him.
        await carol.UpdateUserSettingsAsync(new UpdateUserSettingsRequest(false));
        var fromCarol = await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.CannotMessageUser, () => bob.CreateGroupDirectMessageAsync([carolUser.Id]));
        var fromAlice = await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.CannotMessageUser, () => bob.CreateGroupDirectMessageAsync([aliceUser.Id]));
        Assert.Equal((fromCarol.Problem?.Title, fromCarol.Problem?.Detail), (fromAlice.Problem?.Title, fromAlice.Problem?.Detail));

        // The existing DM: still readable, but no new messages, reactions or typing from bob.
        var refused = await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.CannotMessageUser, () => bob.SendMessageAsync(dm.Id, "why no answer?"));
        Assert.Equal((fromCarol.Problem?.Title, fromCarol.Problem?.Detail), (refused.Problem?.Title, refused.Problem?.Detail));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.CannotMessageUser, () => bob.AddReactionAsync(dm.Id, before.Id, "👋"));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.CannotMessageUser, () => bob.StartTypingAsync(dm.Id));
        Assert.Equal([before.Id], (await bob.GetMessagesAsync(dm.Id)).Select(m => m.Id));
        await AssertNothingArrivesAsync(aliceLive.Gateway);
        // Neither writes across the block: alice cannot message the person she blocked either.
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.CannotMessageUser, () => alice.SendMessageAsync(dm.Id, "go away"));
        Assert.Equal(dm.Id, (await bob.OpenDirectMessageAsync(aliceUser.Id)).Id);

        // A group: nobody adds someone across a block.
        await carol.UpdateUserSettingsAsync(new UpdateUserSettingsRequest(true));
        var group = await bob.CreateGroupDirectMessageAsync([carolUser.Id]);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.CannotMessageUser, () => bob.AddDirectRecipientAsync(group.Id, aliceUser.Id));
        Assert.Equal(2, (await bob.GetDirectChannelAsync(group.Id)).Recipients.Count);

        await alice.UnblockUserAsync(bobUser.Id);
        await alice.UnblockUserAsync(bobUser.Id); // again: nothing to undo, no error
        Assert.Empty(await alice.GetBlocksAsync());
        await bob.SendMessageAsync(dm.Id, "hello again");
        await bob.AddDirectRecipientAsync(group.Id, aliceUser.Id);
        Assert.Equal(3, (await bob.GetDirectChannelAsync(group.Id)).Recipients.Count);
    }

    [Fact]
    public async Task Blocking_unhappy_paths_answer_clear_4xx_and_change_nothing()
    {
        var (alice, aliceUser, community) = await Server.NewCommunityAsync();
        using var _a = alice;
        var (bob, bobUser) = await Server.NewMemberAsync(alice, community.Id);
        using var _b = bob;
        using var anonymous = Server.NewClient();

        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.BlockUserAsync(bobUser.Id));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.UnblockUserAsync(bobUser.Id));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetBlocksAsync());
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.BlockUserAsync(aliceUser.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.BlockUserAsync(UnknownUser));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.BlockUserAsync("not-a-user"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.UnblockUserAsync(UnknownUser));
        Assert.Empty(await alice.GetBlocksAsync());

        // Unblocking someone never blocked is a no-op.
        await alice.UnblockUserAsync(bobUser.Id);
        Assert.Empty(await alice.GetBlocksAsync());
        await alice.OpenDirectMessageAsync(bobUser.Id);
    }
}

public sealed class BlocksTestsOnSqlite(SqliteServerFixture fixture) : BlocksTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class BlocksTestsOnPostgres(PostgresServerFixture fixture) : BlocksTests(fixture), IClassFixture<PostgresServerFixture>;
