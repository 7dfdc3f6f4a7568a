using Voxora.Protocol;
using Voxora.Server.Features.Channels;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Invites;
using Voxora.Server.Features.Messages;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Tests.Unit;

public sealed class ChatRulesTests
{
    private const string Alice = "usr_01HZX0000000000000000000AA";
    private const string Bob = "usr_01HZX0000000000000000000BB";

    [Fact]
    public void Mentions_are_parsed_deduplicated_and_kept_in_order()
    {
        var ids = MentionParser.Parse($"hi <@{Bob}> and <@{Alice}>, again <@{Bob}>");
        Assert.Equal([Bob, Alice], ids);
    }

    [Theory]
    [InlineData("no mentions here")]
    [InlineData("<@usr_short>")]
    [InlineData("<@ses_01HZX0000000000000000000AA>")]
    [InlineData("@usr_01HZX0000000000000000000AA")]
    [InlineData("<@usr_01HZX0000000000000000000AA")]
    public void Things_that_are_not_mentions_are_ignored(string content) => Assert.Empty(MentionParser.Parse(content));

    [Fact]
    public void Mentions_are_capped_and_round_trip_through_storage()
    {
        var many = string.Concat(Enumerable.Range(0, 80).Select(i => $"<@usr_01HZX{i:D21}>"));
        var ids = MentionParser.Parse(many);
        Assert.Equal(MentionParser.MaxMentions, ids.Count);
        Assert.Equal(ids, MentionParser.Split(MentionParser.Join(ids)));
        Assert.Null(MentionParser.Join([]));
        Assert.Empty(MentionParser.Split(null));
    }

