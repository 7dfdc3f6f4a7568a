using System.Net;
using System.Text;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>Messages and reactions: send, history pages, edit, delete, mentions, reactions — on each database provider.</summary>
public abstract class MessagesApiTests(ServerFixture fixture)
{
    private const string UnknownChannel = "ch_01ARZ3NDEKTSV4RRFFQ69G5FAV";

    private TestServer Server => fixture.Server;

    private static long Num(string id) => long.Parse(id, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_moderator_deleting_someone_elses_message_is_audited_an_author_deleting_their_own_is_not()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (memberApi, member) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = memberApi;
        var channel = community.TextChannel();

        var own = await memberApi.SendMessageAsync(channel.Id, "mine");
        await memberApi.DeleteMessageAsync(channel.Id, own.Id);
        var theirs = await memberApi.SendMessageAsync(channel.Id, "moderated");
        await owner.DeleteMessageAsync(channel.Id, theirs.Id);

        var entry = Assert.Single(await owner.GetAuditLogAsync(community.Id, action: "message.delete"));
        Assert.Equal((ownerUser.Id, "message", theirs.Id), (entry.ActorId, entry.TargetType, entry.TargetId));
        Assert.Equal(channel.Id, entry.Changes!.Value.GetProperty("channel_id").GetString());
        Assert.Equal(member.Id, entry.Changes!.Value.GetProperty("author_id").GetString());
    }

    [Fact]
    public async Task Sending_returns_201_with_the_message_and_echoes_the_nonce()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel();

        var message = await owner.SendMessageAsync(channel.Id, "  hello world \n", nonce: "client-123");
        Assert.Matches("^[0-9]+$", message.Id);
        Assert.Equal("hello world", message.Content);
        Assert.Equal("client-123", message.Nonce);
        Assert.Equal(channel.Id, message.ChannelId);
        Assert.Equal(community.Id, message.CommunityId);
        Assert.Equal(ownerUser.Id, message.Author.Id);
        Assert.Equal(ownerUser.Username, message.Author.Username);
        Assert.Null(message.EditedAt);
        Assert.Empty(message.Mentions);
        Assert.Empty(message.Reactions);

