using System.Globalization;
using System.Net;
using System.Text;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Features.Search;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// Message search (issue 19) through the API: words, phrases, exclusions, prefixes, accents and CJK; every filter; order,
/// paging, context and highlights; permission exactness, DMs, deletes and edits; the caps and refusals — on each provider.
/// </summary>
public abstract class SearchApiTests(ServerFixture fixture)
{
    private const string UnknownCommunity = "com_01ARZ3NDEKTSV4RRFFQ69G5FAV";
    private const string UnknownChannel = "ch_01ARZ3NDEKTSV4RRFFQ69G5FAV";

    private TestServer Server => fixture.Server;

    private static List<string> Found(SearchResults results) => [.. results.Hits.Select(h => h.Message.Id)];

    private static async Task<List<string>> FoundAsync(VoxoraClient client, string communityId, SearchFilters filters) =>
        Found(await client.SearchCommunityAsync(communityId, filters));

    private static async Task<List<string>> FoundAsync(VoxoraClient client, string communityId, string q) =>
        Found(await client.SearchCommunityAsync(communityId, q));

    private static Task<VoxoraApiException> TooExpensive(Func<Task> call) =>
        Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.QueryTooExpensive, call);

    private static async Task Invalid(string field, Func<Task> call)
    {
        var error = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, call);
        Assert.NotNull(error.Problem?.Errors);
        Assert.Contains(field, error.Problem!.Errors!.Keys);
    }

    [Fact]
    public async Task Words_must_all_match_and_case_does_not_matter()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var both = await owner.SendMessageAsync(channel, "The Zebra crossed the Meadow");
        var zebra = await owner.SendMessageAsync(channel, "a zebra alone");
        await owner.SendMessageAsync(channel, "a meadow alone");
        await owner.SendMessageAsync(channel, "nothing to see");

        Assert.Equal([both.Id], await FoundAsync(owner, community.Id, "zebra MEADOW"));
        Assert.Equal([zebra.Id, both.Id], await FoundAsync(owner, community.Id, new SearchFilters("ZEBRA", Sort: "newest")));
        var results = await owner.SearchCommunityAsync(community.Id, "zebra");
        Assert.Equal((2, false, (string?)null), (results.TotalResults, results.TotalCapped, results.NextCursor));
        var hit = Assert.Single(results.Hits, h => h.Message.Id == both.Id);
        Assert.Equal((channel, community.TextChannel().Name, ChannelTypes.Text, (string?)null), (hit.Channel.Id, hit.Channel.Name, hit.Channel.Type, hit.Channel.ParentId));
        Assert.Empty(await FoundAsync(owner, community.Id, "giraffe"));
        Assert.Equal(0, (await owner.SearchCommunityAsync(community.Id, "giraffe")).TotalResults);
    }

    [Fact]
    public async Task Relevance_ranks_the_better_match_first_and_newest_orders_by_time()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var strong = await owner.SendMessageAsync(channel, "apricot apricot apricot");
        var weak = await owner.SendMessageAsync(channel,
            "one apricot among a great many other words that dilute it: pears, plums, figs, dates, cherries, grapes and melons");

        Assert.Equal([strong.Id, weak.Id], await FoundAsync(owner, community.Id, "apricot"));
        Assert.Equal([strong.Id, weak.Id], await FoundAsync(owner, community.Id, new SearchFilters("apricot", Sort: "relevance")));
        Assert.Equal([weak.Id, strong.Id], await FoundAsync(owner, community.Id, new SearchFilters("apricot", Sort: "newest")));

        // Without words there is nothing to rank by: newest first either way.
        var author = new[] { (await owner.GetMeAsync()).Id };
        Assert.Equal([weak.Id, strong.Id], await FoundAsync(owner, community.Id, new SearchFilters(AuthorIds: author)));
        Assert.Equal([weak.Id, strong.Id], await FoundAsync(owner, community.Id, new SearchFilters(AuthorIds: author, Sort: "relevance")));
    }

    [Fact]
    public async Task Phrases_exclusions_and_prefixes()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var phrase = await owner.SendMessageAsync(channel, "the quick brown fox jumps");
        var reversed = await owner.SendMessageAsync(channel, "brown and quick, not in that order");
        var lazy = await owner.SendMessageAsync(channel, "the quick lazy dog");
        var galaxy = await owner.SendMessageAsync(channel, "a galaxy far away");
        var galaxies = await owner.SendMessageAsync(channel, "Galaxies collide");
        await owner.SendMessageAsync(channel, "the gal is here");

        Assert.Equal([phrase.Id], await FoundAsync(owner, community.Id, "\"quick brown\""));
        Assert.Equal([reversed.Id, phrase.Id], await FoundAsync(owner, community.Id, new SearchFilters("quick brown", Sort: "newest")));
        Assert.Equal([reversed.Id], await FoundAsync(owner, community.Id, "\"brown and quick\""));
        // An unclosed quote runs to the end.
        Assert.Equal([phrase.Id], await FoundAsync(owner, community.Id, "\"brown fox"));

        Assert.Equal([reversed.Id, phrase.Id], await FoundAsync(owner, community.Id, new SearchFilters("quick -lazy", Sort: "newest")));
        Assert.Equal([reversed.Id], await FoundAsync(owner, community.Id, "quick -lazy -\"brown fox\""));
        Assert.Equal([lazy.Id], await FoundAsync(owner, community.Id, "quick -brown"));

        Assert.Equal([galaxies.Id, galaxy.Id], await FoundAsync(owner, community.Id, new SearchFilters("galax*", Sort: "newest")));
        Assert.Equal([galaxies.Id, galaxy.Id], await FoundAsync(owner, community.Id, new SearchFilters("GALA*", Sort: "newest")));
        Assert.Empty(await FoundAsync(owner, community.Id, "galax"));
        Assert.Equal([galaxy.Id], await FoundAsync(owner, community.Id, "galax* -collide"));
        // A phrase whose last word is a prefix.
        Assert.Equal([phrase.Id], await FoundAsync(owner, community.Id, "\"quick bro\"*"));
        Assert.Empty(await FoundAsync(owner, community.Id, "\"quick bro\""));
    }

    [Fact]
    public async Task Words_inside_links_addresses_paths_and_numbers_are_found_on_both_providers()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var link = await owner.SendMessageAsync(channel, "docs at https://docs.example.org/guide?page=2");
        var dotted = await owner.SendMessageAsync(channel, "call foo.bar with pi=3.14, mail ops@mail.test, see /usr/bin");
        await owner.SendMessageAsync(channel, "nothing dotted here");

        Assert.Equal([link.Id], await FoundAsync(owner, community.Id, "example"));
        Assert.Equal([link.Id], await FoundAsync(owner, community.Id, "guide"));
        Assert.Equal([link.Id], await FoundAsync(owner, community.Id, "docs.example.org"));
        Assert.Equal([link.Id], await FoundAsync(owner, community.Id, "exam*"));
        Assert.Equal([dotted.Id], await FoundAsync(owner, community.Id, "foo.bar"));
        Assert.Equal([dotted.Id], await FoundAsync(owner, community.Id, "bar"));
        Assert.Equal([dotted.Id], await FoundAsync(owner, community.Id, "3.14"));
        Assert.Equal([dotted.Id], await FoundAsync(owner, community.Id, "ops@mail.test"));
        Assert.Equal([dotted.Id], await FoundAsync(owner, community.Id, "usr bin"));
        Assert.Empty(await FoundAsync(owner, community.Id, "bar.foo"));
        var hit = Assert.Single((await owner.SearchCommunityAsync(community.Id, "example")).Hits);
        Assert.Equal("example", link.Content.Substring(hit.Highlights[0].Start, hit.Highlights[0].Length));
    }

    [Fact]
    public async Task Accents_and_case_are_folded_both_ways()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var accented = await owner.SendMessageAsync(channel, "Meet me at the Café");
        var plain = await owner.SendMessageAsync(channel, "the cafe is closed");
        var acao = await owner.SendMessageAsync(channel, "Uma AÇÃO rápida");
        var naive = await owner.SendMessageAsync(channel, "a naïve approach to Ørsted");
        var lodz = await owner.SendMessageAsync(channel, "Łódź in spring");

        Assert.Equal([plain.Id, accented.Id], await FoundAsync(owner, community.Id, new SearchFilters("cafe", Sort: "newest")));
        Assert.Equal([plain.Id, accented.Id], await FoundAsync(owner, community.Id, new SearchFilters("café", Sort: "newest")));
        Assert.Equal([plain.Id, accented.Id], await FoundAsync(owner, community.Id, new SearchFilters("CAFÉ", Sort: "newest")));
        Assert.Equal([acao.Id], await FoundAsync(owner, community.Id, "acao"));
        Assert.Equal([acao.Id], await FoundAsync(owner, community.Id, "ação rapida"));
        Assert.Equal([acao.Id], await FoundAsync(owner, community.Id, "\"acao rápida\""));
        Assert.Equal([naive.Id], await FoundAsync(owner, community.Id, "naive ørsted"));
        Assert.Equal([naive.Id], await FoundAsync(owner, community.Id, "NAÏVE ØRSTED"));
        Assert.Equal([lodz.Id], await FoundAsync(owner, community.Id, "łódź"));
        Assert.Equal([lodz.Id], await FoundAsync(owner, community.Id, "ŁODZ"));

        // A letter with no decomposition (ø, ł): PostgreSQL's index folds it as the query is folded (ø → o); SQLite's FTS5
        // keeps it, so there only the letter itself finds it.
        List<string> onPostgres(Message m) => fixture.Provider == Provider.Postgres ? [m.Id] : [];
        Assert.Equal(onPostgres(naive), await FoundAsync(owner, community.Id, "orsted"));
        Assert.Equal(onPostgres(lodz), await FoundAsync(owner, community.Id, "lodz"));
        Assert.Equal([acao.Id], await FoundAsync(owner, community.Id, "aç*"));

        var hit = Assert.Single((await owner.SearchCommunityAsync(community.Id, "acao")).Hits);
        var range = Assert.Single(hit.Highlights);
        Assert.Equal("AÇÃO", acao.Content.Substring(range.Start, range.Length));
    }

    [Fact]
    public async Task CJK_text_is_found_by_any_substring()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var tokyo = await owner.SendMessageAsync(channel, "昨日は東京タワーに行きました");
        var osaka = await owner.SendMessageAsync(channel, "大阪城 is nice, 東京 too");
        await owner.SendMessageAsync(channel, "서울에서 만나요");

        Assert.Equal([tokyo.Id], await FoundAsync(owner, community.Id, "タワー"));
        Assert.Equal([tokyo.Id], await FoundAsync(owner, community.Id, "京タ"));
        Assert.Equal([osaka.Id, tokyo.Id], await FoundAsync(owner, community.Id, new SearchFilters("東京", Sort: "newest")));
        Assert.Equal([osaka.Id], await FoundAsync(owner, community.Id, "東京 nice"));
        Assert.Equal([tokyo.Id], await FoundAsync(owner, community.Id, "東京 -大阪"));
        Assert.Single(await FoundAsync(owner, community.Id, "서울"));
        Assert.Empty(await FoundAsync(owner, community.Id, "京都"));

        var hit = Assert.Single((await owner.SearchCommunityAsync(community.Id, "タワー")).Hits);
        var range = Assert.Single(hit.Highlights);
        Assert.Equal("タワー", tokyo.Content.Substring(range.Start, range.Length));
    }

    [Fact]
    public async Task Author_channel_and_mention_filters()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (alice, aliceUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _a = alice;
        var (bob, bobUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _b = bob;
        var general = community.TextChannel().Id;
        var other = (await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("other"))).Id;

        var byAlice = await alice.SendMessageAsync(general, "kiwi from alice");
        var byBob = await bob.SendMessageAsync(general, "kiwi from bob");
        var elsewhere = await alice.SendMessageAsync(other, "kiwi elsewhere");
        var mentioning = await bob.SendMessageAsync(other, $"kiwi for <@{aliceUser.Id}>");
        var mentionOnly = await owner.SendMessageAsync(general, $"hello <@{aliceUser.Id}> and <@{bobUser.Id}>");

        Assert.Equal([elsewhere.Id, byAlice.Id],
            await FoundAsync(bob, community.Id, new SearchFilters("kiwi", AuthorIds: [aliceUser.Id], Sort: "newest")));
        Assert.Equal([mentioning.Id, elsewhere.Id, byBob.Id, byAlice.Id],
            await FoundAsync(bob, community.Id, new SearchFilters("kiwi", AuthorIds: [aliceUser.Id, bobUser.Id], Sort: "newest")));
        Assert.Empty(await FoundAsync(bob, community.Id, new SearchFilters("kiwi", AuthorIds: [ownerUser.Id])));

        Assert.Equal([mentioning.Id, elsewhere.Id], await FoundAsync(bob, community.Id, new SearchFilters("kiwi", ChannelIds: [other], Sort: "newest")));
        Assert.Equal([byBob.Id, byAlice.Id], await FoundAsync(bob, community.Id, new SearchFilters("kiwi", ChannelIds: [general], Sort: "newest")));
        Assert.Equal(4, (await bob.SearchCommunityAsync(community.Id, new SearchFilters("kiwi", ChannelIds: [general, other]))).TotalResults);
        Assert.Equal([mentioning.Id], await FoundAsync(bob, community.Id, new SearchFilters(ChannelIds: [other], AuthorIds: [bobUser.Id])));
        Assert.Equal([elsewhere.Id], await FoundAsync(bob, community.Id, new SearchFilters("kiwi", ChannelIds: [other], AuthorIds: [aliceUser.Id])));
        Assert.Equal([mentioning.Id], await FoundAsync(bob, community.Id, new SearchFilters("kiwi -elsewhere", ChannelIds: [other])));

        // Words are looked up in the text only: a channel's or an author's id, as the index keeps them for the filters
        // (SQLite's scope column), is not a word of any message.
        foreach (var id in new[] { general, other, aliceUser.Id })
        {
            Assert.Empty(await FoundAsync(bob, community.Id, id.Replace("_", "", StringComparison.Ordinal)));
        }

        Assert.Equal([mentioning.Id], await FoundAsync(bob, community.Id, new SearchFilters("kiwi", Mentions: aliceUser.Id)));
        Assert.Equal([mentionOnly.Id, mentioning.Id], await FoundAsync(bob, community.Id, new SearchFilters(Mentions: aliceUser.Id)));
        Assert.Equal([mentionOnly.Id], await FoundAsync(bob, community.Id, new SearchFilters(Mentions: bobUser.Id)));
        Assert.Empty(await FoundAsync(bob, community.Id, new SearchFilters(Mentions: ownerUser.Id)));
    }

    [Fact]
    public async Task Has_link_file_image_and_pinned_filters()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var link = await owner.SendMessageAsync(channel, "mango recipe at https://127.0.0.1:9/mango");
        var text = await owner.UploadFileAsync(channel, "mango.txt", "text/plain", Encoding.ASCII.GetBytes("mango notes"));
        var file = await owner.SendMessageWithAttachmentsAsync(channel, "mango notes attached", [text.Id]);
        var png = await owner.UploadFileAsync(channel, "mango.png", "image/png", Png(20, 10));
        var image = await owner.SendMessageWithAttachmentsAsync(channel, "mango picture", [png.Id]);
        var bare = await owner.SendMessageAsync(channel, "mango with nothing");
        await owner.PinMessageAsync(channel, bare.Id);

        Assert.Equal([link.Id], await FoundAsync(owner, community.Id, new SearchFilters("mango", Has: ["link"])));
        Assert.Equal([image.Id, file.Id], await FoundAsync(owner, community.Id, new SearchFilters("mango", Has: ["file"], Sort: "newest")));
        Assert.Equal([image.Id], await FoundAsync(owner, community.Id, new SearchFilters("mango", Has: ["image"])));
        Assert.Empty(await FoundAsync(owner, community.Id, new SearchFilters("mango", Has: ["video"])));
        Assert.Empty(await FoundAsync(owner, community.Id, new SearchFilters("mango", Has: ["link", "file"])));
        Assert.Equal([link.Id], await FoundAsync(owner, community.Id, new SearchFilters(Has: ["link"])));

        Assert.Equal([bare.Id], await FoundAsync(owner, community.Id, new SearchFilters("mango", Pinned: "true")));
        Assert.Equal([bare.Id], await FoundAsync(owner, community.Id, new SearchFilters(Pinned: "true")));
        Assert.Equal([image.Id, file.Id, link.Id], await FoundAsync(owner, community.Id, new SearchFilters("mango", Pinned: "false", Sort: "newest")));

        // The pin's system line is not a search hit; unpinning takes it out of pinned=true at once.
        await owner.UnpinMessageAsync(channel, bare.Id);
        Assert.Empty(await FoundAsync(owner, community.Id, new SearchFilters(Pinned: "true")));
        Assert.Equal(4, (await owner.SearchCommunityAsync(community.Id, new SearchFilters("mango", Pinned: "false"))).TotalResults);
    }

    [Fact]
    public async Task Before_and_after_take_message_ids_and_dates()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var first = await owner.SendMessageAsync(channel, "lemon one");
        var second = await owner.SendMessageAsync(channel, "lemon two");
        await Task.Delay(50);
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        var third = await owner.SendMessageAsync(channel, "lemon three");

        SearchFilters Lemon(string? before = null, string? after = null) => new("lemon", Before: before, After: after, Sort: "newest");
        Assert.Equal([first.Id], await FoundAsync(owner, community.Id, Lemon(before: second.Id)));
        Assert.Equal([third.Id], await FoundAsync(owner, community.Id, Lemon(after: second.Id)));
        Assert.Empty(await FoundAsync(owner, community.Id, Lemon(before: third.Id, after: second.Id)));
        Assert.Equal([second.Id], await FoundAsync(owner, community.Id, Lemon(before: third.Id, after: first.Id)));

        var at = between.ToString("o", CultureInfo.InvariantCulture);
        Assert.Equal([second.Id, first.Id], await FoundAsync(owner, community.Id, Lemon(before: at)));
        Assert.Equal([third.Id], await FoundAsync(owner, community.Id, Lemon(after: at)));
        Assert.Equal([third.Id], await FoundAsync(owner, community.Id, new SearchFilters(After: at)));

        var tomorrow = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var yesterday = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Equal([third.Id, second.Id, first.Id], await FoundAsync(owner, community.Id, Lemon(before: tomorrow)));
        Assert.Empty(await FoundAsync(owner, community.Id, Lemon(after: tomorrow)));
        Assert.Equal([third.Id, second.Id, first.Id], await FoundAsync(owner, community.Id, Lemon(after: yesterday, before: tomorrow)));
        Assert.Empty(await FoundAsync(owner, community.Id, Lemon(before: yesterday)));
    }

    [Fact]
    public async Task Highlights_point_at_the_matched_words_and_context_surrounds_each_hit()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var before1 = await owner.SendMessageAsync(channel, "before one");
        var before2 = await owner.SendMessageAsync(channel, "before two");
        var hitMessage = await owner.SendMessageAsync(channel, "🎉 The Quick brown fox, the QUICK brown dog and quickly-brown quickness");
        var after1 = await owner.SendMessageAsync(channel, "after one");
        var after2 = await owner.SendMessageAsync(channel, "after two");
        await owner.SendMessageAsync(channel, "after three");

        var results = await owner.SearchCommunityAsync(community.Id, "\"quick brown\" dog");
        var hit = Assert.Single(results.Hits);
        Assert.Equal(hitMessage.Id, hit.Message.Id);
        var marked = hit.Highlights.Select(r => hitMessage.Content.Substring(r.Start, r.Length)).ToList();
        Assert.Equal(["Quick brown", "QUICK brown", "dog"], marked);
        Assert.Equal([before1.Id, before2.Id], hit.ContextBefore.Select(m => m.Id));
        Assert.Equal([after1.Id, after2.Id], hit.ContextAfter.Select(m => m.Id));

        var prefixed = Assert.Single((await owner.SearchCommunityAsync(community.Id, "quic* fox")).Hits);
        Assert.Equal(["Quick", "fox", "QUICK", "quickly", "quickness"],
            prefixed.Highlights.Select(r => hitMessage.Content.Substring(r.Start, r.Length)));
        Assert.True(prefixed.Highlights.Zip(prefixed.Highlights.Skip(1)).All(p => p.First.Start + p.First.Length < p.Second.Start));

        // At the edges of the channel the context is shorter; filters alone give no highlights.
        var first = Assert.Single((await owner.SearchCommunityAsync(community.Id, new SearchFilters(Before: before2.Id))).Hits);
        Assert.Equal((before1.Id, 0), (first.Message.Id, first.ContextBefore.Count));
        Assert.Empty(first.Highlights);
        Assert.Equal([before2.Id, hitMessage.Id], first.ContextAfter.Select(m => m.Id));
        var last = Assert.Single((await owner.SearchCommunityAsync(community.Id, "three")).Hits);
        Assert.Equal((2, 0), (last.ContextBefore.Count, last.ContextAfter.Count));
        Assert.Equal([after1.Id, after2.Id], last.ContextBefore.Select(m => m.Id));
    }

    [Fact]
    public async Task Pages_follow_the_cursor_without_duplicates_and_count_every_match()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        var sent = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            sent.Add((await owner.SendMessageAsync(channel, $"papaya number {i}")).Id);
        }

        await owner.SendMessageAsync(channel, "not a match");
        foreach (var sort in new[] { "newest", "relevance" })
        {
            var seen = new List<string>();
            string? cursor = null;
            var pages = 0;
            do
            {
                var page = await owner.SearchCommunityAsync(community.Id, new SearchFilters("papaya", Sort: sort, Limit: "3", Cursor: cursor));
                Assert.Equal(7, page.TotalResults);
                Assert.False(page.TotalCapped);
                Assert.True(page.Hits.Count <= 3);
                seen.AddRange(Found(page));
                cursor = page.NextCursor;
                pages++;
            }
            while (cursor is not null && pages < 10);

            Assert.Equal(3, pages);
            Assert.Equal(7, seen.Distinct().Count());
            Assert.Equal(sent.Order(), seen.Order());
            if (sort == "newest")
            {
                Assert.Equal(Enumerable.Reverse(sent), seen);
            }
        }

        // A page exactly as long as what is left has no next cursor; the default page holds them all.
        var full = await owner.SearchCommunityAsync(community.Id, new SearchFilters("papaya", Limit: "7"));
        Assert.Equal((7, (string?)null), (full.Hits.Count, full.NextCursor));
        Assert.Equal(7, (await owner.SearchCommunityAsync(community.Id, "papaya")).Hits.Count);
        Assert.Single((await owner.SearchCommunityAsync(community.Id, new SearchFilters("papaya", Limit: "1"))).Hits);
    }

    [Fact]
    public async Task Deleted_messages_are_not_found_and_edited_ones_by_their_new_text_only()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (alice, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _a = alice;
        var channel = community.TextChannel().Id;
        var doomed = await alice.SendMessageAsync(channel, "quince doomed");
        var bulk = await alice.SendMessageAsync(channel, "quince bulk");
        var bulk2 = await alice.SendMessageAsync(channel, "quince bulk too");
        var kept = await alice.SendMessageAsync(channel, "quince kept");
        var edited = await alice.SendMessageAsync(channel, "original walnut");
        Assert.Equal(4, (await alice.SearchCommunityAsync(community.Id, "quince")).TotalResults);

        await alice.DeleteMessageAsync(channel, doomed.Id);
        Assert.Equal([kept.Id, bulk2.Id, bulk.Id], await FoundAsync(alice, community.Id, new SearchFilters("quince", Sort: "newest")));
        await owner.BulkDeleteMessagesAsync(channel, [bulk.Id, bulk2.Id]);
        Assert.Equal([kept.Id], await FoundAsync(alice, community.Id, "quince"));
        Assert.Empty(await FoundAsync(alice, community.Id, "doomed"));
        Assert.Equal(1, (await alice.SearchCommunityAsync(community.Id, "quince")).TotalResults);

        Assert.Equal([edited.Id], await FoundAsync(alice, community.Id, "walnut"));
        await alice.EditMessageAsync(channel, edited.Id, "rewritten pecan");
        Assert.Empty(await FoundAsync(alice, community.Id, "walnut"));
        Assert.Empty(await FoundAsync(alice, community.Id, "original"));
        var hit = Assert.Single((await alice.SearchCommunityAsync(community.Id, "pecan")).Hits);
        Assert.Equal((edited.Id, "rewritten pecan"), (hit.Message.Id, hit.Message.Content));
        Assert.Equal("pecan", hit.Message.Content.Substring(hit.Highlights[0].Start, hit.Highlights[0].Length));

        // A deleted channel takes its messages out of the search.
        var gone = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("gone"));
        await owner.SendMessageAsync(gone.Id, "quince in a doomed channel");
        Assert.Equal(2, (await owner.SearchCommunityAsync(community.Id, "quince")).TotalResults);
        await owner.DeleteChannelAsync(gone.Id);
        Assert.Equal([kept.Id], await FoundAsync(owner, community.Id, "quince"));
    }

    [Fact]
    public async Task A_channel_hidden_by_an_override_drops_out_at_once_and_comes_back_when_allowed()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (alice, aliceUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _a = alice;
        var general = community.TextChannel().Id;
        var secret = (await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("secret"))).Id;
        var open = await owner.SendMessageAsync(general, "plum in general");
        var hidden = await owner.SendMessageAsync(secret, "plum in secret");
        var everyone = Assert.Single(await owner.GetRolesAsync(community.Id));

        SearchFilters Plum() => new("plum", Sort: "newest");
        Assert.Equal([hidden.Id, open.Id], await FoundAsync(alice, community.Id, Plum()));

        foreach (var permission in new[] { Permission.ViewChannel, Permission.ReadMessageHistory })
        {
            await owner.SetOverrideAsync(secret, "role", everyone.Id, 0, permission);
            Assert.Equal([open.Id], await FoundAsync(alice, community.Id, Plum()));
            Assert.Equal(1, (await alice.SearchCommunityAsync(community.Id, "plum")).TotalResults);
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound,
                () => alice.SearchCommunityAsync(community.Id, new SearchFilters("plum", ChannelIds: [secret])));
            await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound,
                () => alice.SearchCommunityAsync(community.Id, new SearchFilters("plum", ChannelIds: [general, secret])));
            // The owner still reads it.
            Assert.Equal([hidden.Id, open.Id], await FoundAsync(owner, community.Id, Plum()));

            await owner.DeleteOverrideAsync(secret, "role", everyone.Id);
            Assert.Equal([hidden.Id, open.Id], await FoundAsync(alice, community.Id, Plum()));
        }

        // Through a role: denied to a role alice holds, then allowed to her by a member override.
        var role = await owner.CreateRoleAsync(community.Id, new CreateRoleRequest("muted"));
        await owner.AddMemberRoleAsync(community.Id, aliceUser.Id, role.Id);
        await owner.SetOverrideAsync(secret, "role", role.Id, 0, Permission.ViewChannel);
        Assert.Equal([open.Id], await FoundAsync(alice, community.Id, Plum()));
        await owner.SetOverrideAsync(secret, "user", aliceUser.Id, Permission.ViewChannel, 0);
        Assert.Equal([hidden.Id, open.Id], await FoundAsync(alice, community.Id, Plum()));
        await owner.DeleteOverrideAsync(secret, "user", aliceUser.Id);
        Assert.Equal([open.Id], await FoundAsync(alice, community.Id, Plum()));
        await owner.RemoveMemberRoleAsync(community.Id, aliceUser.Id, role.Id);
        Assert.Equal([hidden.Id, open.Id], await FoundAsync(alice, community.Id, Plum()));
    }

    [Fact]
    public async Task Outsiders_kicked_members_and_unknown_communities_get_404()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (alice, aliceUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _a = alice;
        var (stranger, _, _) = await Server.NewUserAsync("stranger");
        using var _s = stranger;
        var (otherOwner, _, otherCommunity) = await Server.NewCommunityAsync();
        using var _oo = otherOwner;
        var channel = community.TextChannel().Id;
        await owner.SendMessageAsync(channel, "fig tree");
        await otherOwner.SendMessageAsync(otherCommunity.TextChannel().Id, "fig elsewhere");

        Assert.Single(await FoundAsync(alice, community.Id, "fig"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.SearchCommunityAsync(community.Id, "fig"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.SearchCommunityAsync(UnknownCommunity, "fig"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.SearchCommunityAsync(otherCommunity.Id, "fig"));

        // A channel of another community, or one that does not exist, is an unknown channel.
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound,
            () => owner.SearchCommunityAsync(community.Id, new SearchFilters("fig", ChannelIds: [otherCommunity.TextChannel().Id])));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound,
            () => owner.SearchCommunityAsync(community.Id, new SearchFilters("fig", ChannelIds: [UnknownChannel])));

        await owner.KickAsync(community.Id, aliceUser.Id);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.SearchCommunityAsync(community.Id, "fig"));

        using var anonymous = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.SearchCommunityAsync(community.Id, "fig"));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.SearchDirectAsync("fig"));
    }

    [Fact]
    public async Task Direct_search_finds_the_callers_DMs_only()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (alice, aliceUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _a = alice;
        var (bob, bobUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _b = bob;

        var aliceOwner = await alice.OpenDirectMessageAsync(ownerUser.Id);
        var bobOwner = await bob.OpenDirectMessageAsync(ownerUser.Id);
        var group = await owner.CreateGroupDirectMessageAsync([aliceUser.Id, bobUser.Id], "trio");
        var mine = await alice.SendMessageAsync(aliceOwner.Id, "durian for you");
        var theirs = await bob.SendMessageAsync(bobOwner.Id, "durian for me");
        var grouped = await owner.SendMessageAsync(group.Id, "durian for all");
        var inCommunity = await alice.SendMessageAsync(community.TextChannel().Id, "durian in public");

        Assert.Equal([grouped.Id, mine.Id], await FoundAsync(alice, new SearchFilters("durian", Sort: "newest")));
        Assert.Equal([grouped.Id, theirs.Id], await FoundAsync(bob, new SearchFilters("durian", Sort: "newest")));
        Assert.Equal([grouped.Id, theirs.Id, mine.Id], await FoundAsync(owner, new SearchFilters("durian", Sort: "newest")));
        var hit = Assert.Single((await alice.SearchDirectAsync("durian")).Hits, h => h.Message.Id == mine.Id);
        Assert.Equal((aliceOwner.Id, (string?)null, ChannelTypes.DirectMessage), (hit.Channel.Id, hit.Channel.Name, hit.Channel.Type));

        // Community messages are not in the DM search, nor DMs in the community's.
        Assert.Equal([inCommunity.Id], await FoundAsync(alice, community.Id, "durian"));

        // A DM channel the caller is not in cannot be named as a filter.
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound,
            () => alice.SearchDirectAsync(new SearchFilters("durian", ChannelIds: [bobOwner.Id])));
        Assert.Equal([mine.Id], await FoundAsync(alice, new SearchFilters("durian", ChannelIds: [aliceOwner.Id])));
        Assert.Equal([grouped.Id], await FoundAsync(alice, new SearchFilters(AuthorIds: [ownerUser.Id])));

        // Leaving a group DM takes its messages out of the leaver's search.
        await alice.LeaveDirectChannelAsync(group.Id);
        Assert.Equal([mine.Id], await FoundAsync(alice, "durian"));
        Assert.Equal(2, (await bob.SearchDirectAsync("durian")).TotalResults);

        var (stranger, _, _) = await Server.NewUserAsync("stranger");
        using var _s = stranger;
        var empty = await stranger.SearchDirectAsync("durian");
        Assert.Equal((0, 0, (string?)null), (empty.TotalResults, empty.Hits.Count, empty.NextCursor));
    }

    private static async Task<List<string>> FoundAsync(VoxoraClient client, SearchFilters filters) => Found(await client.SearchDirectAsync(filters));

    private static async Task<List<string>> FoundAsync(VoxoraClient client, string q) => Found(await client.SearchDirectAsync(q));

    [Fact]
    public async Task Queries_beyond_the_caps_are_refused_as_too_expensive()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel().Id;
        await owner.SendMessageAsync(channel, "alpha beta gamma");
        var id = community.Id;

        await TooExpensive(() => owner.SearchCommunityAsync(id, new SearchFilters()));
        await TooExpensive(() => owner.SearchCommunityAsync(id, ""));
        await TooExpensive(() => owner.SearchCommunityAsync(id, "   !!! ... "));
        await TooExpensive(() => owner.SearchDirectAsync(new SearchFilters()));
        await TooExpensive(() => owner.SearchCommunityAsync(id, "-alpha"));
        await TooExpensive(() => owner.SearchCommunityAsync(id, "-alpha -\"beta gamma\""));
        await TooExpensive(() => owner.SearchDirectAsync("-alpha"));
        // With a filter, exclusions alone are a fine query.
        Assert.Empty(await FoundAsync(owner, id, new SearchFilters("-alpha", AuthorIds: [ownerUser.Id])));
        Assert.Single(await FoundAsync(owner, id, new SearchFilters("-delta", ChannelIds: [channel])));

        Assert.Single(await FoundAsync(owner, id, "alpha beta gamma alpha beta gamma alpha beta gamma alpha"));
        await TooExpensive(() => owner.SearchCommunityAsync(id, "alpha beta gamma alpha beta gamma alpha beta gamma alpha beta"));
        await TooExpensive(() => owner.SearchCommunityAsync(id, "\"a b\" \"c d\" e f g h i j k l m"));
        Assert.Single(await FoundAsync(owner, id, "alpha -a -b -c -d -e"));
        await TooExpensive(() => owner.SearchCommunityAsync(id, "alpha -a -b -c -d -e -f"));

        Assert.Single(await FoundAsync(owner, id, "al*"));
        await TooExpensive(() => owner.SearchCommunityAsync(id, "a*"));
        await TooExpensive(() => owner.SearchCommunityAsync(id, "alpha b*"));
        await TooExpensive(() => owner.SearchCommunityAsync(id, "*"));

        // Paging stops 1,000 hits deep.
        Assert.Empty((await owner.SearchCommunityAsync(id, new SearchFilters("alpha", Cursor: SearchEndpoints.WriteCursor(975)))).Hits);
        // A page reaching past it is shortened, so a next_cursor given with any limit is answered.
        Assert.Empty((await owner.SearchCommunityAsync(id, new SearchFilters("alpha", Cursor: SearchEndpoints.WriteCursor(976)))).Hits);
        Assert.Empty((await owner.SearchCommunityAsync(id, new SearchFilters("alpha", Limit: "7", Cursor: SearchEndpoints.WriteCursor(994)))).Hits);
        await TooExpensive(() => owner.SearchCommunityAsync(id, new SearchFilters("alpha", Limit: "1", Cursor: SearchEndpoints.WriteCursor(1000))));
        Assert.Empty((await owner.SearchCommunityAsync(id, new SearchFilters("alpha", Limit: "1", Cursor: SearchEndpoints.WriteCursor(999)))).Hits);
        await Invalid("cursor", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", Cursor: SearchEndpoints.WriteCursor(1001))));
    }

    [Fact]
    public async Task Malformed_parameters_are_refused_with_400_naming_the_field()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var id = community.Id;
        await owner.SendMessageAsync(community.TextChannel().Id, "alpha");
        var me = (await owner.GetMeAsync()).Id;

        await owner.SearchCommunityAsync(id, "alpha " + new string('x', SearchLimits.MaxQueryLength - 6));
        await Invalid("q", () => owner.SearchCommunityAsync(id, "alpha " + new string('x', SearchLimits.MaxQueryLength - 5)));
        await Invalid("q", () => owner.SearchDirectAsync(new string('x', 300)));
        await Invalid("limit", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", Limit: "0")));
        await Invalid("limit", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", Limit: "26")));
        await Invalid("limit", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", Limit: "-1")));
        await Invalid("limit", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", Limit: "ten")));
        await Invalid("sort", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", Sort: "bogus")));
        await Invalid("before", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", Before: "notadate")));
        await Invalid("after", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", After: "2026-13-45")));
        await Invalid("after", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", After: "1999-01-01")));
        await Invalid("has", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", Has: ["bogus"])));
        await Invalid("has", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", Has: ["link", "LINK"])));
        await Invalid("pinned", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", Pinned: "yes")));
        await Invalid("author_id", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", AuthorIds: ["bob"])));
        await Invalid("author_id", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", AuthorIds: [.. Enumerable.Repeat(me, 11)])));
        await Invalid("channel_id", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", ChannelIds: [me])));
        await Invalid("mentions", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", Mentions: "someone")));
        await Invalid("cursor", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", Cursor: "garbage!")));
        await Invalid("cursor", () => owner.SearchCommunityAsync(id, new SearchFilters("alpha", Cursor: Convert.ToBase64String(Encoding.ASCII.GetBytes("o:-5")))));
    }

    [Fact]
    public async Task Search_has_its_own_per_user_rate_limit()
    {
        await using var server = await TestServer.StartAsync(fixture.Provider, new Dictionary<string, string?> { ["RATELIMITING:SEARCH_PER_MINUTE"] = "3" });
        var (owner, _, community) = await server.NewCommunityAsync();
        using var _o = owner;
        var (alice, _) = await server.NewMemberAsync(owner, community.Id);
        using var _a = alice;
        await owner.SearchCommunityAsync(community.Id, "one");
        await owner.SearchDirectAsync("two");
        await owner.SearchCommunityAsync(community.Id, "three");
        var limited = await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited, () => owner.SearchCommunityAsync(community.Id, "four"));
        Assert.NotNull(limited.RetryAfter);
        await Expect.Problem(HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited, () => owner.SearchDirectAsync("five"));

        // Per user, and only search: the rest of the API still answers, and another member still searches.
        await owner.GetMeAsync();
        await owner.SendMessageAsync(community.TextChannel().Id, "still talking");
        await alice.SearchCommunityAsync(community.Id, "talking");
    }

    private static byte[] Png(int width, int height)
    {
        using var black = NetVips.Image.Black(width, height, bands: 3);
        using var sum = black + new double[] { 200, 40, 90 };
        using var image = sum.Cast(NetVips.Enums.BandFormat.Uchar);
        return image.PngsaveBuffer();
    }
}

public sealed class SearchApiTestsOnSqlite(SqliteServerFixture fixture) : SearchApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class SearchApiTestsOnPostgres(PostgresServerFixture fixture) : SearchApiTests(fixture), IClassFixture<PostgresServerFixture>;
