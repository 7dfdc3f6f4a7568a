using Voxora.Server.Features.Messages;
using Voxora.Server.Features.Users;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Tests.Unit;

public sealed class TextSafetyTests
{
    [Theory]
    [InlineData("Ada Lovelace")]
    [InlineData("日本語の名前 🎧")]
    [InlineData("Zoë Ångström-O'Neil")]
    [InlineData("👨‍👩‍👧")] // ZWJ between emoji
    [InlineData("👩🏽‍💻 at work")] // ZWJ after a skin tone
    [InlineData("❤️ and ‼️ and ↔️")] // VS16 after symbols
    [InlineData("1️⃣ #️⃣")] // keycaps
    [InlineData("🏴󠁧󠁢󠁳󠁣󠁴󠁿 Scotland")] // flag tag sequence
    [InlineData("🏳️‍🌈")]
    [InlineData("می‌خواهم")] // Persian with ZWNJ
    [InlineData("ශ්‍රී ලංකා")] // Sinhala with ZWJ
    [InlineData("क्‍ष")] // Devanagari with ZWJ
    [InlineData("שלום עולם")]
    [InlineData("a\u00A0b")] // no-break space is visible space
    public void Real_names_pass(string name) => Assert.Null(TextSafety.Error(name, TextKind.Name, "Name"));

    [Theory]
    [InlineData("evil\u202Egnp.exe", 0x202E)] // right-to-left override
    [InlineData("\u202Aa", 0x202A)]
    [InlineData("\u202Ba", 0x202B)]
    [InlineData("a\u202Cb", 0x202C)]
    [InlineData("\u202Da", 0x202D)]
    [InlineData("\u2066admin\u2069", 0x2066)] // isolates
    [InlineData("\u2067a", 0x2067)]
    [InlineData("\u2068a", 0x2068)]
    [InlineData("a\u2069", 0x2069)]
    [InlineData("a\u200Eb", 0x200E)] // LRM
    [InlineData("a\u200Fb", 0x200F)] // RLM
    [InlineData("a\u061Cb", 0x061C)] // ALM
    [InlineData("ad\u200Bmin", 0x200B)] // zero-width space
    [InlineData("ad\u200Cmin", 0x200C)] // ZWNJ between Latin letters
    [InlineData("ad\u200Dmin", 0x200D)] // ZWJ between Latin letters
    [InlineData("👍\u200D", 0x200D)] // dangling ZWJ
    [InlineData("\u200D👍", 0x200D)]
    [InlineData("a\u2060b", 0x2060)] // word joiner
    [InlineData("a\u2061b", 0x2061)] // invisible operators
    [InlineData("a\u2064b", 0x2064)]
    [InlineData("\uFEFFname", 0xFEFF)] // BOM
    [InlineData("ad\u00ADmin", 0x00AD)] // soft hyphen
    [InlineData("ad\u180Emin", 0x180E)] // Mongolian vowel separator
    [InlineData("admin\U000E0041", 0xE0041)] // tag outside a flag
    [InlineData("🏴\U000E0067\U000E0062", 0xE0062)] // flag tags without CANCEL TAG
    [InlineData("a\u0007b", 0x0007)] // C0 control
    [InlineData("a\u0085b", 0x0085)] // C1 control (NEL)
    [InlineData("a\tb", 0x0009)]
    [InlineData("a\nb", 0x000A)]
    [InlineData("a\u2028b", 0x2028)] // line separator
    [InlineData("a\u2029b", 0x2029)] // paragraph separator
    [InlineData("a\uE000b", 0xE000)] // private use
    [InlineData("a\U000F0000b", 0xF0000)]
    [InlineData("a\u0378b", 0x0378)] // unassigned
    [InlineData("\u3164", 0x3164)] // Hangul filler
    [InlineData("a\u115Fb", 0x115F)]
    [InlineData("a\u1160b", 0x1160)]
    [InlineData("a\uFFA0b", 0xFFA0)]
    [InlineData("\u2800", 0x2800)] // braille blank
    [InlineData("ad\u034Fmin", 0x034F)] // combining grapheme joiner
    [InlineData("admi\uFE0Fn", 0xFE0F)] // variation selector after a letter
    [InlineData("\uFE0F", 0xFE0F)]
    public void Invisible_control_and_direction_changing_characters_are_refused_in_names(string name, int found)
    {
        var error = TextSafety.Error(name, TextKind.Name, "Name");
        Assert.NotNull(error);
        Assert.StartsWith("Name ", error);
        Assert.Contains($"U+{found:X4}", error);
    }

