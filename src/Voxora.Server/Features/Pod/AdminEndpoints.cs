using System.Reflection;
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
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Pod;

/// <summary>When this node started (for the dashboard's uptime).</summary>
public sealed record NodeStart(DateTimeOffset At);

/// <summary>
/// Pod administration (<c>/api/v1/admin/*</c>), each part gated by a pod permission: the pod's settings and dashboard
/// (POD_MANAGE_SETTINGS), its users and their login sessions (POD_BAN_MEMBERS; bans themselves are <c>/pod/bans</c>) and its communities
/// (POD_MANAGE_COMMUNITIES), with their sessions and deleting a community.
/// </summary>
public static class AdminEndpoints
{
    public const int PageSize = 50;

    public static RouteGroupBuilder MapAdminEndpoints(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin").WithTags("Admin").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        admin.MapGet("/settings", GetSettings).ProducesForbidden().WithSummary("The pod's settings (POD_MANAGE_SETTINGS)");
        admin.MapPatch("/settings", UpdateSettings).ProducesForbidden()
            .WithSummary("Change the pod's name, description, registration mode or default upload limit (POD_MANAGE_SETTINGS; audited as pod.settings_update)");
        admin.MapGet("/dashboard", Dashboard).ProducesForbidden()
            .WithSummary("Users, communities, messages today, live connections, people in voice, storage, database, version and uptime (POD_MANAGE_SETTINGS)");
        admin.MapGet("/users", Users).ProducesForbidden().WithSummary("Users, searched by username, 50 a page by `cursor` (POD_BAN_MEMBERS)");
        admin.MapGet("/users/{userId}/sessions", UserSessions).ProducesForbidden()
            .WithSummary("A user's active login sessions: created, last used, client and address (POD_BAN_MEMBERS)");
        admin.MapDelete("/users/{userId}/sessions", EndUserSessions).ProducesForbidden()
            .WithSummary("End every login session of a user below you in the pod hierarchy (POD_BAN_MEMBERS; audited as pod.sessions_end)");
        admin.MapDelete("/users/{userId}/sessions/{sessionId}", EndUserSession).ProducesForbidden()
            .WithSummary("End one login session of a user below you in the pod hierarchy (POD_BAN_MEMBERS; audited as pod.sessions_end)");
        admin.MapGet("/communities", Communities).ProducesForbidden().WithSummary("Communities with their member counts, 50 a page by `cursor` (POD_MANAGE_COMMUNITIES)");
        admin.MapDelete("/communities/{communityId}", DeleteCommunity).ProducesForbidden()
            .WithSummary("Delete any community, member or not, as its owner's delete does (POD_MANAGE_COMMUNITIES; audited as community.delete)");
        return api;
    }

    private static async Task<ProblemHttpResult?> RequireAsync(HttpContext http, PodPermissions pod, long permission, string name, CancellationToken ct) =>
        PermissionResolver.Has(await pod.PermissionsAsync(http.User.UserId(), ct), permission) ? null : RolesEndpoints.Missing(name);

    private static async Task<Results<Ok<PodSettings>, ProblemHttpResult>> GetSettings(
        HttpContext http, VoxoraDbContext db, PodPermissions pod, PodOptions options, MediaOptions media, CancellationToken ct)
    {
        if (await RequireAsync(http, pod, PodPermission.ManageSettings, "POD_MANAGE_SETTINGS", ct) is { } missing)
        {
            return missing;
        }

        return TypedResults.Ok((await PodRegistration.CurrentAsync(db, options, ct)).ToProtocol(media.MaxUploadBytes));
    }

