using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Channels;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Roles;

/// <summary>
/// Community roles and who has them. Managing roles needs MANAGE_ROLES, and only below one's own highest
/// role (the owner is above all); a role can only be given permissions its editor holds, and only the owner
/// gives @everyone ADMINISTRATOR (<see cref="RoleHierarchy"/>, the same rules as pod roles).
/// </summary>
public static class RolesEndpoints
{
    public const int PositionMax = 1000;

    public static RouteGroupBuilder MapRolesEndpoints(this RouteGroupBuilder api)
    {
        var roles = api.MapGroup("/communities/{communityId}").WithTags("Roles").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        roles.MapGet("/roles", List).WithSummary("The roles of a community").ProducesForbidden();
        roles.MapPost("/roles", Create).WithSummary("Create a role (MANAGE_ROLES)").ProducesForbidden();
        roles.MapPatch("/roles/{roleId}", Update).WithSummary("Change a role: name, colour, permissions, position (MANAGE_ROLES, below one's highest role)").ProducesForbidden();
        roles.MapDelete("/roles/{roleId}", Delete).WithSummary("Delete a role (MANAGE_ROLES, below one's highest role)").ProducesForbidden();
        roles.MapPut("/members/{userId}/roles/{roleId}", Grant).WithSummary("Give a member a role (MANAGE_ROLES)").ProducesForbidden();
        roles.MapDelete("/members/{userId}/roles/{roleId}", Revoke).WithSummary("Take a role from a member (MANAGE_ROLES)").ProducesForbidden();
        roles.MapGet("/permissions/@me", Mine).WithSummary("The caller's permissions in a community and in each of its channels").ProducesForbidden();
        return api;
    }