        var stored = Assert.Single(await owner.GetMessagesAsync(channel.Id));
        Assert.Equal(message.Id, stored.Id);
        Assert.Equal(message.Content, stored.Content);
        Assert.Equal(message.CreatedAt, stored.CreatedAt);
        Assert.Null(stored.Nonce);
    }

    [Fact]
    public async Task Ids_are_decimal_strings_on_the_wire()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/channels/{community.TextChannel().Id}/messages")
        {
            Content = new StringContent("""{"content":"raw"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", owner.AccessToken);
        using var response = await owner.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Matches("\"id\":\"[0-9]+\"", body);
        Assert.Contains("\"mentions\":[]", body, StringComparison.Ordinal);
        Assert.Contains("\"reactions\":[]", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Content_is_1_to_4000_characters_after_trimming()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;

        await owner.SendMessageAsync(channel, new string('a', 4000));
        foreach (var content in new[] { new string('a', 4001), "   \n\t  ", "", null, "bell\u0007" })
        {
            var error = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.SendMessageAsync(channel, content));
            Assert.True(error.Problem!.Errors!.ContainsKey("content"));
        }

        var nonce = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.SendMessageAsync(channel, "ok", nonce: new string('n', 65)));
        Assert.True(nonce.Problem!.Errors!.ContainsKey("nonce"));
        Assert.Equal(4000, Assert.Single(await owner.GetMessagesAsync(channel)).Content.Length);
    }

    [Fact]
    public async Task Replies_must_point_into_the_same_channel()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var other = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("other"));
        var original = await owner.SendMessageAsync(channel, "question?");
        var elsewhere = await owner.SendMessageAsync(other.Id, "elsewhere");

        var reply = await owner.SendMessageAsync(channel, "answer", replyTo: original.Id);
        Assert.Equal(original.Id, reply.ReplyTo);

        foreach (var target in new[] { elsewhere.Id, "123", "abc", "-1", "" })
        {
            var error = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.SendMessageAsync(channel, "bad reply", replyTo: target));
            Assert.True(error.Problem!.Errors!.ContainsKey("reply_to"));
        }

        Assert.Equal(2, (await owner.GetMessagesAsync(channel)).Count);
    }

    [Fact]
    public async Task Voice_channels_and_categories_take_no_messages()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var category = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("Cat", ChannelTypes.Category));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType, () => owner.SendMessageAsync(community.VoiceChannel().Id, "hi"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType, () => owner.SendMessageAsync(category.Id, "hi"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType, () => owner.GetMessagesAsync(category.Id));
    }

    [Fact]
    public async Task Non_members_anonymous_callers_and_unknown_ids_learn_nothing_and_change_nothing()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var message = await owner.SendMessageAsync(channel, "private");
        var (stranger, _, _) = await Server.NewUserAsync("str");
        using var _s = stranger;
        using var anonymous = Server.NewClient();

        foreach (var id in new[] { channel, UnknownChannel, "bogus" })
        {
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.SendMessageAsync(id, "hi"));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.GetMessagesAsync(id));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.EditMessageAsync(id, message.Id, "hacked"));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.DeleteMessageAsync(id, message.Id));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.AddReactionAsync(id, message.Id, "👍"));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.RemoveReactionAsync(id, message.Id, "👍"));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.GetReactionsAsync(id, message.Id, "👍"));
        }

        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.SendMessageAsync(channel, "hi"));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetMessagesAsync(channel));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.EditMessageAsync(channel, message.Id, "x"));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.DeleteMessageAsync(channel, message.Id));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.AddReactionAsync(channel, message.Id, "👍"));

        // Unknown and malformed message ids in a channel the caller can see.
        foreach (var id in new[] { "999", "abc", "-1", "99999999999999999999999" })
        {
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.EditMessageAsync(channel, id, "x"));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.DeleteMessageAsync(channel, id));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.AddReactionAsync(channel, id, "👍"));
        }

        var stored = Assert.Single(await owner.GetMessagesAsync(channel));
        Assert.Equal("private", stored.Content);
        Assert.Null(stored.EditedAt);
        Assert.Empty(stored.Reactions);
    }

    [Fact]
    public async Task Only_the_author_edits_or_deletes_a_message()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var channel = community.TextChannel().Id;
        var message = await member.SendMessageAsync(channel, "first draft");
        var other = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("other"));

        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => owner.EditMessageAsync(channel, message.Id, "owner edit"));

        // Deleting someone else's message needs MANAGE_MESSAGES (the owner has it; a plain member does not).
        var (bystander, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _b = bystander;
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => bystander.DeleteMessageAsync(channel, message.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.EditMessageAsync(other.Id, message.Id, "wrong channel"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => member.EditMessageAsync(channel, message.Id, "   "));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => member.EditMessageAsync(channel, message.Id, new string('x', 4001)));
        var unchanged = Assert.Single(await owner.GetMessagesAsync(channel));
        Assert.Equal("first draft", unchanged.Content);
        Assert.Null(unchanged.EditedAt);

        var edited = await member.EditMessageAsync(channel, message.Id, " final ");
        Assert.Equal("final", edited.Content);
        Assert.NotNull(edited.EditedAt);
        Assert.Equal(message.CreatedAt, edited.CreatedAt);
        Assert.Equal("final", Assert.Single(await owner.GetMessagesAsync(channel)).Content);

        await member.DeleteMessageAsync(channel, message.Id);
        Assert.Empty(await owner.GetMessagesAsync(channel));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.DeleteMessageAsync(channel, message.Id));
    }

    [Fact]
    public async Task Mentions_keep_only_members_once_each()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, memberUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var (stranger, strangerUser, _) = await Server.NewUserAsync("str");
        using var _s = stranger;
        var channel = community.TextChannel().Id;

        var message = await owner.SendMessageAsync(channel,
            $"<@{memberUser.Id}> <@{strangerUser.Id}> <@{memberUser.Id}> <@{ownerUser.Id}> <@usr_01ARZ3NDEKTSV4RRFFQ69G5FAV>");
        Assert.Equal([memberUser.Id, ownerUser.Id], message.Mentions);
        Assert.Equal(message.Mentions, Assert.Single(await member.GetMessagesAsync(channel)).Mentions);

        var edited = await owner.EditMessageAsync(channel, message.Id, $"only <@{ownerUser.Id}>");
        Assert.Equal([ownerUser.Id], edited.Mentions);
        Assert.Equal([ownerUser.Id], Assert.Single(await member.GetMessagesAsync(channel)).Mentions);
    }

    [Fact]
    public async Task Role_mentions_keep_only_roles_of_the_community_and_everyone_needs_MENTION_EVERYONE()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var (other, _, otherCommunity) = await Server.NewCommunityAsync();
        using var _x = other;
        var mods = await owner.CreateRoleAsync(community.Id, new CreateRoleRequest("mods"));
        var foreign = await other.CreateRoleAsync(otherCommunity.Id, new CreateRoleRequest("elsewhere"));
        var everyoneRole = (await owner.GetRolesAsync(community.Id)).Single(r => r.IsEveryone);
        var channel = community.TextChannel().Id;

        // The owner holds MENTION_EVERYONE; the member (default @everyone permissions) does not: for them it is text.
        var loud = await owner.SendMessageAsync(channel, $"@everyone <@&{mods.Id}> <@&{foreign.Id}> <@&{everyoneRole.Id}> <@&{mods.Id}>");
        Assert.Equal([mods.Id], loud.MentionRoles);
        Assert.True(loud.MentionEveryone);
        var quiet = await member.SendMessageAsync(channel, $"@here and @everyone <@&{mods.Id}>");
        Assert.Equal([mods.Id], quiet.MentionRoles);
        Assert.False(quiet.MentionEveryone);

        var history = await member.GetMessagesAsync(channel);
        Assert.Equal([(quiet.Id, false, 1), (loud.Id, true, 1)], history.Select(m => (m.Id, m.MentionEveryone, m.MentionRoles.Count)).ToList());

        var edited = await owner.EditMessageAsync(channel, loud.Id, "calm now");
        Assert.Empty(edited.MentionRoles);
        Assert.False(edited.MentionEveryone);
        var reloaded = (await member.GetMessagesAsync(channel)).Single(m => m.Id == loud.Id);
        Assert.Empty(reloaded.MentionRoles);
        Assert.False(reloaded.MentionEveryone);

        // Granting MENTION_EVERYONE to the member's roles makes their @here count.
        await owner.UpdateRoleAsync(community.Id, everyoneRole.Id, new UpdateRoleRequest(Permissions: everyoneRole.Permissions | Permission.MentionEveryone));
        Assert.True((await member.EditMessageAsync(channel, quiet.Id, "@here now")).MentionEveryone);
    }

    [Fact]
    public async Task Mention_fields_are_always_on_the_wire()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        await owner.SendMessageAsync(community.TextChannel().Id, "plain");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/channels/{community.TextChannel().Id}/messages");
        request.Headers.Authorization = new("Bearer", owner.AccessToken);
        using var response = await owner.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"mention_roles\":[]", body, StringComparison.Ordinal);
        Assert.Contains("\"mention_everyone\":false", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_pages_walk_hundreds_of_messages_without_gaps_or_repeats()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var sent = new List<string>();
        for (var i = 0; i < 250; i++)
        {
            sent.Add((await owner.SendMessageAsync(channel, $"message {i}")).Id);
        }

        var newestFirst = Enumerable.Reverse(sent).ToList();
        Assert.Equal(newestFirst.Select(Num), newestFirst.Select(Num).OrderDescending());

        var latest = await owner.GetMessagesAsync(channel);
        Assert.Equal(newestFirst.Take(50), latest.Select(m => m.Id));
        Assert.Equal(newestFirst.Take(100), (await owner.GetMessagesAsync(channel, limit: 100)).Select(m => m.Id));

        // Backwards with before=.
        var walked = new List<string>();
        string? before = null;
        while (true)
        {
            var page = await owner.GetMessagesAsync(channel, before: before, limit: 40);
            if (page.Count == 0) break;
            Assert.True(page.Count <= 40);
            walked.AddRange(page.Select(m => m.Id));
            before = page[^1].Id;
        }

        Assert.Equal(newestFirst, walked);

        // Forwards with after=: each page is newest first, pages move towards the present.
        var forwards = new List<string>();
        var after = "1";
        while (true)
        {
            var page = await owner.GetMessagesAsync(channel, after: after, limit: 33);
            if (page.Count == 0) break;
            Assert.Equal(page.Select(m => Num(m.Id)).OrderDescending(), page.Select(m => Num(m.Id)));
            forwards.InsertRange(0, page.Select(m => m.Id));
            after = page[0].Id;
        }

        Assert.Equal(newestFirst, forwards);

        // Around: centred on the id, newest first.
        var middle = sent[125];
        var around = (await owner.GetMessagesAsync(channel, around: middle, limit: 10)).Select(m => m.Id).ToList();
        Assert.Equal(newestFirst.Skip(250 - 1 - 125 - 5).Take(10), around);
        Assert.Contains(middle, around);
        var atStart = (await owner.GetMessagesAsync(channel, around: sent[0], limit: 10)).Select(m => m.Id).ToList();
        Assert.Equal(Enumerable.Reverse(sent.Take(6)), atStart);
    }

    [Fact]
    public async Task History_rejects_bad_cursors_and_limits()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var message = await owner.SendMessageAsync(channel, "one");

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.GetMessagesAsync(channel, before: message.Id, after: message.Id));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.GetMessagesAsync(channel, around: message.Id, after: message.Id));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.GetMessagesAsync(channel, before: "abc"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.GetMessagesAsync(channel, after: "-5"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.GetMessagesAsync(channel, limit: 0));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.GetMessagesAsync(channel, limit: 101));
        Assert.Single(await owner.GetMessagesAsync(channel, limit: 100));
    }

    [Fact]
    public async Task Simultaneous_different_emoji_never_push_a_message_past_twenty()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var message = await owner.SendMessageAsync(channel, "the last slot");
        var emoji = "😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙🥲😚🙂🤗🤩🤔🤨😐😑😶🙄😏😣😥😮🤐😯😪😫🥱😴😌😛😜😝🤤😒😓😔😕🙃🫠🤑".EnumerateRunes().Select(r => r.ToString()).ToList();
        foreach (var e in emoji.Take(19))
        {
            await owner.AddReactionAsync(channel, message.Id, e);
        }

        // Eleven members race for the twentieth slot with eleven different emoji: exactly one wins. (The race is rare
        // here; the lock makes the cap hold by construction, this checks the outcome.)
        var racers = new List<Voxora.Client.VoxoraClient>();
        for (var i = 0; i < 11; i++)
        {
            racers.Add((await Server.NewMemberAsync(owner, community.Id)).Client);
        }

        var outcomes = await Task.WhenAll(racers.Select(async (racer, i) =>
        {
            try
            {
                await racer.AddReactionAsync(channel, message.Id, emoji[19 + i]);
                return "added";
            }
            catch (Voxora.Client.VoxoraApiException e) when (e.Code == ProblemCodes.TooManyReactions)
            {
                return "refused";
            }
        }));
        Assert.Equal(1, outcomes.Count(o => o == "added"));
        Assert.Equal(20, Assert.Single(await owner.GetMessagesAsync(channel)).Reactions.Count);
        foreach (var racer in racers)
        {
            racer.Dispose();
        }
    }

    [Fact]
    public async Task Enforce_nonce_turns_a_retried_send_into_the_first_message_and_only_for_its_author()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var channel = community.TextChannel().Id;

        var first = await owner.SendMessageAsync(channel, "only once", nonce: "retry-1", enforceNonce: true);
        var again = await owner.SendMessageAsync(channel, "only once", nonce: "retry-1", enforceNonce: true);
        Assert.Equal(first.Id, again.Id);

        // Simultaneous repeats: one message, every answer names it.
        var racing = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => owner.SendMessageAsync(channel, "burst", nonce: "retry-2", enforceNonce: true)));
        Assert.Single(racing.Select(m => m.Id).Distinct());

        // The same nonce from someone else, or without enforce_nonce, is a new message.
        var others = await member.SendMessageAsync(channel, "mine", nonce: "retry-1", enforceNonce: true);
        Assert.NotEqual(first.Id, others.Id);
        var plain = await owner.SendMessageAsync(channel, "not enforced", nonce: "retry-1");
        Assert.NotEqual(first.Id, plain.Id);

        var history = await owner.GetMessagesAsync(channel);
        Assert.Equal(4, history.Count);
        Assert.Single(history, m => m.Content == "only once");
        Assert.Single(history, m => m.Content == "burst");

        // enforce_nonce without a nonce is malformed, and creates nothing.
        var problem = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.SendMessageAsync(channel, "no nonce", enforceNonce: true));
        Assert.True(problem.Problem!.Errors!.ContainsKey("nonce"));
        Assert.Equal(4, (await owner.GetMessagesAsync(channel)).Count);
    }

    [Fact]
    public async Task Reactions_count_per_emoji_with_me_and_are_idempotent()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, memberUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var channel = community.TextChannel().Id;
        var message = await owner.SendMessageAsync(channel, "react to me");

        await owner.AddReactionAsync(channel, message.Id, "👍");
        await owner.AddReactionAsync(channel, message.Id, "👍");
        await member.AddReactionAsync(channel, message.Id, "👍");
        await member.AddReactionAsync(channel, message.Id, "🎉");
        await member.AddReactionAsync(channel, message.Id, "👨‍👩‍👧‍👦");

        var seenByOwner = Assert.Single(await owner.GetMessagesAsync(channel)).Reactions.ToDictionary(r => r.Emoji);
        Assert.Equal(3, seenByOwner.Count);
        Assert.Equal(2, seenByOwner["👍"].Count);
        Assert.True(seenByOwner["👍"].Me);
        Assert.Equal(1, seenByOwner["🎉"].Count);
        Assert.False(seenByOwner["🎉"].Me);
        var seenByMember = Assert.Single(await member.GetMessagesAsync(channel)).Reactions.ToDictionary(r => r.Emoji);
        Assert.True(seenByMember["🎉"].Me);

        var users = await owner.GetReactionsAsync(channel, message.Id, "👍");
        Assert.Equal(new[] { ownerUser.Id, memberUser.Id }.Order(StringComparer.Ordinal), users.Select(u => u.Id));
        var firstPage = await owner.GetReactionsAsync(channel, message.Id, "👍", limit: 1);
        var secondPage = await owner.GetReactionsAsync(channel, message.Id, "👍", after: firstPage[0].Id, limit: 1);
        Assert.Equal(users.Select(u => u.Id), firstPage.Concat(secondPage).Select(u => u.Id));

        await owner.RemoveReactionAsync(channel, message.Id, "👍");
        await owner.RemoveReactionAsync(channel, message.Id, "👍");
        await owner.RemoveReactionAsync(channel, message.Id, "🎉");
        var after = Assert.Single(await owner.GetMessagesAsync(channel)).Reactions.ToDictionary(r => r.Emoji);
        Assert.Equal(1, after["👍"].Count);
        Assert.False(after["👍"].Me);
        Assert.Equal(1, after["🎉"].Count);
        Assert.Equal([memberUser.Id], (await owner.GetReactionsAsync(channel, message.Id, "👍")).Select(u => u.Id));

        // Edits answer with the caller's view of the reactions.
        var edited = await owner.EditMessageAsync(channel, message.Id, "edited");
        Assert.Equal(3, edited.Reactions.Count);
        Assert.All(edited.Reactions, r => Assert.False(r.Me));
    }

    [Fact]
    public async Task Invalid_emoji_and_a_21st_distinct_emoji_are_refused()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var message = await owner.SendMessageAsync(channel, "limits");

        foreach (var emoji in new[] { "a", "lol", "👍 👍", "😀😀😀😀😀", "日本" })
        {
            var error = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.AddReactionAsync(channel, message.Id, emoji));
            Assert.True(error.Problem!.Errors!.ContainsKey("emoji"));
        }

        Assert.Empty(Assert.Single(await owner.GetMessagesAsync(channel)).Reactions);

        var twenty = "😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙🥲😚🙂".EnumerateRunes().Select(r => r.ToString()).ToList();
        Assert.Equal(20, twenty.Count);
        foreach (var emoji in twenty)
        {
            await owner.AddReactionAsync(channel, message.Id, emoji);
        }

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.TooManyReactions, () => owner.AddReactionAsync(channel, message.Id, "🤗"));
        var (member, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        await member.AddReactionAsync(channel, message.Id, twenty[0]);
        var reactions = Assert.Single(await owner.GetMessagesAsync(channel)).Reactions;
        Assert.Equal(20, reactions.Count);
        Assert.DoesNotContain(reactions, r => r.Emoji == "🤗");
        Assert.Equal(2, reactions.Single(r => r.Emoji == twenty[0]).Count);
    }

    [Fact]
    public async Task Access_remembered_from_earlier_posts_ends_at_once_on_leave_kick_and_ban_and_follows_renames()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;

        // Each member posts first, so the server has seen (and may remember) their membership.
        var (leaver, _) = await Server.NewMemberAsync(owner, community.Id);
        var (kicked, kickedUser) = await Server.NewMemberAsync(owner, community.Id);
        var (banned, bannedUser) = await Server.NewMemberAsync(owner, community.Id);
        var (renamed, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _l = leaver;
        using var _k = kicked;
        using var _b = banned;
        using var _r = renamed;
        foreach (var member in new[] { leaver, kicked, banned, renamed })
        {
            await member.SendMessageAsync(channel, "before");
            await member.GetMessagesAsync(channel);
        }

        await leaver.LeaveCommunityAsync(community.Id);
        await owner.KickAsync(community.Id, kickedUser.Id);
        await owner.BanAsync(community.Id, bannedUser.Id);
        foreach (var gone in new[] { leaver, kicked, banned })
        {
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => gone.SendMessageAsync(channel, "after"));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => gone.GetMessagesAsync(channel));
        }

        await renamed.UpdateMeAsync("A New Name");
        Assert.Equal("A New Name", (await renamed.SendMessageAsync(channel, "after")).Author.DisplayName);
    }
}

public sealed class MessagesApiTestsOnSqlite(SqliteServerFixture fixture) : MessagesApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class MessagesApiTestsOnPostgres(PostgresServerFixture fixture) : MessagesApiTests(fixture), IClassFixture<PostgresServerFixture>;
