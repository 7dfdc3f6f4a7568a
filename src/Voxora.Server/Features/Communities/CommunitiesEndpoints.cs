using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Avatars;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Channels;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Features.Pod;
using Voxora.Server.Features.Roles;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Communities;

/// <summary>Communities: create, list mine, read, rename, delete; members list and leave.</summary>
public static class CommunitiesEndpoints
{
    public static RouteGroupBuilder MapCommunitiesEndpoints(this RouteGroupBuilder api)
    {
        var communities = api.MapGroup("/communities").WithTags("Communities").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        communities.MapPost("", Create).WithSummary("Create a community (POD_CREATE_COMMUNITY) with a text and a voice channel").ProducesForbidden();
        communities.MapGet("/{communityId}", Get).WithSummary("A community the caller is a member of, with its channels");
        communities.MapPatch("/{communityId}", Update).WithSummary("Change a community: name, description, message retention (MANAGE_COMMUNITY)").ProducesForbidden();
        communities.MapDelete("/{communityId}", Delete).WithSummary("Delete a community (its owner)").ProducesForbidden();
        communities.MapGet("/{communityId}/members", ListMembers).WithSummary("The members of a community, paged");
        communities.MapDelete("/{communityId}/members/@me", Leave).WithSummary("Leave a community (not its owner)").ProducesForbidden();

        api.MapGet("/users/@me/communities", ListMine).WithSummary("The communities the caller is a member of")
            .WithTags("Communities").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        return api;
    }

