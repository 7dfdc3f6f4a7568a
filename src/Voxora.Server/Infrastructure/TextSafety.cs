using System.Buffers;
using System.Globalization;
using System.Text;

namespace Voxora.Server.Infrastructure;

/// <summary>What a piece of human-visible text is, which decides the characters it may hold.</summary>
public enum TextKind
{
    /// <summary>One line that names something people pick or trust: display, community, channel and role names.</summary>
    Name,

    /// <summary>Short free text shown next to names: topics, descriptions, ban and report reasons. Line breaks and tabs allowed.</summary>
    Text,

    /// <summary>A reaction: like a name, but code points newer than the runtime's Unicode tables pass (new emoji).</summary>
    Emoji,
}

/// <summary>
/// Invisible and direction-changing characters (security review finding 7, "Unicode spoofing"). They make a
/// string look like another one (a name that copies someone else's, "ad&#x200B;min") or show text in a
/// different order than it is stored (U+202E turns "evil&#x202E;gnp.exe" into "evilexe.png"). Such
/// text is refused, not silently changed, so the person sees what was wrong; a name made only of such
/// characters is therefore never accepted as a name that looks empty.
/// <para>
/// Refused in names, texts and reactions: control characters (Cc, except line breaks and tabs in texts),
/// format characters (Cf: bidirectional embeddings, overrides, isolates and marks, zero-width
/// characters, word joiner, invisible operators, BOM, soft hyphen, tags), private use (Co), line and
/// paragraph separators (Zl, Zp), unassigned code points (Cn) except in reactions, broken UTF-16, characters that
/// are letters or symbols but draw nothing (Hangul fillers, braille blank, combining grapheme joiner,
/// Khmer inherent vowels), and variation selectors that do not follow a symbol.
/// </para>
/// <para>
/// Kept, because real text needs them: ZERO WIDTH JOINER between two emoji (👨‍👩‍👧, 🏳️‍🌈) and ZWJ or
/// ZERO WIDTH NON-JOINER between letters of scripts that use them for shaping (Arabic script and the
/// Indic scripts, e.g. Persian "می‌خواهم", Sinhala "ශ්‍රී"); tag characters inside an emoji flag
/// sequence (🏴 + tags + CANCEL TAG, e.g. the Scotland flag); variation selectors after a symbol (❤️).
/// </para>
/// <para>Message content has a rule of its own (<see cref="IsBidiControl"/>): only direction overrides, embeddings and isolates are refused there.</para>
/// Pure, unit tested. Works under InvariantGlobalization (the category tables are part of the runtime).
/// </summary>
public static class TextSafety
{
    private const int ZeroWidthNonJoiner = 0x200C;
    private const int ZeroWidthJoiner = 0x200D;
    private const int BlackFlag = 0x1F3F4;
    private const int TagFirst = 0xE0020;
    private const int TagLast = 0xE007E;
    private const int CancelTag = 0xE007F;

