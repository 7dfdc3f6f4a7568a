using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using System.Text.Json.Nodes;
using Voxora.Server.Data;
using Voxora.Server.Features.Audit;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Features.Roles;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Channels;

/// <summary>Channels of a community: list (the ones you may view), create; read, change, delete one (MANAGE_CHANNELS).</summary>
public static class ChannelsEndpoints
{
    public static RouteGroupBuilder MapChannelsEndpoints(this RouteGroupBuilder api)
    {
        var inCommunity = api.MapGroup("/communities/{communityId}/channels").WithTags("Channels").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        inCommunity.MapGet("", List);
        inCommunity.MapPost("", Create);

        var channels = api.MapGroup("/channels").WithTags("Channels").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        channels.MapGet("/{channelId}", Get);
        channels.MapPatch("/{channelId}", Update);
        channels.MapDelete("/{channelId}", Delete);
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
        PermissionChanges changes, GatewayHub hub, AuditLog audit, Voice.VoiceOptions voice, TimeProvider clock, CancellationToken ct)
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
            if (ParentError(type, request.ParentId, await FindParentAsync(db, community.Id, request.ParentId, ct)) is { } parentError) errors["parent_id"] = [parentError];
            parentId = request.ParentId;
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
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
            PermissionsSynced = parentId is not null && (request.PermissionsSynced ?? true),
            Bitrate = request.Bitrate ?? voice.DefaultBitrate,
            UserLimit = request.UserLimit ?? 0,
            CreatedAt = clock.StoredUtcNow(),
        };
        db.Channels.Add(channel);
        await db.SaveChangesAsync(ct);
        await changes.ChangedAsync(community.Id, ct);

        var wire = channel.ToProtocol();
        hub.Publish(GatewayEvents.ChannelCreate, wire, VoxoraJsonContext.Default.Channel, Audience.Channel(community.Id, channel.Id));
        await audit.AppendAsync(community.Id, userId, AuditActions.ChannelCreate, "channel", channel.Id,
            new JsonObject { ["name"] = channel.Name, ["type"] = channel.Type, ["parent_id"] = channel.ParentId });
        return TypedResults.Created($"/api/v1/channels/{channel.Id}", wire);
    }

    private static async Task<ChannelEntity?> FindParentAsync(VoxoraDbContext db, string communityId, string parentId, CancellationToken ct) =>
        Ids.IsWellFormed(parentId, Ids.Channel)
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

    private static async Task<Results<Ok<Channel>, ProblemHttpResult>> Get(
        string channelId, HttpContext http, CommunityAccess access, CancellationToken ct)
    {
        var found = await access.FindChannelAsync(channelId, http.User.UserId(), ct);
        return found is null ? Problems.NotFound("Channel") : TypedResults.Ok(found.Channel.ToProtocol());
    }

    private static async Task<Results<Ok<Channel>, ValidationProblem, ProblemHttpResult>> Update(
        string channelId, UpdateChannelRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        PermissionChanges changes, GatewayHub hub, AuditLog audit, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

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
            if (parentId is not null
                && ParentError(channel.Type, parentId, await FindParentAsync(db, channel.CommunityId, parentId, ct), channel.Id) is { } parentError)
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

        var diff = AuditLog.Diff(
            ("name", channel.Name, name), ("topic", channel.Topic, topic), ("parent_id", channel.ParentId, parentId),
            ("position", channel.Position, request.Position ?? channel.Position),
            ("permissions_synced", channel.PermissionsSynced, request.PermissionsSynced ?? (parentId is not null && channel.PermissionsSynced)),
            ("bitrate", channel.Bitrate, request.Bitrate ?? channel.Bitrate), ("user_limit", channel.UserLimit, request.UserLimit ?? channel.UserLimit));
        var wasSynced = channel.PermissionsSynced;
        var oldParent = channel.ParentId;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            if (request.PermissionsSynced == true && !wasSynced)
            {
                // Back in sync: the channel's own overrides are dropped, its category's apply.
                await db.ChannelOverrides.Where(o => o.ChannelId == channel.Id).ExecuteDeleteAsync(ct);
            }
            else if ((request.PermissionsSynced == false || parentId is null) && wasSynced && oldParent is not null)
            {
                // Leaving sync (or the category): keep what applied so far as the channel's own overrides.
                await OverridesEndpoints.CopyOverridesAsync(db, oldParent, channel, ct);
            }

            db.Channels.Attach(channel);
            channel.Name = name;
            channel.Topic = topic;
            channel.ParentId = parentId;
            channel.Position = request.Position ?? channel.Position;
            channel.PermissionsSynced = parentId is not null && (request.PermissionsSynced ?? wasSynced);
            channel.Bitrate = request.Bitrate ?? channel.Bitrate;
            channel.UserLimit = request.UserLimit ?? channel.UserLimit;
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        // Visibility may have changed (synced or moved): members who lost or gained the channel hear of it first.
        await changes.ChangedAsync(channel.CommunityId, ct);
        var wire = channel.ToProtocol();
        hub.Publish(GatewayEvents.ChannelUpdate, wire, VoxoraJsonContext.Default.Channel, Audience.Channel(channel.CommunityId, channel.Id));
        if (diff.Count > 0)
        {
            await audit.AppendAsync(channel.CommunityId, userId, AuditActions.ChannelUpdate, "channel", channel.Id, diff);
        }

        return TypedResults.Ok(wire);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string channelId, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        PermissionChanges changes, GatewayHub hub, AuditLog audit, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

        if (!found.Has(Permission.ManageChannels))
        {
            return RolesEndpoints.Missing("MANAGE_CHANNELS");
        }

        var channel = found.Channel;

        // Who could see it, decided before it goes: exactly they hear CHANNEL_DELETE.
        var viewers = hub.OnlineMembers(channel.CommunityId).Where(u => found.Snapshot.CanView(u, channel.Id)).ToList();
        List<ChannelEntity> orphans = [];
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
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

            // Its messages, reactions and overrides go with it (ON DELETE CASCADE).
            await db.Channels.Where(c => c.Id == channel.Id).ExecuteDeleteAsync(ct);
            await transaction.CommitAsync(ct);
        }

        hub.Publish(GatewayEvents.ChannelDelete, new Deleted(channel.Id, channel.CommunityId), VoxoraJsonContext.Default.Deleted, Audience.Users(viewers));
        await changes.ChangedAsync(channel.CommunityId, ct);
        foreach (var orphan in orphans)
        {
            orphan.ParentId = null;
            orphan.PermissionsSynced = false;
            hub.Publish(GatewayEvents.ChannelUpdate, orphan.ToProtocol(), VoxoraJsonContext.Default.Channel, Audience.Channel(channel.CommunityId, orphan.Id));
        }

        await audit.AppendAsync(channel.CommunityId, userId, AuditActions.ChannelDelete, "channel", channel.Id,
            new JsonObject { ["name"] = channel.Name, ["type"] = channel.Type });
        return TypedResults.NoContent();
    }
}
