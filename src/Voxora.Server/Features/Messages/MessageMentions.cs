using Voxora.Protocol;

namespace Voxora.Server.Features.Messages;

/// <summary>The mentions a message carries once its author's rights and the community's members and roles are applied.</summary>
public sealed record ResolvedMentions(IReadOnlyList<string> Users, IReadOnlyList<string> Roles, bool Everyone);

/// <summary>Which mentions of a message count, and whom they reach. Pure rules, unit tested.</summary>
public static class MessageMentions
{
    /// <summary>
    /// What the content mentions, kept only where it counts: user ids as written (the caller keeps the members
    /// among them, which needs the database), roles of this community other than its @everyone role (<paramref name="isCommunityRole"/>; @everyone is
    /// reached only through <c>@everyone</c>), and <c>@everyone</c> / <c>@here</c> only when the author holds
    /// MENTION_EVERYONE in the channel (<paramref name="mayMentionEveryone"/>); without it they are plain text.
    /// </summary>
    public static ResolvedMentions Resolve(string content, Func<string, bool> isCommunityRole, string everyoneRoleId, bool mayMentionEveryone)
    {
        var roles = MentionParser.ParseRoles(content)
            .Where(id => id != everyoneRoleId && isCommunityRole(id))
            .ToList();
        return new ResolvedMentions(
            MentionParser.Parse(content),
            roles,
            mayMentionEveryone && MentionParser.SaysEveryone(content));
    }

    /// <summary>
    /// Whether <paramref name="message"/> mentions user <paramref name="userId"/>, who holds the roles
    /// <paramref name="roleIds"/> in the message's community: by name, through one of those roles, or by
    /// <c>@everyone</c> / <c>@here</c>. An author is never mentioned by their own message.
    /// </summary>
    public static bool Mentions(Message message, string userId, IReadOnlyCollection<string> roleIds)
    {
        if (message.Author.Id == userId)
        {
            return false;
        }

        if (message.MentionEveryone || message.Mentions.Contains(userId, StringComparer.Ordinal))
        {
            return true;
        }

        foreach (var role in message.MentionRoles)
        {
            if (roleIds.Contains(role))
            {
                return true;
            }
        }

        return false;
    }
}