    private static async Task<Results<Ok<PodSettings>, ValidationProblem, ProblemHttpResult>> UpdateSettings(
        UpdatePodSettingsRequest request, HttpContext http, VoxoraDbContext db, PodPermissions pod, PodOptions options, MediaOptions media,
        DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        if (await RequireAsync(http, pod, PodPermission.ManageSettings, "POD_MANAGE_SETTINGS", ct) is { } missing)
        {
            return missing;
        }

        var errors = new Dictionary<string, string[]>();
        string? name = null, description = null;
        if (request.Name is not null && CommunityRules.NameError(request.Name, out name) is { } nameError) errors["name"] = [nameError];
        if (request.Description is not null && CommunityRules.DescriptionError(request.Description, out description) is { } descriptionError)
        {
            errors["description"] = [descriptionError];
        }

        var mode = request.RegistrationMode is null ? null : RegistrationModes.Parse(request.RegistrationMode);
        if (request.RegistrationMode is not null && mode is null) errors["registration_mode"] = ["Registration mode must be open, invite or closed."];
        if (request.MaxUploadBytes is < 0 || request.MaxUploadBytes > media.MaxUploadBytes)
        {
            errors["max_upload_bytes"] = [$"Max_upload_bytes must be from 1 to this server's maximum of {media.MaxUploadBytes} bytes (VOXORA_MEDIA__MAX_UPLOAD_BYTES), or 0 for that maximum."];
        }

        // 0 goes back to the server's maximum.
        var maxUpload = request.MaxUploadBytes is 0 ? null : request.MaxUploadBytes;
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var row = await db.PodSettings.SingleOrDefaultAsync(s => s.Id == PodSettingsEntity.SingletonId, ct);
        var previous = (row ?? await PodRegistration.CurrentAsync(db, options, ct)).ToProtocol(media.MaxUploadBytes);
        if (row is null)
        {
            // The first save records the mode in effect (VOXORA_POD__REGISTRATION's); from then on the saved one wins.
            row = new PodSettingsEntity { Name = previous.Name, Description = previous.Description, RegistrationMode = previous.RegistrationMode };
            db.PodSettings.Add(row);
        }

        if (request.Name is not null) row.Name = name!;
        if (request.Description is not null) row.Description = description;
        if (mode is not null) row.RegistrationMode = mode;
        if (request.MaxUploadBytes is not null) row.MaxUploadBytes = maxUpload;
        row.UpdatedAt = clock.StoredUtcNow();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two first saves raced to insert the row: the other one is saved; this one applies over it.
            db.ChangeTracker.Clear();
            var saved = await db.PodSettings.SingleAsync(s => s.Id == PodSettingsEntity.SingletonId, ct);
            if (request.Name is not null) saved.Name = name!;
            if (request.Description is not null) saved.Description = description;
            if (mode is not null) saved.RegistrationMode = mode;
            if (request.MaxUploadBytes is not null) saved.MaxUploadBytes = maxUpload;
            saved.UpdatedAt = clock.StoredUtcNow();
            await db.SaveChangesAsync(ct);
            row = saved;
        }