    internal static ProblemHttpResult Missing(string permission) =>
        Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, "Forbidden", $"This needs the {permission} permission.");

    internal static ProblemHttpResult Hierarchy(string detail) =>
        Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.RoleHierarchy, "Role hierarchy", detail);

    private static async Task<Results<Ok<List<Role>>, ProblemHttpResult>> List(
        string communityId, HttpContext http, VoxoraDbContext db, CommunityAccess access, CancellationToken ct)
    {
        var membership = await access.MembershipAsync(communityId, http.User.UserId(), ct);
        if (membership is null)
        {
            return Problems.NotFound("Community");
        }

        var roles = await db.Roles.AsNoTracking().Where(r => r.CommunityId == membership.Community.Id).ToListAsync(ct);
        return TypedResults.Ok(roles.OrderBy(r => r.Position).ThenBy(r => r.Id, StringComparer.Ordinal).Select(r => r.ToProtocol()).ToList());
    }

    private static async Task<Results<Ok<MyPermissions>, ProblemHttpResult>> Mine(
        string communityId, HttpContext http, CommunityAccess access, PermissionCache cache, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var membership = await access.MembershipAsync(communityId, userId, ct);
        if (membership is null)
        {
            return Problems.NotFound("Community");
        }

        var snapshot = membership.Snapshot;
        var channels = snapshot.Channels
            .Select(c => (c.Id, Bits: snapshot.For(userId, c.Id, cache.Now)))
            .Where(c => (c.Bits & Permission.ViewChannel) != 0)
            .ToDictionary(c => c.Id, c => c.Bits.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
        return TypedResults.Ok(new MyPermissions(membership.Permissions, channels));
    }

    private static Dictionary<string, string[]> Validate(string? name, bool nameRequired, long? permissions, int? color, int? position, out string normalized)
    {
        var errors = new Dictionary<string, string[]>();
        normalized = name?.Trim() ?? "";
        if (name is not null || nameRequired)
        {
            if (normalized.Length is 0 or > 100) errors["name"] = ["Name must be 1 to 100 characters."];
            else if (TextSafety.Error(normalized, TextKind.Name, "Name") is { } unsafeName) errors["name"] = [unsafeName];
            else if (normalized == RoleEntity.EveryoneName) errors["name"] = ["@everyone is reserved."];
        }

        if (permissions is { } bits && (bits & ~Permission.All) != 0) errors["permissions"] = ["Permissions contain undefined bits (see GET /api/v1/permissions)."];
        if (color is < 0 or > 0xFFFFFF) errors["color"] = ["Color must be an RGB value from 0 to 16777215."];
        if (position is < 1 or > PositionMax) errors["position"] = [$"Position must be from 1 to {PositionMax} (0 is @everyone)."];
        return errors;
    }

    private static async Task<Results<Created<Role>, ValidationProblem, ProblemHttpResult>> Create(
        string communityId, CreateRoleRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var membership = await access.MembershipAsync(communityId, userId, ct);
        if (membership is null)
        {
            return Problems.NotFound("Community");
        }

        if (!membership.Has(Permission.ManageRoles))
        {
            return Missing("MANAGE_ROLES");
        }

        var errors = Validate(request.Name, true, request.Permissions, request.Color, request.Position, out var name);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var permissions = request.Permissions ?? 0;
        var position = request.Position ?? 1;
        if (RoleHierarchy.CannotChangeRole(membership.Actor, null, new RoleState(position, permissions, false), Permission.Administrator) is { } refusal)
        {
            return Hierarchy(refusal);
        }

        var role = new RoleEntity
        {
            Id = Ids.New(Ids.Role), CommunityId = membership.Community.Id, Name = name, Permissions = permissions, Position = position,
            Color = request.Color, CreatedAt = clock.StoredUtcNow(),
        };
        db.Roles.Add(role);
        await db.SaveChangesAsync(ct);

        var wire = role.ToProtocol();
        await events.PublishAsync(new RoleCreated(wire, userId));
        return TypedResults.Created($"/api/v1/communities/{role.CommunityId}/roles/{role.Id}", wire);
    }

    internal static string Bits(long bits) => bits.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<Results<Ok<Role>, ValidationProblem, ProblemHttpResult>> Update(
        string communityId, string roleId, UpdateRoleRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        DomainEvents events, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var membership = await access.MembershipAsync(communityId, userId, ct);
        if (membership is null)
        {
            return Problems.NotFound("Community");
        }

        var role = await db.Roles.SingleOrDefaultAsync(r => r.Id == roleId && r.CommunityId == membership.Community.Id, ct);
        if (role is null)
        {
            return Problems.NotFound("Role");
        }

        if (!membership.Has(Permission.ManageRoles))
        {
            return Missing("MANAGE_ROLES");
        }

        var errors = Validate(request.Name, false, request.Permissions, request.Color, request.Position, out var name);
        if (role.IsEveryone && request.Name is not null) errors["name"] = ["@everyone cannot be renamed."];
        if (role.IsEveryone && request.Position is not null) errors["position"] = ["@everyone always sits at position 0."];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var permissions = request.Permissions ?? role.Permissions;
        if (RoleHierarchy.CannotChangeRole(
                membership.Actor,
                new RoleState(role.Position, role.Permissions, role.IsEveryone),
                new RoleState(request.Position ?? role.Position, permissions, role.IsEveryone),
                Permission.Administrator) is { } refusal)
        {
            return Hierarchy(refusal);
        }

        var previous = role.ToProtocol();
        if (request.Name is not null) role.Name = name;
        role.Permissions = permissions;
        role.Position = request.Position ?? role.Position;
        role.Color = request.Color ?? role.Color;
        await db.SaveChangesAsync(ct);

        var wire = role.ToProtocol();
        await events.PublishAsync(new RoleUpdated(wire, previous, userId));
        return TypedResults.Ok(wire);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string communityId, string roleId, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        DomainEvents events, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var membership = await access.MembershipAsync(communityId, userId, ct);
        if (membership is null)
        {
            return Problems.NotFound("Community");
        }

        var role = await db.Roles.AsNoTracking().SingleOrDefaultAsync(r => r.Id == roleId && r.CommunityId == membership.Community.Id, ct);
        if (role is null)
        {
            return Problems.NotFound("Role");
        }

        if (!membership.Has(Permission.ManageRoles))
        {
            return Missing("MANAGE_ROLES");
        }

        if (role.IsEveryone)
        {
            return CommunitiesEndpoints.Forbidden("The @everyone role cannot be deleted.");
        }

        if (!membership.IsAbove(role.Position))
        {
            return Hierarchy("You can only delete roles below your highest role.");
        }

        // Its overrides go with it; nobody holds the role afterwards, so removing them changes nobody's access.
        List<string> overridesRemovedFrom;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            var roleOverrides = db.ChannelOverrides.Where(o => o.CommunityId == role.CommunityId && o.TargetType == OverrideTargets.Role && o.TargetId == role.Id);
            overridesRemovedFrom = await roleOverrides.Select(o => o.ChannelId).OrderBy(id => id).ToListAsync(ct);
            await roleOverrides.ExecuteDeleteAsync(ct);

            // Its grants go with it (member_roles ON DELETE CASCADE).
            await db.Roles.Where(r => r.Id == role.Id).ExecuteDeleteAsync(ct);
            await transaction.CommitAsync(ct);
        }

        await events.PublishAsync(new RoleDeleted(role.ToProtocol(), userId, overridesRemovedFrom));
        return TypedResults.NoContent();
    }

    private static Task<Results<Ok<Member>, ProblemHttpResult>> Grant(
        string communityId, string userId, string roleId, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        DomainEvents events, CancellationToken ct) =>
        SetMemberRoleAsync(true, communityId, userId, roleId, http, db, access, events, ct);

    private static Task<Results<Ok<Member>, ProblemHttpResult>> Revoke(
        string communityId, string userId, string roleId, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        DomainEvents events, CancellationToken ct) =>
        SetMemberRoleAsync(false, communityId, userId, roleId, http, db, access, events, ct);

    private static async Task<Results<Ok<Member>, ProblemHttpResult>> SetMemberRoleAsync(
        bool grant, string communityId, string targetUserId, string roleId, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        DomainEvents events, CancellationToken ct)
    {
        var actorId = http.User.UserId();
        var membership = await access.MembershipAsync(communityId, actorId, ct);
        if (membership is null)
        {
            return Problems.NotFound("Community");
        }

        var community = membership.Community.Id;
        var role = await db.Roles.AsNoTracking().SingleOrDefaultAsync(r => r.Id == roleId && r.CommunityId == community, ct);
        if (role is null || role.IsEveryone)
        {
            return Problems.NotFound("Role");
        }

        if (!await db.Members.AnyAsync(m => m.CommunityId == community && m.UserId == targetUserId, ct))
        {
            return Problems.NotFound("Member");
        }

        if (!membership.Has(Permission.ManageRoles))
        {
            return Missing("MANAGE_ROLES");
        }

        if (!membership.IsAbove(role.Position))
        {
            return Hierarchy("You can only give or take roles below your highest role.");
        }

        int changed;
        if (grant)
        {
            db.MemberRoles.Add(new MemberRoleEntity { CommunityId = community, UserId = targetUserId, RoleId = role.Id });
            try
            {
                changed = await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Already has it (or was just removed from the community).
                db.ChangeTracker.Clear();
                changed = 0;
            }
        }
        else
        {
            changed = await db.MemberRoles.Where(m => m.CommunityId == community && m.UserId == targetUserId && m.RoleId == role.Id).ExecuteDeleteAsync(ct);
        }

        var member = await access.MemberAsync(community, targetUserId, ct);
        if (member is null)
        {
            return Problems.NotFound("Member");
        }

        if (changed > 0)
        {
            await events.PublishAsync(new MemberRolesChanged(member, actorId, role.Id, grant));
        }

        return TypedResults.Ok(member);
    }
}
