using Voxora.Server.Features.Search;

namespace Voxora.Server.Tests.Unit;

public sealed class WordStemsTests
{
    private static StemmedWord Stem(string written) => WordStems.Stem(SearchQueryParser.Fold(written), written);

    [Theory]
    [InlineData("running", "runs")]
    [InlineData("run", "running")]
    [InlineData("studies", "study")]
    [InlineData("meetings", "meeting")]
    public void English_forms_share_a_stem(string one, string other) => Assert.Equal(Stem(one).English, Stem(other).English);

    [Theory]
    [InlineData("ações", "ação")]
    [InlineData("canções", "canção")]
    [InlineData("trabalhando", "trabalho")]
    [InlineData("trabalhar", "trabalho")]
    [InlineData("Brasileiros", "brasileira")]
    [InlineData("casas", "casa")]
    public void Portuguese_forms_share_a_stem(string one, string other) => Assert.Equal(Stem(one).Portuguese, Stem(other).Portuguese);

    [Fact]
    public void Words_are_kept_folded_and_stems_are_folded_too()
    {
        var word = Stem("Ações");
        Assert.Equal("acoes", word.Word);
        Assert.DoesNotContain('ç', word.Portuguese);
        Assert.Equal(word.Portuguese, Stem("ação").Portuguese);
    }

    [Fact]
    public void Unrelated_words_do_not_share_a_stem()
    {
        Assert.NotEqual(Stem("run").English, Stem("ran").English);
        Assert.NotEqual(Stem("meeting").English, Stem("meat").English);
        Assert.NotEqual(Stem("trabalho").Portuguese, Stem("trator").Portuguese);
    }

    [Fact]
    public void Only_latin_words_of_three_letters_or_more_are_taken_from_a_message_each_once()
    {
        var words = WordStems.WordsOf("Running, RUNNING and ok — ações 東京 привет 42abc run").ToList();
        Assert.Equal(["running", "and", "acoes", "run"], words.Select(w => w.Folded));
        Assert.Equal(["Running", "and", "ações", "run"], words.Select(w => w.Written));
    }

    [Theory]
    [InlineData("ab", false)]
    [InlineData("abc", true)]
    [InlineData("abc1", false)]
    [InlineData("привет", false)]
    public void Stemmable_words_are_folded_latin_letters_only(string word, bool stemmable) => Assert.Equal(stemmable, WordStems.IsStemmable(word));
}
