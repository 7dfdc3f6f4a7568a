using Voxora.Protocol;
using Voxora.Server.Features.Search;

namespace Voxora.Server.Tests.Unit;

/// <summary>The pure rules of message search: reading a query, folding, the caps, highlight ranges, index expressions and parameters.</summary>
public sealed class SearchRulesTests
{
    private static SearchQuery Parse(string text)
    {
        var query = SearchQueryParser.Parse(text, out var error);
        Assert.Null(error);
        return Assert.IsType<SearchQuery>(query);
    }

    private static string Refused(string text)
    {
        Assert.Null(SearchQueryParser.Parse(text, out var error));
        return Assert.IsType<string>(error);
    }

    private static List<string> Marked(string content, string q) =>
        [.. SearchQueryParser.Highlights(content, Parse(q)).Select(r => content.Substring(r.Start, r.Length))];

    [Fact]
    public void Words_phrases_exclusions_and_prefixes_are_told_apart()
    {
        var query = Parse("  Hello \"Big  World\" -spam -\"bad words\" gala*  ");
        Assert.Equal(5, query.Terms.Count);
        Assert.Equal(("hello", false, false, false), Shape(query.Terms[0]));
        Assert.Equal(("big world", false, false, false), Shape(query.Terms[1]));
        Assert.Equal(("spam", false, true, false), Shape(query.Terms[2]));
        Assert.Equal(("bad words", false, true, false), Shape(query.Terms[3]));
        Assert.Equal(("gala", true, false, false), Shape(query.Terms[4]));
        Assert.Equal(["hello", "big world", "gala"], query.Included.Select(t => string.Join(' ', t.Lexemes)));
        Assert.Equal(["spam", "bad words"], query.Excluded.Select(t => string.Join(' ', t.Lexemes)));
        Assert.False(query.IsEmpty);

        static (string, bool, bool, bool) Shape(SearchTerm t) => (string.Join(' ', t.Lexemes), t.Prefix, t.Excluded, t.Substring);
    }

    [Fact]
    public void Punctuation_splits_words_and_a_lone_dash_or_punctuation_is_nothing()
    {
        Assert.Equal(["don", "t"], Parse("don't").Terms.Single().Lexemes);
        Assert.Equal(["foo", "bar", "baz"], Parse("foo.bar/baz").Terms.Single().Lexemes);
        // A dash followed by a space is not an exclusion, and holds no word.
        var query = Parse("cats - dogs");
        Assert.Equal(["cats", "dogs"], query.Terms.Select(t => t.Lexemes.Single()));
        Assert.All(query.Terms, t => Assert.False(t.Excluded));
        Assert.True(Parse("").IsEmpty);
        Assert.True(Parse("   ").IsEmpty);
        Assert.True(Parse("!!! ... ,,,").IsEmpty);
        Assert.True(Parse("\"\"").IsEmpty);
        // A dash inside a word is punctuation; one starting a word excludes it.
        Assert.Equal(["well", "known"], Parse("well-known").Terms.Single().Lexemes);
        Assert.False(Parse("well-known").Terms.Single().Excluded);
        Assert.True(Parse("--twice").Terms.Single().Excluded);
        // An unclosed quote runs to the end of the query.
        Assert.Equal(["open", "phrase", "here"], Parse("\"open phrase here").Terms.Single().Lexemes);
    }

    [Theory]
    [InlineData("Café", "cafe")]
    [InlineData("AÇÃO", "acao")]
    [InlineData("Ørsted", "orsted")]
    [InlineData("Łódź", "lodz")]
    [InlineData("straße", "straße")]
    [InlineData("ΆΛΦΑ", "άλφα")]
    [InlineData("Йод", "йод")]
    [InlineData("東京", "東京")]
    public void Folding_lowers_case_and_takes_accents_off_latin_letters(string text, string folded)
    {
        Assert.Equal(folded.Normalize(), SearchQueryParser.Fold(text).Normalize());
        Assert.Equal(text.Length, SearchQueryParser.Fold(text).Length);
    }

    [Fact]
    public void The_fold_table_maps_each_accented_letter_to_one_plain_one()
    {
        Assert.Equal(SearchQueryParser.Accented.Length, SearchQueryParser.Plain.Length);
        Assert.Equal(SearchQueryParser.Accented.Length, SearchQueryParser.Accented.Distinct().Count());
        Assert.All(SearchQueryParser.Plain, c => Assert.Equal(c, char.ToLowerInvariant(c)));
    }

