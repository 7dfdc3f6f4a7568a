using System.Globalization;
using System.Text;

namespace Voxora.Server.Features.Search;

/// <summary>A word or "phrase" of a query, as the lexemes (runs of letters and digits) it holds.</summary>
/// <param name="Lexemes">Lower-cased, in order; a word like <c>don't</c> is the phrase <c>don t</c>, as the indexes split it.</param>
/// <param name="Prefix">Written with a trailing <c>*</c>: the last lexeme matches any word it starts.</param>
/// <param name="Excluded">Written with a leading <c>-</c>: hits must not contain it.</param>
/// <param name="Substring">Holds CJK text (written without spaces between words): matched as a substring of the content.</param>
/// <param name="Fts5Lexemes">
/// The words unfolded, for SQLite's FTS5 to fold as its index does (<see cref="SearchQueryParser.Fts5Lexemes"/>): it takes
/// marks off Latin letters but leaves letters such as <c>ø</c>, <c>ł</c>, <c>đ</c> alone, which <see cref="SearchQueryParser.Fold"/>
/// turns into <c>o</c>, <c>l</c>, <c>d</c> as PostgreSQL's index does.
/// </param>
public sealed record SearchTerm(IReadOnlyList<string> Lexemes, bool Prefix, bool Excluded, bool Substring, string Text, IReadOnlyList<string> Fts5Lexemes)
{
    /// <summary>The term as typed (trimmed, not folded): stems are taken from it, since the Portuguese rules need the accents.</summary>
    public string Written { get; init; } = Text;

    /// <summary>
    /// Other words a plain word also matches: its forms that share a stem (<see cref="SearchVocabulary.ExpandAsync"/>), folded
    /// (a–z only, so FTS5 and PostgreSQL read them alike).
    /// </summary>
    public IReadOnlyList<string> Variants { get; init; } = [];
}

/// <summary>What a search query asks for once parsed: the words and phrases to find and those to exclude.</summary>
public sealed record SearchQuery(IReadOnlyList<SearchTerm> Terms)
{
    public IEnumerable<SearchTerm> Included => Terms.Where(t => !t.Excluded);

    public IEnumerable<SearchTerm> Excluded => Terms.Where(t => t.Excluded);

    public bool IsEmpty => Terms.Count == 0;
}

/// <summary>
/// Reads what a person types into the search box (seed 001 Phase 3: query caps): <c>words</c>, <c>"exact phrases"</c>,
/// <c>-exclusions</c> and <c>prefix*</c>, refuses what would be too expensive to run, folds case and accents, and finds
/// the ranges of a message that a query matched, for highlighting. Pure: no database, so the rules are unit tested.
/// </summary>
public static class SearchQueryParser
{
    /// <summary>Shortest prefix before <c>*</c>: one letter would match most of the index.</summary>
    public const int MinPrefixLength = 2;

