using System.Globalization;
using System.Text;

namespace Voxora.Server.Features.Attachments;

/// <summary>What may be uploaded and how it is served. Pure rules, unit tested.</summary>
public static class MediaRules
{
    public const int FilenameMax = 255;
    public const int ContentTypeMax = 127;

    /// <summary>How many leading bytes <see cref="Sniff"/> looks at.</summary>
    public const int SniffBytes = 512;

    /// <summary>The most attachments one message may carry.</summary>
    public const int MaxPerMessage = 10;

    /// <summary>
    /// The content types that may be uploaded (seed 000 §P2-5: images, video, audio, PDF, text, common documents), each
    /// one whose bytes <see cref="Sniff"/> can check. SVG and HTML are refused: a browser runs their scripts. Other
    /// <c>video/*</c> and <c>audio/*</c> types than these are refused too, since their bytes cannot be checked.
    /// </summary>
    public static readonly IReadOnlySet<string> Allowed = new HashSet<string>(StringComparer.Ordinal)
    {
        "image/png", "image/jpeg", "image/gif", "image/webp",
        "video/mp4", "video/webm", "video/quicktime", "video/ogg",
        "audio/mpeg", "audio/ogg", "audio/wav", "audio/x-wav", "audio/webm", "audio/mp4", "audio/flac", "audio/aac",
        "application/pdf",
        "text/plain", "text/markdown", "text/csv",
        "application/zip",
        "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    };

    /// <summary>
    /// The CSP every served file carries: nothing may load and, should a browser render the file as a document, it runs
    /// sandboxed (no scripts, no same-origin access, no forms).
    /// </summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

    /// <summary>Images the server decodes: metadata stripped, orientation applied, size recorded, thumbnail made.</summary>
    public static bool IsImage(string contentType) => contentType is "image/png" or "image/jpeg" or "image/gif" or "image/webp";

    /// <summary>Shown in the browser (<c>Content-Disposition: inline</c>): images, audio, video and PDF. Everything else is downloaded.</summary>
    public static bool IsInline(string contentType) =>
        IsImage(contentType) || contentType.StartsWith("audio/", StringComparison.Ordinal)
        || contentType.StartsWith("video/", StringComparison.Ordinal) || contentType == "application/pdf";

    /// <summary>The declared type, lower-cased and without parameters (<c>text/plain; charset=utf-8</c> → <c>text/plain</c>).</summary>
    public static string NormalizeContentType(string? contentType)
    {
        var value = contentType ?? "";
        var semicolon = value.IndexOf(';', StringComparison.Ordinal);
        if (semicolon >= 0)
        {
            value = value[..semicolon];
        }

        return value.Trim().ToLowerInvariant();
    }

    /// <summary>Null when the file name is acceptable: 1–255 characters, no path separators or control characters, not "." or "..".</summary>
    public static string? FilenameError(string? filename, out string normalized)
    {
        normalized = filename?.Trim() ?? "";
        if (normalized.Length == 0)
        {
            return "Filename must not be empty.";
        }

        if (normalized.Length > FilenameMax)
        {
            return $"Filename must be at most {FilenameMax} characters.";
        }

        if (normalized is "." or "..")
        {
            return "Filename must name a file.";
        }

        var span = normalized.AsSpan();
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return "Filename is not valid Unicode text.";
            }

            if (rune.Value is '/' or '\\' || Rune.IsControl(rune) || Infrastructure.TextSafety.IsBidiControl(rune))
            {
                return "Filename must not contain slashes, control or bidirectional-override characters.";
            }

            span = span[consumed..];
        }

