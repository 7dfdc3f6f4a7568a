using System.Data.Common;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Messages;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Search;

/// <summary>
/// Runs a search in the database's own full-text index, so there is no second store to keep in step and every node
/// of a cluster sees the same index: on SQLite the FTS5 table <c>messages_fts</c> (external content, kept by triggers,
/// <c>unicode61 remove_diacritics 2</c>; its <c>scope</c> column holds channel and author tokens for the filters), on PostgreSQL a GIN index on the stored column <c>messages.search_vector</c> =
/// <c>to_tsvector('simple', voxora_search_words(content))</c> plus the channel and author ids as lexemes (folded as <c>voxora_search_fold</c> folds, ASCII punctuation
/// made spaces; migration <c>MessageSearch</c>). CJK terms are matched as substrings. Only the channels the caller may read
/// are searched: the list is built from the permission snapshot at query time and passed in.
/// </summary>
public sealed class SearchStore(VoxoraDbContext db, MessageStore messages)
{
    /// <summary>to_tsvector('simple', voxora_search_words(content)), stored (migration MessageSearch).</summary>
    private const string PostgresVector = "m.search_vector";

    /// <summary>How many of the newest matches are ranked by relevance (the pages of a relevance search come from these).</summary>
    public const int RelevanceCandidates = 2000;

    public async Task<SearchResults> SearchAsync(SearchRequest request, IReadOnlyList<string> channelIds,
        IReadOnlyDictionary<string, SearchChannel> channels, string viewerId, CancellationToken ct)
    {
        if (channelIds.Count == 0)
        {
            return new SearchResults(0, false, [], null);
        }

        var postgres = db.Database.IsNpgsql();
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(ct);
        }

        // Plain words also find their other forms ("runs" → "running", "ação" → "ações"); highlights follow.
        request = request with { Query = await SearchVocabulary.ExpandAsync(connection, request.Query, ct) };

