using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// Stemming in message search (issue 19): a word finds its other English and Portuguese forms through the search
/// vocabulary, on each provider; phrases, prefixes and exclusions stay exact; highlights mark the forms found.
/// </summary>
public abstract class SearchStemmingTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private static Task<SearchResults> SearchAsync(VoxoraClient client, string communityId, string q) =>
        client.GetAsync($"api/v1/communities/{communityId}/messages/search?q={Uri.EscapeDataString(q)}&sort=newest",
            VoxoraJsonContext.Default.SearchResults);

    /// <summary>The vocabulary learns a message's words just after it is saved: wait (briefly) until the expected hits show.</summary>
    private static async Task<SearchResults> EventuallyAsync(VoxoraClient client, string communityId, string q, IReadOnlyList<string> expected)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var results = await SearchAsync(client, communityId, q);
            if (results.Hits.Select(h => h.Message.Id).SequenceEqual(expected) || waited.Elapsed > TimeSpan.FromSeconds(15))
            {
                Assert.Equal(expected, results.Hits.Select(h => h.Message.Id));
                return results;
            }

            await Task.Delay(100);
        }
    }

    private static string Marked(SearchHit hit) =>
        string.Join("|", hit.Highlights.Select(r => hit.Message.Content.Substring(r.Start, r.Length)));

    [Fact]
    public async Task A_word_finds_its_english_and_portuguese_forms_and_marks_them()
    {
        var (bob, _, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var channel = community.TextChannel().Id;
        var running = await bob.SendMessageAsync(channel, "The team was Running late again");
        var runs = await bob.SendMessageAsync(channel, "she runs the release");
        var acoes = await bob.SendMessageAsync(channel, "As Ações da empresa subiram");
        var acao = await bob.SendMessageAsync(channel, "uma ação judicial");
        var trabalhando = await bob.SendMessageAsync(channel, "estou trabalhando nisso");
        await bob.SendMessageAsync(channel, "ran out of coffee");

        var found = await EventuallyAsync(bob, community.Id, "run", [runs.Id, running.Id]);
        Assert.Equal(["runs", "Running"], found.Hits.Select(Marked));
        await EventuallyAsync(bob, community.Id, "runs", [runs.Id, running.Id]);

        var portuguese = await EventuallyAsync(bob, community.Id, "ação", [acao.Id, acoes.Id]);
        Assert.Equal(["ação", "Ações"], portuguese.Hits.Select(Marked));
        // Typed without accents: the vocabulary knows which word "acoes" is, and so its stems.
        await EventuallyAsync(bob, community.Id, "acoes", [acao.Id, acoes.Id]);
        await EventuallyAsync(bob, community.Id, "trabalho", [trabalhando.Id]);
    }

    [Fact]
    public async Task Phrases_prefixes_and_exclusions_stay_exact()
    {
        var (bob, _, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var channel = community.TextChannel().Id;
        var meetings = await bob.SendMessageAsync(channel, "weekly meetings moved");
        var meeting = await bob.SendMessageAsync(channel, "the meeting moved");
        await EventuallyAsync(bob, community.Id, "meeting", [meeting.Id, meetings.Id]);

        Assert.Equal([meeting.Id], (await SearchAsync(bob, community.Id, "\"meeting moved\"")).Hits.Select(h => h.Message.Id));
        Assert.Equal([meetings.Id], (await SearchAsync(bob, community.Id, "meetings*")).Hits.Select(h => h.Message.Id));
        // The exclusion removes the word written, not its other forms.
        Assert.Equal([meetings.Id], (await SearchAsync(bob, community.Id, "moved -meeting")).Hits.Select(h => h.Message.Id));
    }

    [Fact]
    public async Task An_edit_teaches_the_vocabulary_its_new_words()
    {
        var (bob, _, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var channel = community.TextChannel().Id;
        var message = await bob.SendMessageAsync(channel, "placeholder text");
        await bob.EditMessageAsync(channel, message.Id, "the gardens are lovely");
        await EventuallyAsync(bob, community.Id, "garden", [message.Id]);
    }
}

public sealed class SearchStemmingTestsOnSqlite(SqliteServerFixture fixture) : SearchStemmingTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class SearchStemmingTestsOnPostgres(PostgresServerFixture fixture) : SearchStemmingTests(fixture), IClassFixture<PostgresServerFixture>;
