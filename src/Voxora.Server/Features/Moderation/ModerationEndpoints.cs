using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Avatars;
using Voxora.Server.Features.Audit;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Messages;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Features.Roles;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Moderation;

/// <summary>
/// Kick (KICK_MEMBERS), ban and unban (BAN_MEMBERS), time out (MODERATE_MEMBERS). Nobody acts on the owner,
/// on themselves, or on a member whose highest role is at or above their own. Kick and ban remove the membership
/// through <see cref="MemberRemoval"/>, whose domain event does the rest (caches, gateway, voice), as for a leave.
/// </summary>
public static class ModerationEndpoints
{
    public const int MaxDeleteMessageSeconds = 7 * 24 * 3600;
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(28);

    public static RouteGroupBuilder MapModerationEndpoints(this RouteGroupBuilder api)
    {
        var community = api.MapGroup("/communities/{communityId}").WithTags("Moderation").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        community.MapDelete("/members/{userId}", Kick).WithSummary("Kick a member (KICK_MEMBERS)").ProducesForbidden();
        community.MapPatch("/members/{userId}", UpdateMember).WithSummary("Change a member: nickname, timeout (MODERATE_MEMBERS)").ProducesForbidden();
        community.MapGet("/bans", ListBans).WithSummary("The bans of a community (BAN_MEMBERS)").ProducesForbidden();
        community.MapPut("/bans/{userId}", Ban).WithSummary("Ban a user, optionally deleting their recent messages (BAN_MEMBERS)").ProducesForbidden();
        community.MapDelete("/bans/{userId}", Unban).WithSummary("Lift a ban (BAN_MEMBERS)").ProducesForbidden();
        return api;
    }

