namespace Voxora.Protocol;

/// <summary>
/// The answer of <c>GET /communities/{id}/messages/search</c> and <c>GET /users/@me/messages/search</c>.
/// <c>total_results</c> counts every message the query matches that the caller may read (capped at
/// <see cref="SearchLimits.MaxCountedResults"/>; <c>total_capped</c> says the real number may be higher).
/// <c>next_cursor</c> asks for the next page with the same query; null on the last page.
/// </summary>
public sealed record SearchResults(int TotalResults, bool TotalCapped, IReadOnlyList<SearchHit> Hits, string? NextCursor);

/// <summary>
/// One matching message with the channel it is in and up to <see cref="SearchLimits.ContextMessages"/> messages written
/// just before and just after it in that channel (oldest first), and where the query matched in its content:
/// <c>highlights</c> are ranges of UTF-16 code units (JavaScript string indices), in order, not overlapping.
/// </summary>
public sealed record SearchHit(
    Message Message,
    SearchChannel Channel,
    IReadOnlyList<Message> ContextBefore,
    IReadOnlyList<Message> ContextAfter,
    IReadOnlyList<TextRange> Highlights);

/// <summary>
/// The channel a hit is in: a text channel or a thread (<c>parent_id</c> its channel) of the community, or a direct
/// channel (<c>name</c> null; <c>type</c> as in <see cref="Channel"/>).
/// </summary>
public sealed record SearchChannel(string Id, string? Name, int Type, string? ParentId);

/// <summary>A range of a text: <c>start</c> and <c>length</c> in UTF-16 code units.</summary>
public sealed record TextRange(int Start, int Length);

/// <summary>The limits of a search query (seed 001 Phase 3: query caps); beyond them it is refused with a 400.</summary>
public static class SearchLimits
{
    /// <summary>Longest <c>q</c>, in characters.</summary>
    public const int MaxQueryLength = 256;

    /// <summary>Most hits per page (<c>limit</c>; 25 when not given).</summary>
    public const int MaxPageSize = 25;

    /// <summary>Most words and phrases a query may hold (exclusions included).</summary>
    public const int MaxTerms = 10;

    /// <summary>Most <c>-exclusions</c> a query may hold.</summary>
    public const int MaxExclusions = 5;

    /// <summary>How deep paging goes: a cursor past this many hits is refused.</summary>
    public const int MaxOffset = 1000;

    /// <summary><c>total_results</c> stops counting here.</summary>
    public const int MaxCountedResults = 1000;

    /// <summary>Messages of context before and after each hit.</summary>
    public const int ContextMessages = 2;
}
