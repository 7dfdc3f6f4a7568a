using Lucene.Net.Tartarus.Snowball.Ext;

namespace Voxora.Server.Features.Search;

/// <summary>A word of the search vocabulary: as the index holds it (folded), and its English and Portuguese stems (folded).</summary>
public readonly record struct StemmedWord(string Word, string English, string Portuguese);

/// <summary>
/// English and Portuguese stems (seed 003's audience) of the words people write, with the Snowball stemmers (the same
/// algorithms PostgreSQL's <c>english</c> and <c>portuguese</c> configurations use). Messages mix languages and say
/// nothing about theirs, so every word gets both stems, and a query word matches the words that share either of its stems
/// ("running" → "runs", "ações" → "ação"). A word is stemmed as written (lower-cased, accents kept: the Portuguese rules
/// need them) and the stem then folded like the index, so "acao" typed without accents finds what "ação" does. Pure.
/// </summary>
public static class WordStems
{
    /// <summary>Shorter words are not stemmed: their stems would join unrelated words.</summary>
    public const int MinLength = 3;

    // Snowball stemmers keep state between calls: one pair per thread.
    [ThreadStatic] private static EnglishStemmer? english;
    [ThreadStatic] private static PortugueseStemmer? portuguese;

    /// <summary>
    /// The stemmable words of <paramref name="content"/>, each once (Latin letters only, at least <see cref="MinLength"/>
    /// long): folded, and as written. Not stemmed yet: stemming is the costly part, and most words are known already.
    /// </summary>
    public static IEnumerable<(string Folded, string Written)> WordsOf(string content)
    {
        var folded = SearchQueryParser.Fold(content);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var k = 0;
        while (k < folded.Length)
        {
            if (!char.IsLetterOrDigit(folded[k]))
            {
                k++;
                continue;
            }

            var start = k;
            while (k < folded.Length && char.IsLetterOrDigit(folded[k]))
            {
                k++;
            }

            var word = folded[start..k];
            if (IsStemmable(word) && seen.Add(word))
            {
                yield return (word, content.Substring(start, k - start));
            }
        }
    }

    /// <summary>Whether a folded word gets stems: only a–z, long enough. Other scripts are matched as written.</summary>
    public static bool IsStemmable(string foldedWord)
    {
        if (foldedWord.Length < MinLength || foldedWord.Length > 64)
        {
            return false;
        }

        foreach (var c in foldedWord)
        {
            if (c is < 'a' or > 'z')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The stems of one word: <paramref name="folded"/> as the index holds it, <paramref name="written"/> as it was typed.</summary>
    public static StemmedWord Stem(string folded, string written)
    {
        var lower = written.ToLowerInvariant();
        english ??= new EnglishStemmer();
        english.SetCurrent(lower);
        english.Stem();
        var en = SearchQueryParser.Fold(english.Current);
        portuguese ??= new PortugueseStemmer();
        // Snowball leaves the plural of -ção apart from its singular ("ações" → "aço", "ação" → "aça"); RSLP's plural rule
        // (-ões → -ão) first joins them, and -ção words are among the commonest Portuguese nouns.
        portuguese.SetCurrent(lower.EndsWith("ões", StringComparison.Ordinal) ? lower[..^3] + "ão" : lower);
        portuguese.Stem();
        var pt = SearchQueryParser.Fold(portuguese.Current);
        return new StemmedWord(folded, en, pt);
    }
}
