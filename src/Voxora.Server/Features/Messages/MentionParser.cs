using System.Text.RegularExpressions;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Messages;

/// <summary>Finds user mentions (<c>&lt;@usr_…&gt;</c>) in message content. Pure, unit tested.</summary>
public static partial class MentionParser
{
    /// <summary>More distinct mentions than this in one message are ignored (and keep the stored list bounded).</summary>
    public const int MaxMentions = 50;

    [GeneratedRegex("<@(usr_[0-9A-Za-z]{26})>", RegexOptions.CultureInvariant)]
    private static partial Regex MentionPattern();

    /// <summary>Distinct, well-formed user ids in order of first appearance, at most <see cref="MaxMentions"/>.</summary>
    public static IReadOnlyList<string> Parse(string content)
    {
        var ids = new List<string>();
        foreach (Match match in MentionPattern().Matches(content))
        {
            var id = match.Groups[1].Value;
            if (Ids.IsWellFormed(id, Ids.User) && !ids.Contains(id, StringComparer.Ordinal))
            {
                ids.Add(id);
                if (ids.Count == MaxMentions)
                {
                    break;
                }
            }
        }

        return ids;
    }

    /// <summary>The stored form: ids separated by spaces, or null for none.</summary>
    public static string? Join(IReadOnlyCollection<string> ids) => ids.Count == 0 ? null : string.Join(' ', ids);

    public static IReadOnlyList<string> Split(string? stored) =>
        string.IsNullOrEmpty(stored) ? [] : stored.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
