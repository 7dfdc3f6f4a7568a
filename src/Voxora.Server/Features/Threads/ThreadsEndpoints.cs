using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Channels;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Messages;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Features.Roles;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Threads;

/// <summary>
/// Threads (seed 000 §P2-7): start one from a message (CREATE_THREADS), list a channel's active or archived threads,
/// join and leave. Renaming and archiving go through <c>PATCH /channels/{thread_id}</c> (<see cref="UpdateAsync"/>);
/// posting through the ordinary messages endpoint. A thread is visible exactly to those who can view its parent.
/// </summary>
public static class ThreadsEndpoints
{
    public static IServiceCollection AddThreads(this IServiceCollection services, ThreadsOptions options)
    {
        services.AddSingleton(options);
        services.AddScoped<ThreadStore>();
        services.TryAddKeyedSingleton(ThreadSweeper.ClockKey, (sp, _) => sp.GetRequiredService<TimeProvider>());
        services.AddSingleton<ThreadSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<ThreadSweeper>());

        // After the messages' own subscribers, so MESSAGE_CREATE goes out before the THREAD_UPDATE it causes.
        services.AddSingleton<ThreadsGateway>();
        services.AddSingleton<ThreadRenameRefresh>();
        services.AddSingleton<ThreadActivity>();
        services.AddPermissionsChange<ThreadCreated, ThreadsGateway>();
        services.AddDomainEventHandler<ThreadUpdated, ThreadRenameRefresh>();
        services.AddDomainEventHandler<ThreadUpdated, ThreadsGateway>();
        services.AddDomainEventHandler<ThreadMembersChanged, ThreadsGateway>();
        services.AddDomainEventHandler<MessageCreated, ThreadActivity>();
        services.AddDomainEventHandler<MessageRemoved, ThreadActivity>();
        services.AddDomainEventHandler<MessagesBulkDeleted, ThreadActivity>();
        services.AddDomainEventHandler<MessagesPurged, ThreadActivity>();
        return services;
    }

    public static RouteGroupBuilder MapThreadsEndpoints(this RouteGroupBuilder api)
    {
        var channels = api.MapGroup("/channels").WithTags("Threads").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        channels.MapPost("/{channelId}/messages/{messageId}/threads", Create).WithSummary("Start a thread from a message (CREATE_THREADS)").ProducesForbidden();
        channels.MapGet("/{channelId}/threads", List).WithSummary("The threads of a channel").ProducesForbidden();
        channels.MapPut("/{channelId}/thread-members/@me", Join).WithSummary("Join a thread").ProducesForbidden();
        channels.MapDelete("/{channelId}/thread-members/@me", Leave).WithSummary("Leave a thread").ProducesForbidden();
        return api;
    }

    private static async Task<Results<Created<ThreadChannel>, ValidationProblem, ProblemHttpResult>> Create(
        string channelId, string messageId, CreateThreadRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var found = await access.FindChannelAsync(channelId, http.User.UserId(), ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

        if (found.Channel.Type != ChannelTypes.Text)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.WrongChannelType, "Not a text channel",
                "Threads can only be started from messages of text channels (not in threads, voice channels or categories).");
        }

        if (!found.Has(Permission.CreateThreads))
        {
            return RolesEndpoints.Missing("CREATE_THREADS");
        }

        var parent = found.Channel;
        if (!Snowflake.TryParse(messageId, out var parentMessageId)
            || !await db.Messages.AnyAsync(m => m.Id == parentMessageId && m.ChannelId == parent.Id, ct))
        {
            return Problems.NotFound("Message");
        }

        var errors = new Dictionary<string, string[]>();
        if (ThreadRules.NameError(request.Name, out var name) is { } nameError) errors["name"] = [nameError];
        if (ThreadRules.AutoArchiveError(request.AutoArchiveSeconds) is { } autoError) errors["auto_archive_seconds"] = [autoError];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (await db.Threads.AnyAsync(t => t.ParentMessageId == parentMessageId, ct))
        {
            return AlreadyExists();
        }

        var now = clock.StoredUtcNow();
        var autoArchive = request.AutoArchiveSeconds ?? ThreadRules.DefaultAutoArchiveSeconds;
        var channel = new ChannelEntity
        {
            Id = Ids.New(Ids.Channel),
            CommunityId = parent.OwningCommunityId,
            Name = name,
            Type = ChannelTypes.Thread,
            ParentId = parent.Id,

            // Synced with its parent: the thread has no overrides of its own, it resolves to the parent's (and so to
            // its category's when the parent is synced), which is what makes visibility follow the parent.
            PermissionsSynced = true,
            CreatedAt = now,
        };
        var thread = new ThreadEntity
        {
            Id = channel.Id,
            CommunityId = parent.OwningCommunityId,
            ParentChannelId = parent.Id,
            ParentMessageId = parentMessageId,
            OwnerId = found.Me.Id,
            AutoArchiveSeconds = autoArchive,
            LastActivityAt = now,
            ArchiveDueAt = now.AddSeconds(autoArchive),
            CreatedAt = now,
        };
        db.Channels.Add(channel);
        db.Threads.Add(thread);
        db.ThreadMembers.Add(new ThreadMemberEntity { ThreadId = channel.Id, UserId = found.Me.Id, JoinedAt = now });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ErrorHandling.IsUniqueViolation(ex))
        {
            // Another request started a thread on the same message first.
            return AlreadyExists();
        }

        var wire = new ThreadChannel(channel.Id, channel.OwningCommunityId, parent.Id, Snowflake.Format(parentMessageId), found.Me.Id, name,
            ChannelTypes.Thread, false, autoArchive, null, 0, 1, null, now, now);
        await events.PublishAsync(new ThreadCreated(wire, found.Me.Id));
        return TypedResults.Created($"/api/v1/channels/{channel.Id}", wire with { Joined = true });
    }

    private static async Task<Results<Ok<List<ThreadChannel>>, ValidationProblem, ProblemHttpResult>> List(
        string channelId, string? archived, HttpContext http, CommunityAccess access, ThreadStore store, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

        if (archived is not (null or "true" or "false"))
        {
            return Problems.Validation("archived", "Archived must be true or false.");
        }

        if (found.Channel.Type != ChannelTypes.Text)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.WrongChannelType, "Not a text channel", "Only text channels have threads.");
        }

        return TypedResults.Ok(await store.ListAsync(found.Channel.Id, archived == "true", userId, ct));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Join(
        string channelId, HttpContext http, VoxoraDbContext db, CommunityAccess access, DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var found = await FindThreadAsync(channelId, http, access, ct);
        if (found.Problem is { } problem)
        {
            return problem;
        }

        var thread = found.Access!.Channel;
        if (await ThreadMembership.JoinAsync(db, thread.Id, found.Access.Me.Id, clock.StoredUtcNow(), ct))
        {
            await AnnounceMembersAsync(db, events, thread, [found.Access.Me.Id], [], ct);
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Leave(
        string channelId, HttpContext http, VoxoraDbContext db, CommunityAccess access, DomainEvents events, CancellationToken ct)
    {
        var found = await FindThreadAsync(channelId, http, access, ct);
        if (found.Problem is { } problem)
        {
            return problem;
        }

        var thread = found.Access!.Channel;
        var me = found.Access.Me.Id;
        if (await db.ThreadMembers.Where(m => m.ThreadId == thread.Id && m.UserId == me).ExecuteDeleteAsync(ct) > 0)
        {
            await AnnounceMembersAsync(db, events, thread, [], [me], ct);
        }

        return TypedResults.NoContent();
    }

    private static async Task<(ChannelAccess? Access, ProblemHttpResult? Problem)> FindThreadAsync(string channelId, HttpContext http, CommunityAccess access, CancellationToken ct)
    {
        var found = await access.FindChannelAsync(channelId, http.User.UserId(), ct);
        if (found is null)
        {
            return (null, Problems.NotFound("Channel"));
        }

        return found.Channel.Type != ChannelTypes.Thread
            ? (null, Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.WrongChannelType, "Not a thread", "Only threads have members to join or leave."))
            : (found, null);
    }

    private static async Task AnnounceMembersAsync(
        VoxoraDbContext db, DomainEvents events, ChannelEntity thread, IReadOnlyList<string> added, IReadOnlyList<string> removed, CancellationToken ct)
    {
        var count = await db.ThreadMembers.CountAsync(m => m.ThreadId == thread.Id, ct);
        await events.PublishAsync(new ThreadMembersChanged(new ThreadMembersUpdate(thread.Id, thread.OwningCommunityId, thread.ParentId!, count, added, removed)));
    }

    /// <summary>
    /// <c>PATCH /channels/{thread_id}</c>: the thread's owner or a member with MANAGE_THREADS may rename it, archive or
    /// unarchive it and change its auto-archive duration. An archived thread is read-only: the one change it takes is
    /// <c>archived: false</c> (with or without others). Unarchiving counts as activity.
    /// </summary>
    internal static async Task<Results<Ok<Channel>, Ok<ThreadChannel>, Ok<DirectChannel>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        ChannelAccess found, UpdateChannelRequest request, VoxoraDbContext db, ThreadStore store, DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var thread = await db.Threads.Include(t => t.Channel).SingleOrDefaultAsync(t => t.Id == found.Channel.Id, ct);
        if (thread?.Channel is null)
        {
            return Problems.NotFound("Channel");
        }

        var me = found.Me.Id;
        if (thread.OwnerId != me && !found.Has(Permission.ManageThreads))
        {
            return Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, "Forbidden",
                "Only the thread's owner, or a member with MANAGE_THREADS, can change a thread.");
        }

        var errors = new Dictionary<string, string[]>();
        var name = thread.Channel.Name;
        if (request.Name is not null && ThreadRules.NameError(request.Name, out name) is { } nameError) errors["name"] = [nameError];
        if (ThreadRules.AutoArchiveError(request.AutoArchiveSeconds) is { } autoError) errors["auto_archive_seconds"] = [autoError];
        foreach (var (field, given) in new (string, bool)[]
                 {
                     ("topic", request.Topic is not null), ("parent_id", request.ParentId is not null), ("position", request.Position is not null),
                     ("permissions_synced", request.PermissionsSynced is not null), ("bitrate", request.Bitrate is not null), ("user_limit", request.UserLimit is not null),
                 })
        {
            if (given) errors[field] = ["A thread only takes name, archived and auto_archive_seconds."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var changesContent = (request.Name is not null && name != thread.Channel.Name) || (request.AutoArchiveSeconds is { } a && a != thread.AutoArchiveSeconds);
        if (thread.Archived && request.Archived != false && changesContent)
        {
            return Archived("The thread is archived: unarchive it (archived: false) to change it.");
        }

        var now = clock.StoredUtcNow();
        var renamed = name != thread.Channel.Name;
        var changed = renamed;
        thread.Channel.Name = name;
        if (request.AutoArchiveSeconds is { } seconds && seconds != thread.AutoArchiveSeconds)
        {
            thread.AutoArchiveSeconds = seconds;
            thread.ArchiveDueAt = thread.LastActivityAt.AddSeconds(seconds);
            changed = true;
        }

        if (request.Archived == true && !thread.Archived)
        {
            thread.Archived = true;
            thread.ArchivedAt = now;
            changed = true;
        }
        else if (request.Archived == false && thread.Archived)
        {
            thread.Archived = false;
            thread.ArchivedAt = null;
            thread.LastActivityAt = now;
            thread.ArchiveDueAt = now.AddSeconds(thread.AutoArchiveSeconds);
            changed = true;
        }

        if (changed)
        {
            await db.SaveChangesAsync(ct);
            if (await store.FindAsync(thread.Id, null, ct) is { } shared)
            {
                await events.PublishAsync(new ThreadUpdated(shared, me, renamed));
            }
        }

        return await store.FindAsync(thread.Id, me, ct) is { } mine ? TypedResults.Ok(mine) : Problems.NotFound("Channel");
    }

    /// <summary>Whether the thread is archived (read-only); false for anything that is not a thread.</summary>
    internal static Task<bool> IsArchivedAsync(VoxoraDbContext db, ChannelEntity channel, CancellationToken ct) =>
        channel.Type == ChannelTypes.Thread ? db.Threads.AnyAsync(t => t.Id == channel.Id && t.Archived, ct) : Task.FromResult(false);

    internal static ProblemHttpResult Archived(string detail) =>
        Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.ThreadArchived, "Thread archived", detail);

    private static ProblemHttpResult AlreadyExists() =>
        Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.ThreadAlreadyExists, "Thread already exists", "This message already has a thread.");
}
