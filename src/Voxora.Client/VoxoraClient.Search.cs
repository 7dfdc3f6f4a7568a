using System.Text;
using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>
/// The filters of a message search, as the query string of the search endpoints. Everything is optional; values are
/// sent as given (not checked here), so a test can send what the server must refuse.
/// </summary>
/// <param name="Q">Words, <c>"phrases"</c>, <c>-exclusions</c> and <c>prefix*</c>.</param>
/// <param name="AuthorIds">Repeated <c>author_id</c>.</param>
/// <param name="ChannelIds">Repeated <c>channel_id</c>.</param>
/// <param name="Mentions">A user id the message mentions.</param>
/// <param name="Has">Repeated <c>has</c>: <c>link</c>, <c>file</c>, <c>image</c>, <c>video</c>, <c>embed</c>.</param>
/// <param name="Pinned"><c>true</c> or <c>false</c>.</param>
/// <param name="Before">A message id or a date.</param>
/// <param name="After">A message id or a date.</param>
/// <param name="Sort"><c>relevance</c> or <c>newest</c>.</param>
/// <param name="Limit">1–25.</param>
/// <param name="Cursor">The <c>next_cursor</c> of an earlier answer.</param>
public sealed record SearchFilters(
    string? Q = null,
    IReadOnlyList<string>? AuthorIds = null,
    IReadOnlyList<string>? ChannelIds = null,
    string? Mentions = null,
    IReadOnlyList<string>? Has = null,
    string? Pinned = null,
    string? Before = null,
    string? After = null,
    string? Sort = null,
    string? Limit = null,
    string? Cursor = null)
{
    /// <summary>The query string, starting with <c>?</c> (empty when nothing is set); list values repeat their name.</summary>
    public string ToQueryString()
    {
        var builder = new StringBuilder();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                builder.Append(builder.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        Add("q", Q);
        foreach (var author in AuthorIds ?? [])
        {
            Add("author_id", author);
        }

        foreach (var channel in ChannelIds ?? [])
        {
            Add("channel_id", channel);
        }

        Add("mentions", Mentions);
        foreach (var kind in Has ?? [])
        {
            Add("has", kind);
        }

        Add("pinned", Pinned);
        Add("before", Before);
        Add("after", After);
        Add("sort", Sort);
        Add("limit", Limit);
        Add("cursor", Cursor);
        return builder.ToString();
    }
}

/// <summary>Message search in a community or in the caller's direct channels.</summary>
public sealed partial class VoxoraClient
{
    /// <summary>Searches the messages of a community's channels and threads that the caller may read.</summary>
    public Task<SearchResults> SearchCommunityAsync(string communityId, SearchFilters filters, CancellationToken ct = default) =>
        GetAsync($"api/v1/communities/{Id(communityId)}/messages/search{filters.ToQueryString()}", Json.SearchResults, ct);

    /// <summary>Searches the messages of a community by words, with the usual order and page size.</summary>
    public Task<SearchResults> SearchCommunityAsync(string communityId, string q, CancellationToken ct = default) =>
        SearchCommunityAsync(communityId, new SearchFilters(q), ct);

    /// <summary>Searches the caller's DMs and group DMs.</summary>
    public Task<SearchResults> SearchDirectAsync(SearchFilters filters, CancellationToken ct = default) =>
        GetAsync($"api/v1/users/@me/messages/search{filters.ToQueryString()}", Json.SearchResults, ct);

    /// <summary>Searches the caller's DMs and group DMs by words.</summary>
    public Task<SearchResults> SearchDirectAsync(string q, CancellationToken ct = default) =>
        SearchDirectAsync(new SearchFilters(q), ct);
}
