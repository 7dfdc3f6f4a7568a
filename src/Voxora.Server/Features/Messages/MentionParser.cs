using System.Text.RegularExpressions;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Messages;

/// <summary>
/// Finds mentions in message content: users (<c>&lt;@usr_…&gt;</c>), roles (<c>&lt;@&amp;rol_…&gt;</c>) and
/// <c>@everyone</c> / <c>@here</c>. Pure, unit tested; whether a mention counts (a member, a role of this
/// community, the author allowed to mention everyone) is <see cref="MessageMentions.Resolve"/>'s rule.
/// </summary>
public static partial class MentionParser
{
    /// <summary>More distinct mentions than this in one message are ignored (and keep the stored list bounded).</summary>
    public const int MaxMentions = 50;

    /// <summary>More distinct role mentions than this are ignored: a community has few roles worth mentioning at once.</summary>
    public const int MaxRoleMentions = 20;

    [GeneratedRegex("<@(usr_[0-9A-Za-z]{26})>", RegexOptions.CultureInvariant)]
    private static partial Regex MentionPattern();

    [GeneratedRegex("<@&(rol_[0-9A-Za-z]{26})>", RegexOptions.CultureInvariant)]
    private static partial Regex RoleMentionPattern();

    // Not inside a word or an address ("me@everyone.example" is no mention), and not followed by more of a word.
    [GeneratedRegex(@"(?<![\w@.])@(?:everyone|here)(?![\w@])", RegexOptions.CultureInvariant)]
    private static partial Regex EveryonePattern();

    /// <summary>Distinct, well-formed user ids in order of first appearance, at most <see cref="MaxMentions"/>.</summary>
    public static IReadOnlyList<string> Parse(string content) => Distinct(MentionPattern(), content, Ids.User, MaxMentions);

    /// <summary>Distinct, well-formed role ids in order of first appearance, at most <see cref="MaxRoleMentions"/>.</summary>
    public static IReadOnlyList<string> ParseRoles(string content) => Distinct(RoleMentionPattern(), content, Ids.Role, MaxRoleMentions);

    /// <summary>Whether the text says <c>@everyone</c> or <c>@here</c> (it counts only if the author may: see <see cref="MessageMentions.Resolve"/>).</summary>
    public static bool SaysEveryone(string content) => EveryonePattern().IsMatch(content);

    private static List<string> Distinct(Regex pattern, string content, string prefix, int max)
    {
        var ids = new List<string>();
        foreach (Match match in pattern.Matches(content))
        {
            var id = match.Groups[1].Value;
            if (Ids.IsWellFormed(id, prefix) && !ids.Contains(id, StringComparer.Ordinal))
            {
                ids.Add(id);
                if (ids.Count == max)
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
