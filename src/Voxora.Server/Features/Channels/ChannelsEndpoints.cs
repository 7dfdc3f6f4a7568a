using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.DirectMessages;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Features.Roles;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Channels;

/// <summary>Channels of a community: list (the ones you may view), create; read, change, delete one (MANAGE_CHANNELS).</summary>
public static class ChannelsEndpoints
{
    public static RouteGroupBuilder MapChannelsEndpoints(this RouteGroupBuilder api)
    {
        var inCommunity = api.MapGroup("/communities/{communityId}/channels").WithTags("Channels").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        inCommunity.MapGet("", List).WithSummary("The channels of a community the caller can see").ProducesForbidden();
        inCommunity.MapPost("", Create).WithSummary("Create a channel or category (MANAGE_CHANNELS)").ProducesForbidden();

        var channels = api.MapGroup("/channels").WithTags("Channels").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        channels.MapGet("/{channelId}", Get).WithSummary("A channel").ProducesForbidden();
        channels.MapPatch("/{channelId}", Update).WithSummary("Change a channel: name, topic, position, parent, slow mode (MANAGE_CHANNELS)").ProducesForbidden();
        channels.MapDelete("/{channelId}", Delete).WithSummary("Delete a channel (MANAGE_CHANNELS)").ProducesForbidden();
        return api;
    }

    private static async Task<Results<Ok<List<Channel>>, ProblemHttpResult>> List(
        string communityId, HttpContext http, CommunityAccess access, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var community = await access.FindCommunityAsync(communityId, userId, ct);
        return community is null ? Problems.NotFound("Community") : TypedResults.Ok(await access.ChannelsAsync(community.Id, userId, ct));
    }

