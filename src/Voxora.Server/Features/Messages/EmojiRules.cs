using System.Globalization;
using System.Text;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Messages;

/// <summary>
/// What a reaction emoji may be: a short run of Unicode emoji (not text). 1–64 bytes of UTF-8, at
/// most <see cref="MaxGraphemes"/> grapheme clusters, no whitespace or control characters, no letters,
/// and no ASCII except the keycap bases 0–9, '#' and '*'. Invisible and direction-changing characters are
/// refused except the joiners, variation selectors and tags real emoji sequences are made of
/// (<see cref="TextSafety"/>). Pure, unit tested.
/// </summary>
public static class EmojiRules
{
    public const int MaxBytes = 64;
    public const int MaxGraphemes = 4;
    public const int MaxDistinctPerMessage = 20;

    public static string? EmojiError(string? emoji)
    {
        if (string.IsNullOrEmpty(emoji))
        {
            return "Emoji is required.";
        }

        if (emoji.Length > MaxBytes)
        {
            return $"Emoji must be at most {MaxBytes} bytes.";
        }

        var bytes = 0;
        var hasNonAscii = false;
        var span = emoji.AsSpan();
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return "Emoji is not valid Unicode text.";
            }

            if (Rune.IsWhiteSpace(rune) || Rune.IsControl(rune) || rune == Rune.ReplacementChar)
            {
                return "Emoji must not contain whitespace or control characters.";
            }

            if (rune.IsAscii)
            {
                if (!(char.IsAsciiDigit((char)rune.Value) || rune.Value is '#' or '*'))
                {
                    return "Emoji must be a Unicode emoji, not text.";
                }
            }
            else
            {
                if (Rune.IsLetter(rune) || Rune.IsDigit(rune))
                {
                    return "Emoji must be a Unicode emoji, not text.";
                }

                hasNonAscii = true;
            }

            bytes += rune.Utf8SequenceLength;
            span = span[consumed..];
        }

        if (!hasNonAscii)
        {
            return "Emoji must be a Unicode emoji, not text.";
        }

        if (bytes > MaxBytes)
        {
            return $"Emoji must be at most {MaxBytes} bytes.";
        }

        return new StringInfo(emoji).LengthInTextElements > MaxGraphemes
            ? $"Emoji must be at most {MaxGraphemes} emoji."
            : TextSafety.Error(emoji, TextKind.Emoji, "Emoji");
    }
}
