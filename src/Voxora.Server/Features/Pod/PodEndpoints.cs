using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Attachments;
using Voxora.Server.Features.Avatars;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Features.Roles;
using Voxora.Server.Features.Users;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Pod;

/// <summary>
/// The pod (this server as a whole): my pod permissions; pod roles and grants (POD_ADMINISTRATOR);
/// pod bans (POD_BAN_MEMBERS), which end every session of the user at once (their gateway connections
/// close with 4012) and refuse their logins and refreshes until lifted. Memberships are kept, so an unban
/// restores the user as they were. Everything here follows the role hierarchy (<see cref="RoleHierarchy"/>,
/// the same rules as community roles): administrators act only below their highest pod role, grant only what
/// they hold, and only the owner gives the default role POD_ADMINISTRATOR or bans and unbans an administrator.
/// </summary>
public static class PodEndpoints
{
    public static RouteGroupBuilder MapPodEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/pod", Info).WithTags("Pod").RequireRateLimiting(RateLimits.Anonymous)
            .WithSummary("What this pod is: name, description, registration mode, and whether it still needs setting up (anonymous)");
        api.MapPost("/pod/setup", Setup).WithTags("Pod").RequireRateLimiting(RateLimits.Auth)
            .WithSummary("First-run setup of a pod with no accounts: the owner's account, the pod's name and registration mode; signs the owner in (anonymous)");

