using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Channels;

/// <summary>Channels of a community: list, create; read, change, delete one.</summary>
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
        var community = await access.FindCommunityAsync(communityId, http.User.UserId(), ct);
        return community is null ? Problems.NotFound("Community") : TypedResults.Ok(await access.ChannelsAsync(community.Id, ct));
    }

    private static async Task<Results<Created<Channel>, ValidationProblem, ProblemHttpResult>> Create(
        string communityId, CreateChannelRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        GatewayHub hub, TimeProvider clock, CancellationToken ct)
    {
        var community = await access.FindCommunityAsync(communityId, http.User.UserId(), ct);
        if (community is null)
        {
            return Problems.NotFound("Community");
        }

        if (community.OwnerId != http.User.UserId())
        {
            return CommunitiesEndpoints.Forbidden("Only the owner can create channels.");
        }

        var type = request.Type ?? ChannelTypes.Text;
        var errors = new Dictionary<string, string[]>();
        var name = "";
        if (!ChannelRules.IsKnownType(type)) errors["type"] = ["Type must be 0 (text), 1 (voice) or 4 (category)."];
        else if (ChannelRules.NameError(type, request.Name, out name) is { } nameError) errors["name"] = [nameError];
        if (ChannelRules.TopicError(request.Topic, out var topic) is { } topicError) errors["topic"] = [topicError];
        if (ChannelRules.PositionError(request.Position) is { } positionError) errors["position"] = [positionError];
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
            CreatedAt = clock.StoredUtcNow(),
        };
        db.Channels.Add(channel);
        await db.SaveChangesAsync(ct);

        var wire = channel.ToProtocol();
        hub.Publish(GatewayEvents.ChannelCreate, wire, VoxoraJsonContext.Default.Channel, Audience.Community(community.Id));
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
        string channelId, UpdateChannelRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access, GatewayHub hub, CancellationToken ct)
    {
        var found = await access.FindChannelAsync(channelId, http.User.UserId(), ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

        if (!found.IsOwner)
        {
            return CommunitiesEndpoints.Forbidden("Only the owner can change channels.");
        }

        var channel = found.Channel;
        var errors = new Dictionary<string, string[]>();
        var name = channel.Name;
        var topic = channel.Topic;
        if (request.Name is not null && ChannelRules.NameError(channel.Type, request.Name, out name) is { } nameError) errors["name"] = [nameError];
        if (request.Topic is not null && ChannelRules.TopicError(request.Topic, out topic) is { } topicError) errors["topic"] = [topicError];
        if (ChannelRules.PositionError(request.Position) is { } positionError) errors["position"] = [positionError];
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

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        db.Channels.Attach(channel);
        channel.Name = name;
        channel.Topic = topic;
        channel.ParentId = parentId;
        channel.Position = request.Position ?? channel.Position;
        await db.SaveChangesAsync(ct);

        var wire = channel.ToProtocol();
        hub.Publish(GatewayEvents.ChannelUpdate, wire, VoxoraJsonContext.Default.Channel, Audience.Community(channel.CommunityId));
        return TypedResults.Ok(wire);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string channelId, HttpContext http, VoxoraDbContext db, CommunityAccess access, GatewayHub hub, CancellationToken ct)
    {
        var found = await access.FindChannelAsync(channelId, http.User.UserId(), ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

        if (!found.IsOwner)
        {
            return CommunitiesEndpoints.Forbidden("Only the owner can delete channels.");
        }

        var channel = found.Channel;
        List<ChannelEntity> orphans = [];
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            if (channel.Type == ChannelTypes.Category)
            {
                orphans = await db.Channels.AsNoTracking().Where(c => c.ParentId == channel.Id && c.CommunityId == channel.CommunityId).ToListAsync(ct);
                await db.Channels.Where(c => c.ParentId == channel.Id && c.CommunityId == channel.CommunityId)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.ParentId, (string?)null), ct);
            }

            // Its messages and their reactions go with it (ON DELETE CASCADE).
            await db.Channels.Where(c => c.Id == channel.Id).ExecuteDeleteAsync(ct);
            await transaction.CommitAsync(ct);
        }

        foreach (var orphan in orphans)
        {
            orphan.ParentId = null;
            hub.Publish(GatewayEvents.ChannelUpdate, orphan.ToProtocol(), VoxoraJsonContext.Default.Channel, Audience.Community(channel.CommunityId));
        }

        hub.Publish(GatewayEvents.ChannelDelete, new Deleted(channel.Id, channel.CommunityId), VoxoraJsonContext.Default.Deleted, Audience.Community(channel.CommunityId));
        return TypedResults.NoContent();
    }
}