    /// <summary>Why the actor may not act on the target (null when they may).</summary>
    private static ProblemHttpResult? CannotActOn(CommunityMembership actor, string targetId)
    {
        return RoleHierarchy.CannotActOn(actor.Actor, targetId == actor.UserId, actor.Snapshot.IsOwner(targetId), actor.Snapshot.HighestPosition(targetId),
                targetIsAdministrator: false, onlyOwnerActsOnAdministrators: false) switch
        {
            ActRefusal.None => null,
            ActRefusal.Self => CommunitiesEndpoints.Forbidden("You cannot do this to yourself."),
            ActRefusal.Owner => RolesEndpoints.Hierarchy("Nobody can act on the community's owner."),
            _ => RolesEndpoints.Hierarchy("You can only act on members whose highest role is below yours."),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Kick(
        string communityId, string userId, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        DomainEvents events, CancellationToken ct)
    {
        var actorId = http.User.UserId();
        var actor = await access.MembershipAsync(communityId, actorId, ct);
        if (actor is null)
        {
            return Problems.NotFound("Community");
        }

        var target = await access.MemberAsync(actor.Community.Id, userId, ct);
        if (target is null)
        {
            return Problems.NotFound("Member");
        }

        if (!actor.Has(Permission.KickMembers))
        {
            return RolesEndpoints.Missing("KICK_MEMBERS");
        }

        if (CannotActOn(actor, userId) is { } problem)
        {
            return problem;
        }

        if (await MemberRemoval.RemoveAsync(db, events, actor.Community.Id, target.User, MemberRemovalReason.Kicked, actorId, ct))
        {
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<Member>, ValidationProblem, ProblemHttpResult>> UpdateMember(
        string communityId, string userId, UpdateMemberRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var actorId = http.User.UserId();
        var actor = await access.MembershipAsync(communityId, actorId, ct);
        if (actor is null)
        {
            return Problems.NotFound("Community");
        }

        var target = await access.MemberAsync(actor.Community.Id, userId, ct);
        if (target is null)
        {
            return Problems.NotFound("Member");
        }

        if (!actor.Has(Permission.ModerateMembers))
        {
            return RolesEndpoints.Missing("MODERATE_MEMBERS");
        }

        if (CannotActOn(actor, userId) is { } problem)
        {
            return problem;
        }

        var now = clock.StoredUtcNow();
        DateTimeOffset? until = request.TimeoutUntil is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds()) : null;
        if (until is { } u && u <= now)
        {
            until = null;
        }

        if (until is { } limit && limit > now + MaxTimeout)
        {
            return Problems.Validation("timeout_until", "A timeout lasts at most 28 days.");
        }

        if (until is not null && PermissionResolver.Has(actor.Snapshot.Base(userId, now), Permission.Administrator))
        {
            return RolesEndpoints.Hierarchy("Administrators cannot be timed out.");
        }

        var updated = await db.Members.Where(m => m.CommunityId == actor.Community.Id && m.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.TimeoutUntil, until), ct);
        if (updated == 0)
        {
            return Problems.NotFound("Member");
        }

        var member = target with { TimeoutUntil = until };
        var wasTimedOut = target.TimeoutUntil is { } previous && previous > now;
        await events.PublishAsync(new MemberTimeoutChanged(member, actorId, wasTimedOut ? target.TimeoutUntil : null));

        return TypedResults.Ok(member);
    }

    private static async Task<Results<Ok<List<Ban>>, ProblemHttpResult>> ListBans(
        string communityId, HttpContext http, VoxoraDbContext db, CommunityAccess access, CancellationToken ct)
    {
        var actor = await access.MembershipAsync(communityId, http.User.UserId(), ct);
        if (actor is null)
        {
            return Problems.NotFound("Community");
        }

        if (!actor.Has(Permission.BanMembers))
        {
            return RolesEndpoints.Missing("BAN_MEMBERS");
        }

        var bans = await db.Bans.AsNoTracking()
            .Where(b => b.CommunityId == actor.Community.Id)
            .OrderBy(b => b.UserId)
            .Select(b => new Ban(new UserSummary(b.User!.Id, b.User.Username, b.User.DisplayName, AvatarLinks.UserAvatarUrl(b.User.Id, b.User.AvatarHash)), b.Reason, b.ActorId, b.CreatedAt))
            .ToListAsync(ct);
        return TypedResults.Ok(bans);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Ban(
        string communityId, string userId, BanRequest? request, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var actorId = http.User.UserId();
        var actor = await access.MembershipAsync(communityId, actorId, ct);
        if (actor is null)
        {
            return Problems.NotFound("Community");
        }

        var user = Ids.IsWellFormed(userId, Ids.User)
            ? await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new UserSummary(u.Id, u.Username, u.DisplayName, AvatarLinks.UserAvatarUrl(u.Id, u.AvatarHash))).SingleOrDefaultAsync(ct)
            : null;
        if (user is null)
        {
            return Problems.NotFound("User");
        }

        if (!actor.Has(Permission.BanMembers))
        {
            return RolesEndpoints.Missing("BAN_MEMBERS");
        }

        if (CannotActOn(actor, userId) is { } problem)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>();
        var reason = string.IsNullOrWhiteSpace(request?.Reason) ? null : request.Reason.Trim();
        if (reason is { Length: > 512 }) errors["reason"] = ["Reason must be at most 512 characters."];
        else if (reason is not null && TextSafety.Error(reason, TextKind.Text, "Reason") is { } reasonError) errors["reason"] = [reasonError];
        var purge = request?.DeleteMessageSeconds ?? 0;
        if (purge is < 0 or > MaxDeleteMessageSeconds) errors["delete_message_seconds"] = [$"Delete_message_seconds must be from 0 to {MaxDeleteMessageSeconds}."];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var community = actor.Community.Id;
        var now = clock.StoredUtcNow();
        if (await db.Bans.AnyAsync(b => b.CommunityId == community && b.UserId == userId, ct))
        {
            return TypedResults.NoContent();
        }

        // The ban first, the membership second: an invite accept racing this sees the ban or is undone by the removal.
        db.Bans.Add(new BanEntity { CommunityId = community, UserId = userId, Reason = reason, ActorId = actorId, CreatedAt = now });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Banned concurrently: already done.
            return TypedResults.NoContent();
        }

        await MemberRemoval.RemoveAsync(db, events, community, user, MemberRemovalReason.Banned, actorId, ct);

        var purged = 0;
        if (purge > 0)
        {
            var since = now.AddSeconds(-purge);
            var doomed = await db.Messages.AsNoTracking()
                .Where(m => m.CommunityId == community && m.AuthorId == userId && m.CreatedAt >= since)
                .Select(m => new { m.Id, m.ChannelId })
                .ToListAsync(ct);
            foreach (var channel in doomed.GroupBy(m => m.ChannelId))
            {
                var ids = channel.Select(m => m.Id).ToList();
                foreach (var chunk in ids.Chunk(500))
                {
                    await db.Messages.Where(m => chunk.Contains(m.Id)).ExecuteDeleteAsync(ct);
                }

                purged += ids.Count;
                await events.PublishAsync(new MessagesPurged(community, channel.Key, ids.Order().Select(Snowflake.Format).ToList()));
            }
        }

        await events.PublishAsync(new MemberBanned(community, actorId, userId, reason, purge, purged));
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Unban(
        string communityId, string userId, HttpContext http, VoxoraDbContext db, CommunityAccess access, DomainEvents events, CancellationToken ct)
    {
        var actorId = http.User.UserId();
        var actor = await access.MembershipAsync(communityId, actorId, ct);
        if (actor is null)
        {
            return Problems.NotFound("Community");
        }

        if (!actor.Has(Permission.BanMembers))
        {
            return RolesEndpoints.Missing("BAN_MEMBERS");
        }

        var removed = await db.Bans.Where(b => b.CommunityId == actor.Community.Id && b.UserId == userId).ExecuteDeleteAsync(ct);
        if (removed == 0)
        {
            return Problems.NotFound("Ban");
        }

        await events.PublishAsync(new MemberUnbanned(actor.Community.Id, actorId, userId));
        return TypedResults.NoContent();
    }
}