    [Theory]
    [InlineData("Ação", "ação")]
    [InlineData("Ørsted", "ørsted")]
    [InlineData("ŁÓDŹ", "łódź")]
    [InlineData("Йод", "йод")]
    [InlineData("άλφα", "άλφα")]
    public void Fts5_lexemes_are_lowered_but_left_for_fts5_to_fold(string text, string expected) =>
        Assert.Equal(expected.Normalize(), Assert.Single(SearchQueryParser.Fts5Lexemes(text)).Normalize());

    [Fact]
    public void Fts5_lexemes_line_up_with_the_folded_ones()
    {
        foreach (var text in new[] { "Ørsted's Łódź-trip", "Ação rápida, já!", "don't stop", "e\u0301te\u0301 x" })
        {
            Assert.Equal(SearchQueryParser.Lexemes(text).Count, SearchQueryParser.Fts5Lexemes(text).Count);
        }

        var term = Parse("-\"Ørsted Łódź\"").Terms.Single();
        Assert.Equal(["orsted", "lodz"], term.Lexemes);
        Assert.Equal(["ørsted", "łódź"], term.Fts5Lexemes);
    }

    [Fact]
    public void CJK_terms_are_substrings_and_never_prefixes()
    {
        var term = Parse("東京タワー").Terms.Single();
        Assert.True(term.Substring);
        Assert.Equal("東京タワー", term.Text);
        Assert.True(Parse("서울").Terms.Single().Substring);
        Assert.True(Parse("ひらがな").Terms.Single().Substring);
        Assert.False(Parse("tokyo").Terms.Single().Substring);
        var prefixed = Parse("東京*").Terms.Single();
        Assert.True(prefixed.Substring);
        Assert.False(prefixed.Prefix);
        Assert.True(Parse("-大阪").Terms.Single() is { Excluded: true, Substring: true });
    }

    [Fact]
    public void The_caps_on_terms_exclusions_and_prefixes()
    {
        Assert.Equal(SearchLimits.MaxTerms, Parse(string.Join(' ', Enumerable.Range(0, SearchLimits.MaxTerms).Select(i => $"w{i}"))).Terms.Count);
        Assert.Contains("10", Refused(string.Join(' ', Enumerable.Range(0, SearchLimits.MaxTerms + 1).Select(i => $"w{i}"))));
        // Phrases count as one term each, exclusions count too, and so do terms of punctuation only.
        Assert.Equal(SearchLimits.MaxTerms, Parse(string.Join(' ', Enumerable.Range(0, SearchLimits.MaxTerms).Select(i => $"\"a{i} b{i} c{i}\""))).Terms.Count);
        Refused("a b c d e f g h i -j -k");
        Refused("a b c d e f g h i j ...");

        Assert.Equal(SearchLimits.MaxExclusions, Parse("word -a -b -c -d -e").Excluded.Count());
        Assert.Contains("5", Refused("word -a -b -c -d -e -f"));

        Assert.Single(Parse("ab*").Terms, t => t.Prefix);
        // A star right after a phrase makes its last word a prefix (not a second, empty term refused as "a*" is).
        var phrasePrefix = Assert.Single(Parse("\"big wo\"*").Terms);
        Assert.True(phrasePrefix.Prefix);
        Assert.Equal(["big", "wo"], phrasePrefix.Lexemes);
        Assert.Equal("\"big wo\"*", SearchStore.FtsQuery([phrasePrefix], " AND "));
        Assert.Equal("('big' <-> 'wo':*)", SearchStore.TsQuery([phrasePrefix], " & "));
        Assert.Contains("2", Refused("\"big w\"*"));
        Assert.Contains("2", Refused("a*"));
        Refused("*");
        Refused("word -x*");
        // A prefix is counted in lexemes, not characters: "é*" is one letter.
        Refused("é*");
        Refused("..a*");
    }

