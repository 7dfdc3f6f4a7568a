using System.Text;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Messages;

/// <summary>Message content and nonces. Pure rules, unit tested.</summary>
public static class MessageRules
{
    /// <summary>Counted in Unicode code points (what PostgreSQL's varchar counts), after trimming.</summary>
    public const int ContentMax = 4000;

    public const int NonceMax = 64;

    /// <summary>
    /// Trims; 1–4000 characters; line breaks and tabs allowed, other control characters, broken UTF-16 and
    /// the bidirectional overrides, embeddings and isolates (<see cref="TextSafety.IsBidiControl"/>) not.
    /// Other format characters stay: joiners build emoji and Persian or Indic words, LRM/RLM fix mixed-direction text.
    /// </summary>
    public static string? ContentError(string? content, out string normalized)
    {
        normalized = content?.Trim() ?? "";
        if (normalized.Length == 0)
        {
            return "Content must not be empty.";
        }

        if (normalized.Length > ContentMax * 2)
        {
            return $"Content must be at most {ContentMax} characters.";
        }

        var count = 0;
        var span = normalized.AsSpan();
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return "Content is not valid Unicode text.";
            }

            if (Rune.IsControl(rune) && rune.Value is not ('\n' or '\r' or '\t'))
            {
                return "Content must not contain control characters.";
            }

            // "Trojan Source": these reorder the text around them, so what readers see is not what was sent.
            if (TextSafety.IsBidiControl(rune))
            {
                return $"Content must not contain direction overrides, embeddings or isolates (found U+{rune.Value:X4}).";
            }

            count++;
            span = span[consumed..];
        }

        return count > ContentMax ? $"Content must be at most {ContentMax} characters." : null;
    }

    public static string? NonceError(string? nonce) => nonce switch
    {
        null => null,
        { Length: 0 } => "Nonce must not be empty when given.",
        { Length: > NonceMax } => $"Nonce must be at most {NonceMax} characters.",
        _ when nonce.Any(char.IsControl) => "Nonce must not contain control characters.",
        _ => null,
    };
}