    private static async Task<Results<Created<Channel>, ValidationProblem, ProblemHttpResult>> Create(
        string communityId, CreateChannelRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        DomainEvents events, PermissionCache permissions, Voice.VoiceOptions voice, TimeProvider clock, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var membership = await access.MembershipAsync(communityId, userId, ct);
        if (membership is null)
        {
            return Problems.NotFound("Community");
        }

        if (!membership.Has(Permission.ManageChannels))
        {
            return RolesEndpoints.Missing("MANAGE_CHANNELS");
        }

        var community = membership.Community;

        var type = request.Type ?? ChannelTypes.Text;
        var errors = new Dictionary<string, string[]>();
        var name = "";
        if (!ChannelRules.IsKnownType(type)) errors["type"] = ["Type must be 0 (text), 1 (voice) or 4 (category)."];
        else if (ChannelRules.NameError(type, request.Name, out name) is { } nameError) errors["name"] = [nameError];
        if (ChannelRules.TopicError(request.Topic, out var topic) is { } topicError) errors["topic"] = [topicError];
        if (ChannelRules.PositionError(request.Position) is { } positionError) errors["position"] = [positionError];
        ChannelRules.VoiceSettingsErrors(type, request.Bitrate, request.UserLimit, errors);
        string? parentId = null;
        if (!string.IsNullOrEmpty(request.ParentId))
        {
            var parent = await FindParentAsync(db, community.Id, request.ParentId, membership.Snapshot, userId, ct);
            if (ParentError(type, request.ParentId, parent) is { } parentError) errors["parent_id"] = [parentError];
            parentId = request.ParentId;
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        // Synced, the new channel takes on its category's overrides: each is an override the caller gives, under the
        // same rule as the overrides endpoints, judged by what the caller holds in the category (which the channel shares).
        var synced = parentId is not null && (request.PermissionsSynced ?? true);
        List<OverrideChange> inherited = synced ? OverrideRules.Diff([], await OverridesEndpoints.OwnAsync(db, parentId!, ct)) : [];
        if (OverridesEndpoints.RefusalOf(synced ? membership.Snapshot.For(userId, parentId!, permissions.Now) : 0, inherited) is { } refused)
        {
            return refused;
        }

        var position = request.Position
            ?? (await db.Channels.Where(c => c.CommunityId == community.Id).MaxAsync(c => (int?)c.Position, ct) ?? -1) + 1;
        var channel = new ChannelEntity
        {
            Id = Ids.New(Ids.Channel),
            CommunityId = community.Id,
            Name = name,
            Type = type,
            Topic = topic,
            ParentId = parentId,
            Position = Math.Min(position, ChannelRules.PositionMax),
            PermissionsSynced = synced,
            Bitrate = request.Bitrate ?? voice.DefaultBitrate,
            UserLimit = request.UserLimit ?? 0,
            CreatedAt = clock.StoredUtcNow(),
        };
        db.Channels.Add(channel);
        await db.SaveChangesAsync(ct);

        var wire = channel.ToProtocol();
        await events.PublishAsync(new ChannelCreated(wire, userId, inherited));
        return TypedResults.Created($"/api/v1/channels/{channel.Id}", wire);
    }

    /// <summary>
    /// The would-be parent, or null when it does not exist in the community or the caller cannot view it (a category
    /// one cannot see is no place to put a channel, and answering alike leaks nothing about it).
    /// </summary>
    private static async Task<ChannelEntity?> FindParentAsync(
        VoxoraDbContext db, string communityId, string parentId, PermissionSnapshot snapshot, string userId, CancellationToken ct) =>
        Ids.IsWellFormed(parentId, Ids.Channel) && snapshot.CanView(userId, parentId)
            ? await db.Channels.AsNoTracking().SingleOrDefaultAsync(c => c.Id == parentId && c.CommunityId == communityId, ct)
            : null;

    private static string? ParentError(int type, string parentId, ChannelEntity? parent, string? selfId = null)
    {
        if (type == ChannelTypes.Category)
        {
            return "A category cannot have a parent.";
        }

        if (parent is null || parent.Id == selfId)
        {
            return $"Parent '{parentId}' is not a category of this community.";
        }

        return parent.Type != ChannelTypes.Category ? "The parent must be a category." : null;
    }

    /// <summary>A thread is answered as a thread (its channel fields and its thread state), a direct channel as one.</summary>
    private static async Task<Results<Ok<Channel>, Ok<ThreadChannel>, Ok<DirectChannel>, ProblemHttpResult>> Get(
        string channelId, HttpContext http, CommunityAccess access, Threads.ThreadStore threads, DirectChannelStore directChannels, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

        if (found.IsDirect)
        {
            return TypedResults.Ok(await DirectMessagesEndpoints.GetAsync(found, directChannels, ct));
        }

        if (found.Channel.Type == ChannelTypes.Thread)
        {
            return await threads.FindAsync(found.Channel.Id, userId, ct) is { } thread ? TypedResults.Ok(thread) : Problems.NotFound("Channel");
        }

        return TypedResults.Ok(found.Channel.ToProtocol());
    }

    private static async Task<Results<Ok<Channel>, Ok<ThreadChannel>, Ok<DirectChannel>, ValidationProblem, ProblemHttpResult>> Update(
        string channelId, UpdateChannelRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        DomainEvents events, Threads.ThreadStore threads, DirectChannelStore directChannels, TimeProvider clock, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

        if (found.IsDirect)
        {
            return await DirectMessagesEndpoints.RenameAsync(found, request.Name, db, directChannels, events, ct);
        }

        if (found.Channel.Type == ChannelTypes.Thread)
        {
            return await Threads.ThreadsEndpoints.UpdateAsync(found, request, db, threads, events, clock, ct);
        }

        if (request.Archived is not null || request.AutoArchiveSeconds is not null)
        {
            return Problems.Validation(request.Archived is not null ? "archived" : "auto_archive_seconds", "Only threads can be archived.");
        }

        var communityId = found.Channel.OwningCommunityId;

        if (!found.Has(Permission.ManageChannels))
        {
            return RolesEndpoints.Missing("MANAGE_CHANNELS");
        }

        var channel = found.Channel;
        var errors = new Dictionary<string, string[]>();
        var name = channel.Name;
        var topic = channel.Topic;
        if (request.Name is not null && ChannelRules.NameError(channel.Type, request.Name, out name) is { } nameError) errors["name"] = [nameError];
        if (request.Topic is not null && ChannelRules.TopicError(request.Topic, out topic) is { } topicError) errors["topic"] = [topicError];
        if (ChannelRules.PositionError(request.Position) is { } positionError) errors["position"] = [positionError];
        ChannelRules.VoiceSettingsErrors(channel.Type, request.Bitrate, request.UserLimit, errors);
        var parentId = channel.ParentId;
        if (request.ParentId is not null)
        {
            parentId = request.ParentId.Length == 0 ? null : request.ParentId;
            if (parentId is not null && parentId != channel.ParentId
                && ParentError(channel.Type, parentId, await FindParentAsync(db, communityId, parentId, found.Snapshot, userId, ct), channel.Id) is { } parentError)
            {
                errors["parent_id"] = [parentError];
            }
        }

        if (request.PermissionsSynced == true && parentId is null)
        {
            errors["permissions_synced"] = ["Only a channel in a category can sync with it."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var wasSynced = channel.PermissionsSynced;
        var oldParent = channel.ParentId;
        var synced = parentId is not null && (request.PermissionsSynced ?? wasSynced);
        var previous = channel.ToProtocol();
        List<OverrideChange> overrideChanges;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            // Which overrides apply before and after: synced, the (new) category's; otherwise the channel's own, which
            // are the old category's copies when it leaves sync. Syncing, or moving while synced, changes them, and each
            // change must be one the caller could make on the overrides endpoints; if not, nothing changes at all.
            var before = OverridesEndpoints.EffectiveSource(channel);
            var after = synced ? parentId! : before;
            overrideChanges = before == after
                ? []
                : OverrideRules.Diff(await OverridesEndpoints.OwnAsync(db, before, ct), await OverridesEndpoints.OwnAsync(db, after, ct));
            if (OverridesEndpoints.RefusalOf(found.Permissions, overrideChanges) is { } refused)
            {
                return refused;
            }

            if (synced && !wasSynced)
            {
                // Back in sync: the channel's own overrides are dropped, its category's apply.
                await db.ChannelOverrides.Where(o => o.ChannelId == channel.Id).ExecuteDeleteAsync(ct);
            }
            else if (!synced && wasSynced && oldParent is not null)
            {
                // Leaving sync (or the category): keep what applied so far as the channel's own overrides.
                await OverridesEndpoints.CopyOverridesAsync(db, oldParent, channel, ct);
            }

            db.Channels.Attach(channel);
            channel.Name = name;
            channel.Topic = topic;
            channel.ParentId = parentId;
            channel.Position = request.Position ?? channel.Position;
            channel.PermissionsSynced = synced;
            channel.Bitrate = request.Bitrate ?? channel.Bitrate;
            channel.UserLimit = request.UserLimit ?? channel.UserLimit;
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        // Visibility may have changed (synced or moved): members who lost or gained the channel hear of it first
        // (the permission refresh subscribes before the gateway).
        var wire = channel.ToProtocol();
        await events.PublishAsync(new ChannelUpdated(wire, previous, userId, overrideChanges));
        return TypedResults.Ok(wire);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string channelId, HttpContext http, VoxoraDbContext db, CommunityAccess access, DirectChannelStore directChannels,
        DomainEvents events, GatewayHub hub, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

        if (found.IsDirect)
        {
            return await DirectMessagesEndpoints.LeaveAsync(found, db, directChannels, events, ct);
        }

        if (!found.Has(Permission.ManageChannels))
        {
            return RolesEndpoints.Missing("MANAGE_CHANNELS");
        }

        var channel = found.Channel;

        List<ChannelEntity> orphans = [];
        List<ChannelOverrideEntity> ownOverrides;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            ownOverrides = await OverridesEndpoints.OwnAsync(db, channel.Id, ct);
            if (channel.Type == ChannelTypes.Category)
            {
                orphans = await db.Channels.AsNoTracking().Where(c => c.ParentId == channel.Id && c.CommunityId == channel.CommunityId).ToListAsync(ct);

                // Synced children keep the category's overrides as their own, so deleting it changes nobody's access.
                foreach (var synced in orphans.Where(o => o.PermissionsSynced))
                {
                    await OverridesEndpoints.CopyOverridesAsync(db, channel.Id, synced, ct);
                }

                await db.Channels.Where(c => c.ParentId == channel.Id && c.CommunityId == channel.CommunityId)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.ParentId, (string?)null).SetProperty(c => c.PermissionsSynced, false), ct);
            }

            // Its threads go with it (their rows point at it as parent, not by a foreign key): a thread left behind
            // would resolve to no overrides at all.
            await db.Channels.Where(c => c.ParentId == channel.Id && c.Type == ChannelTypes.Thread && c.CommunityId == channel.CommunityId).ExecuteDeleteAsync(ct);

            // Its messages, reactions and overrides go with it (ON DELETE CASCADE).
            await db.Channels.Where(c => c.Id == channel.Id).ExecuteDeleteAsync(ct);
            await transaction.CommitAsync(ct);
        }

        var deleted = channel.ToProtocol();
        var copiedTo = orphans.Where(o => o.PermissionsSynced).Select(o => o.Id).ToList();
        foreach (var orphan in orphans)
        {
            orphan.ParentId = null;
            orphan.PermissionsSynced = false;
        }

        // Deleting a channel changes nobody's access to the others (a synced child keeps its category's overrides as
        // its own), so the refresh that runs before the gateway announces nothing the CHANNEL_DELETE does not.
        // The audit log records the overrides that went with it and the children that now hold copies of a category's.
        await events.PublishAsync(new ChannelDeleted(
            deleted, orphans.Select(o => o.ToProtocol()).ToList(), userId, OverrideRules.Diff(ownOverrides, []), copiedTo));
        return TypedResults.NoContent();
    }
}
