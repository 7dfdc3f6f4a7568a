using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.DirectMessages;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Search;

/// <summary>
/// Message search (seed 001 Phase 3, seed 002): in one community's channels and threads, or in the caller's direct
/// channels. Which channels are searched is decided at query time from the current permission snapshot, so a channel
/// hidden a second ago is not searched; the text index lives in the database (<see cref="SearchStore"/>) so every node
/// of a cluster answers from the same one, and an edit or delete changes it in the same transaction.
/// </summary>
public static class SearchEndpoints
{
    /// <summary>The kinds of content <c>has</c> filters on.</summary>
    public static readonly string[] HasKinds = ["link", "file", "image", "video", "embed"];

    public static RouteGroupBuilder MapSearchEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/communities/{communityId}/messages/search", InCommunity).ProducesForbidden()
            .WithTags("Search").RequireAuthorization().RequireRateLimiting(RateLimits.Search)
            .WithSummary("Search the messages of a community the caller may read");
        api.MapGet("/users/@me/messages/search", InDirectChannels)
            .WithTags("Search").RequireAuthorization().RequireRateLimiting(RateLimits.Search)
            .WithSummary("Search the caller's direct messages and group DMs");
        return api;
    }

    /// <summary>The query string both endpoints take.</summary>
    public sealed class SearchParameters
    {
        [FromQuery(Name = "q")] public string? Q { get; init; }
        [FromQuery(Name = "author_id")] public string[]? AuthorId { get; init; }
        [FromQuery(Name = "channel_id")] public string[]? ChannelId { get; init; }
        [FromQuery(Name = "mentions")] public string? Mentions { get; init; }
        [FromQuery(Name = "has")] public string[]? Has { get; init; }
        [FromQuery(Name = "pinned")] public string? Pinned { get; init; }
        [FromQuery(Name = "before")] public string? Before { get; init; }
        [FromQuery(Name = "after")] public string? After { get; init; }
        [FromQuery(Name = "sort")] public string? Sort { get; init; }
        [FromQuery(Name = "limit")] public string? Limit { get; init; }
        [FromQuery(Name = "cursor")] public string? Cursor { get; init; }
    }

    private static async Task<Results<Ok<SearchResults>, ValidationProblem, ProblemHttpResult>> InCommunity(
        string communityId, [AsParameters] SearchParameters parameters, HttpContext http, CommunityAccess access, PermissionCache permissions,
        SearchStore store, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var membership = await access.MembershipAsync(communityId, userId, ct);
        if (membership is null)
        {
            return Problems.NotFound("Community");
        }

        var (request, problem, validation) = Read(parameters);
        if (request is null)
        {
            return validation is not null ? validation : problem!;
        }

        // Permission-exact now: every channel and thread of the community the caller may both view and read the history of.
        var snapshot = membership.Snapshot;
        var readable = new Dictionary<string, SearchChannel>(StringComparer.Ordinal);
        foreach (var row in snapshot.ChannelRows())
        {
            if (!ChannelTypes.HoldsMessages(row.Type))
            {
                continue;
            }

            var granted = snapshot.For(userId, row.Id, permissions.Now);
            if (PermissionResolver.Has(granted, Permission.ViewChannel) && PermissionResolver.Has(granted, Permission.ReadMessageHistory))
            {
                readable[row.Id] = new SearchChannel(row.Id, row.Name, row.Type, row.ParentId);
            }
        }

        return await RunAsync(request, readable, userId, store, ct);
    }

    private static async Task<Results<Ok<SearchResults>, ValidationProblem, ProblemHttpResult>> InDirectChannels(
        [AsParameters] SearchParameters parameters, HttpContext http, VoxoraDbContext db, SearchStore store, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var (request, problem, validation) = Read(parameters);
        if (request is null)
        {
            return validation is not null ? validation : problem!;
        }

        var channels = await db.Set<DirectRecipientEntity>().AsNoTracking()
            .Where(r => r.UserId == userId)
            .Join(db.Channels, r => r.ChannelId, c => c.Id, (r, c) => new { c.Id, c.Type })
            .ToListAsync(ct);
        var readable = channels.ToDictionary(c => c.Id, c => new SearchChannel(c.Id, null, c.Type, null), StringComparer.Ordinal);
        return await RunAsync(request, readable, userId, store, ct);
    }

    private static async Task<Results<Ok<SearchResults>, ValidationProblem, ProblemHttpResult>> RunAsync(
        SearchRequest request, Dictionary<string, SearchChannel> readable, string userId, SearchStore store, CancellationToken ct)
    {
        // A channel filter narrows the readable channels; one the caller may not read (or that does not exist) is an
        // unknown channel, answered like one, so the filter does not reveal which hidden channels exist.
        var channelIds = readable.Keys.ToList();
        if (request.ChannelIds.Count > 0)
        {
            if (request.ChannelIds.FirstOrDefault(id => !readable.ContainsKey(id)) is not null)
            {
                return Problems.NotFound("Channel");
            }

            channelIds = [.. request.ChannelIds.Distinct(StringComparer.Ordinal)];
        }

        var results = await store.SearchAsync(request, channelIds, readable, userId, ct);
        return TypedResults.Ok(results);
    }

    /// <summary>The parameters as a <see cref="SearchRequest"/>, or the 400 to answer instead.</summary>
    internal static (SearchRequest? Request, ProblemHttpResult? TooExpensive, ValidationProblem? Invalid) Read(SearchParameters p)
    {
        var errors = new Dictionary<string, string[]>();
        if (p.Q is { Length: > SearchLimits.MaxQueryLength })
        {
            errors["q"] = [$"q must be at most {SearchLimits.MaxQueryLength} characters."];
        }

        var authors = p.AuthorId ?? [];
        if (authors.Length > 10 || authors.Any(a => !Ids.IsWellFormed(a, Ids.User)))
        {
            errors["author_id"] = ["author_id must be up to 10 user ids."];
        }

        var channels = p.ChannelId ?? [];
        if (channels.Length > 10 || channels.Any(c => !Ids.IsWellFormed(c, Ids.Channel)))
        {
            errors["channel_id"] = ["channel_id must be up to 10 channel ids."];
        }

        if (p.Mentions is not null && !Ids.IsWellFormed(p.Mentions, Ids.User))
        {
            errors["mentions"] = ["mentions must be a user id."];
        }

        var has = (p.Has ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (has.Any(h => !HasKinds.Contains(h)))
        {
            errors["has"] = [$"has must be one of {string.Join(", ", HasKinds)}."];
        }

        bool? pinned = p.Pinned switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => null,
        };
        if (p.Pinned is not null && pinned is null)
        {
            errors["pinned"] = ["pinned must be true or false."];
        }

        var before = Bound(p.Before, "before", errors);
        var after = Bound(p.After, "after", errors);
        var newest = p.Sort switch
        {
            null or "relevance" => false,
            "newest" => true,
            _ => (bool?)null,
        };
        if (newest is null)
        {
            errors["sort"] = ["sort must be relevance or newest."];
        }

        var limit = SearchLimits.MaxPageSize;
        if (p.Limit is not null && (!int.TryParse(p.Limit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > SearchLimits.MaxPageSize))
        {
            errors["limit"] = [$"limit must be between 1 and {SearchLimits.MaxPageSize}."];
        }

        var offset = 0;
        if (p.Cursor is not null && !TryReadCursor(p.Cursor, out offset))
        {
            errors["cursor"] = ["cursor must be a next_cursor of an earlier answer."];
        }

        if (errors.Count > 0)
        {
            return (null, null, Problems.Validation(errors));
        }

        var query = SearchQueryParser.Parse(p.Q, out var queryError);
        if (query is null)
        {
            return (null, TooExpensive(queryError!), null);
        }

        var filtered = authors.Length > 0 || channels.Length > 0 || p.Mentions is not null || has.Count > 0 || pinned is not null
            || before is not null || after is not null;
        if (query.IsEmpty && !filtered)
        {
            return (null, TooExpensive("Type something to search for, or choose a filter."), null);
        }

        if (!query.Included.Any() && query.Excluded.Any() && !filtered)
        {
            return (null, TooExpensive("A search of only exclusions would match nearly everything; add a word or a filter."), null);
        }

        if (offset >= SearchLimits.MaxOffset)
        {
            return (null, TooExpensive($"Results go {SearchLimits.MaxOffset} deep; narrow the search to see older matches."), null);
        }

        // The page that reaches the depth is shortened to end there: a next_cursor (handed out while offset + limit is below
        // the depth) must be answered with the same query and limit, not refused.
        limit = Math.Min(limit, SearchLimits.MaxOffset - offset);

        return (new SearchRequest(query, [.. authors], [.. channels], p.Mentions, has, pinned, before, after, newest!.Value, limit, offset), null, null);
    }

    private static ProblemHttpResult TooExpensive(string detail) =>
        Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.QueryTooExpensive, "Query too expensive", detail);

    /// <summary>A message id, or a date (<c>2026-12-01</c>, or a full ISO time) turned into the first id of that moment.</summary>
    private static long? Bound(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (Snowflake.TryParse(text, out var id))
        {
            return id;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            && time >= Snowflake.Epoch)
        {
            return Snowflake.FirstAt(time);
        }

        errors[field] = [$"{field} must be a message id or a date (YYYY-MM-DD)."];
        return null;
    }

    internal static string WriteCursor(int offset) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes("o:" + offset.ToString(CultureInfo.InvariantCulture))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryReadCursor(string cursor, out int offset)
    {
        offset = 0;
        if (cursor.Length is 0 or > 32)
        {
            return false;
        }

        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(base64));
            return text.StartsWith("o:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out offset)
                && offset is > 0 and <= SearchLimits.MaxOffset;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>A search as read from the query string; <see cref="Offset"/> comes from the cursor.</summary>
public sealed record SearchRequest(
    SearchQuery Query,
    IReadOnlyList<string> AuthorIds,
    IReadOnlyList<string> ChannelIds,
    string? MentionsUserId,
    IReadOnlyList<string> Has,
    bool? Pinned,
    long? BeforeId,
    long? AfterId,
    bool Newest,
    int Limit,
    int Offset);
