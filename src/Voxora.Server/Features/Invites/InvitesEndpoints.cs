using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Avatars;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Roles;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Invites;

/// <summary>Invites: create and list per community; preview (anonymous), accept and revoke by code.</summary>
public static class InvitesEndpoints
{
    public static RouteGroupBuilder MapInvitesEndpoints(this RouteGroupBuilder api)
    {
        var inCommunity = api.MapGroup("/communities/{communityId}/invites").WithTags("Invites").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        inCommunity.MapPost("", Create).WithSummary("Create an invite, with optional expiry and use limit (CREATE_INVITE)").ProducesForbidden();
        inCommunity.MapGet("", List).WithSummary("The invites of a community with their uses and expiry (MANAGE_COMMUNITY)").ProducesForbidden();

        var invites = api.MapGroup("/invites").WithTags("Invites");
        invites.MapGet("/{code}", Preview).WithSummary("Preview an invite: the community it leads to (no token)")
            .ProblemResponse(StatusCodes.Status404NotFound, ProblemCodes.InviteNotFound)
            .ProblemResponse(StatusCodes.Status410Gone, ProblemCodes.InviteExpired, ProblemCodes.InviteExhausted, ProblemCodes.InviteRevoked).RequireRateLimiting(RateLimits.Anonymous);
        invites.MapPost("/{code}/accept", Accept).WithSummary("Join the community of an invite")
            .ProducesForbidden(ProblemCodes.BannedFromCommunity)
            .ProblemResponse(StatusCodes.Status404NotFound, ProblemCodes.InviteNotFound)
            .ProblemResponse(StatusCodes.Status410Gone, ProblemCodes.InviteExpired, ProblemCodes.InviteExhausted, ProblemCodes.InviteRevoked).RequireAuthorization().RequireRateLimiting(RateLimits.User);
        invites.MapDelete("/{code}", Revoke).WithSummary("Revoke an invite (its creator, or MANAGE_COMMUNITY)").ProducesForbidden().RequireAuthorization().RequireRateLimiting(RateLimits.User);
        return api;
    }

