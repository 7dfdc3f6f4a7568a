using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using Voxora.Client;
using Voxora.Protocol;

namespace Voxora.Bench.Scenarios;

/// <summary>
/// <c>search</c>: M messages of varied text (a Zipf-distributed vocabulary of English, Portuguese with accents and made-up
/// words) by a few authors in C channels of the bench community, seeded straight into the database like
/// <see cref="HistoryScenario"/> (the index is kept by the SQLite triggers, by the GIN index on PostgreSQL), then the
/// index rebuilt once and timed (SQLite <c>INSERT INTO messages_fts(messages_fts) VALUES('rebuild')</c>, PostgreSQL
/// <c>REINDEX INDEX ix_messages_search</c>) and its size read; then workers run the typical queries of
/// <see cref="Kinds"/> over HTTP → latency per kind and overall. Every answer is checked: hits where there must be some,
/// the rare word exactly as often as it was seeded, filters and order respected.
/// </summary>
public static class SearchScenario
{
    /// <summary>Node id of the seeded Snowflakes: the server mints 0 and the history seed 1, so none collide.</summary>
    public const int SeedNode = 2;

    /// <summary>The rare word, planted in exactly <see cref="SearchCorpus.RareCount"/> messages; searched unaccented.</summary>
    public const string RareWord = "açaí";

    /// <summary>The phrase planted at the start of every <see cref="PhraseEvery"/>th message (its words are also in the vocabulary).</summary>
    public const string Phrase = "bom dia";

    public const int PhraseEvery = 200;

    /// <summary>Authors the messages are spread over (the owner and the first members).</summary>
    public const int Authors = 8;

    /// <summary>The query kinds, issued in turn (one after the other across all workers).</summary>
    public static readonly string[] Kinds = ["common", "rare", "phrase", "author", "channel", "newest"];

    /// <summary>Common words: ranks 3–8 of the vocabulary, each in roughly 10–25 % of the messages.</summary>
    private static readonly string[] CommonWords = ["and", "você", "is", "não", "it", "para"];

    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<BenchWorld, SearchCorpus> Seeded = [];

    /// <summary>What was seeded on a world: its channels, authors and how often the planted words occur.</summary>
    public sealed record SearchCorpus(IReadOnlyList<string> ChannelIds, IReadOnlyList<string> AuthorIds, int Messages, int RareCount, int PhraseCount);

