using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Messages;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Threads;

/// <summary>
/// Domain event: a thread was started from a message. Its channel row joins the community's permission snapshot first
/// (so the thread resolves to its parent's permissions), then THREAD_CREATE goes to those who can view the parent.
/// </summary>
public sealed record ThreadCreated(ThreadChannel Thread, string CreatedBy) : ICommunityPermissionsChange
{
    public string CommunityId => Thread.CommunityId;
}

/// <summary>
/// Domain event: a thread's name, archive state, auto-archive duration or activity (message count, last message)
/// changed. <paramref name="UpdatedBy"/> is null for the sweeper and for activity; <paramref name="Renamed"/> says the
/// channel row changed too, so the snapshot (which hands out channel rows) is rebuilt.
/// </summary>
public sealed record ThreadUpdated(ThreadChannel Thread, string? UpdatedBy, bool Renamed = false);

/// <summary>Domain event: people joined or left a thread.</summary>
public sealed record ThreadMembersChanged(ThreadMembersUpdate Update);

/// <summary>The gateway's side of threads: every THREAD_* event goes to the connections that can view the parent channel.</summary>
public sealed class ThreadsGateway(GatewayHub hub) :
    IDomainEventHandler<ThreadCreated>, IDomainEventHandler<ThreadUpdated>, IDomainEventHandler<ThreadMembersChanged>
{
    public Task HandleAsync(ThreadCreated created, CancellationToken ct)
    {
        var thread = created.Thread;
        hub.Publish(GatewayEvents.ThreadCreate, thread, VoxoraJsonContext.Default.ThreadChannel, Audience.Channel(thread.CommunityId, thread.ParentId));
        return Task.CompletedTask;
    }

    public Task HandleAsync(ThreadUpdated updated, CancellationToken ct)
    {
        var thread = updated.Thread;
        hub.Publish(GatewayEvents.ThreadUpdate, thread, VoxoraJsonContext.Default.ThreadChannel, Audience.Channel(thread.CommunityId, thread.ParentId));
        return Task.CompletedTask;
    }

    public Task HandleAsync(ThreadMembersChanged changed, CancellationToken ct)
    {
        var update = changed.Update;
        hub.Publish(GatewayEvents.ThreadMembersUpdate, update, VoxoraJsonContext.Default.ThreadMembersUpdate, Audience.Channel(update.CommunityId, update.ParentId));
        return Task.CompletedTask;
    }
}

/// <summary>A renamed thread's channel row is in the permission snapshot: rebuild it (renames are rare; activity is not, and changes no row).</summary>
public sealed class ThreadRenameRefresh(PermissionChanges changes) : IDomainEventHandler<ThreadUpdated>
{
    public async Task HandleAsync(ThreadUpdated updated, CancellationToken ct)
    {
        if (updated.Renamed)
        {
            await changes.ChangedAsync(updated.Thread.CommunityId, ct);
        }
    }
}

/// <summary>
/// A thread follows the messages posted in it: count, last message and activity, unarchived by a new message (seed 000
/// §P2-7: sending to an archived thread unarchives it; the endpoint has already checked SEND_MESSAGES_IN_THREADS), and
/// the poster joins. Deletions recount. Messages of ordinary channels cost one look-up in the cached snapshot.
/// </summary>
public sealed class ThreadActivity(IServiceScopeFactory scopes, PermissionCache permissions, DomainEvents events) :
    IDomainEventHandler<MessageCreated>, IDomainEventHandler<MessageRemoved>, IDomainEventHandler<MessagesBulkDeleted>,
    IDomainEventHandler<MessagesPurged>
{
    /// <summary>Threads live in communities: a direct channel (no community) never is one.</summary>
    private bool IsThread(string? communityId, string channelId) => communityId is not null && (permissions.Cached(communityId)?.IsThread(channelId) ?? false);

    public async Task HandleAsync(MessageCreated created, CancellationToken ct)
    {
        var message = created.Message;
        if (!IsThread(message.CommunityId, message.ChannelId))
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var autoArchive = await db.Threads.Where(t => t.Id == message.ChannelId).Select(t => (int?)t.AutoArchiveSeconds).SingleOrDefaultAsync(ct);
        if (autoArchive is not { } seconds)
        {
            return;
        }

        var at = message.CreatedAt;
        await db.Threads.Where(t => t.Id == message.ChannelId).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.MessageCount, t => t.MessageCount + 1)
            .SetProperty(t => t.LastMessageAt, at)
            .SetProperty(t => t.LastActivityAt, at)
            .SetProperty(t => t.ArchiveDueAt, at.AddSeconds(seconds))
            .SetProperty(t => t.Archived, false)
            .SetProperty(t => t.ArchivedAt, (DateTimeOffset?)null), ct);

        var joined = await ThreadMembership.JoinAsync(db, message.ChannelId, message.Author.Id, at, ct);
        var store = scope.ServiceProvider.GetRequiredService<ThreadStore>();
        if (await store.FindAsync(message.ChannelId, null, ct) is not { } thread)
        {
            return;
        }

        await events.PublishAsync(new ThreadUpdated(thread, null));
        if (joined)
        {
            await events.PublishAsync(new ThreadMembersChanged(new ThreadMembersUpdate(thread.Id, thread.CommunityId, thread.ParentId, thread.MemberCount, [message.Author.Id], [])));
        }
    }

    public Task HandleAsync(MessageRemoved removed, CancellationToken ct) => RecountAsync(removed.CommunityId, removed.ChannelId, ct);

    public Task HandleAsync(MessagesBulkDeleted deleted, CancellationToken ct) => RecountAsync(deleted.CommunityId, deleted.ChannelId, ct);

    public Task HandleAsync(MessagesPurged purged, CancellationToken ct) => RecountAsync(purged.CommunityId, purged.ChannelId, ct);

    private async Task RecountAsync(string? communityId, string channelId, CancellationToken ct)
    {
        if (communityId is null || !IsThread(communityId, channelId))
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var count = await db.Messages.CountAsync(m => m.ChannelId == channelId, ct);
        var last = await db.Messages.Where(m => m.ChannelId == channelId).OrderByDescending(m => m.Id).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(ct);
        await db.Threads.Where(t => t.Id == channelId).ExecuteUpdateAsync(s => s.SetProperty(t => t.MessageCount, count).SetProperty(t => t.LastMessageAt, last), ct);
        if (await scope.ServiceProvider.GetRequiredService<ThreadStore>().FindAsync(channelId, null, ct) is { } thread)
        {
            await events.PublishAsync(new ThreadUpdated(thread, null));
        }
    }
}

/// <summary>Thread membership writes shared by the endpoints and <see cref="ThreadActivity"/>.</summary>
public static class ThreadMembership
{
    /// <summary>Adds the member; false when they already were one (also when a concurrent join won the race).</summary>
    public static async Task<bool> JoinAsync(VoxoraDbContext db, string threadId, string userId, DateTimeOffset at, CancellationToken ct)
    {
        if (await db.ThreadMembers.AnyAsync(m => m.ThreadId == threadId && m.UserId == userId, ct))
        {
            return false;
        }

        var member = new ThreadMemberEntity { ThreadId = threadId, UserId = userId, JoinedAt = at };
        db.ThreadMembers.Add(member);
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException ex) when (ErrorHandling.IsUniqueViolation(ex))
        {
            db.Entry(member).State = EntityState.Detached;
            return false;
        }
    }
}