        var pod = api.MapGroup("/pod").WithTags("Pod").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        pod.MapGet("/@me", Me).WithSummary("The caller's pod roles and pod permissions");
        pod.MapGet("/roles", ListRoles).WithSummary("The pod's roles");
        pod.MapPost("/roles", CreateRole).WithSummary("Create a pod role (POD_MANAGE_ROLES)").ProducesForbidden();
        pod.MapPatch("/roles/{roleId}", UpdateRole).WithSummary("Change a pod role (POD_MANAGE_ROLES, below one's highest pod role)").ProducesForbidden();
        pod.MapDelete("/roles/{roleId}", DeleteRole).WithSummary("Delete a pod role (POD_MANAGE_ROLES, below one's highest pod role)").ProducesForbidden();
        pod.MapPut("/members/{userId}/roles/{roleId}", Grant).WithSummary("Give a user a pod role (POD_MANAGE_ROLES)").ProducesForbidden();
        pod.MapDelete("/members/{userId}/roles/{roleId}", Revoke).WithSummary("Take a pod role from a user (POD_MANAGE_ROLES)").ProducesForbidden();
        pod.MapGet("/bans", ListBans).WithSummary("The pod's bans (POD_BAN_MEMBERS)").ProducesForbidden();
        pod.MapPut("/bans/{userId}", Ban).WithSummary("Ban a user from the pod (POD_BAN_MEMBERS; ends their sessions)").ProducesForbidden();
        pod.MapDelete("/bans/{userId}", Unban).WithSummary("Lift a pod ban (POD_BAN_MEMBERS)").ProducesForbidden();
        return api;
    }

    private static async Task<Ok<PodInfo>> Info(VoxoraDbContext db, PodOptions options, CancellationToken ct)
    {
        var settings = await PodRegistration.CurrentAsync(db, options, ct);
        return TypedResults.Ok(new PodInfo(settings.Name, settings.Description, settings.RegistrationMode, !await db.Users.AnyAsync(ct)));
    }

    /// <summary>
    /// Only while the pod has no account: creates the owner's account as register does, saves the pod's settings and
    /// answers like a login, all or nothing; of two racing setups one wins, the other gets 409 <c>setup_completed</c>.
    /// </summary>
    private static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> Setup(
        PodSetupRequest request, HttpContext http, VoxoraDbContext db, PasswordHasher hasher, PodOptions options, MediaOptions media, IConfiguration configuration,
        SessionStore sessions, AccessTokens tokens, DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        if (await db.Users.AnyAsync(ct))
        {
            return SetupCompleted();
        }

        var errors = AuthEndpoints.AccountErrors(request.Username, request.Password, request.Email, out var email);
        if (CommunityRules.NameError(request.PodName, out var name) is { } nameError) errors["pod_name"] = [nameError];
        if (CommunityRules.DescriptionError(request.PodDescription, out var description) is { } descriptionError) errors["pod_description"] = [descriptionError];
        var mode = request.RegistrationMode is null ? RegistrationModes.Open : RegistrationModes.Parse(request.RegistrationMode);
        if (mode is null) errors["registration_mode"] = ["Registration mode must be open, invite or closed."];
        if (configuration["POD:OWNER"] is { Length: > 0 } owner && !errors.ContainsKey("username")
            && UserRules.Normalize(owner.Trim()) != UserRules.Normalize(request.Username!))
        {
            // VOXORA_POD__OWNER names the owner: an account by another name would own nothing.
            errors["username"] = ["This server's owner is set by VOXORA_POD__OWNER: set it up with that username."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var user = AuthEndpoints.NewAccount(request.Username!, UserRules.Normalize(request.Username!), email, request.Password!, hasher, clock);
        var now = clock.StoredUtcNow();
        PodSettingsEntity? saved = null;
        var created = await PodRegistration.TryCreateFirstAccountAsync(db, user, async () =>
        {
            saved = await db.PodSettings.SingleOrDefaultAsync(s => s.Id == PodSettingsEntity.SingletonId, ct);
            if (saved is null)
            {
                saved = new PodSettingsEntity { Name = name, RegistrationMode = mode! };
                db.PodSettings.Add(saved);
            }

            (saved.Name, saved.Description, saved.RegistrationMode, saved.SetupCompletedAt, saved.UpdatedAt) = (name, description, mode!, now, now);
        }, ct);
        if (!created)
        {
            return SetupCompleted();
        }

        await events.PublishAsync(new PodSetupCompleted(saved!.ToProtocol(media.MaxUploadBytes), user.Id));
        var (session, refresh) = await sessions.CreateAsync(user.Id, http.UserAgent(), http.Ip(), ct);
        return TypedResults.Ok(new TokenResponse(tokens.Issue(user.Id, session.Id), "Bearer", tokens.LifetimeSeconds, refresh));
    }

    private static ProblemHttpResult SetupCompleted() =>
        Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.SetupCompleted, "Already set up", "This server is already set up: sign in instead.");

    private static async Task<Ok<PodSelf>> Me(HttpContext http, VoxoraDbContext db, PodPermissions pod, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var roles = await db.PodMemberRoles.AsNoTracking().Where(m => m.UserId == userId).Select(m => m.RoleId).ToListAsync(ct);
        return TypedResults.Ok(new PodSelf(await pod.OwnerIdAsync(ct) == userId, await pod.PermissionsAsync(userId, ct), roles));
    }

    private static async Task<Ok<List<PodRole>>> ListRoles(VoxoraDbContext db, CancellationToken ct)
    {
        var roles = await db.PodRoles.AsNoTracking().ToListAsync(ct);
        return TypedResults.Ok(roles.OrderBy(r => r.Position).ThenBy(r => r.Id, StringComparer.Ordinal).Select(r => r.ToProtocol()).ToList());
    }

    private static async Task<bool> IsAdminAsync(HttpContext http, PodPermissions pod, CancellationToken ct) =>
        PermissionResolver.Has(await pod.PermissionsAsync(http.User.UserId(), ct), PodPermission.Administrator);

    private static Dictionary<string, string[]> Validate(string? name, bool required, long? permissions, int? position, int? color, bool mayClearColor, out string normalized)
    {
        var errors = new Dictionary<string, string[]>();
        normalized = name?.Trim() ?? "";
        if (name is not null || required)
        {
            if (normalized.Length is 0 or > 100) errors["name"] = ["Name must be 1 to 100 characters."];
            else if (TextSafety.Error(normalized, TextKind.Name, "Name") is { } unsafeName) errors["name"] = [unsafeName];
        }

        if (permissions is { } bits && (bits & ~PodPermission.All) != 0) errors["permissions"] = ["Permissions contain undefined pod bits."];
        if (position is < 1 or > RolesEndpoints.PositionMax) errors["position"] = [$"Position must be from 1 to {RolesEndpoints.PositionMax}."];
        if (color is > 0xFFFFFF || (color < 0 && !(mayClearColor && color == -1)))
        {
            errors["color"] = [mayClearColor ? "Color must be an RGB value from 0 to 16777215, or -1 to remove it." : "Color must be an RGB value from 0 to 16777215."];
        }

        return errors;
    }

    private static async Task<Results<Created<PodRole>, ValidationProblem, ProblemHttpResult>> CreateRole(
        CreatePodRoleRequest request, HttpContext http, VoxoraDbContext db, PodPermissions pod, DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        if (!await IsAdminAsync(http, pod, ct))
        {
            return RolesEndpoints.Missing("POD_ADMINISTRATOR");
        }

        var errors = Validate(request.Name, true, request.Permissions, request.Position, request.Color, false, out var name);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var permissions = request.Permissions ?? 0;
        var position = request.Position ?? 1;
        var actor = await pod.ActorAsync(db, http.User.UserId(), ct);
        if (RoleHierarchy.CannotChangeRole(actor, null, new RoleState(position, permissions, false), PodPermission.Administrator) is { } refusal)
        {
            return RolesEndpoints.Hierarchy(refusal);
        }

        var role = new PodRoleEntity
        {
            Id = Ids.New(Ids.PodRole), Name = name, Permissions = permissions, Position = position, Color = request.Color, CreatedAt = clock.StoredUtcNow(),
        };
        db.PodRoles.Add(role);
        await db.SaveChangesAsync(ct);
        pod.Invalidate();
        var wire = role.ToProtocol();
        await events.PublishAsync(new PodRoleCreated(wire, http.User.UserId()));
        return TypedResults.Created($"/api/v1/pod/roles/{role.Id}", wire);
    }

    private static async Task<Results<Ok<PodRole>, ValidationProblem, ProblemHttpResult>> UpdateRole(
        string roleId, UpdatePodRoleRequest request, HttpContext http, VoxoraDbContext db, PodPermissions pod, DomainEvents events, CancellationToken ct)
    {
        if (!await IsAdminAsync(http, pod, ct))
        {
            return RolesEndpoints.Missing("POD_ADMINISTRATOR");
        }

        var role = await db.PodRoles.SingleOrDefaultAsync(r => r.Id == roleId, ct);
        if (role is null)
        {
            return Problems.NotFound("Pod role");
        }

        var errors = Validate(request.Name, false, request.Permissions, role.IsDefault ? null : request.Position, request.Color, true, out var name);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var permissions = request.Permissions ?? role.Permissions;
        var position = role.IsDefault ? role.Position : request.Position ?? role.Position;
        var actor = await pod.ActorAsync(db, http.User.UserId(), ct);
        if (RoleHierarchy.CannotChangeRole(
                actor, new RoleState(role.Position, role.Permissions, role.IsDefault), new RoleState(position, permissions, role.IsDefault),
                PodPermission.Administrator) is { } refusal)
        {
            return RolesEndpoints.Hierarchy(refusal);
        }

        var previous = role.ToProtocol();
        if (request.Name is not null) role.Name = name;
        role.Permissions = permissions;
        role.Position = position;
        if (request.Color is { } color) role.Color = color == -1 ? null : color;
        await db.SaveChangesAsync(ct);
        pod.Invalidate();
        var wire = role.ToProtocol();
        await events.PublishAsync(new PodRoleUpdated(wire, previous, http.User.UserId()));
        return TypedResults.Ok(wire);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteRole(
        string roleId, HttpContext http, VoxoraDbContext db, PodPermissions pod, DomainEvents events, CancellationToken ct)
    {
        if (!await IsAdminAsync(http, pod, ct))
        {
            return RolesEndpoints.Missing("POD_ADMINISTRATOR");
        }

        var role = await db.PodRoles.AsNoTracking().SingleOrDefaultAsync(r => r.Id == roleId, ct);
        if (role is null)
        {
            return Problems.NotFound("Pod role");
        }

        if (role.IsDefault)
        {
            return CommunitiesEndpoints.Forbidden("The default pod role cannot be deleted.");
        }

        if (!RoleHierarchy.IsAbove(await pod.ActorAsync(db, http.User.UserId(), ct), role.Position))
        {
            return RolesEndpoints.Hierarchy("You can only delete pod roles below your highest pod role.");
        }

        await db.PodRoles.Where(r => r.Id == role.Id).ExecuteDeleteAsync(ct);
        pod.Invalidate();
        await events.PublishAsync(new PodRoleDeleted(role.ToProtocol(), http.User.UserId()));
        return TypedResults.NoContent();
    }

    private static Task<Results<NoContent, ProblemHttpResult>> Grant(
        string userId, string roleId, HttpContext http, VoxoraDbContext db, PodPermissions pod, DomainEvents events, CancellationToken ct) =>
        SetRoleAsync(true, userId, roleId, http, db, pod, events, ct);

    private static Task<Results<NoContent, ProblemHttpResult>> Revoke(
        string userId, string roleId, HttpContext http, VoxoraDbContext db, PodPermissions pod, DomainEvents events, CancellationToken ct) =>
        SetRoleAsync(false, userId, roleId, http, db, pod, events, ct);

    private static async Task<Results<NoContent, ProblemHttpResult>> SetRoleAsync(
        bool grant, string userId, string roleId, HttpContext http, VoxoraDbContext db, PodPermissions pod, DomainEvents events, CancellationToken ct)
    {
        if (!await IsAdminAsync(http, pod, ct))
        {
            return RolesEndpoints.Missing("POD_ADMINISTRATOR");
        }

        var role = await db.PodRoles.AsNoTracking().SingleOrDefaultAsync(r => r.Id == roleId && !r.IsDefault, ct);
        if (role is null || !await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            return Problems.NotFound(role is null ? "Pod role" : "User");
        }

        if (!RoleHierarchy.IsAbove(await pod.ActorAsync(db, http.User.UserId(), ct), role.Position))
        {
            return RolesEndpoints.Hierarchy("You can only give or take pod roles below your highest pod role.");
        }

        int changed;
        if (grant)
        {
            changed = await db.PodMemberRoles.AnyAsync(m => m.UserId == userId && m.RoleId == roleId, ct) ? 0 : 1;
            if (changed > 0)
            {
                db.PodMemberRoles.Add(new PodMemberRoleEntity { UserId = userId, RoleId = roleId });
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException)
                {
                    changed = 0;
                }
            }
        }
        else
        {
            changed = await db.PodMemberRoles.Where(m => m.UserId == userId && m.RoleId == roleId).ExecuteDeleteAsync(ct);
        }

        if (changed > 0)
        {
            pod.Invalidate();
            await events.PublishAsync(new PodMemberRolesChanged(userId, roleId, grant, http.User.UserId()));
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<List<PodBan>>, ProblemHttpResult>> ListBans(HttpContext http, VoxoraDbContext db, PodPermissions pod, CancellationToken ct)
    {
        if (!PermissionResolver.Has(await pod.PermissionsAsync(http.User.UserId(), ct), PodPermission.BanMembers))
        {
            return RolesEndpoints.Missing("POD_BAN_MEMBERS");
        }

        var bans = await db.PodBans.AsNoTracking().OrderBy(b => b.UserId)
            .Select(b => new PodBan(new UserSummary(b.User!.Id, b.User.Username, b.User.DisplayName, AvatarLinks.UserAvatarUrl(b.User.Id, b.User.AvatarHash)), b.Reason, b.ActorId, b.CreatedAt))
            .ToListAsync(ct);
        return TypedResults.Ok(bans);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Ban(
        string userId, PodBanRequest? request, HttpContext http, VoxoraDbContext db, PodPermissions pod, SessionStore sessions,
        DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var actorId = http.User.UserId();
        if (!PermissionResolver.Has(await pod.PermissionsAsync(actorId, ct), PodPermission.BanMembers))
        {
            return RolesEndpoints.Missing("POD_BAN_MEMBERS");
        }

        if (!Ids.IsWellFormed(userId, Ids.User) || !await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            return Problems.NotFound("User");
        }

        if (await CannotActOnAsync(actorId, userId, db, pod, ct) is { } refusal)
        {
            return refusal;
        }

        var reason = string.IsNullOrWhiteSpace(request?.Reason) ? null : request.Reason.Trim();
        var reasonError = reason switch
        {
            null => null,
            { Length: > 512 } => "Reason must be at most 512 characters.",
            _ => TextSafety.Error(reason, TextKind.Text, "Reason"),
        };
        if (reasonError is not null)
        {
            return Problems.Validation("reason", reasonError);
        }

        if (!await db.PodBans.AnyAsync(b => b.UserId == userId, ct))
        {
            db.PodBans.Add(new PodBanEntity { UserId = userId, Reason = reason, ActorId = actorId, CreatedAt = clock.StoredUtcNow() });
            var saved = false;
            try
            {
                await db.SaveChangesAsync(ct);
                saved = true;
            }
            catch (DbUpdateException)
            {
                // Banned concurrently: that ban's request records it.
            }

            if (saved)
            {
                await events.PublishAsync(new PodMemberBanned(userId, reason, actorId));
            }
        }

        // Every login session ends now; that closes their gateway connections (4012) and stops their access tokens.
        await sessions.RevokeAllAsync(userId, ct);
        return TypedResults.NoContent();
    }

    /// <summary>Why the actor may not ban or unban the user (null when they may): only below their level, and only the owner touches an administrator.</summary>
    internal static async Task<ProblemHttpResult?> CannotActOnAsync(string actorId, string userId, VoxoraDbContext db, PodPermissions pod, CancellationToken ct)
    {
        var actor = await pod.ActorAsync(db, actorId, ct);
        var target = await pod.ActorAsync(db, userId, ct);
        return RoleHierarchy.CannotActOn(actor, actorId == userId, target.IsOwner, target.Level,
                PermissionResolver.Has(target.Permissions, PodPermission.Administrator), onlyOwnerActsOnAdministrators: true) switch
        {
            ActRefusal.None => null,
            ActRefusal.Self => RolesEndpoints.Hierarchy("You cannot do this to yourself."),
            ActRefusal.Owner => RolesEndpoints.Hierarchy("Nobody can act on the pod owner."),
            ActRefusal.Administrator => RolesEndpoints.Hierarchy("Only the pod owner can ban or unban a pod administrator."),
            _ => RolesEndpoints.Hierarchy("You can only act on users whose highest pod role is below yours."),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Unban(
        string userId, HttpContext http, VoxoraDbContext db, PodPermissions pod, DomainEvents events, CancellationToken ct)
    {
        var actorId = http.User.UserId();
        if (!PermissionResolver.Has(await pod.PermissionsAsync(actorId, ct), PodPermission.BanMembers))
        {
            return RolesEndpoints.Missing("POD_BAN_MEMBERS");
        }

        if (!await db.PodBans.AnyAsync(b => b.UserId == userId, ct))
        {
            return Problems.NotFound("Ban");
        }

        // Lifting a ban gives the user back whatever their pod roles grant, so it follows the same rule as banning.
        if (await CannotActOnAsync(actorId, userId, db, pod, ct) is { } refusal)
        {
            return refusal;
        }

        if (await db.PodBans.Where(b => b.UserId == userId).ExecuteDeleteAsync(ct) == 0)
        {
            return Problems.NotFound("Ban");
        }

        await events.PublishAsync(new PodMemberUnbanned(userId, actorId));
        return TypedResults.NoContent();
    }
}
