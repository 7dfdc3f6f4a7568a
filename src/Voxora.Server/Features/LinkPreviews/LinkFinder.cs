namespace Voxora.Server.Features.LinkPreviews;

/// <summary>
/// The http(s) addresses of a message that get previews: in order of first appearance, without repeats, at most
/// <see cref="MaxLinks"/>. Addresses inside code (<c>`…`</c>, <c>``…``</c>, fenced <c>```…```</c> blocks) are skipped, as
/// the web client's formatter shows those literally (web/src/format/parse.ts; docs/formatting.md). An address ends, as
/// there, at whitespace, <c>&lt;</c>, <c>&gt;</c> or <c>"</c>, and trailing sentence punctuation is left outside it.
/// </summary>
public static class LinkFinder
{
    public const int MaxLinks = 5;
    public const int MaxUrlLength = 2048;
    private const string Trailing = ".,;:!?'\")]}>";

    public static IReadOnlyList<string> Find(string content)
    {
        var found = new List<string>();
        var i = 0;
        while (i < content.Length && found.Count < MaxLinks)
        {
            var c = content[i];
            if (c == '\\' && i + 1 < content.Length)
            {
                i += 2;
                continue;
            }

            if (c == '`')
            {
                var run = RunLength(content, i);
                var close = FindRun(content, i + run, run);
                i = close < 0 ? i + run : close + run;
                continue;
            }

            if (c == 'h' && (i == 0 || !IsWord(content[i - 1]))
                && (string.CompareOrdinal(content, i, "http://", 0, 7) == 0 || string.CompareOrdinal(content, i, "https://", 0, 8) == 0))
            {
                var j = i;
                while (j < content.Length && !char.IsWhiteSpace(content[j]) && content[j] is not ('<' or '>' or '"' or '`'))
                {
                    j++;
                }

                var url = content[i..j];
                var k = url.Length;
                while (k > 0 && Trailing.Contains(url[k - 1], StringComparison.Ordinal))
                {
                    k--;
                }

                if (k < url.Length)
                {
                    var trail = url[k..];
                    url = url[..k];
                    if (trail.StartsWith(')') && url.Count(ch => ch == '(') > url.Count(ch => ch == ')'))
                    {
                        url += ")";
                    }
                }

                if (url.Length <= MaxUrlLength && Uri.TryCreate(url, UriKind.Absolute, out var uri)
                    && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0
                    && !found.Contains(url, StringComparer.Ordinal))
                {
                    found.Add(url);
                }

                i += Math.Max(url.Length, 1);
                continue;
            }

            i++;
        }

        return found;
    }

    private static bool IsWord(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static int RunLength(string s, int i)
    {
        var j = i;
        while (j < s.Length && s[j] == '`')
        {
            j++;
        }

        return j - i;
    }

    /// <summary>The start of the next run of exactly <paramref name="length"/> backticks from <paramref name="from"/>, or -1.</summary>
    private static int FindRun(string s, int from, int length)
    {
        var i = from;
        while (i < s.Length)
        {
            if (s[i] == '`')
            {
                var run = RunLength(s, i);
                if (run == length)
                {
                    return i;
                }

                i += run;
            }
            else
            {
                i++;
            }
        }

        return -1;
    }
}