    /// <summary>The query, or why it is refused (<paramref name="error"/>, meant for the person who typed it).</summary>
    public static SearchQuery? Parse(string? text, out string? error)
    {
        error = null;
        var terms = new List<SearchTerm>();
        var rawTerms = 0;
        var s = text ?? "";
        var i = 0;
        while (i < s.Length)
        {
            if (char.IsWhiteSpace(s[i]))
            {
                i++;
                continue;
            }

            var excluded = false;
            if (s[i] == '-' && i + 1 < s.Length && !char.IsWhiteSpace(s[i + 1]))
            {
                excluded = true;
                i++;
            }

            string body;
            var prefix = false;
            if (s[i] == '"')
            {
                var end = s.IndexOf('"', i + 1);
                body = end < 0 ? s[(i + 1)..] : s[(i + 1)..end];
                i = end < 0 ? s.Length : end + 1;
                // "big wo"* : a phrase whose last word is a prefix (both indexes take it), not a phrase and a stray "*".
                if (i < s.Length && s[i] == '*')
                {
                    prefix = true;
                    while (i < s.Length && s[i] == '*')
                    {
                        i++;
                    }
                }
            }
            else
            {
                var start = i;
                while (i < s.Length && !char.IsWhiteSpace(s[i]))
                {
                    i++;
                }

                body = s[start..i];
                if (body.EndsWith('*'))
                {
                    prefix = true;
                    body = body.TrimEnd('*');
                }
            }

            rawTerms++;
            var lexemes = Lexemes(body);
            if (prefix && (lexemes.Count == 0 || lexemes[^1].Length < MinPrefixLength))
            {
                error = $"A prefix search needs at least {MinPrefixLength} letters before the *.";
                return null;
            }

            if (lexemes.Count == 0)
            {
                // Only punctuation: nothing any index holds, so nothing to look for.
                continue;
            }

            var substring = body.Any(IsCjk);
            terms.Add(new SearchTerm(lexemes, prefix && !substring, excluded, substring, Fold(body.Trim()), Fts5Lexemes(body)) { Written = body.Trim() });
        }

        if (rawTerms > Protocol.SearchLimits.MaxTerms)
        {
            error = $"A search may hold at most {Protocol.SearchLimits.MaxTerms} words and phrases.";
            return null;
        }

        if (terms.Count(t => t.Excluded) > Protocol.SearchLimits.MaxExclusions)
        {
            error = $"A search may exclude at most {Protocol.SearchLimits.MaxExclusions} words.";
            return null;
        }

        return new SearchQuery(terms);
    }

    /// <summary>Runs of letters and digits (combining marks kept with their letter), folded: the words both indexes see.</summary>
    public static List<string> Lexemes(string text) => Words(Fold(text));

    /// <summary>
    /// The words of <paramref name="text"/> for SQLite's FTS5 index, which folds them itself with the tokenizer it indexed
    /// with (<c>unicode61 remove_diacritics 2</c>): lower case and the marks that decompose off a Latin letter go
    /// (<c>Ação</c> finds <c>acao</c>), but a letter with no decomposition stays (<c>Ørsted</c> is <c>ørsted</c> there, not
    /// <c>orsted</c> as <see cref="Fold"/> has it). So the words are only lowered here, never folded with <see cref="Fold"/>.
    /// Split where <see cref="Lexemes"/> splits, so the two lists line up.
    /// </summary>
    public static List<string> Fts5Lexemes(string text) => Words(text.ToLowerInvariant());