        var wire = row.ToProtocol(media.MaxUploadBytes);
        await events.PublishAsync(new PodSettingsUpdated(wire, previous, http.User.UserId()));
        return TypedResults.Ok(wire);
    }

    private static async Task<Results<Ok<PodDashboard>, ProblemHttpResult>> Dashboard(
        HttpContext http, VoxoraDbContext db, PodPermissions pod, GatewayConnectionCount connections, ServerOptions options, NodeStart started,
        TimeProvider clock, CancellationToken ct)
    {
        if (await RequireAsync(http, pod, PodPermission.ManageSettings, "POD_MANAGE_SETTINGS", ct) is { } missing)
        {
            return missing;
        }

        var now = clock.GetUtcNow();
        var firstToday = Snowflake.FirstAt(new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero));
        var storage = await db.Attachments.Where(a => a.UploadedAt != null).SumAsync(a => (long?)(a.SizeBytes + (a.ThumbnailSizeBytes ?? 0)), ct) ?? 0;
        var (connected, nodes) = await connections.ClusterWideAsync();
        var version = typeof(AdminEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        return TypedResults.Ok(new PodDashboard(
            await db.Users.CountAsync(ct),
            await db.Communities.CountAsync(ct),
            await db.Messages.CountAsync(m => m.Id >= firstToday, ct),
            connected,
            await db.VoiceSessions.CountAsync(ct),
            storage,
            options.Database.ProviderKind == DatabaseProvider.Postgres ? "postgres" : "sqlite",
            version,
            (long)(now - started.At).TotalSeconds,
            started.At,
            nodes));
    }

    private static async Task<Results<Ok<AdminUserPage>, ValidationProblem, ProblemHttpResult>> Users(
        HttpContext http, VoxoraDbContext db, PodPermissions pod, string? query, string? cursor, CancellationToken ct)
    {
        if (await RequireAsync(http, pod, PodPermission.BanMembers, "POD_BAN_MEMBERS", ct) is { } missing)
        {
            return missing;
        }

        var search = string.IsNullOrWhiteSpace(query) ? null : UserRules.Normalize(query.Trim());
        if (search is { Length: > UserRules.UsernameMax })
        {
            return Problems.Validation("query", $"A username is at most {UserRules.UsernameMax} characters.");
        }

        if (cursor is not null && !Ids.IsWellFormed(cursor, Ids.User))
        {
            return Problems.Validation("cursor", "The cursor is not one this list gave out.");
        }

        var users = db.Users.AsNoTracking();
        if (search is not null) users = users.Where(u => u.UsernameNormalized.Contains(search));
        if (cursor is not null) users = users.Where(u => string.Compare(u.Id, cursor) > 0);
        var page = await users.OrderBy(u => u.Id).Take(PageSize + 1)
            .Select(u => new { u.Id, u.Username, u.DisplayName, u.AvatarHash, u.CreatedAt, Banned = db.PodBans.Any(b => b.UserId == u.Id) })
            .ToListAsync(ct);
        var owner = await pod.OwnerIdAsync(ct);
        var ids = page.Select(u => u.Id).ToList();
        var grants = (await db.PodMemberRoles.AsNoTracking().Where(m => ids.Contains(m.UserId)).ToListAsync(ct))
            .ToLookup(m => m.UserId, m => m.RoleId, StringComparer.Ordinal);
        var shown = page.Take(PageSize)
            .Select(u => new AdminUser(u.Id, u.Username, u.DisplayName, AvatarLinks.UserAvatarUrl(u.Id, u.AvatarHash), u.CreatedAt, u.Id == owner, u.Banned,
                [.. grants[u.Id].Order(StringComparer.Ordinal)]))
            .ToList();
        return TypedResults.Ok(new AdminUserPage(shown, page.Count > PageSize ? shown[^1].Id : null));
    }

    private static async Task<Results<Ok<AdminCommunityPage>, ValidationProblem, ProblemHttpResult>> Communities(
        HttpContext http, VoxoraDbContext db, PodPermissions pod, string? cursor, CancellationToken ct)
    {
        if (await RequireAsync(http, pod, PodPermission.ManageCommunities, "POD_MANAGE_COMMUNITIES", ct) is { } missing)
        {
            return missing;
        }

        if (cursor is not null && !Ids.IsWellFormed(cursor, Ids.Community))
        {
            return Problems.Validation("cursor", "The cursor is not one this list gave out.");
        }

        var communities = db.Communities.AsNoTracking();
        if (cursor is not null) communities = communities.Where(c => string.Compare(c.Id, cursor) > 0);
        var page = await communities.OrderBy(c => c.Id).Take(PageSize + 1)
            .Select(c => new AdminCommunity(c.Id, c.Name, c.OwnerId, db.Members.Count(m => m.CommunityId == c.Id), c.CreatedAt))
            .ToListAsync(ct);
        var shown = page.Take(PageSize).ToList();
        return TypedResults.Ok(new AdminCommunityPage(shown, page.Count > PageSize ? shown[^1].Id : null));
    }

    private static Task<bool> UserExistsAsync(VoxoraDbContext db, string userId, CancellationToken ct) =>
        Ids.IsWellFormed(userId, Ids.User) ? db.Users.AnyAsync(u => u.Id == userId, ct) : Task.FromResult(false);

    private static async Task<Results<Ok<List<SessionInfo>>, ProblemHttpResult>> UserSessions(
        string userId, HttpContext http, VoxoraDbContext db, PodPermissions pod, SessionStore sessions, CancellationToken ct)
    {
        if (await RequireAsync(http, pod, PodPermission.BanMembers, "POD_BAN_MEMBERS", ct) is { } missing)
        {
            return missing;
        }

        if (!await UserExistsAsync(db, userId, ct))
        {
            return Problems.NotFound("User");
        }

        var current = http.User.SessionId();
        return TypedResults.Ok((await sessions.ListActiveAsync(userId, ct))
            .Select(s => new SessionInfo(s.Id, s.CreatedAt, s.LastUsedAt, s.UserAgent, s.Ip, s.Id == current))
            .ToList());
    }

    /// <summary>Why the caller may not end <paramref name="userId"/>'s sessions (POD_BAN_MEMBERS, a real user, below them), or null.</summary>
    private static async Task<ProblemHttpResult?> CannotEndSessionsOfAsync(
        HttpContext http, string actorId, string userId, VoxoraDbContext db, PodPermissions pod, CancellationToken ct)
    {
        if (await RequireAsync(http, pod, PodPermission.BanMembers, "POD_BAN_MEMBERS", ct) is { } missing)
        {
            return missing;
        }

        if (!await UserExistsAsync(db, userId, ct))
        {
            return Problems.NotFound("User");
        }

        return await PodEndpoints.CannotActOnAsync(actorId, userId, db, pod, ct);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EndUserSessions(
        string userId, HttpContext http, VoxoraDbContext db, PodPermissions pod, SessionStore sessions, DomainEvents events, CancellationToken ct)
    {
        var actorId = http.User.UserId();
        if (await CannotEndSessionsOfAsync(http, actorId, userId, db, pod, ct) is { } refusal)
        {
            return refusal;
        }

        // As a pod ban ends them: tokens refused at once, gateway connections closed, push registrations dropped.
        var ended = await sessions.RevokeAllAsync(userId, ct);
        if (ended.Count > 0)
        {
            await events.PublishAsync(new PodSessionsEnded(userId, ended, actorId));
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EndUserSession(
        string userId, string sessionId, HttpContext http, VoxoraDbContext db, PodPermissions pod, SessionStore sessions, DomainEvents events,
        TimeProvider clock, CancellationToken ct)
    {
        var actorId = http.User.UserId();
        if (await CannotEndSessionsOfAsync(http, actorId, userId, db, pod, ct) is { } refusal)
        {
            return refusal;
        }

        // Another user's session, or one already ended, answers like a missing one (as a self-revoke does).
        var session = Ids.IsWellFormed(sessionId, Ids.Session) ? await sessions.FindAsync(sessionId, ct) : null;
        if (session is null || session.UserId != userId || !session.IsActive(clock.GetUtcNow()))
        {
            return Problems.NotFound("Session");
        }

        if (await sessions.RevokeAsync(session.Id, ct))
        {
            await events.PublishAsync(new PodSessionsEnded(userId, [session.Id], actorId));
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteCommunity(
        string communityId, HttpContext http, VoxoraDbContext db, PodPermissions pod, DomainEvents events, CancellationToken ct)
    {
        if (await RequireAsync(http, pod, PodPermission.ManageCommunities, "POD_MANAGE_COMMUNITIES", ct) is { } missing)
        {
            return missing;
        }

        var community = Ids.IsWellFormed(communityId, Ids.Community)
            ? await db.Communities.AsNoTracking().SingleOrDefaultAsync(c => c.Id == communityId, ct)
            : null;
        if (community is null)
        {
            return Problems.NotFound("Community");
        }

        await CommunitiesEndpoints.DeleteAsync(db, events, community, http.User.UserId(), ct);
        return TypedResults.NoContent();
    }
}
