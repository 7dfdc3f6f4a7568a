using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using Voxora.Client;

namespace Voxora.Bench.Scenarios;

/// <summary>
/// <c>history</c>: a channel with M messages, pages of 50 before random cursors → pages/s and latency.
/// Large M is seeded straight into the database with batched SQL matching the migrations' schema
/// (SQLite: prepared INSERTs in big transactions; PostgreSQL: binary COPY); small M (or a --url server
/// without --seed-*) through the API.
/// </summary>
public static class HistoryScenario
{
    /// <summary>Node id of seeded Snowflakes: the server mints node 0 by default, so they never collide.</summary>
    public const int SeedNode = 1;

    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<BenchWorld, long[]> Seeded = [];

    public static long Snowflake(long ms, int node, int seq) => (ms << 22) | ((long)node << 12) | (long)seq;

    public static async Task<ScenarioResult> RunAsync(BenchWorld world, BenchOptions o, CancellationToken ct)
    {
        await world.RefreshIfOldAsync(ct);
        var result = new ScenarioResult("history", world.Target.Provider);
        result.Parameters["messages"] = o.Messages.ToString(CultureInfo.InvariantCulture);
        result.Parameters["page_size"] = o.PageSize.ToString(CultureInfo.InvariantCulture);
        result.Parameters["concurrency"] = o.Concurrency.ToString(CultureInfo.InvariantCulture);
        result.Parameters["duration_s"] = o.DurationSeconds.ToString(CultureInfo.InvariantCulture);

        if (!Seeded.TryGetValue(world, out var ids))
        {
            var seedWatch = Stopwatch.StartNew();
            ids = await SeedAsync(world, o.Messages, ct);
            Seeded[world] = ids;
            result.Add("seed_s", seedWatch.Elapsed.TotalSeconds);
            Console.Error.WriteLine($"[bench] seeded {ids.Length} messages in {seedWatch.Elapsed.TotalSeconds:0.0} s");
        }

        var clients = Enumerable.Range(0, Math.Max(1, Math.Min(o.Concurrency, 8))).Select(_ => world.Owner.Client).ToList();
        var latency = new Histogram();
        long pages = 0, wrong = 0, errors = 0;
        string? firstProblem = null;
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(o.WarmupSeconds * Stopwatch.Frequency);
        var end = measureFrom + (long)(o.DurationSeconds * Stopwatch.Frequency);
        ResourceWatch? watch = null;
        var watchGate = new Lock();
        var channelId = world.Channel.Id;
        var workers = Enumerable.Range(0, o.Concurrency).Select(w => Task.Run(async () =>
        {
            var client = clients[w % clients.Count];
            var random = new Random(w * 7919);
            while (!ct.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (t0 >= end)
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

                var index = random.Next(ids.Length);
                try
                {
                    var page = await client.GetMessagesAsync(channelId, before: ids[index].ToString(CultureInfo.InvariantCulture), limit: o.PageSize, ct: ct);
                    var t1 = Stopwatch.GetTimestamp();
                    if (CheckPage(page, ids, index, o.PageSize) is { } problem)
                    {
                        Interlocked.Increment(ref wrong);
                        Interlocked.CompareExchange(ref firstProblem, problem, null);
                    }

                    if (t0 >= measureFrom)
                    {
                        latency.RecordTicks(t1 - t0);
                        Interlocked.Increment(ref pages);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or VoxoraApiException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstProblem, ex.Message, null);
                }
            }
        }, CancellationToken.None)).ToList();
        await Task.WhenAll(workers);

        result.Add("pages_per_s", pages / o.DurationSeconds);
        result.Add("pages", pages);
        result.AddLatency("page", latency);
        result.Add("wrong_pages", wrong);
        result.Add("errors", errors);
        if (watch is not null)
        {
            await watch.FinishAsync(result, pages, "page");
        }

        if (wrong > 0 || errors > 0)
        {
            result.Failures.Add($"{wrong} wrong pages, {errors} errors; first: {firstProblem}");
        }

        if (pages == 0)
        {
            result.Failures.Add("no page was read");
        }

        return result;
    }

    /// <summary>The page before ids[index] must be exactly the preceding seeded ids, newest first.</summary>
    private static string? CheckPage(List<Voxora.Protocol.Message> page, long[] ids, int index, int size)
    {
        var expected = Math.Min(size, index);
        if (page.Count != expected)
        {
            return $"page before #{index} has {page.Count} messages, expected {expected}";
        }

        for (var k = 0; k < page.Count; k++)
        {
            if (page[k].Id != ids[index - 1 - k].ToString(CultureInfo.InvariantCulture))
            {
                return $"page before #{index}: item {k} is {page[k].Id}, expected {ids[index - 1 - k]}";
            }
        }

        return null;
    }