    public static async Task<ScenarioResult> RunAsync(BenchWorld world, BenchOptions o, CancellationToken ct)
    {
        await world.RefreshIfOldAsync(ct);
        var result = new ScenarioResult("search", world.Target.Provider);
        result.Parameters["messages"] = o.Messages.ToString(CultureInfo.InvariantCulture);
        result.Parameters["channels"] = o.Channels.ToString(CultureInfo.InvariantCulture);
        result.Parameters["concurrency"] = o.Concurrency.ToString(CultureInfo.InvariantCulture);
        result.Parameters["duration_s"] = o.DurationSeconds.ToString(CultureInfo.InvariantCulture);
        result.Parameters["limit"] = SearchLimits.MaxPageSize.ToString(CultureInfo.InvariantCulture);

        if (!Seeded.TryGetValue(world, out var corpus))
        {
            corpus = await PrepareAsync(world, o, result, ct);
            Seeded[world] = corpus;
        }

        var perKind = Kinds.ToDictionary(k => k, _ => new Histogram());
        var overall = new Histogram();
        long searches = 0, wrong = 0, errors = 0;
        string? firstProblem = null;
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(o.WarmupSeconds * Stopwatch.Frequency);
        var end = measureFrom + (long)(o.DurationSeconds * Stopwatch.Frequency);
        ResourceWatch? watch = null;
        var watchGate = new Lock();
        var communityId = world.Community.Id;
        long issued = -1;
        var workers = Enumerable.Range(0, Math.Max(1, o.Concurrency)).Select(w => Task.Run(async () =>
        {
            var client = world.Owner.Client;
            var random = new Random(w * 7919);
            while (!ct.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                // Past the deadline, but only once every kind has been issued: a tiny run on a slow server still checks them all.
                if (t0 >= end && Interlocked.Read(ref issued) >= Kinds.Length - 1)
                {
                    return;
                }

                if (t0 >= measureFrom && watch is null)
                {
                    lock (watchGate)
                    {
                        watch ??= new ResourceWatch(world.Target);
                    }
                }

                // Round-robin over all workers: any six searches in a row cover every kind.
                var kind = Kinds[Interlocked.Increment(ref issued) % Kinds.Length];
                var (query, check) = Query(kind, corpus, random);
                try
                {
                    var answer = await client.GetAsync($"api/v1/communities/{Uri.EscapeDataString(communityId)}/messages/search?{query}",
                        VoxoraJsonContext.Default.SearchResults, ct);
                    var t1 = Stopwatch.GetTimestamp();
                    var problem = answer.Hits.Count == 0 ? $"{kind}: no hits for {query}" : check(answer);
                    if (problem is not null)
                    {
                        Interlocked.Increment(ref wrong);
                        Interlocked.CompareExchange(ref firstProblem, problem, null);
                    }

                    if (t0 >= measureFrom)
                    {
                        perKind[kind].RecordTicks(t1 - t0);
                        overall.RecordTicks(t1 - t0);
                        Interlocked.Increment(ref searches);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or VoxoraApiException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstProblem, $"{kind} ({query}): {ex.Message}", null);
                }
            }
        }, CancellationToken.None)).ToList();
        await Task.WhenAll(workers);

        result.Add("searches_per_s", searches / o.DurationSeconds);
        result.Add("searches", searches);
        result.AddLatency("search", overall);
        foreach (var kind in Kinds)
        {
            result.Add(kind + "_p50_ms", perKind[kind].PercentileMs(0.50));
            result.Add(kind + "_p99_ms", perKind[kind].PercentileMs(0.99));
        }

        result.Add("wrong_answers", wrong);
        result.Add("errors", errors);
        if (watch is not null)
        {
            await watch.FinishAsync(result, searches, "search");
        }

        if (wrong > 0 || errors > 0)
        {
            result.Failures.Add($"{wrong} wrong answers, {errors} errors; first: {firstProblem}");
        }

        if (searches == 0)
        {
            result.Failures.Add("no search was run");
        }

        return result;
    }

