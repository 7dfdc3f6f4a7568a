using System.Text.Json;
using Voxora.Protocol;

namespace Voxora.Server.Features.Presence;

/// <summary>The pure presence rules: what others see of a status, and which requests are valid.</summary>
public static class PresenceRules
{
    /// <summary>Communities with more online members than this get no presences in READY; clients page them (<c>GET …/presences</c>).</summary>
    public const int ReadyLimitPerCommunity = 1000;

    /// <summary>Op 9 PRESENCE_UPDATEs allowed per connection per <see cref="UpdatesPeriod"/> (also the burst).</summary>
    public const int UpdatesPerPeriod = 5;

    public static readonly TimeSpan UpdatesPeriod = TimeSpan.FromSeconds(60);

    /// <summary>Activities are not served yet; every presence carries this empty list.</summary>
    public static readonly IReadOnlyList<JsonElement> NoActivities = [];

    /// <summary>What everyone else sees: invisible looks offline.</summary>
    public static string Visible(string status) => status == PresenceStatuses.Invisible ? PresenceStatuses.Offline : status;

    /// <summary>The status the request asks for, or null when it is not valid (unknown status, or activities given).</summary>
    public static string? Requested(PresenceUpdateRequest? request) =>
        request is { Status: var status } && PresenceStatuses.IsSettable(status) && (request.Activities is null || request.Activities.Count == 0)
            ? status
            : null;
}