    /// <summary>Seeds <paramref name="count"/> messages by the owner into the world's channel; returns their ids, oldest first.</summary>
    public static async Task<long[]> SeedAsync(BenchWorld world, int count, CancellationToken ct)
    {
        var target = world.Target;
        if (target.SqliteFile is null && target.PgConnectionString is null)
        {
            if (count > 20_000)
            {
                throw new InvalidOperationException("Seeding more than 20,000 messages through the API is too slow: give --seed-sqlite FILE or --seed-pg CONNSTR with --url.");
            }

            return await SeedThroughApiAsync(world, count, ct);
        }

        // Ids 1 ms apart ending a minute ago: strictly increasing, in the past, node SeedNode.
        var nowMs = (long)(TimeProvider.System.GetUtcNow() - Epoch).TotalMilliseconds;
        var firstMs = nowMs - 60_000 - count;
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = Snowflake(firstMs + i, SeedNode, 0);
        }

        if (target.PgConnectionString is { } pg)
        {
            await SeedPostgresAsync(pg, world, ids, firstMs, ct);
        }
        else
        {
            await SeedSqliteAsync(target.SqliteFile!, world, ids, firstMs, ct);
        }

        return ids;
    }

    private static async Task<long[]> SeedThroughApiAsync(BenchWorld world, int count, CancellationToken ct)
    {
        var ids = new long[count];
        var next = -1;
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var m = await world.Owner.Client.SendMessageAsync(world.Channel.Id, Senders.Content(i), ct: ct);
                ids[i] = long.Parse(m.Id, CultureInfo.InvariantCulture);
            }
        }, CancellationToken.None));
        await Task.WhenAll(workers);
        Array.Sort(ids);
        return ids;
    }

    private static async Task SeedSqliteAsync(string file, BenchWorld world, long[] ids, long firstMs, CancellationToken ct)
    {
        var epochUnixMs = Epoch.ToUnixTimeMilliseconds();
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA busy_timeout=30000;";
            await pragma.ExecuteNonQueryAsync(ct);
        }

        const int Batch = 50_000;
        for (var offset = 0; offset < ids.Length; offset += Batch)
        {
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            await using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO messages (id, channel_id, community_id, author_id, content, reply_to_id, mention_ids, created_at, edited_at, mention_everyone, type, embeds_suppressed) VALUES ($id, $ch, $co, $au, $content, NULL, NULL, $created, NULL, 0, 0, 0)";
            var pId = insert.Parameters.Add("$id", SqliteType.Integer);
            insert.Parameters.AddWithValue("$ch", world.Channel.Id);
            insert.Parameters.AddWithValue("$co", world.Community.Id);
            insert.Parameters.AddWithValue("$au", world.Owner.User.Id);
            var pContent = insert.Parameters.Add("$content", SqliteType.Text);
            var pCreated = insert.Parameters.Add("$created", SqliteType.Integer);
            insert.Prepare();
            for (var i = offset; i < Math.Min(ids.Length, offset + Batch); i++)
            {
                pId.Value = ids[i];
                pContent.Value = Senders.Content(i);
                pCreated.Value = epochUnixMs + firstMs + i;
                await insert.ExecuteNonQueryAsync(ct);
            }

            await tx.CommitAsync(ct);
        }
    }

    private static async Task SeedPostgresAsync(string connectionString, BenchWorld world, long[] ids, long firstMs, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY messages (id, channel_id, community_id, author_id, content, created_at, mention_everyone, type, embeds_suppressed) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < ids.Length; i++)
            {
                await importer.StartRowAsync(ct);
                await importer.WriteAsync(ids[i], NpgsqlDbType.Bigint, ct);
                await importer.WriteAsync(world.Channel.Id, NpgsqlDbType.Varchar, ct);
                await importer.WriteAsync(world.Community.Id, NpgsqlDbType.Varchar, ct);
                await importer.WriteAsync(world.Owner.User.Id, NpgsqlDbType.Varchar, ct);
                await importer.WriteAsync(Senders.Content(i), NpgsqlDbType.Varchar, ct);
                await importer.WriteAsync(Epoch.AddMilliseconds(firstMs + i).UtcDateTime, NpgsqlDbType.TimestampTz, ct);
                // Every column without a default in every database: a SQLite table rebuilt by a migration keeps none.
                await importer.WriteAsync(false, NpgsqlDbType.Boolean, ct);
                await importer.WriteAsync(0, NpgsqlDbType.Integer, ct);
                await importer.WriteAsync(false, NpgsqlDbType.Boolean, ct);
            }

            await importer.CompleteAsync(ct);
        }

        // What autovacuum would do shortly after a bulk load; keeps the plans those of a settled database.
        await using var analyze = new NpgsqlCommand("ANALYZE messages", connection);
        await analyze.ExecuteNonQueryAsync(ct);
    }
}
