using System.Net;
using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>A non-success answer from the API, with its problem document when it sent one.</summary>
public sealed class VoxoraApiException(HttpStatusCode status, Problem? problem, string? retryAfter)
    : Exception($"{(int)status} {problem?.Code ?? status.ToString()}: {problem?.Detail ?? problem?.Title}")
{
    public HttpStatusCode Status { get; } = status;
    public Problem? Problem { get; } = problem;
    public string? Code => Problem?.Code;

    /// <summary>The Retry-After header, in seconds, on 429 answers.</summary>
    public string? RetryAfter { get; } = retryAfter;
}