    /// <summary>The runs of word characters of <paramref name="text"/>, as they are.</summary>
    private static List<string> Words(string text)
    {
        var result = new List<string>();
        var current = new StringBuilder();
        foreach (var c in text)
        {
            if (IsWordChar(c))
            {
                current.Append(c);
            }
            else if (current.Length > 0)
            {
                result.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            result.Add(current.ToString());
        }

        return result;
    }

    private static bool IsWordChar(char c) =>
        char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;

    /// <summary>Han, kana, Hangul: scripts written without spaces, which word indexes cannot split into words.</summary>
    public static bool IsCjk(char c) =>
        c is (>= '\u3040' and <= '\u30FF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF')
            or (>= '\uAC00' and <= '\uD7AF') or (>= '\uF900' and <= '\uFAFF') or (>= '\u1100' and <= '\u11FF');

    /// <summary>Latin letters with accents, and capitals, folded the way <c>voxora_search_fold</c> folds them in PostgreSQL.</summary>
    public const string Accented = "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞàáâãäåçèéêëìíîïñòóôõöøùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħĨĩĪīĬĭĮįıĲĴĵĶķĹĺĻļĽľĿŀŁłŃńŅņŇňŉŊŌōŎŏŐőŒŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƁƂƄƆƇƉƊƋƎƏƐƑƓƔƖƗƘƜƝƟƠơƢƤƦƧƩƬƮƯưƱƲƳƵƷƸƼǄǅǇǈǊǋǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǢǤǦǧǨǩǪǫǬǭǮǰǱǲǴǵǶǷǸǹǺǻǼǾȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȜȞȟȠȢȤȦȧȨȩȪȫȬȭȮȯȰȱȲȳȺȻȽȾɁɃɄɅɆɈɊɌɎ";

    /// <summary>What each letter of <see cref="Accented"/> folds to (the same position).</summary>
    public const string Plain = "aaaaaaæceeeeiiiiðnoooooouuuuyþaaaaaaceeeeiiiinoooooouuuuyyaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiĳjjkkllllllllllnnnnnnnŋooooooœrrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzɓƃƅɔƈɖɗƌǝəɛƒɠɣɩɨƙɯɲɵooƣƥʀƨʃƭʈuuʊʋƴƶʒƹƽǆǆǉǉǌǌaaiioouuuuuuuuuuaaaaǣǥggkkooooǯjǳǳggƕƿnnaaǽǿaaaaeeeeiiiioooorrrruuuussttȝhhƞȣȥaaeeooooooooyyⱥȼƚⱦɂƀʉʌɇɉɋɍɏ";

    private static readonly Dictionary<char, char> FoldMap = Accented.Zip(Plain).ToDictionary(p => p.First, p => p.Second);

    /// <summary>
    /// Lower case, then Latin accents removed, exactly as PostgreSQL's <c>voxora_search_fold</c> does, so a query folded here
    /// finds what the index holds; a letter that stays accented there stays accented here. Same length as the input.
    /// </summary>
    public static string Fold(string text) =>
        string.Create(text.Length, text, (span, t) =>
        {
            for (var k = 0; k < t.Length; k++)
            {
                var lower = char.ToLowerInvariant(t[k]);
                span[k] = FoldMap.TryGetValue(lower, out var plain) ? plain : lower;
            }
        });

    /// <summary>
    /// Where the included terms occur in <paramref name="content"/>: for words, the whole word (or the word a prefix starts);
    /// (and its forms that share a stem); for phrases, from the first word to the last; for CJK terms, the substring. Ranges in UTF-16 code units, sorted and
    /// merged where they touch.
    /// </summary>
    public static List<Protocol.TextRange> Highlights(string content, SearchQuery query)
    {
        var folded = Fold(content);
        var words = new List<(int Start, int End, string Text)>();
        var k = 0;
        while (k < folded.Length)
        {
            if (!IsWordChar(folded[k]))
            {
                k++;
                continue;
            }

            var start = k;
            while (k < folded.Length && IsWordChar(folded[k]))
            {
                k++;
            }

            words.Add((start, k, folded[start..k]));
        }

        var ranges = new List<(int Start, int End)>();
        foreach (var term in query.Included)
        {
            if (term.Substring)
            {
                for (var at = folded.IndexOf(term.Text, StringComparison.Ordinal); at >= 0 && term.Text.Length > 0;
                     at = folded.IndexOf(term.Text, at + term.Text.Length, StringComparison.Ordinal))
                {
                    ranges.Add((at, at + term.Text.Length));
                }

                continue;
            }

            var n = term.Lexemes.Count;
            for (var w = 0; w + n <= words.Count; w++)
            {
                var match = true;
                for (var j = 0; j < n && match; j++)
                {
                    var last = j == n - 1;
                    match = last && term.Prefix
                        ? words[w + j].Text.StartsWith(term.Lexemes[j], StringComparison.Ordinal)
                        : words[w + j].Text == term.Lexemes[j] || (n == 1 && term.Variants.Contains(words[w + j].Text));
                }

                if (match)
                {
                    ranges.Add((words[w].Start, words[w + n - 1].End));
                }
            }
        }

        var merged = new List<Protocol.TextRange>();
        foreach (var (start, end) in ranges.OrderBy(r => r.Start).ThenBy(r => r.End))
        {
            if (merged.Count > 0 && start <= merged[^1].Start + merged[^1].Length)
            {
                var last = merged[^1];
                merged[^1] = last with { Length = Math.Max(last.Start + last.Length, end) - last.Start };
            }
            else
            {
                merged.Add(new Protocol.TextRange(start, end - start));
            }
        }

        return merged;
    }
}