    [Fact]
    public void A_filter_is_a_term_of_the_scope_column_one_token_per_id()
    {
        Assert.Equal("{scope} : (\"ch01arz3ndektsv4rrffq69g5fav\" OR \"usr01arz3ndektsv4rrffq69g5fav\")",
            SearchStore.ScopeQuery(["ch_01ARZ3NDEKTSV4RRFFQ69G5FAV", "usr_01ARZ3NDEKTSV4RRFFQ69G5FAV"]));

        // PostgreSQL: the ids verbatim, every channel of the filter OR-ed, AND every author; nothing without a filter.
        SearchRequest Request(string[] authors, string[] channels) =>
            new(Parse("kiwi"), authors, channels, null, [], null, null, null, false, 25, 0);
        Assert.Equal("('ch_A' | 'ch_B') & ('usr_C')", SearchStore.ScopeTsQuery(Request(["usr_C"], ["ch_A", "ch_B"]), ["ch_A", "ch_B"]));
        Assert.Equal("('usr_C' | 'usr_D')", SearchStore.ScopeTsQuery(Request(["usr_C", "usr_D"], []), ["ch_A", "ch_B"]));
        Assert.Null(SearchStore.ScopeTsQuery(Request([], []), ["ch_A"]));
    }

    [Fact]
    public void Highlights_cover_words_phrases_and_prefixed_words_in_the_original_text()
    {
        Assert.Equal(["Café", "CAFE"], Marked("Café or CAFE, not cafeteria", "cafe"));
        Assert.Equal(["cafeteria"], Marked("Café or CAFE, not cafeteria", "cafet*"));
        Assert.Equal(["Café", "CAFE", "cafeteria"], Marked("Café or CAFE, not cafeteria", "caf*"));
        Assert.Equal(["Quick  brown"], Marked("Quick  brown fox", "\"quick brown\""));
        Assert.Equal(["quick", "quick"], Marked("quick fox, quick-brown", "quick -brown"));
        Assert.Equal(["quick-brown"], Marked("quick fox, quick-brown", "\"quick brown\""));
        Assert.Empty(Marked("quickly", "quick"));
        Assert.Equal(["AÇÃO"], Marked("Uma AÇÃO", "acao"));
        Assert.Equal(["東京"], Marked("昨日東京へ", "東京"));
        Assert.Equal(["東京", "東京"], Marked("東京と東京", "東京"));
    }

    [Fact]
    public void Highlight_ranges_are_utf16_sorted_and_merged_where_they_touch()
    {
        const string content = "🎉 one two three";
        var ranges = SearchQueryParser.Highlights(content, Parse("three one"));
        Assert.Equal([new TextRange(3, 3), new TextRange(11, 5)], ranges);

        // Overlapping terms merge into one range; adjacent words do not.
        Assert.Equal([new TextRange(3, 7)], SearchQueryParser.Highlights(content, Parse("\"one two\" two")));
        Assert.Equal([new TextRange(3, 3), new TextRange(7, 3)], SearchQueryParser.Highlights(content, Parse("one two")));
        Assert.Equal([new TextRange(3, 13)], SearchQueryParser.Highlights(content, Parse("\"one two\" \"two three\"")));
        Assert.Empty(SearchQueryParser.Highlights(content, Parse("four")));
        Assert.Empty(SearchQueryParser.Highlights("", Parse("four")));
    }

    [Fact]
    public void Index_expressions_quote_each_term()
    {
        var query = Parse("\"big world\" gala* Ørsted");
        Assert.Equal("\"big world\" AND \"gala\"* AND \"ørsted\"", SearchStore.FtsQuery(query.Terms, " AND "));
        Assert.Equal("\"ação\" OR \"aç\"*", SearchStore.FtsQuery(Parse("Ação AÇ*").Terms, " OR "));
        Assert.Equal("('big' <-> 'world') & ('gala':*) & ('orsted')", SearchStore.TsQuery(query.Terms, " & "));
        Assert.Equal("('don' <-> 't') | ('x')", SearchStore.TsQuery(Parse("don't x").Terms, " | "));
    }

    private static (SearchRequest? Request, string? Refusal) Read(SearchEndpoints.SearchParameters parameters)
    {
        var (request, tooExpensive, invalid) = SearchEndpoints.Read(parameters);
        Assert.True((request is null) == (tooExpensive is not null || invalid is not null));
        return (request, tooExpensive is not null ? "too_expensive" : invalid is not null ? string.Join(",", invalid.ProblemDetails.Errors.Keys.Order()) : null);
    }

