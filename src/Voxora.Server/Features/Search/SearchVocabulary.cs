using System.Data.Common;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Messages;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Search;

/// <summary>
/// Stemming for search without a second index: the table <c>search_words</c> (migration <c>SearchWords</c>) holds every
/// stemmable word messages have used with its English and Portuguese stems (<see cref="WordStems"/>), and a query word is
/// widened to the words that share a stem with it (<see cref="ExpandAsync"/>), which the full-text index of each provider
/// then finds as it finds any word. The index itself stays exact, so "exact phrases" and prefixes keep their meaning, and
/// both providers stem the same way.
/// <para>
/// Words are added after a message is saved (<see cref="MessageCreated"/>, <see cref="MessageUpdated"/>), in batches off the
/// request path: the word itself is searchable at once through the index; its other forms find it within moments. The
/// queue is bounded; what it drops (and any history from before this table) is filled by the backfill that runs at start
/// when the table is empty and by <c>voxora search rebuild</c>.
/// </para>
/// </summary>
public sealed class SearchVocabulary(IServiceScopeFactory scopes, ILogger<SearchVocabulary> logger)
    : BackgroundService, IDomainEventHandler<MessageCreated>, IDomainEventHandler<MessageUpdated>
{
    public const int QueueCapacity = 20_000;

    /// <summary>Most other forms a query word is widened to: enough for any inflection, few enough to keep the query cheap.</summary>
    public const int MaxVariants = 16;

    /// <summary>Words known to be in the table already; forgotten wholesale past this size (a re-insert is harmless).</summary>
    private const int MaxKnownWords = 500_000;

    private const int RowsPerInsert = 300;

    private readonly Channel<string> queue = System.Threading.Channels.Channel.CreateBounded<string>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private readonly HashSet<string> known = new(StringComparer.Ordinal);
    private long dropped;

    public Task HandleAsync(MessageCreated created, CancellationToken ct) => Enqueue(created.Message);

    public Task HandleAsync(MessageUpdated updated, CancellationToken ct) => Enqueue(updated.Message);

    /// <summary>Registers the vocabulary: its writer runs in the background, fed by the message events.</summary>
    public static void AddTo(IServiceCollection services)
    {
        services.AddSingleton<SearchVocabulary>();
        services.AddHostedService(sp => sp.GetRequiredService<SearchVocabulary>());
        services.AddDomainEventHandler<MessageCreated, SearchVocabulary>();
        services.AddDomainEventHandler<MessageUpdated, SearchVocabulary>();
    }

    private Task Enqueue(Message message)
    {
        if (message.Type == MessageTypes.Default && message.Content.Length > 0 && !queue.Writer.TryWrite(message.Content)
            && Interlocked.Increment(ref dropped) == 1)
        {
            logger.LogWarning("Search vocabulary queue full: some words' other forms will not find them until `voxora search rebuild`");
        }

        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await BackfillIfEmptyAsync(stoppingToken);
            var batch = new List<string>();
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < 1000 && queue.Reader.TryRead(out var content))
                {
                    batch.Add(content);
                }

                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await AddAsync(scope.ServiceProvider.GetRequiredService<VoxoraDbContext>(), batch, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Adding {Count} messages' words to the search vocabulary failed", batch.Count);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task BackfillIfEmptyAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
            if (await ScalarAsync(db, "SELECT EXISTS (SELECT 1 FROM search_words)", ct) || !await ScalarAsync(db, "SELECT EXISTS (SELECT 1 FROM messages)", ct))
            {
                return;
            }

            logger.LogInformation("Filling the search vocabulary from the existing messages");
            var words = await BackfillAsync(db, ct);
            logger.LogInformation("Search vocabulary filled: {Count} words", words);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Filling the search vocabulary from the existing messages failed; `voxora search rebuild` fills it");
        }
    }

    private static async Task<bool> ScalarAsync(VoxoraDbContext db, string sql, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToBoolean(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Adds the words of every message to the table, in id order and batches; returns how many distinct words it saw.</summary>
    public static async Task<int> BackfillAsync(VoxoraDbContext db, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long last = 0;
        while (true)
        {
            var contents = new List<string>();
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = $"SELECT id, content FROM messages WHERE id > @last AND type = {MessageTypes.Default} ORDER BY id LIMIT 5000";
                var p = command.CreateParameter();
                p.ParameterName = "last";
                p.Value = last;
                command.Parameters.Add(p);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    last = reader.GetInt64(0);
                    contents.Add(reader.GetString(1));
                }
            }

            if (contents.Count == 0)
            {
                return seen.Count;
            }

            var fresh = new List<StemmedWord>();
            foreach (var content in contents)
            {
                foreach (var (folded, written) in WordStems.WordsOf(content))
                {
                    if (seen.Add(folded))
                    {
                        fresh.Add(WordStems.Stem(folded, written));
                    }
                }
            }

            await InsertAsync(connection, fresh, ct);
        }
    }

    private async Task AddAsync(VoxoraDbContext db, List<string> contents, CancellationToken ct)
    {
        var fresh = new List<StemmedWord>();
        var batchSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var content in contents)
        {
            foreach (var (folded, written) in WordStems.WordsOf(content))
            {
                if (!known.Contains(folded) && batchSeen.Add(folded))
                {
                    fresh.Add(WordStems.Stem(folded, written));
                }
            }
        }

        if (fresh.Count == 0)
        {
            return;
        }

        await db.Database.OpenConnectionAsync(ct);
        await InsertAsync(db.Database.GetDbConnection(), fresh, ct);
        if (known.Count + fresh.Count > MaxKnownWords)
        {
            known.Clear();
        }

        foreach (var word in fresh)
        {
            known.Add(word.Word);
        }
    }

    private static async Task InsertAsync(DbConnection connection, List<StemmedWord> words, CancellationToken ct)
    {
        for (var offset = 0; offset < words.Count; offset += RowsPerInsert)
        {
            var chunk = words.Skip(offset).Take(RowsPerInsert).ToList();
            await using var command = connection.CreateCommand();
            var values = new System.Text.StringBuilder();
            for (var i = 0; i < chunk.Count; i++)
            {
                values.Append(i == 0 ? "" : ",").Append($"(@w{i}, @e{i}, @p{i})");
                Add(command, "w" + i, chunk[i].Word);
                Add(command, "e" + i, chunk[i].English);
                Add(command, "p" + i, chunk[i].Portuguese);
            }

            // Another node (or the backfill) may have added the same word meanwhile: first one wins, same stems anyway.
            command.CommandText = $"INSERT INTO search_words (word, stem_en, stem_pt) VALUES {values} ON CONFLICT (word) DO NOTHING";
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private static void Add(DbCommand command, string name, string value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }

    /// <summary>
    /// <paramref name="query"/> with each plain word (not a phrase, prefix, exclusion or CJK term) widened to the known words
    /// that share its English or Portuguese stem, or the stems the vocabulary holds for the word itself (which is how
    /// "acao", typed without accents, gets the stems of "ação").
    /// </summary>
    public static async Task<SearchQuery> ExpandAsync(DbConnection connection, SearchQuery query, CancellationToken ct)
    {
        if (!query.Terms.Any(Expandable))
        {
            return query;
        }

        var terms = new List<SearchTerm>(query.Terms.Count);
        foreach (var term in query.Terms)
        {
            if (!Expandable(term))
            {
                terms.Add(term);
                continue;
            }

            var word = term.Lexemes[0];
            // The word as typed, accents and all: folding keeps lengths, so it sits where the folded one does.
            var at = SearchQueryParser.Fold(term.Written).IndexOf(word, StringComparison.Ordinal);
            var stems = WordStems.Stem(word, at >= 0 ? term.Written.Substring(at, word.Length) : word);
            await using var command = connection.CreateCommand();
            command.CommandText =
                "SELECT word FROM search_words WHERE word <> @w AND (stem_en = @en OR stem_pt = @pt " +
                "OR stem_en IN (SELECT stem_en FROM search_words WHERE word = @w) OR stem_pt IN (SELECT stem_pt FROM search_words WHERE word = @w)) " +
                $"ORDER BY length(word), word LIMIT {MaxVariants}";
            Add(command, "w", word);
            Add(command, "en", stems.English);
            Add(command, "pt", stems.Portuguese);
            var variants = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    variants.Add(reader.GetString(0));
                }
            }

            terms.Add(variants.Count == 0 ? term : term with { Variants = variants });
        }

        return new SearchQuery(terms);
    }

    private static bool Expandable(SearchTerm term) =>
        !term.Excluded && !term.Prefix && !term.Substring && term.Lexemes.Count == 1 && WordStems.IsStemmable(term.Lexemes[0]);
}
