using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Features.Threads;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests;

/// <summary>Threads (seed 000 §P2-7 and its Test 4): creation, posting, archive rules, the sweeper, visibility — on each database provider.</summary>
public abstract class ThreadsTests(ServerFixture fixture)
{
    private const string UnknownChannel = "ch_01ARZ3NDEKTSV4RRFFQ69G5FAV";

    private TestServer Server => fixture.Server;

    /// <summary>The server's clock moved forward by <see cref="Offset"/>: the sweeper's clock in the tests that wait for auto-archive.</summary>
    private sealed class MovableClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
    }

    private async Task<TestServer> StartServerWithSweeperClockAsync(MovableClock clock, double sweepSeconds) =>
        await TestServer.StartAsync(
            fixture.Provider,
            new Dictionary<string, string?> { ["THREADS:SWEEP_SECONDS"] = sweepSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            services: s => s.AddKeyedSingleton<TimeProvider>(ThreadSweeper.ClockKey, clock));

    private static ThreadChannel ThreadOf(GatewayFrame frame) => frame.D!.Value.Deserialize(VoxoraJsonContext.Default.ThreadChannel)!;

    private static async Task<ThreadChannel> NextThreadUpdateAsync(GatewayClient gateway) => ThreadOf(await gateway.WaitForDispatchAsync(GatewayEvents.ThreadUpdate));

    /// <summary>Skips THREAD_UPDATEs until one matches (earlier activity updates may still be queued).</summary>
    private static async Task<ThreadChannel> ThreadUpdateWhereAsync(GatewayClient gateway, Func<ThreadChannel, bool> match)
    {
        while (true)
        {
            var thread = await NextThreadUpdateAsync(gateway);
            if (match(thread))
            {
                return thread;
            }
        }
    }

    [Fact]
    public async Task Seed_test_4_thread_flow_from_message_to_auto_archive()
    {
        var clock = new MovableClock();
        await using var server = await StartServerWithSweeperClockAsync(clock, 0.2);
        var (aliceApi, aliceUser, community) = await server.NewCommunityAsync();
        var (bobApi, bobUser) = await server.NewMemberAsync(aliceApi, community.Id);
        await using var alice = await ConnectAsync(server, aliceApi, aliceUser);
        await using var bob = await ConnectAsync(server, bobApi, bobUser);
        var channel = community.TextChannel().Id;

        // 1. A message in a channel.
        var parent = await bob.Api.SendMessageAsync(channel, "who is up for a raid tonight?");

        // 2. A thread from it: a channel of type 5 linked to the message and the channel; its creator is its first member.
        var thread = await alice.Api.CreateThreadAsync(channel, parent.Id, "  Raid planning ");
        Assert.Equal((ChannelTypes.Thread, "Raid planning", channel, parent.Id, aliceUser.Id), (thread.Type, thread.Name, thread.ParentId, thread.ParentMessageId, thread.OwnerId));
        Assert.Equal((false, 86_400, 0, 1, true), (thread.Archived, thread.AutoArchiveSeconds, thread.MessageCount, thread.MemberCount, thread.Joined));
        Assert.StartsWith("ch_", thread.Id, StringComparison.Ordinal);

        // 4a. THREAD_CREATE reaches both (shared payload: no "joined").
        foreach (var person in new[] { alice, bob })
        {
            var created = ThreadOf(await person.Gateway.WaitForDispatchAsync(GatewayEvents.ThreadCreate));
            Assert.Equal((thread.Id, parent.Id, null), (created.Id, created.ParentMessageId, created.Joined));
        }

        // 3. Messages in the thread, through the ordinary messages endpoint.
        var first = await bob.Api.SendMessageAsync(thread.Id, "I can tank");
        await alice.Api.SendMessageAsync(thread.Id, "great, 8pm");

        // 4b. MESSAGE_CREATE for the thread's messages, and THREAD_UPDATE carrying the count.
        var message = (await alice.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate)).D!.Value;
        Assert.Equal((first.Id, thread.Id), (message.GetProperty("id").GetString(), message.GetProperty("channel_id").GetString()));
        Assert.Equal(1, (await NextThreadUpdateAsync(alice.Gateway)).MessageCount);
        var members = (await alice.Gateway.WaitForDispatchAsync(GatewayEvents.ThreadMembersUpdate)).D!.Value.Deserialize(VoxoraJsonContext.Default.ThreadMembersUpdate)!;
        Assert.Equal((thread.Id, 2, bobUser.Id), (members.Id, members.MemberCount, Assert.Single(members.AddedUserIds)));
        Assert.Equal(2, (await NextThreadUpdateAsync(alice.Gateway)).MessageCount);
        Assert.Equal(["great, 8pm", "I can tank"], (await bob.Api.GetMessagesAsync(thread.Id)).Select(m => m.Content));

        // 5. The thread is in the channel's active threads; the parent message carries its summary.
        var active = Assert.Single(await bob.Api.GetThreadsAsync(channel));
        Assert.Equal((thread.Id, 2, 2, true), (active.Id, active.MessageCount, active.MemberCount, active.Joined));
        Assert.Empty(await bob.Api.GetThreadsAsync(channel, archived: true));
        var summary = (await bob.Api.GetMessagesAsync(channel)).Single(m => m.Id == parent.Id).Thread;
        Assert.NotNull(summary);
        Assert.Equal((thread.Id, "Raid planning", 2, false), (summary.Id, summary.Name, summary.MessageCount, summary.Archived));
        Assert.NotNull(summary.LastMessageAt);

        // 6. A day of silence: the sweeper archives it and says so.
        clock.Offset = TimeSpan.FromHours(25);
        var archived = await ThreadUpdateWhereAsync(bob.Gateway, t => t.Archived);
        Assert.Equal((thread.Id, true), (archived.Id, archived.Archived));
        Assert.NotNull(archived.ArchivedAt);
        Assert.Empty(await bob.Api.GetThreadsAsync(channel));
        Assert.Equal(thread.Id, Assert.Single(await bob.Api.GetThreadsAsync(channel, archived: true)).Id);
        Assert.True((await bob.Api.GetMessagesAsync(channel)).Single(m => m.Id == parent.Id).Thread!.Archived);
    }

    [Fact]
    public async Task The_sweeper_archives_only_due_threads_once_even_when_every_node_sweeps()
    {
        var clock = new MovableClock();

        // Passes only when the test runs them (the period is an hour).
        await using var server = await StartServerWithSweeperClockAsync(clock, 3600);
        var sweeper = server.Services.GetRequiredService<ThreadSweeper>();
        var (owner, _, community) = await server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var hourly = await owner.CreateThreadAsync(channel, (await owner.SendMessageAsync(channel, "a")).Id, "hourly", 3600);
        var daily = await owner.CreateThreadAsync(channel, (await owner.SendMessageAsync(channel, "b")).Id, "daily");
        var weekly = await owner.CreateThreadAsync(channel, (await owner.SendMessageAsync(channel, "c")).Id, "weekly", 604_800);

        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));
        clock.Offset = TimeSpan.FromMinutes(59);
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));

        // Past an hour: only the hourly thread; two nodes sweeping at once archive it once between them.
        clock.Offset = TimeSpan.FromMinutes(61);
        var together = await Task.WhenAll(sweeper.SweepAsync(CancellationToken.None), sweeper.SweepAsync(CancellationToken.None));
        Assert.Equal(1, together.Sum());
        Assert.True((await owner.GetThreadAsync(hourly.Id)).Archived);
        Assert.False((await owner.GetThreadAsync(daily.Id)).Archived);
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));

        // A message counts as activity (inactivity is counted from it).
        await using var watcher = await ConnectAsync(server, owner, await owner.GetMeAsync());
        var posted = await owner.SendMessageAsync(daily.Id, "still here");
        var active = await NextThreadUpdateAsync(watcher.Gateway);
        Assert.Equal((1, posted.CreatedAt, posted.CreatedAt), (active.MessageCount, active.LastActivityAt, active.LastMessageAt));
        clock.Offset = TimeSpan.FromHours(23.5);
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));

        // A shorter duration takes effect from the last activity.
        await owner.UpdateThreadAsync(weekly.Id, autoArchiveSeconds: 3600);
        Assert.Equal(1, await sweeper.SweepAsync(CancellationToken.None));
        Assert.True((await owner.GetThreadAsync(weekly.Id)).Archived);
        clock.Offset = TimeSpan.FromHours(26);
        Assert.Equal(1, await sweeper.SweepAsync(CancellationToken.None));
        Assert.Equal([daily.Id, weekly.Id, hourly.Id], (await owner.GetThreadsAsync(channel, archived: true)).Select(t => t.Id));
    }

    [Fact]
    public async Task Archived_threads_are_read_only_until_a_post_or_the_owner_unarchives_them()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, memberUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var channel = community.TextChannel().Id;
        var thread = await member.CreateThreadAsync(channel, (await owner.SendMessageAsync(channel, "topic")).Id, "chat");
        var mine = await member.SendMessageAsync(thread.Id, "first");

        // The owner of the thread (a plain member) archives it.
        var archived = await member.UpdateThreadAsync(thread.Id, archived: true);
        Assert.True(archived.Archived);

        // Read-only: no edits, no renames; reading still works.
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.ThreadArchived, () => member.EditMessageAsync(thread.Id, mine.Id, "changed"));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.ThreadArchived, () => member.UpdateThreadAsync(thread.Id, name: "renamed"));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.ThreadArchived, () => owner.AddReactionAsync(thread.Id, mine.Id, "👍"));
        Assert.Equal("first", Assert.Single(await owner.GetMessagesAsync(thread.Id)).Content);

        // Someone without SEND_MESSAGES_IN_THREADS cannot post, so cannot unarchive it either.
        var everyone = Assert.Single(await owner.GetRolesAsync(community.Id));
        await owner.SetOverrideAsync(channel, "role", everyone.Id, 0, Permission.SendMessagesInThreads);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.SendMessageAsync(thread.Id, "let me in"));
        Assert.True((await member.GetThreadAsync(thread.Id)).Archived);

        // SEND_MESSAGES is not what a thread asks for: denied it in the channel, one may still post in its threads.
        await owner.SetOverrideAsync(channel, "role", everyone.Id, 0, Permission.SendMessages);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.SendMessageAsync(channel, "no"));
        await member.SendMessageAsync(thread.Id, "back");
        var reopened = await member.GetThreadAsync(thread.Id);
        Assert.Equal((false, 2), (reopened.Archived, reopened.MessageCount));
        Assert.Null(reopened.ArchivedAt);
        await member.EditMessageAsync(thread.Id, mine.Id, "edited once open");
        await owner.AddReactionAsync(thread.Id, mine.Id, "👍");

        // A thread is a channel for typing and read markers too.
        await member.StartTypingAsync(thread.Id);
        await member.MarkChannelReadAsync(thread.Id, mine.Id);

        // Only the owner or MANAGE_THREADS may change a thread; the owner may unarchive with a rename in one go.
        var (other, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _x = other;
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => other.UpdateThreadAsync(thread.Id, archived: true));
        var moderators = await owner.CreateRoleAsync(community.Id, new CreateRoleRequest("Mods", Permission.ManageThreads, 0));
        await owner.AddMemberRoleAsync(community.Id, (await other.GetMeAsync()).Id, moderators.Id);
        Assert.True((await other.UpdateThreadAsync(thread.Id, archived: true)).Archived);
        var renamed = await member.UpdateThreadAsync(thread.Id, name: "chat 2", archived: false);
        Assert.Equal(("chat 2", false), (renamed.Name, renamed.Archived));
        Assert.Equal("chat 2", (await owner.GetThreadsAsync(channel)).Single().Name);
        _ = memberUser;
    }

    [Fact]
    public async Task A_thread_is_as_hidden_as_its_parent_channel()
    {
        var (ownerApi, ownerUser, community) = await Server.NewCommunityAsync();
        var (memberApi, memberUser) = await Server.NewMemberAsync(ownerApi, community.Id);
        await using var owner = await ConnectAsync(Server, ownerApi, ownerUser);
        await using var member = await ConnectAsync(Server, memberApi, memberUser);
        var everyone = Assert.Single(await ownerApi.GetRolesAsync(community.Id));
        var secret = await ownerApi.CreateChannelAsync(community.Id, new CreateChannelRequest("secret"));
        await ownerApi.SetOverrideAsync(secret.Id, "role", everyone.Id, 0, Permission.ViewChannel);
        await member.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelDelete);
        var parent = await ownerApi.SendMessageAsync(secret.Id, "plans");
        var thread = await ownerApi.CreateThreadAsync(secret.Id, parent.Id, "hidden");
        await ownerApi.SendMessageAsync(thread.Id, "inside");
        await owner.Gateway.WaitForDispatchAsync(GatewayEvents.ThreadUpdate);

        // Not a single thread event for the member, and 404 for everything about it.
        await AssertNothingArrivesAsync(member.Gateway);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => memberApi.GetThreadAsync(thread.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => memberApi.GetMessagesAsync(thread.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => memberApi.SendMessageAsync(thread.Id, "hi"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => memberApi.JoinThreadAsync(thread.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => memberApi.UpdateThreadAsync(thread.Id, archived: true));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => memberApi.GetThreadsAsync(secret.Id));
        Assert.DoesNotContain(await memberApi.GetChannelsAsync(community.Id), c => c.Id == thread.Id);

        // Threads are never listed as channels, even for those who see them.
        Assert.DoesNotContain(await ownerApi.GetChannelsAsync(community.Id), c => c.Type == ChannelTypes.Thread);

        // Shown the parent, the member sees the thread too; hidden again, it is gone again.
        await ownerApi.SetOverrideAsync(secret.Id, "user", memberUser.Id, Permission.ViewChannel, 0);
        Assert.Equal("hidden", (await memberApi.GetThreadAsync(thread.Id)).Name);
        Assert.Equal("inside", Assert.Single(await memberApi.GetMessagesAsync(thread.Id)).Content);
        await ownerApi.DeleteOverrideAsync(secret.Id, "user", memberUser.Id);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => memberApi.GetThreadAsync(thread.Id));

        // Deleting the parent channel deletes its threads.
        await ownerApi.DeleteChannelAsync(secret.Id);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => ownerApi.GetThreadAsync(thread.Id));
    }

    [Fact]
    public async Task Joining_and_leaving_announce_thread_members_and_posting_joins()
    {
        var (ownerApi, ownerUser, community) = await Server.NewCommunityAsync();
        var (memberApi, memberUser) = await Server.NewMemberAsync(ownerApi, community.Id);
        await using var owner = await ConnectAsync(Server, ownerApi, ownerUser);
        using var _m = memberApi;
        var channel = community.TextChannel().Id;
        var thread = await ownerApi.CreateThreadAsync(channel, (await ownerApi.SendMessageAsync(channel, "x")).Id, "t");
        Assert.False((await memberApi.GetThreadAsync(thread.Id)).Joined);

        await memberApi.JoinThreadAsync(thread.Id);
        var joined = (await owner.Gateway.WaitForDispatchAsync(GatewayEvents.ThreadMembersUpdate)).D!.Value.Deserialize(VoxoraJsonContext.Default.ThreadMembersUpdate)!;
        Assert.Equal((2, memberUser.Id, 0), (joined.MemberCount, Assert.Single(joined.AddedUserIds), joined.RemovedUserIds.Count));
        Assert.True((await memberApi.GetThreadAsync(thread.Id)).Joined);

        // Joining twice changes nothing and announces nothing.
        await memberApi.JoinThreadAsync(thread.Id);
        await AssertNothingArrivesAsync(owner.Gateway);

        await memberApi.LeaveThreadAsync(thread.Id);
        var left = (await owner.Gateway.WaitForDispatchAsync(GatewayEvents.ThreadMembersUpdate)).D!.Value.Deserialize(VoxoraJsonContext.Default.ThreadMembersUpdate)!;
        Assert.Equal((1, memberUser.Id), (left.MemberCount, Assert.Single(left.RemovedUserIds)));
        await memberApi.LeaveThreadAsync(thread.Id);
        await AssertNothingArrivesAsync(owner.Gateway);

        // A poster joins.
        await memberApi.SendMessageAsync(thread.Id, "hello");
        Assert.Equal(2, (await ownerApi.GetThreadAsync(thread.Id)).MemberCount);

        // A message deleted in the thread is uncounted.
        var extra = await ownerApi.SendMessageAsync(thread.Id, "oops");
        Assert.Equal(2, (await ownerApi.GetThreadAsync(thread.Id)).MessageCount);
        await ownerApi.DeleteMessageAsync(thread.Id, extra.Id);
        Assert.Equal(1, (await ownerApi.GetThreadAsync(thread.Id)).MessageCount);
    }

    [Fact]
    public async Task Bad_requests_are_clear_problems_and_change_nothing()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var channel = community.TextChannel().Id;
        var parent = await owner.SendMessageAsync(channel, "parent");

        using (var anonymous = Server.NewClient())
        {
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.CreateThreadAsync(channel, parent.Id, "t"));
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetThreadsAsync(channel));
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.JoinThreadAsync(channel));
        }

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.CreateThreadAsync(channel, parent.Id, "  "));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.CreateThreadAsync(channel, parent.Id, new string('x', 101)));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.CreateThreadAsync(channel, parent.Id, "bidi\u202E"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.CreateThreadAsync(channel, parent.Id, "t", 7200));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.CreateThreadAsync(UnknownChannel, parent.Id, "t"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.CreateThreadAsync(channel, "123", "t"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.CreateThreadAsync(channel, "not-an-id", "t"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType, () => owner.CreateThreadAsync(community.VoiceChannel().Id, parent.Id, "t"));

        // A message of another channel is not found through this one.
        var other = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("other"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.CreateThreadAsync(other.Id, parent.Id, "t"));

        // CREATE_THREADS is needed.
        var everyone = Assert.Single(await owner.GetRolesAsync(community.Id));
        await owner.SetOverrideAsync(channel, "role", everyone.Id, 0, Permission.CreateThreads);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.CreateThreadAsync(channel, parent.Id, "t"));
        Assert.Empty(await owner.GetThreadsAsync(channel));

        // One thread per message; none inside a thread.
        var thread = await owner.CreateThreadAsync(channel, parent.Id, "t");
        await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.ThreadAlreadyExists, () => owner.CreateThreadAsync(channel, parent.Id, "again"));
        var inner = await owner.SendMessageAsync(thread.Id, "inner");
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType, () => owner.CreateThreadAsync(thread.Id, inner.Id, "nested"));

        // Listing and membership take only what applies.
        using (var response = await owner.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"api/v1/channels/{channel}/threads?archived=maybe") { Headers = { Authorization = new("Bearer", owner.AccessToken) } }))
        {
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, response);
        }

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType, () => owner.GetThreadsAsync(thread.Id));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType, () => owner.JoinThreadAsync(channel));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.JoinThreadAsync(UnknownChannel));

        // A thread takes only its own settings; a channel cannot be archived.
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => owner.UpdateChannelAsync(thread.Id, new UpdateChannelRequest(Topic: "no")));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdateThreadAsync(thread.Id, autoArchiveSeconds: 5));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdateThreadAsync(thread.Id, name: ""));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdateChannelAsync(channel, new UpdateChannelRequest(Archived: true)));

        var after = Assert.Single(await owner.GetThreadsAsync(channel));
        Assert.Equal(("t", 86_400, false, 1), (after.Name, after.AutoArchiveSeconds, after.Archived, after.MessageCount));
    }
}

public sealed class ThreadsTestsOnSqlite(SqliteServerFixture fixture) : ThreadsTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class ThreadsTestsOnPostgres(PostgresServerFixture fixture) : ThreadsTests(fixture), IClassFixture<PostgresServerFixture>;