    [Theory]
    [InlineData("👍")]
    [InlineData("❤️")]
    [InlineData("👍🏽")]
    [InlineData("👨‍👩‍👧‍👦")]
    [InlineData("🇫🇷")]
    [InlineData("1️⃣")]
    [InlineData("#️⃣")]
    [InlineData("🏳️‍🌈")]
    [InlineData("😀😃")]
    [InlineData("©")]
    public void Unicode_emoji_are_accepted(string emoji) => Assert.Null(EmojiRules.EmojiError(emoji));

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("a")]
    [InlineData("lol")]
    [InlineData("1")]
    [InlineData("👍 ")]
    [InlineData("👍\n")]
    [InlineData("\u0000")]
    [InlineData("é")]
    [InlineData("日本")]
    [InlineData("👍/")]
    [InlineData("😀😀😀😀😀")]
    [InlineData("\ufffd")]
    public void Text_whitespace_controls_and_long_runs_are_refused(string? emoji) => Assert.NotNull(EmojiRules.EmojiError(emoji));

    [Fact]
    public void Broken_utf16_is_not_an_emoji() => Assert.NotNull(EmojiRules.EmojiError("\ud83d"));

    [Fact]
    public void Emoji_are_bounded_in_bytes()
    {
        // Four grapheme clusters, but each family sequence is 25 bytes of UTF-8.
        Assert.NotNull(EmojiRules.EmojiError(string.Concat(Enumerable.Repeat("👨‍👩‍👧‍👦", 3))));
        Assert.Null(EmojiRules.EmojiError(string.Concat(Enumerable.Repeat("👨‍👩‍👧‍👦", 2))));
    }

    [Fact]
    public void Message_content_is_trimmed_and_bounded_in_characters()
    {
        Assert.Null(MessageRules.ContentError("  hello \n", out var trimmed));
        Assert.Equal("hello", trimmed);
        Assert.Null(MessageRules.ContentError(new string('a', 4000), out _));
        Assert.NotNull(MessageRules.ContentError(new string('a', 4001), out _));
        Assert.Null(MessageRules.ContentError(string.Concat(Enumerable.Repeat("😀", 4000)), out _));
        Assert.NotNull(MessageRules.ContentError(string.Concat(Enumerable.Repeat("😀", 4001)), out _));
        Assert.NotNull(MessageRules.ContentError(" \n\t ", out _));
        Assert.NotNull(MessageRules.ContentError(null, out _));
        Assert.NotNull(MessageRules.ContentError("bell\u0007", out _));
        Assert.NotNull(MessageRules.ContentError("nul\u0000byte", out _));
        Assert.NotNull(MessageRules.ContentError("half \ud83d pair", out _));
        Assert.Null(MessageRules.ContentError("line one\nline two\ttab", out _));
    }

    [Fact]
    public void Nonces_are_short_and_optional()
    {
        Assert.Null(MessageRules.NonceError(null));
        Assert.Null(MessageRules.NonceError(new string('n', 64)));
        Assert.NotNull(MessageRules.NonceError(new string('n', 65)));
        Assert.NotNull(MessageRules.NonceError(""));
    }

    [Theory]
    [InlineData(ChannelTypes.Text, "  General Chat  ", "general-chat")]
    [InlineData(ChannelTypes.Text, "Off   Topic\tStuff", "off-topic-stuff")]
    [InlineData(ChannelTypes.Voice, "  Game Night  ", "Game Night")]
    [InlineData(ChannelTypes.Category, "Text Channels", "Text Channels")]
    public void Channel_names_are_normalized_by_type(int type, string name, string expected)
    {
        Assert.Null(ChannelRules.NameError(type, name, out var normalized));
        Assert.Equal(expected, normalized);
    }

    [Fact]
    public void Channel_names_topics_and_positions_are_bounded()
    {
        Assert.NotNull(ChannelRules.NameError(ChannelTypes.Text, "   ", out _));
        Assert.NotNull(ChannelRules.NameError(ChannelTypes.Voice, null, out _));
        Assert.Null(ChannelRules.NameError(ChannelTypes.Text, new string('x', 100), out _));
        Assert.NotNull(ChannelRules.NameError(ChannelTypes.Text, new string('x', 101), out _));
        Assert.NotNull(ChannelRules.NameError(ChannelTypes.Voice, "bad\u0001name", out _));
        Assert.Null(ChannelRules.TopicError("", out var cleared));
        Assert.Null(cleared);
        Assert.NotNull(ChannelRules.TopicError(new string('t', 1025), out _));
        Assert.NotNull(ChannelRules.PositionError(-1));
        Assert.Null(ChannelRules.PositionError(null));
        Assert.True(ChannelRules.IsKnownType(ChannelTypes.Category));
        Assert.False(ChannelRules.IsKnownType(2));
    }

    [Fact]
    public void Community_names_and_descriptions_are_trimmed_and_bounded()
    {
        Assert.Null(CommunityRules.NameError("  Gamers  ", out var name));
        Assert.Equal("Gamers", name);
        Assert.NotNull(CommunityRules.NameError(" ", out _));
        Assert.NotNull(CommunityRules.NameError(new string('n', 101), out _));
        Assert.Null(CommunityRules.DescriptionError("   ", out var description));
        Assert.Null(description);
        Assert.NotNull(CommunityRules.DescriptionError(new string('d', 1001), out _));
    }

    [Fact]
    public void Invite_codes_are_eight_unambiguous_random_characters()
    {
        var codes = Enumerable.Range(0, 1000).Select(_ => InviteCodes.New()).ToList();
        Assert.All(codes, code => Assert.True(InviteCodes.IsWellFormed(code)));
        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(codes, code => code.IndexOfAny(['0', 'O', 'I', 'l']) >= 0);
        Assert.False(InviteCodes.IsWellFormed("short"));
        Assert.False(InviteCodes.IsWellFormed("abcdefg0"));
        Assert.NotNull(InviteCodes.MaxUsesError(1001));
        Assert.NotNull(InviteCodes.MaxAgeError(604_801));
        Assert.Null(InviteCodes.MaxUsesError(0));
        Assert.Null(InviteCodes.MaxAgeError(null));
    }

    [Theory]
    [InlineData(null, null, 50)]
    [InlineData("1", null, 1)]
    [InlineData("100", null, 100)]
    [InlineData("0", "error", 50)]
    [InlineData("101", "error", 50)]
    [InlineData("-1", "error", 50)]
    [InlineData("ten", "error", 50)]
    [InlineData("", "error", 50)]
    public void Page_limits_are_1_to_100(string? text, string? error, int expected)
    {
        Assert.Equal(error is not null, Paging.LimitError(text, out var limit) is not null);
        Assert.Equal(expected, limit);
    }
}