    /// <summary>The query string of one search of <paramref name="kind"/> and the check its answer must pass (null = right).</summary>
    private static (string Query, Func<SearchResults, string?> Check) Query(string kind, SearchCorpus corpus, Random random)
    {
        static string Q(string q) => "q=" + Uri.EscapeDataString(q);
        var common = CommonWords[random.Next(CommonWords.Length)];
        switch (kind)
        {
            case "common":
                return (Q(common), a => AllContain(a, common));
            case "rare":
                // Typed without its accents: the index folds them ("acai" finds "açaí").
                return (Q("acai"), a =>
                    a.TotalResults != corpus.RareCount || a.TotalCapped
                        ? $"rare: total_results {a.TotalResults}{(a.TotalCapped ? " (capped)" : "")}, seeded {corpus.RareCount}"
                        : AllContain(a, "acai"));
            case "phrase":
                return (Q("\"" + Phrase + "\""), a =>
                    a.TotalResults < Math.Min(corpus.PhraseCount, SearchLimits.MaxCountedResults)
                        ? $"phrase: total_results {a.TotalResults}, at least {corpus.PhraseCount} seeded"
                        : AllContain(a, "bom") ?? AllContain(a, "dia"));
            case "author":
                var author = corpus.AuthorIds[random.Next(corpus.AuthorIds.Count)];
                return (Q(common) + "&author_id=" + author, a =>
                    a.Hits.FirstOrDefault(h => h.Message.Author.Id != author) is { } h
                        ? $"author: hit {h.Message.Id} is by {h.Message.Author.Id}, not {author}"
                        : AllContain(a, common));
            case "channel":
                var channel = corpus.ChannelIds[random.Next(corpus.ChannelIds.Count)];
                return (Q(common) + "&channel_id=" + channel, a =>
                    a.Hits.FirstOrDefault(h => h.Channel.Id != channel || h.Message.ChannelId != channel) is { } h
                        ? $"channel: hit {h.Message.Id} is in {h.Message.ChannelId}, not {channel}"
                        : AllContain(a, common));
            case "newest":
                return (Q(common) + "&sort=newest", a =>
                {
                    var ids = a.Hits.Select(h => long.Parse(h.Message.Id, CultureInfo.InvariantCulture)).ToList();
                    for (var i = 1; i < ids.Count; i++)
                    {
                        if (ids[i] >= ids[i - 1])
                        {
                            return $"newest: hit {i} ({ids[i]}) is not older than hit {i - 1} ({ids[i - 1]})";
                        }
                    }

                    return AllContain(a, common);
                });
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>Every hit's content holds <paramref name="word"/> as a word (folded) and has highlights.</summary>
    private static string? AllContain(SearchResults answer, string word)
    {
        var folded = Fold(word);
        foreach (var hit in answer.Hits)
        {
            if (hit.Highlights.Count == 0 || !Words(hit.Message.Content).Contains(folded))
            {
                return $"hit {hit.Message.Id} \"{hit.Message.Content}\" does not hold '{word}' (or has no highlights)";
            }
        }

        return null;
    }

    private static HashSet<string> Words(string content) =>
        [.. Fold(content).Split((char[])[' ', ',', '.', '!', '?', ';', ':'], StringSplitOptions.RemoveEmptyEntries)];

    private const string Accented = "áàâãäéèêëíìîïóòôõöúùûüç";
    private const string Plain = "aaaaaeeeeiiiiooooouuuuc";

    /// <summary>Lower case without accents: enough for the letters the generator uses (no ICU needed).</summary>
    private static string Fold(string text) =>
        string.Create(text.Length, text, (span, t) =>
        {
            for (var k = 0; k < t.Length; k++)
            {
                var c = char.ToLowerInvariant(t[k]);
                var at = Accented.IndexOf(c, StringComparison.Ordinal);
                span[k] = at >= 0 ? Plain[at] : c;
            }
        });

    /// <summary>Authors, channels, the seed, the timed rebuild and the index size.</summary>
    private static async Task<SearchCorpus> PrepareAsync(BenchWorld world, BenchOptions o, ScenarioResult result, CancellationToken ct)
    {
        await world.EnsureUsersAsync(Authors, ct);
        var authors = world.Users.Take(Authors).Select(u => u.User.Id).ToList();
        var channels = new List<string> { world.Channel.Id };
        var existing = (await world.Owner.Client.GetChannelsAsync(world.Community.Id, ct))
            .Where(c => c.Type == ChannelTypes.Text && c.Id != world.Channel.Id).Select(c => c.Id).ToList();
        channels.AddRange(existing.Take(o.Channels - 1));
        while (channels.Count < o.Channels)
        {
            var created = await world.Owner.Client.CreateChannelAsync(world.Community.Id, new CreateChannelRequest($"search-{channels.Count}"), ct);
            channels.Add(created.Id);
        }

        var rareCount = Math.Clamp(o.Messages / 10_000, 3, 100);
        var generator = new MessageText(o.Messages, rareCount);
        var watch = Stopwatch.StartNew();
        var target = world.Target;
        if (target.SqliteFile is { } file)
        {
            await SeedSqliteAsync(file, channels, authors, generator, o.Messages, ct);
            result.Add("seed_s", watch.Elapsed.TotalSeconds);
            var afterSeed = await SqliteIndexBytesAsync(file, ct);
            result.Add("index_mib_after_seed", afterSeed.Index / 1048576.0);
            watch.Restart();
            await SqliteAsync(file, "INSERT INTO messages_fts(messages_fts) VALUES('rebuild')", ct);
            result.Add("rebuild_s", watch.Elapsed.TotalSeconds);
            var rebuilt = await SqliteIndexBytesAsync(file, ct);
            result.Add("index_mib", rebuilt.Index / 1048576.0);
            result.Add("messages_table_mib", rebuilt.Table / 1048576.0);
            result.Notes.Add("SQLite: index = SUM(pgsize) FROM dbstat (sqlite3 tool) of messages_fts* (the whole index, including messages seeded by other scenarios); rebuild = INSERT INTO messages_fts(messages_fts) VALUES('rebuild')");
        }
        else if (target.PgConnectionString is { } pg)
        {
            await SeedPostgresAsync(pg, channels, authors, generator, o.Messages, ct);
            result.Add("seed_s", watch.Elapsed.TotalSeconds);
            await using var connection = new NpgsqlConnection(pg);
            await connection.OpenAsync(ct);
            result.Add("index_mib_after_seed", await PgScalarAsync(connection, "SELECT pg_relation_size('ix_messages_search')", ct) / 1048576.0);
            watch.Restart();
            await PgScalarAsync(connection, "REINDEX INDEX ix_messages_search", ct);
            result.Add("rebuild_s", watch.Elapsed.TotalSeconds);
            await PgScalarAsync(connection, "ANALYZE messages", ct);
            result.Add("index_mib", await PgScalarAsync(connection, "SELECT pg_relation_size('ix_messages_search')", ct) / 1048576.0);
            result.Add("messages_table_mib", await PgScalarAsync(connection, "SELECT pg_table_size('messages')", ct) / 1048576.0);
            result.Notes.Add("PostgreSQL: index = pg_relation_size('ix_messages_search'); rebuild = REINDEX INDEX ix_messages_search; seeded by COPY with the index in place");
        }
        else
        {
            if (o.Messages > 20_000)
            {
                throw new InvalidOperationException("Seeding more than 20,000 messages through the API is too slow: give --seed-sqlite FILE or --seed-pg CONNSTR with --url.");
            }

            await SeedThroughApiAsync(world, channels, generator, o.Messages, ct);
            result.Add("seed_s", watch.Elapsed.TotalSeconds);
            result.Notes.Add("seeded through the API: no rebuild time or index size without database access");
        }

        Console.Error.WriteLine($"[bench] seeded {o.Messages} messages in {channels.Count} channels ({rareCount} with '{RareWord}', {generator.PhraseCount} with \"{Phrase}\"); "
            + string.Join(", ", result.Metrics.Select(m => $"{m.Key} {ScenarioResult.Format(m.Value)}")));
        return new SearchCorpus(channels, authors, o.Messages, rareCount, generator.PhraseCount);
    }

    /// <summary>Message i: channel i mod C, author i mod A (channels and authors both see every word).</summary>
    private static async Task SeedSqliteAsync(string file, List<string> channels, List<string> authors, MessageText text, int count, CancellationToken ct)
    {
        var (firstMs, epochUnixMs) = Times(count);
        await using var connection = await OpenSqliteAsync(file, ct);
        var communityId = await CommunityOfAsync(connection, channels[0], ct);
        const int Batch = 50_000;
        for (var offset = 0; offset < count; offset += Batch)
        {
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            await using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO messages (id, channel_id, community_id, author_id, content, reply_to_id, mention_ids, created_at, edited_at, mention_everyone, type, embeds_suppressed) VALUES ($id, $ch, $co, $au, $content, NULL, NULL, $created, NULL, 0, 0, 0)";
            var pId = insert.Parameters.Add("$id", SqliteType.Integer);
            var pChannel = insert.Parameters.Add("$ch", SqliteType.Text);
            insert.Parameters.AddWithValue("$co", communityId);
            var pAuthor = insert.Parameters.Add("$au", SqliteType.Text);
            var pContent = insert.Parameters.Add("$content", SqliteType.Text);
            var pCreated = insert.Parameters.Add("$created", SqliteType.Integer);
            insert.Prepare();
            for (var i = offset; i < Math.Min(count, offset + Batch); i++)
            {
                pId.Value = HistoryScenario.Snowflake(firstMs + i, SeedNode, 0);
                pChannel.Value = channels[i % channels.Count];
                pAuthor.Value = authors[i % authors.Count];
                pContent.Value = text.Next(i);
                pCreated.Value = epochUnixMs + firstMs + i;
                await insert.ExecuteNonQueryAsync(ct);
            }

            await tx.CommitAsync(ct);
        }
    }

    private static async Task SeedPostgresAsync(string connectionString, List<string> channels, List<string> authors, MessageText text, int count, CancellationToken ct)
    {
        var (firstMs, _) = Times(count);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        string communityId;
        await using (var find = new NpgsqlCommand("SELECT community_id FROM channels WHERE id = @id", connection))
        {
            find.Parameters.AddWithValue("id", channels[0]);
            communityId = (string)(await find.ExecuteScalarAsync(ct))!;
        }

        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY messages (id, channel_id, community_id, author_id, content, created_at, mention_everyone, type, embeds_suppressed) FROM STDIN (FORMAT BINARY)", ct))
        {
            // A million rows and their GIN entries take minutes on a busy machine; the default 30 s ended the run.
            importer.Timeout = TimeSpan.FromMinutes(30);
            for (var i = 0; i < count; i++)
            {
                await importer.StartRowAsync(ct);
                await importer.WriteAsync(HistoryScenario.Snowflake(firstMs + i, SeedNode, 0), NpgsqlDbType.Bigint, ct);
                await importer.WriteAsync(channels[i % channels.Count], NpgsqlDbType.Varchar, ct);
                await importer.WriteAsync(communityId, NpgsqlDbType.Varchar, ct);
                await importer.WriteAsync(authors[i % authors.Count], NpgsqlDbType.Varchar, ct);
                await importer.WriteAsync(text.Next(i), NpgsqlDbType.Varchar, ct);
                await importer.WriteAsync(Epoch.AddMilliseconds(firstMs + i).UtcDateTime, NpgsqlDbType.TimestampTz, ct);
                await importer.WriteAsync(false, NpgsqlDbType.Boolean, ct);
                await importer.WriteAsync(0, NpgsqlDbType.Integer, ct);
                await importer.WriteAsync(false, NpgsqlDbType.Boolean, ct);
            }

            await importer.CompleteAsync(ct);
        }

        await using var analyze = new NpgsqlCommand("ANALYZE messages", connection) { CommandTimeout = 600 };
        await analyze.ExecuteNonQueryAsync(ct);
    }

    private static async Task SeedThroughApiAsync(BenchWorld world, List<string> channels, MessageText text, int count, CancellationToken ct)
    {
        // Generated in order first: the text of message i depends on the ones before it (one random stream).
        var contents = Enumerable.Range(0, count).Select(text.Next).ToArray();
        var next = -1;
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var author = world.Users[i % Math.Min(Authors, world.Users.Count)];
                await author.Client.SendMessageAsync(channels[i % channels.Count], contents[i], ct: ct);
            }
        }, CancellationToken.None));
        await Task.WhenAll(workers);
    }

    /// <summary>Ids 1 ms apart ending two minutes ago (before the history seed's, which ends one minute ago).</summary>
    private static (long FirstMs, long EpochUnixMs) Times(int count)
    {
        var nowMs = (long)(TimeProvider.System.GetUtcNow() - Epoch).TotalMilliseconds;
        return (nowMs - 120_000 - count, Epoch.ToUnixTimeMilliseconds());
    }

    private static async Task<SqliteConnection> OpenSqliteAsync(string file, CancellationToken ct)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout=60000;";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    private static async Task<string> CommunityOfAsync(SqliteConnection connection, string channelId, CancellationToken ct)
    {
        await using var find = connection.CreateCommand();
        find.CommandText = "SELECT community_id FROM channels WHERE id = $id";
        find.Parameters.AddWithValue("$id", channelId);
        return (string)(await find.ExecuteScalarAsync(ct))!;
    }

    private static async Task SqliteAsync(string file, string sql, CancellationToken ct)
    {
        await using var connection = await OpenSqliteAsync(file, ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }

    private const string DbstatQuery = "SELECT (SELECT coalesce(SUM(pgsize), 0) FROM dbstat WHERE name LIKE 'messages_fts%'), (SELECT coalesce(SUM(pgsize), 0) FROM dbstat WHERE name = 'messages')";

    /// <summary>
    /// Bytes of the pages of the FTS5 index (messages_fts and its shadow tables) and of the messages table, from dbstat;
    /// the SQLite bundled with Microsoft.Data.Sqlite is built without it, so the sqlite3 command-line tool is asked
    /// (read-only) when it is installed; else NaN.
    /// </summary>
    private static async Task<(double Index, double Table)> SqliteIndexBytesAsync(string file, CancellationToken ct)
    {
        await using (var connection = await OpenSqliteAsync(file, ct))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = DbstatQuery;
            try
            {
                await using var reader = await command.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                return (reader.GetInt64(0), reader.GetInt64(1));
            }
            catch (SqliteException)
            {
                // no such table: dbstat
            }
        }

        try
        {
            var psi = new ProcessStartInfo("sqlite3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-readonly");
            psi.ArgumentList.Add("-separator");
            psi.ArgumentList.Add(" ");
            psi.ArgumentList.Add(file);
            psi.ArgumentList.Add(DbstatQuery);
            using var process = Process.Start(psi)!;
            var output = await process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            var parts = output.Trim().Split(' ');
            if (process.ExitCode == 0 && parts.Length == 2)
            {
                return (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // sqlite3 is not installed
        }

        return (double.NaN, double.NaN);
    }

    private static async Task<double> PgScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        var value = await command.ExecuteScalarAsync(ct);
        return value is null or DBNull ? 0 : Convert.ToDouble(value, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Message texts from one seeded random stream: 3–24 words drawn from a Zipf (s = 1) vocabulary, now and then a
    /// capital, a comma or a question mark; <see cref="RareWord"/> planted in exactly <c>rareCount</c> messages spread
    /// evenly, <see cref="Phrase"/> at the start of every <see cref="PhraseEvery"/>th. Call <see cref="Next"/> with i = 0, 1, 2 …
    /// </summary>
    public sealed class MessageText
    {
        private readonly Random random = new(20261205);
        private readonly string[] vocabulary = Vocabulary.Build(30_000);
        private readonly double[] cumulative;
        private readonly int rareEvery;
        private readonly int rareCount;
        private readonly StringBuilder sb = new();

        public MessageText(int count, int rareCount)
        {
            this.rareCount = rareCount;
            rareEvery = Math.Max(1, count / rareCount);
            cumulative = new double[vocabulary.Length];
            var sum = 0.0;
            for (var r = 0; r < vocabulary.Length; r++)
            {
                sum += 1.0 / (r + 1);
                cumulative[r] = sum;
            }

            for (var r = 0; r < cumulative.Length; r++)
            {
                cumulative[r] /= sum;
            }

            PhraseCount = ((count - 1) / PhraseEvery) + 1;
        }

        /// <summary>Messages starting with <see cref="Phrase"/> (message 0, PhraseEvery, 2 × PhraseEvery …).</summary>
        public int PhraseCount { get; }

        public string Next(int i)
        {
            sb.Clear();
            var words = 3 + random.Next(22);
            if (i % PhraseEvery == 0)
            {
                sb.Append("Bom dia");
                words -= 2;
            }

            var rareAt = i % rareEvery == rareEvery / 2 && i / rareEvery < rareCount ? random.Next(words) : -1;
            for (var w = 0; w < words; w++)
            {
                if (sb.Length > 0)
                {
                    sb.Append(random.Next(12) == 0 ? ", " : " ");
                }

                var word = w == rareAt ? RareWord : Draw();
                if (sb.Length == 0 && random.Next(3) == 0)
                {
                    sb.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1);
                }
                else
                {
                    sb.Append(word);
                }
            }

            sb.Append(random.Next(6) switch { 0 => "?", 1 => "!", 2 => ".", _ => "" });
            return sb.ToString();
        }

        private string Draw()
        {
            var index = Array.BinarySearch(cumulative, random.NextDouble());
            return vocabulary[Math.Min(index < 0 ? ~index : index, vocabulary.Length - 1)];
        }
    }

    /// <summary>Real English and Portuguese words first (the common ranks), then made-up ones of two to four syllables.</summary>
    public static class Vocabulary
    {
        private static readonly string[] Real =
        [
            "the", "que", "and", "você", "is", "não", "it", "para", "to", "de", "of", "uma", "in", "com", "this", "está",
            "that", "mais", "for", "isso", "you", "também", "was", "muito", "on", "aqui", "with", "agora", "have", "então",
            "but", "já", "not", "depois", "are", "ainda", "be", "quando", "at", "amanhã", "we", "hoje", "they", "onde",
            "do", "porque", "will", "até", "can", "só", "just", "reunião", "server", "código", "deploy", "atenção", "build",
            "ação", "test", "informação", "bom", "dia", "release", "versão", "bug", "solução", "fix", "opção", "merge",
            "questão", "review", "função", "branch", "configuração", "issue", "situação", "meeting", "é", "tomorrow", "café",
            "please", "obrigado", "thanks", "pôr", "channel", "três", "message", "search", "memória", "database",
            "página", "index", "número", "query", "último", "latency", "rápido", "cluster", "público", "node", "difícil",
            "voice", "fácil", "video", "análise", "upload", "câmera", "image", "música", "link", "lâmpada", "file", "coração",
            "weekend", "pão", "lunch", "irmão", "coffee", "mãe", "game", "avó", "match", "avô", "team", "órgão", "player",
            "crônica", "score", "saúde", "goal", "país", "coach", "raiz", "season", "juíza",
        ];

        private static readonly string[] Syllables =
        [
            "ba", "be", "bi", "bo", "bu", "ca", "ce", "co", "da", "di", "do", "fa", "fe", "fi", "ga", "go", "ja", "ka", "ke",
            "la", "le", "li", "lo", "lu", "ma", "me", "mi", "mo", "na", "ne", "ni", "no", "pa", "pe", "pi", "po", "ra", "re",
            "ri", "ro", "sa", "se", "si", "so", "ta", "te", "ti", "to", "va", "ve", "vi", "za", "zo", "ção", "ções", "lá", "rê",
        ];

        public static string[] Build(int size)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal) { "acai", "bom", "dia" };
            var words = new List<string>(size);
            foreach (var w in Real)
            {
                // bom and dia are taken out of the made-up words above (they make the phrase), not out of the real ones.
                if (seen.Add(Fold(w)) || w is "bom" or "dia")
                {
                    words.Add(w);
                }
            }

            var random = new Random(7);
            while (words.Count < size)
            {
                var sb = new StringBuilder();
                var syllables = 2 + random.Next(3);
                for (var k = 0; k < syllables; k++)
                {
                    sb.Append(Syllables[random.Next(k == 0 ? Syllables.Length - 4 : Syllables.Length)]);
                }

                var word = sb.ToString();
                if (seen.Add(Fold(word)))
                {
                    words.Add(word);
                }
            }

            return [.. words];
        }
    }
}
