using Voxora.Protocol;
using Voxora.Server.Features.Messages;

namespace Voxora.Server.Tests.Unit;

/// <summary>Role and everyone mentions: what the parser finds, what counts, and whom a message mentions.</summary>
public sealed class MentionRulesTests
{
    private const string Alice = "usr_01HZX0000000000000000000AA";
    private const string Bob = "usr_01HZX0000000000000000000BB";
    private const string Mods = "rol_01HZX0000000000000000000M0";
    private const string Admins = "rol_01HZX0000000000000000000A0";
    private const string Everyone = "rol_01HZX0000000000000000000E0";
    private const string Elsewhere = "rol_01HZX0000000000000000000E1";

    private static readonly HashSet<string> CommunityRoles = [Mods, Admins, Everyone];

    [Fact]
    public void Role_mentions_are_parsed_deduplicated_and_kept_in_order()
    {
        Assert.Equal([Admins, Mods], MentionParser.ParseRoles($"<@&{Admins}> hi <@&{Mods}> <@&{Admins}> <@{Alice}>"));
        Assert.Equal([Alice], MentionParser.Parse($"<@&{Admins}> <@{Alice}>"));
    }

    [Theory]
    [InlineData("<@&rol_short>")]
    [InlineData("<@&usr_01HZX0000000000000000000AA>")]
    [InlineData("<@rol_01HZX0000000000000000000M0>")]
    [InlineData("@&rol_01HZX0000000000000000000M0")]
    [InlineData("<@& rol_01HZX0000000000000000000M0>")]
    public void Things_that_are_not_role_mentions_are_ignored(string content) => Assert.Empty(MentionParser.ParseRoles(content));

    [Fact]
    public void Role_mentions_are_capped()
    {
        var many = string.Concat(Enumerable.Range(0, 40).Select(i => $"<@&rol_01HZX{i:D21}>"));
        Assert.Equal(MentionParser.MaxRoleMentions, MentionParser.ParseRoles(many).Count);
    }

    [Theory]
    [InlineData("@everyone")]
    [InlineData("@here")]
    [InlineData("hey @everyone, lunch")]
    [InlineData("(@here)")]
    [InlineData("line one\n@here!")]
    public void Everyone_and_here_are_found(string content) => Assert.True(MentionParser.SaysEveryone(content));

    [Theory]
    [InlineData("everyone")]
    [InlineData("mail me@everyone.example")]
    [InlineData("@everyones")]
    [InlineData("@hereafter")]
    [InlineData("@@here")]
    [InlineData("@Everyone")]
    public void Look_alikes_of_everyone_are_not_found(string content) => Assert.False(MentionParser.SaysEveryone(content));

    [Fact]
    public void Everyone_counts_only_when_the_author_may_mention_everyone()
    {
        Assert.True(MessageMentions.Resolve("@here", CommunityRoles.Contains, Everyone, mayMentionEveryone: true).Everyone);
        Assert.False(MessageMentions.Resolve("@here", CommunityRoles.Contains, Everyone, mayMentionEveryone: false).Everyone);
        Assert.False(MessageMentions.Resolve("nobody", CommunityRoles.Contains, Everyone, mayMentionEveryone: true).Everyone);
    }

    [Fact]
    public void Only_roles_of_the_community_count_and_never_its_everyone_role()
    {
        var resolved = MessageMentions.Resolve($"<@&{Elsewhere}> <@&{Everyone}> <@&{Mods}> <@{Bob}>", CommunityRoles.Contains, Everyone, mayMentionEveryone: false);
        Assert.Equal([Mods], resolved.Roles);
        Assert.Equal([Bob], resolved.Users);
        Assert.False(resolved.Everyone);
    }

    private static Message From(string authorId, IReadOnlyList<string> users, IReadOnlyList<string> roles, bool everyone) =>
        new("1", "ch_01HZX0000000000000000000C0", "com_01HZX0000000000000000000C1", new UserSummary(authorId, "author", null, null), "text",
            DateTimeOffset.UnixEpoch, null, null, users, [], MentionRoles: roles, MentionEveryone: everyone);

    [Fact]
    public void A_user_is_mentioned_by_name_by_a_role_they_hold_or_by_everyone()
    {
        Assert.True(MessageMentions.Mentions(From(Bob, [Alice], [], false), Alice, []));
        Assert.True(MessageMentions.Mentions(From(Bob, [], [Mods], false), Alice, [Admins, Mods]));
        Assert.True(MessageMentions.Mentions(From(Bob, [], [], true), Alice, []));
        Assert.False(MessageMentions.Mentions(From(Bob, [Bob], [Admins], false), Alice, [Mods]));
        Assert.False(MessageMentions.Mentions(From(Bob, [], [], false), Alice, [Mods]));
    }

    [Fact]
    public void An_author_is_never_mentioned_by_their_own_message()
    {
        Assert.False(MessageMentions.Mentions(From(Alice, [Alice], [Mods], true), Alice, [Mods]));
    }
}