    private static async Task<Results<Created<Community>, ValidationProblem, ProblemHttpResult>> Create(
        CreateCommunityRequest request, HttpContext http, VoxoraDbContext db, DomainEvents events, PodPermissions pod, Voice.VoiceOptions voice,
        TimeProvider clock, CancellationToken ct)
    {
        if (!PermissionResolver.Has(await pod.PermissionsAsync(http.User.UserId(), ct), PodPermission.CreateCommunity))
        {
            return RolesEndpoints.Missing("POD_CREATE_COMMUNITY");
        }

        var errors = new Dictionary<string, string[]>();
        if (CommunityRules.NameError(request.Name, out var name) is { } nameError) errors["name"] = [nameError];
        if (CommunityRules.DescriptionError(request.Description, out var description) is { } descriptionError) errors["description"] = [descriptionError];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var userId = http.User.UserId();
        var now = clock.StoredUtcNow();
        var community = new CommunityEntity { Id = Ids.New(Ids.Community), Name = name, Description = description, OwnerId = userId, CreatedAt = now };
        var channels = new[]
        {
            new ChannelEntity { Id = Ids.New(Ids.Channel), CommunityId = community.Id, Name = "general", Type = ChannelTypes.Text, Position = 0, CreatedAt = now },
            new ChannelEntity { Id = Ids.New(Ids.Channel), CommunityId = community.Id, Name = "General", Type = ChannelTypes.Voice, Position = 1,
                Bitrate = voice.DefaultBitrate, CreatedAt = now },
        };
        db.Communities.Add(community);
        db.Members.Add(new MemberEntity { CommunityId = community.Id, UserId = userId, JoinedAt = now });
        db.Roles.Add(new RoleEntity
        {
            Id = Ids.New(Ids.Role), CommunityId = community.Id, Name = RoleEntity.EveryoneName, IsEveryone = true, Position = 0, Permissions = Permission.EveryoneDefault, CreatedAt = now,
        });
        db.Channels.AddRange(channels);
        await db.SaveChangesAsync(ct);

        var whole = community.ToProtocol(1, channels.Select(c => c.ToProtocol()).ToList());
        var creator = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new UserSummary(u.Id, u.Username, u.DisplayName, AvatarLinks.UserAvatarUrl(u.Id, u.AvatarHash))).SingleAsync(ct);
        await events.PublishAsync(new CommunityMemberAdded(whole, creator, now, MemberAddedVia.Created));
        return TypedResults.Created($"/api/v1/communities/{community.Id}", whole);
    }

    private static async Task<Ok<List<Community>>> ListMine(HttpContext http, VoxoraDbContext db, PermissionCache permissions, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var communities = await db.Communities.AsNoTracking()
            .Where(c => db.Members.Any(m => m.CommunityId == c.Id && m.UserId == userId))
            .OrderBy(c => c.Id)
            .ToListAsync(ct);
        var ids = communities.Select(c => c.Id).ToList();
        var counts = await db.Members.Where(m => ids.Contains(m.CommunityId))
            .GroupBy(m => m.CommunityId)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var result = new List<Community>(communities.Count);
        foreach (var community in communities)
        {
            var snapshot = await permissions.GetAsync(community.Id, ct);
            result.Add(community.ToProtocol(counts.GetValueOrDefault(community.Id), snapshot?.VisibleChannels(userId) ?? []));
        }

        return TypedResults.Ok(result);
    }

    private static async Task<Results<Ok<Community>, ProblemHttpResult>> Get(
        string communityId, HttpContext http, CommunityAccess access, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var community = await access.FindCommunityAsync(communityId, userId, ct);
        return community is null ? Problems.NotFound("Community") : TypedResults.Ok(await access.WholeAsync(community, userId, ct));
    }

    private static async Task<Results<Ok<Community>, ValidationProblem, ProblemHttpResult>> Update(
        string communityId, UpdateCommunityRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access, DomainEvents events,
        CancellationToken ct)
    {
        var userId = http.User.UserId();
        var membership = await access.MembershipAsync(communityId, userId, ct);
        if (membership is null)
        {
            return Problems.NotFound("Community");
        }

        if (!membership.Has(Permission.ManageCommunity))
        {
            return RolesEndpoints.Missing("MANAGE_COMMUNITY");
        }

        var community = membership.Community;

        var errors = new Dictionary<string, string[]>();
        string? name = null;
        string? description = null;
        int? retention = null;
        if (request.MessageRetentionDays is { } days && CommunityRules.RetentionError(days, out retention) is { } retentionError) errors["message_retention_days"] = [retentionError];
        if (request.Name is not null && CommunityRules.NameError(request.Name, out name) is { } nameError) errors["name"] = [nameError];
        if (request.Description is not null && CommunityRules.DescriptionError(request.Description, out description) is { } descriptionError) errors["description"] = [descriptionError];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var previous = community.ToProtocol();
        db.Communities.Attach(community);
        if (request.Name is not null) community.Name = name!;
        if (request.Description is not null) community.Description = description;
        if (request.MessageRetentionDays is not null) community.MessageRetentionDays = retention;
        await db.SaveChangesAsync(ct);

        await events.PublishAsync(new CommunityUpdated(community.ToProtocol(), previous, userId));
        return TypedResults.Ok(await access.WholeAsync(community, userId, ct));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string communityId, HttpContext http, VoxoraDbContext db, CommunityAccess access, DomainEvents events,
        PodPermissions pod, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var community = await access.FindCommunityAsync(communityId, userId, ct);
        if (community is null)
        {
            return Problems.NotFound("Community");
        }

        if (community.OwnerId != userId && !PermissionResolver.Has(await pod.PermissionsAsync(userId, ct), PodPermission.ManageCommunities))
        {
            return Forbidden("Only the owner (or a pod admin with POD_MANAGE_COMMUNITIES) can delete the community.");
        }

        await DeleteAsync(db, events, community, userId, ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Deletes the community for <paramref name="actorId"/> (its owner, or a pod admin here or at
    /// <c>DELETE /admin/communities/{id}</c>) and raises <see cref="CommunityDeleted"/>, which drops it from members'
    /// clients, ends its voice, audits it and removes its icon.
    /// </summary>
    public static async Task DeleteAsync(VoxoraDbContext db, DomainEvents events, CommunityEntity community, string actorId, CancellationToken ct)
    {
        // Members, roles, channels (with their messages, reactions and overrides), invites, bans and reports go with
        // it (ON DELETE CASCADE). The audit log has no foreign key to communities: its entries, ending with this one, stay.
        await db.Communities.Where(c => c.Id == community.Id).ExecuteDeleteAsync(ct);
        await events.PublishAsync(new CommunityDeleted(community.Id, actorId, community.Name, community.IconHash));
    }

    private static async Task<Results<Ok<List<Member>>, ValidationProblem, ProblemHttpResult>> ListMembers(
        string communityId, string? after, string? limit, HttpContext http, VoxoraDbContext db, CommunityAccess access, CancellationToken ct)
    {
        var community = await access.FindCommunityAsync(communityId, http.User.UserId(), ct);
        if (community is null)
        {
            return Problems.NotFound("Community");
        }

        var errors = new Dictionary<string, string[]>();
        if (Paging.LimitError(limit, out var take) is { } limitError) errors["limit"] = [limitError];
        if (after is not null && !Ids.IsWellFormed(after, Ids.User)) errors["after"] = ["After must be a user id."];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var query = db.Members.AsNoTracking().Where(m => m.CommunityId == community.Id);
        if (after is not null)
        {
            query = query.Where(m => string.Compare(m.UserId, after) > 0);
        }

        var rows = await query
            .OrderBy(m => m.UserId)
            .Take(take)
            .Select(m => new { m.CommunityId, m.User!.Id, m.User.Username, m.User.DisplayName, m.User.AvatarHash, m.JoinedAt, m.TimeoutUntil })
            .ToListAsync(ct);
        var roles = await access.RolesOfAsync(community.Id, rows.Select(r => r.Id).ToList(), ct);
        return TypedResults.Ok(rows
            .Select(m => new Member(m.CommunityId, new UserSummary(m.Id, m.Username, m.DisplayName, AvatarLinks.UserAvatarUrl(m.Id, m.AvatarHash)), m.JoinedAt, roles.GetValueOrDefault(m.Id) ?? [], m.TimeoutUntil))
            .ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Leave(
        string communityId, HttpContext http, VoxoraDbContext db, CommunityAccess access, DomainEvents events, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var community = await access.FindCommunityAsync(communityId, userId, ct);
        if (community is null)
        {
            return Problems.NotFound("Community");
        }

        if (community.OwnerId == userId)
        {
            return Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.OwnerCannotLeave, "Owner cannot leave",
                "The owner cannot leave the community; delete it (or transfer ownership) instead.");
        }

        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new UserSummary(u.Id, u.Username, u.DisplayName, AvatarLinks.UserAvatarUrl(u.Id, u.AvatarHash)))
            .SingleAsync(ct);
        await MemberRemoval.RemoveAsync(db, events, community.Id, user, MemberRemovalReason.Left, actorId: null, ct);
        return TypedResults.NoContent();
    }

    internal static ProblemHttpResult Forbidden(string detail) =>
        Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, "Forbidden", detail);
}