    private static async Task<Results<Created<Invite>, ValidationProblem, ProblemHttpResult>> Create(
        string communityId, CreateInviteRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var membership = await access.MembershipAsync(communityId, userId, ct);
        if (membership is null)
        {
            return Problems.NotFound("Community");
        }

        if (!membership.Has(Permission.CreateInvites))
        {
            return RolesEndpoints.Missing("CREATE_INVITES");
        }

        var community = membership.Community;

        var errors = new Dictionary<string, string[]>();
        if (InviteCodes.MaxUsesError(request.MaxUses) is { } usesError) errors["max_uses"] = [usesError];
        if (InviteCodes.MaxAgeError(request.MaxAgeSeconds) is { } ageError) errors["max_age_seconds"] = [ageError];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var now = clock.StoredUtcNow();
        var maxAge = request.MaxAgeSeconds ?? InviteCodes.DefaultMaxAgeSeconds;
        for (var attempt = 0; ; attempt++)
        {
            var invite = new InviteEntity
            {
                Code = InviteCodes.New(),
                CommunityId = community.Id,
                InviterId = userId,
                MaxUses = request.MaxUses ?? 0,
                MaxAgeSeconds = maxAge,
                ExpiresAt = maxAge == 0 ? null : now.AddSeconds(maxAge),
                CreatedAt = now,
            };
            db.Invites.Add(invite);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // 47 random bits: a collision is rare enough that a retry settles it.
                db.ChangeTracker.Clear();
                continue;
            }

            var wire = invite.ToProtocol();
            await events.PublishAsync(new InviteCreated(wire, userId));
            return TypedResults.Created($"/api/v1/invites/{invite.Code}", wire);
        }
    }

    private static async Task<Results<Ok<List<Invite>>, ProblemHttpResult>> List(
        string communityId, HttpContext http, VoxoraDbContext db, CommunityAccess access, CancellationToken ct)
    {
        var membership = await access.MembershipAsync(communityId, http.User.UserId(), ct);
        if (membership is null)
        {
            return Problems.NotFound("Community");
        }

        if (!membership.Has(Permission.ManageCommunity))
        {
            return RolesEndpoints.Missing("MANAGE_COMMUNITY");
        }

        var community = membership.Community;

        var invites = await db.Invites.AsNoTracking()
            .Where(i => i.CommunityId == community.Id && i.RevokedAt == null)
            .ToListAsync(ct);
        return TypedResults.Ok(invites.OrderBy(i => i.CreatedAt).ThenBy(i => i.Code, StringComparer.Ordinal).Select(i => i.ToProtocol()).ToList());
    }

    private static async Task<Results<Ok<InvitePreview>, ProblemHttpResult>> Preview(
        string code, VoxoraDbContext db, TimeProvider clock, CancellationToken ct)
    {
        if (!InviteCodes.IsWellFormed(code))
        {
            return NotFound();
        }

        var row = await (
                from invite in db.Invites.AsNoTracking()
                join community in db.Communities on invite.CommunityId equals community.Id
                where invite.Code == code
                select new { Invite = invite, community.Name, community.Description })
            .SingleOrDefaultAsync(ct);
        if (row is null)
        {
            return NotFound();
        }

        if (Unusable(row.Invite, clock.StoredUtcNow()) is { } problem)
        {
            return problem;
        }

        var members = await db.Members.CountAsync(m => m.CommunityId == row.Invite.CommunityId, ct);
        return TypedResults.Ok(new InvitePreview(row.Invite.Code, row.Invite.CommunityId, row.Name, row.Description, members, row.Invite.ExpiresAt));
    }

    private static async Task<Results<Ok<Community>, ProblemHttpResult>> Accept(
        string code, HttpContext http, VoxoraDbContext db, CommunityAccess access, DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        if (!InviteCodes.IsWellFormed(code))
        {
            return NotFound();
        }

        var userId = http.User.UserId();
        var invite = await db.Invites.AsNoTracking().SingleOrDefaultAsync(i => i.Code == code, ct);
        if (invite is null)
        {
            return NotFound();
        }

        // Joining twice is harmless: already a member, nothing is counted.
        if (await access.FindCommunityAsync(invite.CommunityId, userId, ct) is { } existing)
        {
            return TypedResults.Ok(await access.WholeAsync(existing, userId, ct));
        }

        if (await db.Bans.AnyAsync(b => b.CommunityId == invite.CommunityId && b.UserId == userId, ct))
        {
            return Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.BannedFromCommunity, "Banned",
                "You are banned from this community and cannot join it.");
        }

        var now = clock.StoredUtcNow();
        if (Unusable(invite, now) is { } problem)
        {
            return problem;
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            if (await SpendUseAsync(db, code, now, ct) is { } refused)
            {
                await transaction.RollbackAsync(ct);
                return refused;
            }

            db.Members.Add(new MemberEntity { CommunityId = invite.CommunityId, UserId = userId, JoinedAt = now });
            try
            {
                await db.SaveChangesAsync(ct);

                // Checked again inside the transaction, so a ban racing this accept cannot be slipped past.
                if (await db.Bans.AnyAsync(b => b.CommunityId == invite.CommunityId && b.UserId == userId, ct))
                {
                    await transaction.RollbackAsync(ct);
                    return Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.BannedFromCommunity, "Banned",
                        "You are banned from this community and cannot join it.");
                }

                await transaction.CommitAsync(ct);
            }
            catch (DbUpdateException)
            {
                // A concurrent accept by the same user won, or the community was just deleted: undo the use.
                await transaction.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                return await access.FindCommunityAsync(invite.CommunityId, userId, ct) is { } joined
                    ? TypedResults.Ok(await access.WholeAsync(joined, userId, ct))
                    : NotFound();
            }
        }

        var community = await access.FindCommunityAsync(invite.CommunityId, userId, ct);
        if (community is null)
        {
            return NotFound();
        }

        var whole = await access.WholeAsync(community, userId, ct);
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new UserSummary(u.Id, u.Username, u.DisplayName, AvatarLinks.UserAvatarUrl(u.Id, u.AvatarHash))).SingleAsync(ct);
        await events.PublishAsync(new CommunityMemberAdded(whole, user, now, MemberAddedVia.Invite));
        return TypedResults.Ok(whole);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        string code, HttpContext http, VoxoraDbContext db, CommunityAccess access, DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        if (!InviteCodes.IsWellFormed(code))
        {
            return NotFound();
        }

        var userId = http.User.UserId();
        var invite = await db.Invites.AsNoTracking().SingleOrDefaultAsync(i => i.Code == code, ct);
        var membership = invite is null ? null : await access.MembershipAsync(invite.CommunityId, userId, ct);
        if (invite is null || membership is null)
        {
            return NotFound();
        }

        if (!membership.Has(Permission.ManageCommunity) && invite.InviterId != userId)
        {
            return CommunitiesEndpoints.Forbidden("Only the member who created the invite, or one with MANAGE_COMMUNITY, can revoke it.");
        }

        // Revoking twice is harmless; only the first announces it.
        var revoked = await db.Invites.Where(i => i.Code == code && i.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.RevokedAt, clock.StoredUtcNow()), ct);
        if (revoked > 0)
        {
            await events.PublishAsync(new InviteRevoked(invite.CommunityId, invite.Code, invite.InviterId, userId));
        }

        return TypedResults.NoContent();
    }

    /// <summary>
    /// Spends one use of the invite inside the caller's transaction, or says why it cannot be used (the caller rolls back).
    /// The conditional UPDATE is the gate: concurrent uses (accepts, registrations with the invite) never spend more than
    /// max_uses.
    /// </summary>
    internal static async Task<ProblemHttpResult?> SpendUseAsync(VoxoraDbContext db, string code, DateTimeOffset now, CancellationToken ct)
    {
        var spent = await db.Invites
            .Where(i => i.Code == code && i.RevokedAt == null
                && (i.MaxUses == 0 || i.Uses < i.MaxUses)
                && (i.ExpiresAt == null || i.ExpiresAt > now))
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Uses, i => i.Uses + 1), ct);
        if (spent > 0)
        {
            return null;
        }

        var current = await db.Invites.AsNoTracking().SingleOrDefaultAsync(i => i.Code == code, ct);
        return current is null ? NotFound() : Unusable(current, now) ?? Exhausted();
    }

    /// <summary>Why an invite cannot be used now, or null if it can.</summary>
    internal static ProblemHttpResult? Unusable(InviteEntity invite, DateTimeOffset now)
    {
        if (invite.RevokedAt is not null)
        {
            return Problems.Of(StatusCodes.Status410Gone, ProblemCodes.InviteRevoked, "Invite revoked", "This invite was revoked.");
        }

        if (invite.ExpiresAt is { } expires && expires <= now)
        {
            return Problems.Of(StatusCodes.Status410Gone, ProblemCodes.InviteExpired, "Invite expired", "This invite has expired.");
        }

        return invite.MaxUses > 0 && invite.Uses >= invite.MaxUses ? Exhausted() : null;
    }

    private static ProblemHttpResult Exhausted() =>
        Problems.Of(StatusCodes.Status410Gone, ProblemCodes.InviteExhausted, "Invite used up", "This invite has reached its maximum number of uses.");

    internal static ProblemHttpResult NotFound() =>
        Problems.Of(StatusCodes.Status404NotFound, ProblemCodes.InviteNotFound, "Invite not found", "No invite has this code.");
}
