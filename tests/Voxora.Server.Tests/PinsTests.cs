using System.Net;
using System.Text.Json;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests;

/// <summary>Pinned messages: pin, unpin, list, the 50-pin limit, the system line, events and audit — on each database provider.</summary>
public abstract class PinsTests(ServerFixture fixture)
{
    private const string UnknownChannel = "ch_01ARZ3NDEKTSV4RRFFQ69G5FAV";

    private TestServer Server => fixture.Server;

    private static Message MessageOf(GatewayFrame frame) => frame.D!.Value.Deserialize(VoxoraJsonContext.Default.Message)!;

    private static ChannelPinsUpdate PinsUpdateOf(GatewayFrame frame) => frame.D!.Value.Deserialize(VoxoraJsonContext.Default.ChannelPinsUpdate)!;

    [Fact]
    public async Task Pinning_marks_the_message_writes_a_system_line_and_lists_pins_newest_first()
    {
        var (bob, bobUser, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var (alice, aliceUser) = await Server.NewMemberAsync(bob, community.Id);
        using var _a = alice;
        var channel = community.TextChannel().Id;
        var first = await alice.SendMessageAsync(channel, "first");
        var second = await alice.SendMessageAsync(channel, "second");
        var third = await bob.SendMessageAsync(channel, "third");
        Assert.Empty(await alice.GetPinsAsync(channel));

        // Pinned out of message order: the list follows pin order, newest pin first.
        await bob.PinMessageAsync(channel, second.Id);
        await bob.PinMessageAsync(channel, third.Id);
        await bob.PinMessageAsync(channel, first.Id);
        var pins = await alice.GetPinsAsync(channel);
        Assert.Equal([first.Id, third.Id, second.Id], pins.Select(m => m.Id));
        Assert.All(pins, m => Assert.True(m.Pinned));
        Assert.All(pins, m => Assert.NotNull(m.PinnedAt));
        Assert.True(pins[0].PinnedAt >= pins[1].PinnedAt && pins[1].PinnedAt >= pins[2].PinnedAt);
        Assert.Equal(("first", aliceUser.Id), (pins[0].Content, pins[0].Author.Id));

        // History shows the pinned state and one system line (type 6, by bob, referencing the message) per pin.
        var history = await alice.GetMessagesAsync(channel);
        var lines = history.Where(m => m.Type == MessageTypes.ChannelPinnedMessage).OrderBy(m => long.Parse(m.Id, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([second.Id, third.Id, first.Id], lines.Select(l => l.ReplyTo));
        Assert.All(lines, l => Assert.Equal((bobUser.Id, "", false), (l.Author.Id, l.Content, l.Pinned)));
        Assert.All(history.Where(m => m.Type == MessageTypes.Default), m => Assert.True(m.Pinned));

        // PUT is idempotent: a second pin changes nothing, writes no second line, keeps the pin's time.
        await bob.PinMessageAsync(channel, second.Id);
        Assert.Equal(pins.Select(p => (p.Id, p.PinnedAt)), (await alice.GetPinsAsync(channel)).Select(p => (p.Id, p.PinnedAt)));
        Assert.Equal(3, (await alice.GetMessagesAsync(channel)).Count(m => m.Type == MessageTypes.ChannelPinnedMessage));

        // Unpin, twice (idempotent too); pinning again puts it on top.
        await bob.UnpinMessageAsync(channel, third.Id);
        await bob.UnpinMessageAsync(channel, third.Id);
        Assert.Equal([first.Id, second.Id], (await alice.GetPinsAsync(channel)).Select(m => m.Id));
        var unpinned = Assert.Single(await alice.GetMessagesAsync(channel), m => m.Id == third.Id);
        Assert.Equal((false, (DateTimeOffset?)null), (unpinned.Pinned, unpinned.PinnedAt));
        await bob.PinMessageAsync(channel, second.Id);
        await bob.PinMessageAsync(channel, third.Id);
        Assert.Equal([third.Id, first.Id, second.Id], (await alice.GetPinsAsync(channel)).Select(m => m.Id));

        // An edit keeps the pin; deleting a pinned message removes its pin.
        var edited = await alice.EditMessageAsync(channel, first.Id, "first, edited");
        Assert.True(edited.Pinned);
        Assert.NotNull(edited.PinnedAt);
        await alice.DeleteMessageAsync(channel, first.Id);
        Assert.Equal([third.Id, second.Id], (await alice.GetPinsAsync(channel)).Select(m => m.Id));
        await bob.BulkDeleteMessagesAsync(channel, [second.Id, third.Id]);
        Assert.Empty(await alice.GetPinsAsync(channel));
    }

    [Fact]
    public async Task A_channel_holds_at_most_fifty_pins_and_the_next_one_is_refused()
    {
        var (bob, _, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var channel = community.TextChannel().Id;
        var other = await bob.CreateChannelAsync(community.Id, new CreateChannelRequest("other"));
        var messages = new List<Message>();
        for (var i = 0; i < 52; i++)
        {
            messages.Add(await bob.SendMessageAsync(channel, $"m{i}"));
        }

        foreach (var message in messages.Take(50))
        {
            await bob.PinMessageAsync(channel, message.Id);
        }

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.TooManyPins, () => bob.PinMessageAsync(channel, messages[50].Id));
        var pins = await bob.GetPinsAsync(channel);
        Assert.Equal(50, pins.Count);
        Assert.DoesNotContain(pins, p => p.Id == messages[50].Id);
        Assert.Equal(50, (await bob.GetMessagesAsync(channel, limit: 100)).Count(m => m.Type == MessageTypes.ChannelPinnedMessage));

        // Re-pinning one already pinned is still fine at the limit, and the limit is per channel.
        await bob.PinMessageAsync(channel, messages[0].Id);
        var elsewhere = await bob.SendMessageAsync(other.Id, "elsewhere");
        await bob.PinMessageAsync(other.Id, elsewhere.Id);

        // Unpinning one makes room for exactly one more, even when two race for it.
        await bob.UnpinMessageAsync(channel, messages[0].Id);
        var outcomes = await Task.WhenAll(new[] { messages[50].Id, messages[51].Id }.Select(async id =>
        {
            try
            {
                await bob.PinMessageAsync(channel, id);
                return "pinned";
            }
            catch (VoxoraApiException e) when (e.Status == HttpStatusCode.BadRequest && e.Code == ProblemCodes.TooManyPins)
            {
                return "refused";
            }
        }));
        Assert.Equal(["pinned", "refused"], outcomes.Order());
        Assert.Equal(50, (await bob.GetPinsAsync(channel)).Count);
    }

    [Fact]
    public async Task Pinning_needs_MANAGE_MESSAGES_and_hidden_channels_are_not_found()
    {
        var (bob, _, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var (alice, aliceUser) = await Server.NewMemberAsync(bob, community.Id);
        using var _a = alice;
        var channel = community.TextChannel().Id;
        var everyone = (await bob.GetRolesAsync(community.Id)).Single(r => r.IsEveryone);
        var mine = await alice.SendMessageAsync(channel, "pin me?");
        var pinned = await bob.SendMessageAsync(channel, "already pinned");
        await bob.PinMessageAsync(channel, pinned.Id);

        // Not even one's own message, and not unpinning either.
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => alice.PinMessageAsync(channel, mine.Id));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => alice.UnpinMessageAsync(channel, pinned.Id));
        Assert.Equal([pinned.Id], (await alice.GetPinsAsync(channel)).Select(m => m.Id));

        // A moderator role lets her.
        var mods = await bob.CreateRoleAsync(community.Id, new CreateRoleRequest("mods", Permission.ManageMessages));
        await bob.AddMemberRoleAsync(community.Id, aliceUser.Id, mods.Id);
        await alice.PinMessageAsync(channel, mine.Id);
        await alice.UnpinMessageAsync(channel, pinned.Id);
        Assert.Equal([mine.Id], (await alice.GetPinsAsync(channel)).Select(m => m.Id));

        // Without READ_MESSAGE_HISTORY the list is forbidden; without VIEW_CHANNEL the channel is not there at all.
        await bob.SetOverrideAsync(channel, "role", everyone.Id, 0, Permission.ReadMessageHistory);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => alice.GetPinsAsync(channel));
        await bob.SetOverrideAsync(channel, "role", everyone.Id, 0, Permission.ViewChannel);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.GetPinsAsync(channel));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.PinMessageAsync(channel, pinned.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.UnpinMessageAsync(channel, mine.Id));
        Assert.Equal([mine.Id], (await bob.GetPinsAsync(channel)).Select(m => m.Id));
    }

