using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Voxora.Server.Data;

namespace Voxora.Server.Features.Search;

/// <summary>
/// <c>voxora search rebuild</c> (<c>scripts/run.sh search rebuild</c>): builds the message search index again from the
/// messages table, for after a restore from a copy without it, a bulk import that bypassed the triggers, or an index
/// suspected damaged. The index is derived data, so rebuilding loses nothing. It runs against the configured database
/// with the same configuration as the server (after applying migrations, as a start would), prints what it did and
/// exits; a running node keeps answering meanwhile (PostgreSQL rebuilds CONCURRENTLY; SQLite holds the write lock for
/// the rebuild, so messages sent meanwhile wait for it).
/// </summary>
public static class SearchIndexCommand
{
    /// <summary>Whether <paramref name="args"/> ask for this command.</summary>
    public static bool IsRequested(string[] args) => args is ["search", "rebuild", ..];

    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var stopwatch = Stopwatch.StartNew();
        var messageCount = await db.Messages.LongCountAsync(ct);
        await RebuildAsync(db, ct);
        var words = await RebuildVocabularyAsync(db, ct);
        await output.WriteLineAsync(
            $"voxora: search index rebuilt from {messageCount} messages ({words} words with stems) on {(db.Database.IsNpgsql() ? "PostgreSQL" : "SQLite")} in {stopwatch.Elapsed.TotalSeconds:0.0} s");
        return 0;
    }

    /// <summary>Empties the stemming vocabulary (<see cref="SearchVocabulary"/>) and fills it again from the messages; returns its word count.</summary>
    public static async Task<int> RebuildVocabularyAsync(VoxoraDbContext db, CancellationToken ct)
    {
        await db.Database.ExecuteSqlRawAsync("DELETE FROM search_words", ct);
        return await SearchVocabulary.BackfillAsync(db, ct);
    }

    /// <summary>Rebuilds the index of migration <c>MessageSearch</c> from the messages table.</summary>
    public static async Task RebuildAsync(VoxoraDbContext db, CancellationToken ct)
    {
        // No command timeout: a large pod's index takes as long as it takes, and stopping the command cancels it.
        db.Database.SetCommandTimeout(TimeSpan.Zero);
        if (db.Database.IsNpgsql())
        {
            // CONCURRENTLY: writes to messages go on while the new index is built; it cannot run inside a transaction,
            // and ExecuteSqlRawAsync outside one does not start one.
            await db.Database.ExecuteSqlRawAsync("REINDEX INDEX CONCURRENTLY ix_messages_search", ct);
        }
        else
        {
            // 'rebuild' drops the FTS5 index and reads every row of the external content table (messages) again;
            // 'optimize' then merges its segments into one so the first searches are not slower than usual.
            await db.Database.ExecuteSqlRawAsync("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')", ct);
            await db.Database.ExecuteSqlRawAsync("INSERT INTO messages_fts(messages_fts) VALUES ('optimize')", ct);
        }
    }
}