    [Fact]
    public void Broken_utf16_is_refused() => Assert.Equal("Name is not valid Unicode text.", TextSafety.Error("a\uD800b", TextKind.Name, "Name"));

    [Fact]
    public void Texts_allow_line_breaks_and_tabs_but_nothing_else_hidden()
    {
        Assert.Null(TextSafety.Error("line one\r\nline two\tand a tab", TextKind.Text, "Topic"));
        Assert.NotNull(TextSafety.Error("a\u202Eb", TextKind.Text, "Topic"));
        Assert.NotNull(TextSafety.Error("a\u200Bb", TextKind.Text, "Topic"));
        Assert.NotNull(TextSafety.Error("a\u0000b", TextKind.Text, "Topic"));
        Assert.NotNull(TextSafety.Error("a\u2028b", TextKind.Text, "Topic"));
    }

    [Fact]
    public void Reactions_allow_code_points_newer_than_the_runtime_but_not_script_joiners()
    {
        Assert.Null(TextSafety.Error("\U0001FAFF", TextKind.Emoji, "Emoji"));
        Assert.NotNull(TextSafety.Error("\U0001FAFF", TextKind.Name, "Name"));
        Assert.NotNull(TextSafety.Error("ی\u200Cی", TextKind.Emoji, "Emoji"));
    }

    [Theory]
    [InlineData(0x202A, true)]
    [InlineData(0x202E, true)]
    [InlineData(0x2066, true)]
    [InlineData(0x2069, true)]
    [InlineData(0x200E, false)]
    [InlineData(0x200D, false)]
    [InlineData(0x2065, false)]
    [InlineData('a', false)]
    public void Bidi_controls_are_the_embeddings_overrides_and_isolates(int value, bool control) =>
        Assert.Equal(control, TextSafety.IsBidiControl(new System.Text.Rune(value)));

    [Theory]
    [InlineData("👨‍👩‍👧")]
    [InlineData("❤️")]
    [InlineData("🏴󠁧󠁢󠁳󠁣󠁴󠁿")]
    [InlineData("👁️‍🗨️")]
    [InlineData("❤️‍🔥")]
    public void Real_emoji_sequences_are_reactions(string emoji) => Assert.Null(EmojiRules.EmojiError(emoji));

    [Theory]
    [InlineData("👍\u202E")]
    [InlineData("\u2066👍\u2069")]
    [InlineData("👍\u200B")]
    [InlineData("\uFEFF👍")]
    [InlineData("👍\u200D")]
    [InlineData("\u200B")]
    [InlineData("👍\uE000")]
    [InlineData("👍\u2800")]
    public void Hidden_characters_are_not_reactions(string emoji) => Assert.NotNull(EmojiRules.EmojiError(emoji));

    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("ALICE", "alice")]
    [InlineData("@alice", "alice")]
    [InlineData("ａｌｉｃｅ", "alice")] // full-width
    [InlineData("𝐚𝐥𝐢𝐜𝐞", "alice")] // mathematical bold
    [InlineData("𝖆𝖑𝖎𝖈𝖊", "alice")] // mathematical bold fraktur
    [InlineData("𝟏𝟐𝟑", "123")] // mathematical digits
    [InlineData("\u0430li\u0441\u0435", "alice")] // Cyrillic а, с, е
    [InlineData("Ρ\u0391Υ", "pay")] // Greek capitals
    [InlineData("j.doe_2", "j.doe_2")]
    public void Display_names_fold_to_the_username_they_pass_for(string displayName, string username) =>
        Assert.Equal(username, UserRules.UsernameLookalike(displayName));

    [Theory]
    [InlineData("Ada Lovelace")] // a space is not in a username
    [InlineData("日本語")]
    [InlineData("a")] // too short to be one
    [InlineData("zoë")]
    [InlineData("dash-name")]
    public void Display_names_that_cannot_be_a_username_fold_to_nothing(string displayName) =>
        Assert.Null(UserRules.UsernameLookalike(displayName));
}