        return null;
    }

    /// <summary>
    /// Do these leading bytes (up to <see cref="SniffBytes"/>) look like <paramref name="contentType"/>? Binary formats by their
    /// magic numbers; text must hold no NUL byte and must not start like HTML, SVG, XML or a script, which a browser could
    /// be talked into running.
    /// </summary>
    public static bool Sniff(string contentType, ReadOnlySpan<byte> head)
    {
        return contentType switch
        {
            "image/png" => head.StartsWith(PngMagic),
            "image/jpeg" => head.StartsWith(JpegMagic),
            "image/gif" => head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8),
            "image/webp" => IsRiff(head, "WEBP"u8),
            "video/mp4" or "video/quicktime" or "audio/mp4" => head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8),
            "video/webm" or "audio/webm" => head.StartsWith(EbmlMagic),
            "video/ogg" or "audio/ogg" => head.StartsWith("OggS"u8),
            "audio/mpeg" => head.StartsWith("ID3"u8) || head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0,
            "audio/aac" => head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xF6) == 0xF0,
            "audio/wav" or "audio/x-wav" => IsRiff(head, "WAVE"u8),
            "audio/flac" => head.StartsWith("fLaC"u8),
            "application/pdf" => head.StartsWith("%PDF-"u8),
            "text/plain" or "text/markdown" or "text/csv" => IsHarmlessText(head),
            "application/msword" or "application/vnd.ms-excel" or "application/vnd.ms-powerpoint" =>
                head.StartsWith(OleMagic),
            _ when contentType == "application/zip" || contentType.StartsWith("application/vnd.openxmlformats-officedocument.", StringComparison.Ordinal)
                || contentType.StartsWith("application/vnd.oasis.opendocument.", StringComparison.Ordinal) => head.StartsWith("PK\u0003\u0004"u8),
            _ => false,
        };
    }

    private static ReadOnlySpan<byte> PngMagic => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> JpegMagic => [0xFF, 0xD8, 0xFF];
    private static ReadOnlySpan<byte> EbmlMagic => [0x1A, 0x45, 0xDF, 0xA3];
    private static ReadOnlySpan<byte> OleMagic => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static bool IsRiff(ReadOnlySpan<byte> head, ReadOnlySpan<byte> form) =>
        head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual(form);

    private static readonly string[] MarkupStarts = ["<!doctype", "<html", "<head", "<body", "<svg", "<?xml", "<script", "<iframe", "<!--", "<meta", "<style", "<xml"];

    private static bool IsHarmlessText(ReadOnlySpan<byte> head)
    {
        if (head.Contains((byte)0))
        {
            return false;
        }

        var text = head.StartsWith(Utf8Bom) ? head[3..] : head;
        var start = 0;
        while (start < text.Length && text[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'\f')
        {
            start++;
        }

        // Only the lead matters, and at most 16 bytes of it: enough for the longest marker.
        var lead = Encoding.ASCII.GetString(text[start..Math.Min(text.Length, start + 16)]).ToLowerInvariant();
        return !MarkupStarts.Any(m => lead.StartsWith(m, StringComparison.Ordinal));
    }

    /// <summary>
    /// <c>Content-Disposition</c> (RFC 6266): <c>inline</c> only for <see cref="IsInline"/> types, otherwise <c>attachment</c>;
    /// an ASCII <c>filename</c> (other characters, quotes and backslashes as '_') and the exact name as <c>filename*</c> (RFC 8187).
    /// </summary>
    public static string ContentDisposition(string contentType, string filename)
    {
        var fallback = new StringBuilder(filename.Length);
        foreach (var c in filename)
        {
            fallback.Append(c is >= ' ' and <= '~' and not '"' and not '\\' and not '%' ? c : '_');
        }

        var encoded = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(filename))
        {
            // RFC 8187 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'&' or (byte)'+' or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return $"{(IsInline(contentType) ? "inline" : "attachment")}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}";
    }

    /// <summary>
    /// The single byte range of a <c>Range</c> header against a file of <paramref name="length"/> bytes: (start, count), or
    /// null when there is none to honour (absent, not bytes, several ranges: the whole file is sent). <paramref name="unsatisfiable"/>
    /// is set when the range lies outside the file (416).
    /// </summary>
    public static (long Start, long Count)? ParseRange(string? header, long length, out bool unsatisfiable)
    {
        unsatisfiable = false;
        if (header is null || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var spec = header[6..].Trim();
        if (spec.Contains(',', StringComparison.Ordinal))
        {
            return null;
        }

        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return null;
        }

        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            // Suffix: the last N bytes.
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix))
            {
                return null;
            }

            if (suffix == 0 || length == 0)
            {
                unsatisfiable = true;
                return null;
            }

            var count = Math.Min(suffix, length);
            return (length - count, count);
        }

        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start))
        {
            return null;
        }

        long end = length - 1;
        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start)
            {
                return null;
            }
        }

        if (start >= length)
        {
            unsatisfiable = true;
            return null;
        }

        end = Math.Min(end, length - 1);
        return (start, end - start + 1);
    }
}