    [Fact]
    public async Task Unhappy_paths_answer_clear_problems_and_change_nothing()
    {
        var (bob, _, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var (stranger, _, elsewhere) = await Server.NewCommunityAsync("Elsewhere");
        using var _s = stranger;
        var channel = community.TextChannel().Id;
        var otherChannel = await bob.CreateChannelAsync(community.Id, new CreateChannelRequest("other"));
        var inOther = await bob.SendMessageAsync(otherChannel.Id, "in other");
        var foreign = await stranger.SendMessageAsync(elsewhere.TextChannel().Id, "foreign");
        var message = await bob.SendMessageAsync(channel, "here");
        await bob.PinMessageAsync(channel, message.Id);
        var line = Assert.Single(await bob.GetMessagesAsync(channel), m => m.Type == MessageTypes.ChannelPinnedMessage);

        using var anonymous = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetPinsAsync(channel));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.PinMessageAsync(channel, message.Id));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.UnpinMessageAsync(channel, message.Id));

        // Unknown or malformed channels, messages of another channel or community, no message at all.
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => bob.GetPinsAsync(UnknownChannel));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => bob.GetPinsAsync("not-a-channel"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => bob.GetPinsAsync(elsewhere.TextChannel().Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => bob.PinMessageAsync(UnknownChannel, message.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => bob.PinMessageAsync(elsewhere.TextChannel().Id, foreign.Id));
        foreach (var notHere in new[] { inOther.Id, foreign.Id, "1", "abc", "-5", "99999999999999999999999" })
        {
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => bob.PinMessageAsync(channel, notHere));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => bob.UnpinMessageAsync(channel, notHere));
        }

        // A voice channel has no messages to pin; a system line cannot be pinned nor edited.
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType, () => bob.GetPinsAsync(community.VoiceChannel().Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => bob.PinMessageAsync(community.VoiceChannel().Id, message.Id));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.SystemMessage, () => bob.PinMessageAsync(channel, line.Id));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.SystemMessage, () => bob.EditMessageAsync(channel, line.Id, "rewritten"));

        Assert.Equal([message.Id], (await bob.GetPinsAsync(channel)).Select(m => m.Id));
        Assert.Empty(await bob.GetPinsAsync(otherChannel.Id));
        Assert.Empty(await stranger.GetPinsAsync(elsewhere.TextChannel().Id));
        Assert.Equal("", Assert.Single(await bob.GetMessagesAsync(channel), m => m.Id == line.Id).Content);
    }

    [Fact]
    public async Task Pin_events_reach_the_channels_viewers_only()
    {
        var (bob, bobUser, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var (alice, aliceUser) = await Server.NewMemberAsync(bob, community.Id);
        var (carol, carolUser) = await Server.NewMemberAsync(bob, community.Id);
        var channel = community.TextChannel().Id;
        var everyone = (await bob.GetRolesAsync(community.Id)).Single(r => r.IsEveryone);
        var secret = await bob.CreateChannelAsync(community.Id, new CreateChannelRequest("secret"));
        await bob.SetOverrideAsync(secret.Id, "role", everyone.Id, 0, Permission.ViewChannel);
        await bob.SetOverrideAsync(secret.Id, "user", aliceUser.Id, Permission.ViewChannel, 0);
        var message = await alice.SendMessageAsync(channel, "worth keeping");
        var hidden = await bob.SendMessageAsync(secret.Id, "secret plans");

        await using var bobGateway = await ConnectAsync(Server, bob, bobUser);
        await using var aliceGateway = await ConnectAsync(Server, alice, aliceUser);
        await using var carolGateway = await ConnectAsync(Server, carol, carolUser);

        await bob.PinMessageAsync(channel, message.Id);
        var pins = await bob.GetPinsAsync(channel);
        foreach (var person in new[] { bobGateway, aliceGateway, carolGateway })
        {
            var update = MessageOf(await person.Gateway.WaitForDispatchAsync(GatewayEvents.MessageUpdate));
            Assert.Equal((message.Id, "worth keeping", true, pins[0].PinnedAt), (update.Id, update.Content, update.Pinned, update.PinnedAt));
            var pinsUpdate = PinsUpdateOf(await person.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelPinsUpdate));
            Assert.Equal(new ChannelPinsUpdate(channel, community.Id, pins[0].PinnedAt), pinsUpdate);
            var line = MessageOf(await person.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate));
            Assert.Equal((MessageTypes.ChannelPinnedMessage, bobUser.Id, message.Id, channel), (line.Type, line.Author.Id, line.ReplyTo, line.ChannelId));
        }

        // Unpinning the only pin: last_pin_timestamp is gone.
        await bob.UnpinMessageAsync(channel, message.Id);
        foreach (var person in new[] { bobGateway, aliceGateway, carolGateway })
        {
            var update = MessageOf(await person.Gateway.WaitForDispatchAsync(GatewayEvents.MessageUpdate));
            Assert.Equal((message.Id, false, (DateTimeOffset?)null), (update.Id, update.Pinned, update.PinnedAt));
            var pinsUpdate = await person.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelPinsUpdate);
            Assert.False(pinsUpdate.D!.Value.TryGetProperty("last_pin_timestamp", out _));
        }

        // A hidden channel's pins are news to its viewers only: carol hears nothing.
        await bob.PinMessageAsync(secret.Id, hidden.Id);
        foreach (var person in new[] { bobGateway, aliceGateway })
        {
            Assert.Equal(secret.Id, PinsUpdateOf(await person.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelPinsUpdate)).ChannelId);
            await person.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate);
        }

        await AssertNothingArrivesAsync(carolGateway.Gateway);

        // Idempotent repeats announce nothing.
        await bob.PinMessageAsync(secret.Id, hidden.Id);
        await bob.UnpinMessageAsync(channel, message.Id);
        await AssertNothingArrivesAsync(aliceGateway.Gateway);
    }

    [Fact]
    public async Task In_a_direct_channel_participants_pin_outsiders_see_nothing_and_a_block_stops_pinning()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (alice, aliceUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _a = alice;
        var (bob, bobUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _b = bob;
        var (carol, carolUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _c = carol;
        var dm = await alice.OpenDirectMessageAsync(bobUser.Id);
        var message = await bob.SendMessageAsync(dm.Id, "the address is 12 Elm Street");
        await using var aliceGateway = await ConnectAsync(Server, alice, aliceUser);
        await using var bobGateway = await ConnectAsync(Server, bob, bobUser);
        await using var carolGateway = await ConnectAsync(Server, carol, carolUser);

        // Either participant pins (nobody holds MANAGE_MESSAGES in a DM); both see it, nobody else does.
        await alice.PinMessageAsync(dm.Id, message.Id);
        var pins = await bob.GetPinsAsync(dm.Id);
        Assert.Equal([message.Id], pins.Select(m => m.Id));
        foreach (var person in new[] { aliceGateway, bobGateway })
        {
            Assert.True(MessageOf(await person.Gateway.WaitForDispatchAsync(GatewayEvents.MessageUpdate)).Pinned);
            Assert.Equal(new ChannelPinsUpdate(dm.Id, null, pins[0].PinnedAt), PinsUpdateOf(await person.Gateway.WaitForDispatchAsync(GatewayEvents.ChannelPinsUpdate)));
            var line = MessageOf(await person.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate));
            Assert.Equal((MessageTypes.ChannelPinnedMessage, aliceUser.Id, message.Id), (line.Type, line.Author.Id, line.ReplyTo));
        }

        await AssertNothingArrivesAsync(carolGateway.Gateway);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carol.PinMessageAsync(dm.Id, message.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carol.GetPinsAsync(dm.Id));

        // Across a block the DM is read-only: no pin or unpin, the pin stays.
        await bob.UnpinMessageAsync(dm.Id, message.Id);
        var again = await alice.SendMessageAsync(dm.Id, "see you there");
        await alice.BlockUserAsync(bobUser.Id);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.CannotMessageUser, () => bob.PinMessageAsync(dm.Id, again.Id));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.CannotMessageUser, () => alice.PinMessageAsync(dm.Id, again.Id));
        Assert.Empty(await alice.GetPinsAsync(dm.Id));
    }

    [Fact]
    public async Task Pins_and_unpins_are_in_the_audit_log()
    {
        var (bob, bobUser, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var (alice, aliceUser) = await Server.NewMemberAsync(bob, community.Id);
        using var _a = alice;
        var channel = community.TextChannel().Id;
        var message = await alice.SendMessageAsync(channel, "audited");

        await bob.PinMessageAsync(channel, message.Id);
        await bob.PinMessageAsync(channel, message.Id);
        await bob.UnpinMessageAsync(channel, message.Id);
        await bob.UnpinMessageAsync(channel, message.Id);

        var pinsOnly = (await bob.GetAuditLogAsync(community.Id, limit: 100))
            .Where(e => e.Action.StartsWith("message.", StringComparison.Ordinal))
            .OrderBy(e => e.Seq)
            .ToList();
        Assert.Equal(["message.pin", "message.unpin"], pinsOnly.Select(e => e.Action));
        Assert.All(pinsOnly, e => Assert.Equal((bobUser.Id, "message", message.Id), (e.ActorId, e.TargetType, e.TargetId)));
        Assert.All(pinsOnly, e => Assert.Equal(channel, e.Changes!.Value.GetProperty("channel_id").GetString()));
        Assert.All(pinsOnly, e => Assert.Equal(aliceUser.Id, e.Changes!.Value.GetProperty("author_id").GetString()));
        Assert.Equal(2, (await bob.GetAuditLogAsync(community.Id, action: "message.pin")).Count + (await bob.GetAuditLogAsync(community.Id, action: "message.unpin")).Count);
        Assert.True((await bob.VerifyAuditLogAsync(community.Id)).Intact);
    }
}

public sealed class PinsTestsOnSqlite(SqliteServerFixture fixture) : PinsTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PinsTestsOnPostgres(PostgresServerFixture fixture) : PinsTests(fixture), IClassFixture<PostgresServerFixture>;