    [Fact]
    public void Parameters_are_read_with_their_defaults_and_a_cursor_round_trips()
    {
        var (request, refusal) = Read(new() { Q = "hello" });
        Assert.Null(refusal);
        Assert.Equal((SearchLimits.MaxPageSize, 0, false, (bool?)null), (request!.Limit, request.Offset, request.Newest, request.Pinned));

        (request, _) = Read(new() { Q = "hello", Sort = "newest", Limit = "5", Pinned = "false", Cursor = SearchEndpoints.WriteCursor(40), Has = ["link", "link", "file"] });
        Assert.Equal((5, 40, true, (bool?)false), (request!.Limit, request.Offset, request.Newest, request.Pinned));
        Assert.Equal(["link", "file"], request.Has);

        (request, _) = Read(new() { Before = "2026-12-01", After = "387711106279276544" });
        Assert.Equal(387711106279276544L, request!.AfterId);
        Assert.Equal(Voxora.Server.Infrastructure.Snowflake.FirstAt(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)), request.BeforeId);
        Assert.Matches("^[A-Za-z0-9_-]+$", SearchEndpoints.WriteCursor(1000));
    }

    [Fact]
    public void Bad_parameters_are_invalid_and_costly_queries_too_expensive()
    {
        Assert.Equal("limit", Read(new() { Q = "x", Limit = "0" }).Refusal);
        Assert.Equal("limit", Read(new() { Q = "x", Limit = "26" }).Refusal);
        Assert.Equal("limit", Read(new() { Q = "x", Limit = "+5" }).Refusal);
        Assert.Equal("sort", Read(new() { Q = "x", Sort = "Newest" }).Refusal);
        Assert.Equal("before", Read(new() { Q = "x", Before = "soon" }).Refusal);
        Assert.Equal("after", Read(new() { Q = "x", After = "2023-12-31" }).Refusal);
        Assert.Equal("has", Read(new() { Q = "x", Has = ["gif"] }).Refusal);
        Assert.Equal("pinned", Read(new() { Q = "x", Pinned = "1" }).Refusal);
        Assert.Equal("author_id,channel_id,mentions", Read(new() { Q = "x", AuthorId = ["ch_01ARZ3NDEKTSV4RRFFQ69G5FAV"], ChannelId = ["usr_01ARZ3NDEKTSV4RRFFQ69G5FAV"], Mentions = "me" }).Refusal);
        Assert.Equal("q", Read(new() { Q = new string('x', SearchLimits.MaxQueryLength + 1) }).Refusal);
        Assert.Equal("cursor", Read(new() { Q = "x", Cursor = SearchEndpoints.WriteCursor(0) }).Refusal);
        Assert.Equal("cursor", Read(new() { Q = "x", Cursor = SearchEndpoints.WriteCursor(SearchLimits.MaxOffset + 1) }).Refusal);
        Assert.Equal("cursor", Read(new() { Q = "x", Cursor = new string('A', 33) }).Refusal);
        Assert.Equal("cursor", Read(new() { Q = "x", Cursor = "%%%" }).Refusal);

        Assert.Equal("too_expensive", Read(new()).Refusal);
        Assert.Equal("too_expensive", Read(new() { Q = "-spam" }).Refusal);
        Assert.Null(Read(new() { Q = "-spam", Pinned = "true" }).Refusal);
        Assert.Null(Read(new() { Has = ["file"] }).Refusal);
        Assert.Equal("too_expensive", Read(new() { Q = "x*" }).Refusal);
        Assert.Equal("too_expensive", Read(new() { Q = "x", Cursor = SearchEndpoints.WriteCursor(SearchLimits.MaxOffset) }).Refusal);
        Assert.Null(Read(new() { Q = "x", Cursor = SearchEndpoints.WriteCursor(SearchLimits.MaxOffset - SearchLimits.MaxPageSize) }).Refusal);

        // The last page before the depth is shortened to end there, never refused.
        Assert.Equal(SearchLimits.MaxPageSize, Read(new() { Q = "x", Cursor = SearchEndpoints.WriteCursor(SearchLimits.MaxOffset - SearchLimits.MaxPageSize) }).Request!.Limit);
        Assert.Equal(6, Read(new() { Q = "x", Limit = "7", Cursor = SearchEndpoints.WriteCursor(994) }).Request!.Limit);
        Assert.Equal(1, Read(new() { Q = "x", Cursor = SearchEndpoints.WriteCursor(SearchLimits.MaxOffset - 1) }).Request!.Limit);
    }
}