        List<(long Id, string ChannelId)> page;
        int total;
        await using (var command = connection.CreateCommand())
        {
            var (from, order, relevance) = Build(command, request, channelIds, postgres);
            command.CommandText = relevance is { } rank
                // Relevance ranks the newest RelevanceCandidates matches, not all of them: a common word matches a large part
                // of a big pod, and scoring and sorting every match cost seconds (docs/benchmarks.md, search). Newest first
                // the index stops early, so this stays as cheap as the newest order.
                ? $"SELECT id, channel_id FROM (SELECT m.id, m.channel_id, {rank.Score} AS score {from} {order} LIMIT {RelevanceCandidates}) AS candidates " +
                  $"ORDER BY {rank.Order}, id DESC LIMIT {request.Limit + 1} OFFSET {request.Offset}"
                : $"SELECT m.id, m.channel_id {from} {order} LIMIT {request.Limit + 1} OFFSET {request.Offset}";
            page = [];
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    page.Add((reader.GetInt64(0), reader.GetString(1)));
                }
            }

            // Counting stops past the cap: counting every match of a common word would cost more than the page.
            command.CommandText = $"SELECT count(*) FROM (SELECT 1 {from} LIMIT {SearchLimits.MaxCountedResults + 1}) AS counted";
            total = Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }

        var more = page.Count > request.Limit;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        // The hits and their context in a few round trips, not two page queries per hit: one query finds every hit's
        // neighbours (in the hit's own channel, which the caller may read), then all of them are loaded together.
        var neighbours = await NeighboursAsync(connection, page, ct);
        var ids = page.Select(h => h.Id).Concat(neighbours.Values.SelectMany(n => n)).Distinct().ToList();
        var loaded = new Dictionary<long, Message>();
        foreach (var message in await messages.ManyInReadableChannelsAsync(ids, viewerId, ct))
        {
            loaded[long.Parse(message.Id, System.Globalization.CultureInfo.InvariantCulture)] = message;
        }

        var hits = new List<SearchHit>(page.Count);
        foreach (var (id, channelId) in page)
        {
            if (!loaded.TryGetValue(id, out var message))
            {
                continue; // deleted between the two queries
            }

            var around = (neighbours.GetValueOrDefault(id) ?? []).Where(loaded.ContainsKey).Order().ToList();
            var before = around.Where(n => n < id).Select(n => loaded[n]).ToList();
            var after = around.Where(n => n > id).Select(n => loaded[n]).ToList();
            hits.Add(new SearchHit(message, channels[channelId], before, after, SearchQueryParser.Highlights(message.Content, request.Query)));
        }

        var capped = total > SearchLimits.MaxCountedResults;
        var nextOffset = request.Offset + request.Limit;
        var next = more && nextOffset + 1 <= SearchLimits.MaxOffset ? SearchEndpoints.WriteCursor(nextOffset) : null;
        return new SearchResults(Math.Min(total, SearchLimits.MaxCountedResults), capped, hits, next);
    }

    /// <summary>
    /// For each hit, the ids of the <see cref="SearchLimits.ContextMessages"/> messages just before and just after it in its
    /// channel, in one query (a UNION ALL of two tiny index range scans per hit).
    /// </summary>
    private static async Task<Dictionary<long, List<long>>> NeighboursAsync(DbConnection connection, List<(long Id, string ChannelId)> page,
        CancellationToken ct)
    {
        var result = new Dictionary<long, List<long>>();
        if (page.Count == 0)
        {
            return result;
        }

        await using var command = connection.CreateCommand();
        var parts = new List<string>(page.Count * 2);
        for (var i = 0; i < page.Count; i++)
        {
            var hit = command.CreateParameter();
            hit.ParameterName = "h" + i;
            hit.Value = page[i].Id;
            command.Parameters.Add(hit);
            var channel = command.CreateParameter();
            channel.ParameterName = "c" + i;
            channel.Value = page[i].ChannelId;
            command.Parameters.Add(channel);
            parts.Add($"SELECT * FROM (SELECT @h{i} AS hit, id FROM messages WHERE channel_id = @c{i} AND id < @h{i} ORDER BY id DESC LIMIT {SearchLimits.ContextMessages}) AS b{i}");
            parts.Add($"SELECT * FROM (SELECT @h{i} AS hit, id FROM messages WHERE channel_id = @c{i} AND id > @h{i} ORDER BY id LIMIT {SearchLimits.ContextMessages}) AS a{i}");
        }

        command.CommandText = string.Join(" UNION ALL ", parts);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var hitId = reader.GetInt64(0);
            if (!result.TryGetValue(hitId, out var list))
            {
                result[hitId] = list = [];
            }

            list.Add(reader.GetInt64(1));
        }

        return result;
    }

    /// <summary>The FROM … WHERE of the query and its ORDER BY, with the parameters added to <paramref name="command"/>.</summary>
    /// <remarks>
    /// <c>Relevance</c> is set when the page is to be ordered by relevance: the score expression, and its ORDER BY direction.
    /// </remarks>
    private static (string From, string Order, (string Score, string Order)? Relevance) Build(DbCommand command, SearchRequest request,
        IReadOnlyList<string> channelIds, bool postgres)
    {
        var where = new List<string>();
        void Parameter(string name, object value)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            command.Parameters.Add(p);
        }

        void InList(string column, string name, IReadOnlyList<string> values)
        {
            if (postgres)
            {
                command.Parameters.Add(new NpgsqlParameter<string[]>(name, [.. values]));
                where.Add($"{column} = ANY(@{name})");
            }
            else
            {
                Parameter(name, "[" + string.Join(",", values.Select(v => "\"" + JsonEncodedText.Encode(v) + "\"")) + "]");
                where.Add($"{column} IN (SELECT value FROM json_each(@{name}))");
            }
        }

        var fullText = request.Query.Included.Where(t => !t.Substring).ToList();
        // On PostgreSQL the filters' ids in the vector are exact (verbatim lexemes), so with them the column filters below
        // would only make the planner AND a second, larger bitmap (an author's 125,000 rows) with the GIN search.
        var postgresScope = postgres && fullText.Count > 0 ? ScopeTsQuery(request, channelIds) : null;
        var excludedText = request.Query.Excluded.Where(t => !t.Substring).ToList();
        string from;
        var order = "ORDER BY m.id DESC";
        string? score = null;
        var scoreOrder = "";
        if (fullText.Count > 0)
        {
            if (postgres)
            {
                Parameter("match", TsQuery(fullText, " & "));
                from = "FROM messages m";
                // A channel or author filter is one more term of the same GIN search: the vector holds both ids verbatim
                // (migration SearchScope), so the index intersects them with the words instead of the planner ANDing a
                // bitmap of every match of a common word with the channel's rows. Ranking uses the words alone.
                if (postgresScope is { } scope)
                {
                    Parameter("scope", scope);
                    where.Add($"{PostgresVector} @@ (to_tsquery('simple'::regconfig, @match) && @scope::tsquery)");
                }
                else
                {
                    where.Add($"{PostgresVector} @@ to_tsquery('simple'::regconfig, @match)");
                }

                if (!request.Newest)
                {
                    score = $"ts_rank({PostgresVector}, to_tsquery('simple'::regconfig, @match))";
                    scoreOrder = "score DESC";
                }
            }
            else
            {
                // The words are looked up in the text column only; a channel or author filter is also one more term of the
                // same MATCH, on the scope column (migration SearchScope), so FTS5 intersects it with the words' doclists
                // instead of the join below walking every match of a common word until enough are in the channel. The SQL
                // filters below stay: they are what makes the answer exact.
                var match = "{content} : (" + FtsQuery(fullText, " AND ") + ")";
                if (request.ChannelIds.Count > 0)
                {
                    match += " AND " + ScopeQuery(channelIds);
                }

                if (request.AuthorIds.Count > 0)
                {
                    match += " AND " + ScopeQuery(request.AuthorIds);
                }

                Parameter("match", match);
                from = "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid";
                where.Add("messages_fts MATCH @match");
                // Newest first by the FTS table's own rowid (= m.id): FTS5 then hands matches over newest first and the
                // LIMIT stops it early, where ORDER BY m.id sorted every match of a common word in a temporary B-tree
                // first (EXPLAIN QUERY PLAN: "USE TEMP B-TREE FOR ORDER BY"; docs/benchmarks.md, search).
                order = "ORDER BY messages_fts.rowid DESC";
                if (!request.Newest)
                {
                    score = "bm25(messages_fts, 1.0, 0.0)"; // the scope column's tokens are filters, not relevance
                    scoreOrder = "score"; // bm25: lower is better
                }
            }
        }
        else
        {
            from = "FROM messages m";
        }

        if (postgresScope is null || request.ChannelIds.Count == 0)
        {
            InList("m.channel_id", "channels", channelIds);
        }

        // System lines ("alice pinned a message") are not something anyone searches for.
        where.Add($"m.type = {MessageTypes.Default}");
        if (excludedText.Count > 0)
        {
            if (postgres)
            {
                Parameter("excluded", TsQuery(excludedText, " | "));
                where.Add($"NOT ({PostgresVector} @@ to_tsquery('simple'::regconfig, @excluded))");
            }
            else
            {
                Parameter("excluded", "{content} : (" + FtsQuery(excludedText, " OR ") + ")");
                where.Add("m.id NOT IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH @excluded)");
            }
        }

        var n = 0;
        foreach (var term in request.Query.Terms.Where(t => t.Substring))
        {
            var name = "sub" + n++;
            Parameter(name, term.Text);
            var found = postgres ? $"strpos(lower(m.content), @{name}) > 0" : $"instr(lower(m.content), @{name}) > 0";
            where.Add(term.Excluded ? $"NOT ({found})" : found);
        }

        if (request.AuthorIds.Count > 0 && postgresScope is null)
        {
            InList("m.author_id", "authors", request.AuthorIds);
        }

        if (request.MentionsUserId is { } mentioned)
        {
            Parameter("mentioned", " " + mentioned + " ");
            where.Add(postgres
                ? "strpos(' ' || coalesce(m.mention_ids, '') || ' ', @mentioned) > 0"
                : "instr(' ' || coalesce(m.mention_ids, '') || ' ', @mentioned) > 0");
        }

        foreach (var kind in request.Has)
        {
            where.Add(kind switch
            {
                "link" => "(m.content LIKE '%http://%' OR m.content LIKE '%https://%')",
                "embed" => "(m.embeds IS NOT NULL AND m.embeds <> '[]')",
                "file" => "EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = m.id)",
                "image" => "EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = m.id AND a.content_type LIKE 'image/%')",
                "video" => "EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = m.id AND a.content_type LIKE 'video/%')",
                _ => throw new ArgumentOutOfRangeException(nameof(request), kind, "validated by SearchEndpoints.Read"),
            });
        }

        if (request.Pinned is { } pinned)
        {
            where.Add((pinned ? "" : "NOT ") + "EXISTS (SELECT 1 FROM message_pins p WHERE p.message_id = m.id)");
        }

        if (request.BeforeId is { } before)
        {
            Parameter("before", before);
            where.Add("m.id < @before");
        }

        if (request.AfterId is { } after)
        {
            Parameter("after", after);
            where.Add("m.id > @after");
        }

        return ($"{from} WHERE {string.Join(" AND ", where)}", order, score is null ? null : (score, scoreOrder));
    }

    /// <summary>
    /// An FTS5 expression: each term a quoted phrase of its lexemes left for FTS5's tokenizer to fold as it folded the index
    /// (<see cref="SearchTerm.Fts5Lexemes"/>; folded like PostgreSQL's index, <c>Ørsted</c> would be looked up as <c>orsted</c>,
    /// which FTS5 never holds), with a trailing <c>*</c> for a prefix; or a word OR its variants.
    /// </summary>
    internal static string FtsQuery(IEnumerable<SearchTerm> terms, string join) =>
        string.Join(join, terms.Select(t => t.Variants.Count == 0
            ? "\"" + string.Join(' ', t.Fts5Lexemes) + "\"" + (t.Prefix ? "*" : "")
            : "(" + string.Join(" OR ", t.Fts5Lexemes.Concat(t.Variants).Select(w => "\"" + w + "\"")) + ")"));

    /// <summary>
    /// An FTS5 expression matching messages in any of <paramref name="ids"/> (channels or authors) by their token in the
    /// scope column: the id without its underscore, as migration SearchScope writes it (ids are letters, digits and one
    /// underscore, validated before they get here).
    /// </summary>
    internal static string ScopeQuery(IEnumerable<string> ids) =>
        "{scope} : (" + string.Join(" OR ", ids.Select(id => "\"" + id.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant() + "\"")) + ")";

    /// <summary>
    /// The tsquery text (cast, not parsed: the ids keep their underscore and capitals, as migration SearchScope stores them)
    /// for the channel and author filters of <paramref name="request"/>, or null when it has neither.
    /// </summary>
    internal static string? ScopeTsQuery(SearchRequest request, IReadOnlyList<string> channelIds)
    {
        static string AnyOf(IEnumerable<string> ids) => "(" + string.Join(" | ", ids.Select(id => "'" + id + "'")) + ")";
        var parts = new List<string>(2);
        if (request.ChannelIds.Count > 0)
        {
            parts.Add(AnyOf(channelIds));
        }

        if (request.AuthorIds.Count > 0)
        {
            parts.Add(AnyOf(request.AuthorIds));
        }

        return parts.Count == 0 ? null : string.Join(" & ", parts);
    }

    /// <summary>
    /// A tsquery: each term its lexemes followed one by the other (<c>&lt;-&gt;</c>), <c>:*</c> on a prefix's last one, or
    /// a word <c>|</c> its variants.
    /// </summary>
    internal static string TsQuery(IEnumerable<SearchTerm> terms, string join)
    {
        var text = new StringBuilder();
        foreach (var term in terms)
        {
            if (text.Length > 0)
            {
                text.Append(join);
            }

            text.Append('(');
            for (var i = 0; i < term.Lexemes.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(" <-> ");
                }

                // Lexemes hold only letters, digits and marks, so quoting is only for the parser's sake.
                text.Append('\'').Append(term.Lexemes[i]).Append('\'');
                if (term.Prefix && i == term.Lexemes.Count - 1)
                {
                    text.Append(":*");
                }
            }

            foreach (var variant in term.Variants)
            {
                text.Append(" | '").Append(variant).Append('\'');
            }

            text.Append(')');
        }

        return text.ToString();
    }
}
