using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Features.Pod;
using Voxora.Server.Features.Roles;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Audit;

/// <summary>
/// Reading the audit log (seed 000 §P2-8): newest first, filtered by actor (<c>user_id</c>), <c>action</c>, date
/// (<c>since</c> inclusive and <c>until</c> exclusive, ISO 8601 date-times with an offset, or dates meaning their UTC
/// midnight), and <c>before</c> (an entry id), <c>limit</c> 1–100 (default 50); and verifying its hash chain.
/// Community logs need VIEW_AUDIT_LOG, the pod log POD_VIEW_AUDIT_LOG.
/// </summary>
public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAuditEndpoints(this RouteGroupBuilder api)
    {
        var community = api.MapGroup("/communities/{communityId}/audit-log").WithTags("Audit").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        community.MapGet("", List).WithSummary("A community's audit log, filtered by action, actor and date (VIEW_AUDIT_LOG)").ProducesForbidden();
        community.MapGet("/verify", Verify).WithSummary("Verify a community's audit log hash chain (VIEW_AUDIT_LOG)").ProducesForbidden();

        var pod = api.MapGroup("/pod/audit-log").WithTags("Audit").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        pod.MapGet("", ListPod).WithSummary("The pod's audit log (POD_VIEW_AUDIT_LOG)").ProducesForbidden();
        pod.MapGet("/verify", VerifyPod).WithSummary("Verify the pod's audit log hash chain (POD_VIEW_AUDIT_LOG)").ProducesForbidden();
        return api;
    }

    private static async Task<string?> ScopeAsync(string communityId, HttpContext http, CommunityAccess access, CancellationToken ct)
    {
        var membership = await access.MembershipAsync(communityId, http.User.UserId(), ct);
        return membership is null ? null : membership.Has(Permission.ViewAuditLog) ? membership.Community.Id : "";
    }

    private static async Task<Results<Ok<List<AuditEntry>>, ValidationProblem, ProblemHttpResult>> List(
        string communityId, [FromQuery(Name = "user_id")] string? userId, string? action, string? since, string? until, string? before, string? limit,
        HttpContext http, VoxoraDbContext db, CommunityAccess access, CancellationToken ct)
    {
        var scope = await ScopeAsync(communityId, http, access, ct);
        return scope switch
        {
            null => Problems.NotFound("Community"),
            "" => RolesEndpoints.Missing("VIEW_AUDIT_LOG"),
            _ => await PageAsync(db, scope, new(userId, action, since, until, before, limit), ct),
        };
    }

    private static async Task<Results<Ok<AuditVerification>, ProblemHttpResult>> Verify(
        string communityId, HttpContext http, VoxoraDbContext db, CommunityAccess access, AuditLog audit, CancellationToken ct)
    {
        var scope = await ScopeAsync(communityId, http, access, ct);
        return scope switch
        {
            null => Problems.NotFound("Community"),
            "" => RolesEndpoints.Missing("VIEW_AUDIT_LOG"),
            _ => TypedResults.Ok(await audit.VerifyAsync(db, scope, ct)),
        };
    }

    private static async Task<Results<Ok<List<AuditEntry>>, ValidationProblem, ProblemHttpResult>> ListPod(
        [FromQuery(Name = "user_id")] string? userId, string? action, string? since, string? until, string? before, string? limit, HttpContext http,
        VoxoraDbContext db, PodPermissions pod, CancellationToken ct)
    {
        if (!PermissionResolver.Has(await pod.PermissionsAsync(http.User.UserId(), ct), PodPermission.ViewAuditLog))
        {
            return RolesEndpoints.Missing("POD_VIEW_AUDIT_LOG");
        }

        return await PageAsync(db, AuditLog.PodScope, new(userId, action, since, until, before, limit), ct);
    }

    private static async Task<Results<Ok<AuditVerification>, ProblemHttpResult>> VerifyPod(
        HttpContext http, VoxoraDbContext db, PodPermissions pod, AuditLog audit, CancellationToken ct)
    {
        if (!PermissionResolver.Has(await pod.PermissionsAsync(http.User.UserId(), ct), PodPermission.ViewAuditLog))
        {
            return RolesEndpoints.Missing("POD_VIEW_AUDIT_LOG");
        }

        return TypedResults.Ok(await audit.VerifyAsync(db, AuditLog.PodScope, ct));
    }

    /// <summary>The query of a page of the log, as sent.</summary>
    private readonly record struct AuditQuery(string? UserId, string? Action, string? Since, string? Until, string? Before, string? Limit);

    /// <summary>A date-time with an offset (<c>2026-12-06T10:00:00Z</c>) or a date (its UTC midnight); null when it is neither.</summary>
    internal static DateTimeOffset? ParseInstant(string text)
    {
        var styles = System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date))
        {
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }

        // An offset (or Z) is required: a bare local time would mean a different instant on every server.
        return text.Length > 19 && (text.EndsWith('Z') || text[^6] is '+' or '-')
               && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, styles, out var instant)
            ? instant
            : null;
    }

    private static async Task<Results<Ok<List<AuditEntry>>, ValidationProblem, ProblemHttpResult>> PageAsync(
        VoxoraDbContext db, string scope, AuditQuery q, CancellationToken ct)
    {
        var (userId, action, before, limit) = (q.UserId, q.Action, q.Before, q.Limit);
        var errors = new Dictionary<string, string[]>();
        if (Paging.LimitError(limit, out var take) is { } limitError) errors["limit"] = [limitError];
        if (userId is not null && !Ids.IsWellFormed(userId, Ids.User)) errors["user_id"] = ["User_id must be a user id."];
        if (action is { Length: 0 or > 64 }) errors["action"] = ["Action must be an action name such as member.ban."];
        var since = q.Since is null ? null : ParseInstant(q.Since);
        var until = q.Until is null ? null : ParseInstant(q.Until);
        if (q.Since is not null && since is null) errors["since"] = ["Since must be a date (2026-12-06) or a date-time with an offset (2026-12-06T10:00:00Z)."];
        if (q.Until is not null && until is null) errors["until"] = ["Until must be a date (2026-12-06) or a date-time with an offset (2026-12-06T10:00:00Z)."];
        if (since is not null && until is not null && until <= since) errors["until"] = ["Until must be later than since."];
        long? beforeSeq = null;
        if (before is not null)
        {
            beforeSeq = Ids.IsWellFormed(before, Ids.Audit)
                ? await db.AuditLog.AsNoTracking().Where(a => a.Id == before && a.CommunityId == scope).Select(a => (long?)a.Seq).SingleOrDefaultAsync(ct)
                : null;
            if (beforeSeq is null) errors["before"] = ["Before must be the id of an entry of this log."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var query = db.AuditLog.AsNoTracking().Where(a => a.CommunityId == scope);
        if (userId is not null) query = query.Where(a => a.ActorId == userId);
        if (action is not null) query = query.Where(a => a.Action == action);
        if (since is { } from) query = query.Where(a => a.CreatedAt >= from);
        if (until is { } to) query = query.Where(a => a.CreatedAt < to);
        if (beforeSeq is { } seq) query = query.Where(a => a.Seq < seq);
        var entries = await query.OrderByDescending(a => a.Seq).Take(take).ToListAsync(ct);
        return TypedResults.Ok(entries.Select(AuditLog.ToProtocol).ToList());
    }
}