    /// <summary>
    /// Returns an error naming <paramref name="field"/> and the first refused character, or null. Call it on
    /// the trimmed text; the caller keeps its own length and emptiness rules.
    /// </summary>
    public static string? Error(string text, TextKind kind, string field)
    {
        var runes = new List<Rune>(text.Length);
        var span = text.AsSpan();
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out var rune, out var consumed) != OperationStatus.Done)
            {
                return $"{field} is not valid Unicode text.";
            }

            runes.Add(rune);
            span = span[consumed..];
        }

        return FirstRefused(runes, kind) is { } index
            ? $"{field} must not contain invisible, control or direction-changing characters (found U+{runes[index].Value:X4} at position {index + 1})."
            : null;
    }

    /// <summary>
    /// The explicit directional formatting characters: embeddings and overrides U+202A–U+202E, isolates
    /// U+2066–U+2069. They reorder the text around them ("Trojan Source"); the marks LRM, RLM and ALM do not.
    /// </summary>
    public static bool IsBidiControl(Rune rune) => rune.Value is (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069);

    /// <summary>Index of the first rune the kind does not allow, or null.</summary>
    private static int? FirstRefused(List<Rune> runes, TextKind kind)
    {
        for (var i = 0; i < runes.Count; i++)
        {
            var rune = runes[i];
            var value = rune.Value;

            if (value is BlackFlag)
            {
                // A flag tag sequence: 🏴, one or more tags, CANCEL TAG. Skip it whole when well formed.
                var end = i + 1;
                while (end < runes.Count && runes[end].Value is >= TagFirst and <= TagLast) end++;
                if (end > i + 1)
                {
                    if (end == runes.Count || runes[end].Value != CancelTag) return end < runes.Count ? end : end - 1;
                    i = end;
                }

                continue;
            }

            if (IsDrawnAsNothing(value)) return i;
            if (IsVariationSelector(value))
            {
                if (!FollowsSymbol(runes, i)) return i;
                continue;
            }

            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Control when kind == TextKind.Text && value is '\n' or '\r' or '\t':
                    continue;
                case UnicodeCategory.Control:
                case UnicodeCategory.PrivateUse:
                case UnicodeCategory.LineSeparator:
                case UnicodeCategory.ParagraphSeparator:
                case UnicodeCategory.OtherNotAssigned when kind != TextKind.Emoji:
                    return i;
                case UnicodeCategory.Format:
                    if (IsPermittedJoiner(runes, i, kind)) continue;
                    return i;
            }
        }

        return null;
    }

    /// <summary>ZWJ between emoji; ZWJ or ZWNJ between letters of Arabic-script or Indic text.</summary>
    private static bool IsPermittedJoiner(List<Rune> runes, int i, TextKind kind)
    {
        var value = runes[i].Value;
        if (value is not (ZeroWidthJoiner or ZeroWidthNonJoiner) || i == 0 || i == runes.Count - 1)
        {
            return false;
        }

        var next = runes[i + 1];
        if (value == ZeroWidthJoiner && IsEmojiBase(next) && IsEmojiBase(EmojiBefore(runes, i)))
        {
            return true;
        }

        return kind != TextKind.Emoji && IsJoiningScriptLetter(runes[i - 1]) && IsJoiningScriptLetter(next);
    }

    /// <summary>The rune an emoji modifier sequence before <paramref name="i"/> starts with (skipping VS16 and skin tones).</summary>
    private static Rune EmojiBefore(List<Rune> runes, int i)
    {
        var j = i - 1;
        while (j > 0 && (IsVariationSelector(runes[j].Value) || runes[j].Value is >= 0x1F3FB and <= 0x1F3FF)) j--;
        return runes[j];
    }

    // Emoji are Other Symbol in the category tables (people, objects, ❤, ♀, ⚧, 🌈…).
    private static bool IsEmojiBase(Rune rune) => rune.Value > 0x7F && Rune.GetUnicodeCategory(rune) == UnicodeCategory.OtherSymbol;

    private static bool IsJoiningScriptLetter(Rune rune)
    {
        // Arabic, Syriac, Thaana, N'Ko and the Indic blocks through Sinhala; Arabic presentation forms.
        var inScript = rune.Value is (>= 0x0600 and <= 0x0DFF) or (>= 0xFB50 and <= 0xFDFF) or (>= 0xFE70 and <= 0xFEFC);
        return inScript && (Rune.IsLetter(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark);
    }

    private static bool IsVariationSelector(int value) => value is (>= 0xFE00 and <= 0xFE0F) or (>= 0xE0100 and <= 0xE01EF);

    /// <summary>A variation selector chooses how the character before it is drawn; after a letter or nothing it only hides.</summary>
    private static bool FollowsSymbol(List<Rune> runes, int i)
    {
        if (i == 0) return false;
        var before = runes[i - 1];
        // Keycaps: 1️⃣ and #️⃣ are an ASCII digit, '#' or '*' with VS16.
        if (before.IsAscii) return char.IsAsciiDigit((char)before.Value) || before.Value is '#' or '*';
        return Rune.GetUnicodeCategory(before) is UnicodeCategory.OtherSymbol or UnicodeCategory.MathSymbol
            or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherPunctuation or UnicodeCategory.CurrencySymbol;
    }

    /// <summary>Characters of visible categories (letters, symbols, marks) that fonts draw as blank space or nothing.</summary>
    private static bool IsDrawnAsNothing(int value) => value is
        0x034F // COMBINING GRAPHEME JOINER
        or 0x115F or 0x1160 or 0x3164 or 0xFFA0 // Hangul choseong / jungseong / compatibility / halfwidth fillers
        or 0x17B4 or 0x17B5 // Khmer inherent vowels
        or 0x2800 // BRAILLE PATTERN BLANK
        or 0x1D159 or (>= 0x1D173 and <= 0x1D17A); // musical null notehead and invisible beam/slur controls
}
