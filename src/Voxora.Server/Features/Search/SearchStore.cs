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
/// <c>unicode61 remove_diacritics 2</c>), on PostgreSQL a GIN index on <c>to_tsvector('simple', voxora_search_words(content))</c>
/// (folded as <c>voxora_search_fold</c> folds, ASCII punctuation made spaces; migrations <c>MessageSearch</c>,
/// <c>MessageSearchWords</c>). CJK terms are matched as substrings. Only the channels the caller may read are the list is built from the permission snapshot at query time and passed in.
/// </summary>
public sealed class SearchStore(VoxoraDbContext db, MessageStore messages)
{
    private const string PostgresVector = "to_tsvector('simple'::regconfig, voxora_search_words(m.content))";

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

        List<(long Id, string ChannelId)> page;
        int total;
        await using (var command = connection.CreateCommand())
        {
            var (from, order) = Build(command, request, channelIds, postgres);
            command.CommandText = $"SELECT m.id, m.channel_id {from} {order} LIMIT {request.Limit + 1} OFFSET {request.Offset}";
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

        var loaded = new Dictionary<long, Message>();
        foreach (var group in page.GroupBy(h => h.ChannelId))
        {
            foreach (var message in await messages.ManyAsync(group.Key, group.Select(h => h.Id).ToList(), viewerId, ct))
            {
                loaded[long.Parse(message.Id, System.Globalization.CultureInfo.InvariantCulture)] = message;
            }
        }

        var hits = new List<SearchHit>(page.Count);
        foreach (var (id, channelId) in page)
        {
            if (!loaded.TryGetValue(id, out var message))
            {
                continue; // deleted between the two queries
            }

            var before = await messages.PageAsync(channelId, PageDirection.Before, id, SearchLimits.ContextMessages, viewerId, ct);
            before.Reverse();
            var after = await messages.PageAsync(channelId, PageDirection.After, id, SearchLimits.ContextMessages, viewerId, ct);
            after.Reverse();
            hits.Add(new SearchHit(message, channels[channelId], before, after, SearchQueryParser.Highlights(message.Content, request.Query)));
        }

        var capped = total > SearchLimits.MaxCountedResults;
        var nextOffset = request.Offset + request.Limit;
        var next = more && nextOffset + 1 <= SearchLimits.MaxOffset ? SearchEndpoints.WriteCursor(nextOffset) : null;
        return new SearchResults(Math.Min(total, SearchLimits.MaxCountedResults), capped, hits, next);
    }

    /// <summary>The FROM … WHERE of the query and its ORDER BY, with the parameters added to <paramref name="command"/>.</summary>
    private static (string From, string Order) Build(DbCommand command, SearchRequest request, IReadOnlyList<string> channelIds, bool postgres)
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
        var excludedText = request.Query.Excluded.Where(t => !t.Substring).ToList();
        string from;
        var order = "ORDER BY m.id DESC";
        if (fullText.Count > 0)
        {
            if (postgres)
            {
                Parameter("match", TsQuery(fullText, " & "));
                from = "FROM messages m";
                where.Add($"{PostgresVector} @@ to_tsquery('simple'::regconfig, @match)");
                if (!request.Newest)
                {
                    order = $"ORDER BY ts_rank({PostgresVector}, to_tsquery('simple'::regconfig, @match)) DESC, m.id DESC";
                }
            }
            else
            {
                Parameter("match", FtsQuery(fullText, " AND "));
                from = "FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid";
                where.Add("messages_fts MATCH @match");
                if (!request.Newest)
                {
                    order = "ORDER BY bm25(messages_fts), m.id DESC";
                }
            }
        }
        else
        {
            from = "FROM messages m";
        }

        InList("m.channel_id", "channels", channelIds);
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
                Parameter("excluded", FtsQuery(excludedText, " OR "));
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

        if (request.AuthorIds.Count > 0)
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

        return ($"{from} WHERE {string.Join(" AND ", where)}", order);
    }

    /// <summary>
    /// An FTS5 expression: each term a quoted phrase of its lexemes left for FTS5's tokenizer to fold as it folded the index
    /// (<see cref="SearchTerm.Fts5Lexemes"/>; folded like PostgreSQL's index, <c>Ørsted</c> would be looked up as <c>orsted</c>,
    /// which FTS5 never holds), with a trailing <c>*</c> for a prefix.
    /// </summary>
    internal static string FtsQuery(IEnumerable<SearchTerm> terms, string join) =>
        string.Join(join, terms.Select(t => "\"" + string.Join(' ', t.Fts5Lexemes) + "\"" + (t.Prefix ? "*" : "")));

    /// <summary>A tsquery: each term its lexemes followed one by the other (<c>&lt;-&gt;</c>), <c>:*</c> on a prefix's last one.</summary>
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

            text.Append(')');
        }

        return text.ToString();
    }
}
