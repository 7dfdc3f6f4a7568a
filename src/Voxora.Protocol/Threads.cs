namespace Voxora.Protocol;

/// <summary>
/// A thread (a channel of type 5) started from <c>parent_message_id</c> in the text channel <c>parent_id</c>. Anyone who
/// can view the parent channel can view it. <c>last_activity_at</c> (its creation, its last message or its unarchiving)
/// is what auto-archiving counts from; <c>joined</c> (whether the caller is a member of the thread) is only in REST answers.
/// </summary>
public sealed record ThreadChannel(
    string Id,
    string CommunityId,
    string ParentId,
    string ParentMessageId,
    string OwnerId,
    string Name,
    int Type,
    bool Archived,
    int AutoArchiveSeconds,
    DateTimeOffset? ArchivedAt,
    int MessageCount,
    int MemberCount,
    DateTimeOffset? LastMessageAt,
    DateTimeOffset LastActivityAt,
    DateTimeOffset CreatedAt,
    bool? Joined = null)
{
    public ThreadSummary ToSummary() => new(Id, Name, MessageCount, LastMessageAt, LastActivityAt, Archived);
}

/// <summary>What a parent message carries about its thread (<c>message.thread</c>).</summary>
public sealed record ThreadSummary(string Id, string Name, int MessageCount, DateTimeOffset? LastMessageAt, DateTimeOffset LastActivityAt, bool Archived);

/// <summary><c>POST /channels/{id}/messages/{message_id}/threads</c>; <c>auto_archive_seconds</c> defaults to 86400.</summary>
public sealed record CreateThreadRequest(string? Name, int? AutoArchiveSeconds = null);

/// <summary>Payload of THREAD_MEMBERS_UPDATE: who joined or left the thread <c>id</c>, and how many members it has now.</summary>
public sealed record ThreadMembersUpdate(
    string Id, string CommunityId, string ParentId, int MemberCount, IReadOnlyList<string> AddedUserIds, IReadOnlyList<string> RemovedUserIds);
