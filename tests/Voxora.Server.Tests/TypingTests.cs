using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Features.Typing;
using Voxora.Server.Infrastructure.Cluster;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests;

/// <summary>
/// Typing indicators (seed 000 §P2-2) through the public surface: the gateway command <c>{op: 0, t: "TYPING"}</c> and
/// <c>POST /channels/{id}/typing</c> announce TYPING_START to the channel's other viewers only, at most once per 5 s per
/// user and channel, and refuse what a user may not do as every channel route does. On each database provider.
/// </summary>
public abstract class TypingTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    internal static Task SendTypingAsync(GatewayClient gateway, string channelId) =>
        gateway.SendCommandAsync(GatewayCommands.Typing, new TypingCommand(channelId), VoxoraJsonContext.Default.TypingCommand);

    /// <summary>The next TYPING_START (other dispatches, such as presence, pass by).</summary>
    internal static async Task<TypingStart> NextTypingAsync(GatewayClient gateway)
    {
        var frame = await gateway.WaitForDispatchAsync(GatewayEvents.TypingStart);
        return frame.D!.Value.Deserialize(VoxoraJsonContext.Default.TypingStart)!;
    }

    /// <summary>No TYPING_START arrives for <see cref="GatewayPeople.Quiet"/>.</summary>
    internal static async Task AssertNoTypingAsync(GatewayClient gateway)
    {
        var deadline = TimeProvider.System.GetUtcNow() + Quiet;
        while (deadline - TimeProvider.System.GetUtcNow() is { } remaining && remaining > TimeSpan.Zero)
        {
            var frame = await gateway.TryReceiveDispatchAsync(remaining);
            Assert.False(frame?.T == GatewayEvents.TypingStart, $"unexpected TYPING_START: {frame?.D}");
        }
    }

    /// <summary>
    /// A community with a private text channel: the owner sees everything; the typist and a read-only viewer are let
    /// into the private channel by user overrides; the outsider is a member who cannot view it.
    /// </summary>
    private async Task<Room> RoomAsync()
    {
        var (ownerApi, ownerUser, community) = await Server.NewCommunityAsync("Typing");
        var (typistApi, typistUser) = await Server.NewMemberAsync(ownerApi, community.Id);
        var (viewerApi, viewerUser) = await Server.NewMemberAsync(ownerApi, community.Id);
        var (outsiderApi, outsiderUser) = await Server.NewMemberAsync(ownerApi, community.Id);
        var everyone = (await ownerApi.GetRolesAsync(community.Id)).Single(r => r.IsEveryone);
        var hidden = await ownerApi.CreateChannelAsync(community.Id, new CreateChannelRequest("private"));
        await ownerApi.SetOverrideAsync(hidden.Id, "role", everyone.Id, 0, Permission.ViewChannel);
        await ownerApi.SetOverrideAsync(hidden.Id, "user", typistUser.Id, Permission.ViewChannel, 0);
        await ownerApi.SetOverrideAsync(hidden.Id, "user", viewerUser.Id, Permission.ViewChannel, Permission.SendMessages);

        // Connected after the set-up, so nothing but what the test does arrives.
        return new Room(community, hidden,
            await ConnectAsync(Server, ownerApi, ownerUser),
            await ConnectAsync(Server, typistApi, typistUser),
            await ConnectAsync(Server, viewerApi, viewerUser),
            await ConnectAsync(Server, outsiderApi, outsiderUser));
    }

    private sealed record Room(Community Community, Channel Hidden, GatewayPerson Owner, GatewayPerson Typist, GatewayPerson Viewer, GatewayPerson Outsider)
        : IAsyncDisposable
    {
        public Channel General => Community.TextChannel();

        public async ValueTask DisposeAsync()
        {
            await Owner.DisposeAsync();
            await Typist.DisposeAsync();
            await Viewer.DisposeAsync();
            await Outsider.DisposeAsync();
        }
    }

    [Fact]
    public async Task Typing_over_the_gateway_reaches_the_other_viewers_only_never_the_typist_nor_members_who_cannot_view()
    {
        await using var room = await RoomAsync();
        await using var typistElsewhere = await ConnectAsync(Server, room.Typist.Api, room.Typist.User);
        var before = TimeProvider.System.GetUtcNow();

        await SendTypingAsync(room.Typist.Gateway, room.Hidden.Id);

        var seen = await NextTypingAsync(room.Owner.Gateway);
        Assert.Equal(room.Hidden.Id, seen.ChannelId);
        Assert.Equal(room.Community.Id, seen.CommunityId);
        Assert.Equal(room.Typist.User.Id, seen.UserId);
        Assert.Equal(room.Typist.User.Username, seen.Username);
        Assert.InRange(seen.Timestamp, before.AddSeconds(-1), TimeProvider.System.GetUtcNow().AddSeconds(1));
        // A viewer who may not send still sees who is typing.
        Assert.Equal(room.Typist.User.Id, (await NextTypingAsync(room.Viewer.Gateway)).UserId);
        await AssertNoTypingAsync(room.Outsider.Gateway);
        await AssertNoTypingAsync(typistElsewhere.Gateway);
        await AssertNoTypingAsync(room.Typist.Gateway);
        Assert.Equal(WebSocketState.Open, room.Typist.Gateway.State);
    }

    [Fact]
    public async Task Typing_over_REST_answers_204_and_reaches_every_other_viewer_of_the_channel()
    {
        await using var room = await RoomAsync();

        await room.Typist.Api.StartTypingAsync(room.General.Id);

        foreach (var watcher in new[] { room.Owner, room.Viewer, room.Outsider })
        {
            var seen = await NextTypingAsync(watcher.Gateway);
            Assert.Equal((room.General.Id, room.Typist.User.Id), (seen.ChannelId, seen.UserId));
        }

        await AssertNoTypingAsync(room.Typist.Gateway);

        using var http = new HttpClient { BaseAddress = Server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/channels/{room.General.Id}/typing");
        request.Headers.Authorization = new("Bearer", room.Viewer.Api.AccessToken);
        // The viewer may not send in the private channel, but may in general: a plain 204, no body.
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_second_typing_within_5_seconds_is_accepted_but_not_announced_whichever_way_it_comes()
    {
        await using var room = await RoomAsync();

        await room.Typist.Api.StartTypingAsync(room.General.Id);
        Assert.Equal(room.Typist.User.Id, (await NextTypingAsync(room.Owner.Gateway)).UserId);

        // Again over REST and over the gateway: accepted (204, the connection stays open), not fanned out.
        await room.Typist.Api.StartTypingAsync(room.General.Id);
        await SendTypingAsync(room.Typist.Gateway, room.General.Id);
        await AssertNoTypingAsync(room.Owner.Gateway);
        Assert.Equal(WebSocketState.Open, room.Typist.Gateway.State);

        // The limit is per user and channel: another channel, or another user, is announced.
        await SendTypingAsync(room.Typist.Gateway, room.Hidden.Id);
        Assert.Equal(room.Hidden.Id, (await NextTypingAsync(room.Owner.Gateway)).ChannelId);
        await room.Outsider.Api.StartTypingAsync(room.General.Id);
        Assert.Equal(room.Outsider.User.Id, (await NextTypingAsync(room.Owner.Gateway)).UserId);
        await AssertNoTypingAsync(room.Owner.Gateway);
    }

    [Fact]
    public async Task After_5_seconds_the_same_user_and_channel_are_announced_again()
    {
        // Its own server, whose throttle reads a clock the test moves (nothing else of the server does).
        var clock = new TypingThrottleClock();
        await using var server = await TestServer.StartAsync(fixture.Provider,
            services: s => s.AddSingleton(sp => new TypingThrottle(sp.GetRequiredService<SharedLimits>(), clock)));
        var (ownerApi, ownerUser, community) = await server.NewCommunityAsync("Clock");
        var (typistApi, _) = await server.NewMemberAsync(ownerApi, community.Id);
        await using var owner = await ConnectAsync(server, ownerApi, ownerUser);
        var channel = community.TextChannel();

        await typistApi.StartTypingAsync(channel.Id);
        await NextTypingAsync(owner.Gateway);
        clock.Advance(TimeSpan.FromSeconds(4.9));
        await typistApi.StartTypingAsync(channel.Id);
        await AssertNoTypingAsync(owner.Gateway);

        clock.Advance(TimeSpan.FromSeconds(0.1));
        await typistApi.StartTypingAsync(channel.Id);
        await NextTypingAsync(owner.Gateway);
        await typistApi.StartTypingAsync(channel.Id);
        await AssertNoTypingAsync(owner.Gateway);
    }

    [Fact]
    public async Task REST_typing_refuses_the_unauthenticated_unknown_hidden_voice_category_and_no_send_and_announces_nothing()
    {
        await using var room = await RoomAsync();
        var api = room.Outsider.Api;

        using (var anonymous = Server.NewClient())
        {
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.StartTypingAsync(room.General.Id));
        }

        // Unknown, malformed, oversize and hidden ids are all the same 404.
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => api.StartTypingAsync("ch_01J00000000000000000000000"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => api.StartTypingAsync("nope"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => api.StartTypingAsync("ch_" + new string('A', 4000)));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => api.StartTypingAsync(room.Hidden.Id));

        var voice = room.Community.VoiceChannel();
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType, () => api.StartTypingAsync(voice.Id));
        var category = await room.Owner.Api.CreateChannelAsync(room.Community.Id, new CreateChannelRequest("Cat", ChannelTypes.Category));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType, () => room.Typist.Api.StartTypingAsync(category.Id));

        // Viewing without SEND_MESSAGES is not enough.
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => room.Viewer.Api.StartTypingAsync(room.Hidden.Id));

        await AssertNoTypingAsync(room.Owner.Gateway);
        await AssertNoTypingAsync(room.Typist.Gateway);
    }

    [Fact]
    public async Task A_timed_out_member_cannot_type_over_REST_or_the_gateway()
    {
        await using var room = await RoomAsync();
        await room.Owner.Api.TimeoutAsync(room.Community.Id, room.Typist.User.Id, TimeProvider.System.GetUtcNow().AddMinutes(10));

        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => room.Typist.Api.StartTypingAsync(room.General.Id));
        await SendTypingAsync(room.Typist.Gateway, room.General.Id);
        await AssertNoTypingAsync(room.Owner.Gateway);

        // Once the timeout is lifted the same member types again.
        await room.Owner.Api.TimeoutAsync(room.Community.Id, room.Typist.User.Id, null);
        await room.Typist.Api.StartTypingAsync(room.General.Id);
        Assert.Equal(room.Typist.User.Id, (await NextTypingAsync(room.Owner.Gateway)).UserId);
    }

    [Fact]
    public async Task A_gateway_typing_in_a_channel_the_user_may_not_type_in_is_ignored_and_the_connection_stays_open()
    {
        await using var room = await RoomAsync();
        var outsider = room.Outsider.Gateway;

        await SendTypingAsync(outsider, room.Hidden.Id);
        await SendTypingAsync(outsider, room.Community.VoiceChannel().Id);
        await SendTypingAsync(outsider, "ch_01J00000000000000000000000");
        await SendTypingAsync(outsider, "nope");
        await SendTypingAsync(room.Viewer.Gateway, room.Hidden.Id);
        await AssertNoTypingAsync(room.Owner.Gateway);
        await AssertNoTypingAsync(room.Typist.Gateway);

        // Still open and served: the next TYPING in a channel they may type in is announced.
        await SendTypingAsync(outsider, room.General.Id);
        Assert.Equal(room.Outsider.User.Id, (await NextTypingAsync(room.Owner.Gateway)).UserId);
        Assert.Equal(WebSocketState.Open, outsider.State);
    }

    [Theory]
    [InlineData("""{"op":0,"t":"TYPING"}""")]
    [InlineData("""{"op":0,"t":"TYPING","d":null}""")]
    [InlineData("""{"op":0,"t":"TYPING","d":"ch_01J00000000000000000000000"}""")]
    [InlineData("""{"op":0,"t":"TYPING","d":{}}""")]
    [InlineData("""{"op":0,"t":"TYPING","d":{"channel_id":null}}""")]
    [InlineData("""{"op":0,"t":"TYPING","d":{"channel_id":42}}""")]
    [InlineData("""{"op":0,"t":"TYPING","d":{"channel_id":["ch_x"]}}""")]
    public async Task A_malformed_TYPING_payload_closes_4002_and_announces_nothing(string frame)
    {
        await using var room = await RoomAsync();

        await room.Typist.Gateway.SendRawAsync(Encoding.UTF8.GetBytes(frame));

        var closed = await room.Typist.Gateway.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(GatewayCloseCodes.DecodeError, (int?)closed.Status);
        await AssertNoTypingAsync(room.Owner.Gateway);
    }

    [Fact]
    public async Task TYPING_before_identify_closes_4003_and_an_unknown_command_closes_4001()
    {
        var (ownerApi, _, community) = await Server.NewCommunityAsync("Commands");
        using var _o = ownerApi;
        await using (var early = await GatewayClient.ConnectAsync(Server.BaseAddress))
        {
            await SendTypingAsync(early, community.TextChannel().Id);
            Assert.Equal(GatewayCloseCodes.NotAuthenticated, (int?)(await early.Closed.WaitAsync(TimeSpan.FromSeconds(10))).Status);
        }

        foreach (var frame in new[] { """{"op":0,"t":"typing","d":{}}""", """{"op":0,"t":"MESSAGE_CREATE","d":{}}""", """{"op":0,"d":{}}""" })
        {
            await using var gateway = await GatewayClient.ConnectAsync(Server.BaseAddress);
            await gateway.IdentifyAsync(ownerApi.AccessToken!);
            await gateway.SendRawAsync(Encoding.UTF8.GetBytes(frame));
            Assert.Equal(GatewayCloseCodes.UnknownOpcode, (int?)(await gateway.Closed.WaitAsync(TimeSpan.FromSeconds(10))).Status);
        }
    }
}

/// <summary>A clock for the typing throttle that moves only when the test says (monotonic timestamps).</summary>
internal sealed class TypingThrottleClock : TimeProvider
{
    private long ticks = TimeSpan.FromDays(1).Ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
}

public sealed class TypingTestsOnSqlite(SqliteServerFixture fixture) : TypingTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class TypingTestsOnPostgres(PostgresServerFixture fixture) : TypingTests(fixture), IClassFixture<PostgresServerFixture>;
