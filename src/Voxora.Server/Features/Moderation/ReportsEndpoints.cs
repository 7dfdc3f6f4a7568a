using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Roles;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Moderation;

/// <summary>
/// Message reports (seed 003 "Admin e moderação"): a member who can see a message reports it with a reason;
/// moderators (MANAGE_MESSAGES in the community) see the queue (live: REPORT_CREATE, REPORT_UPDATE) and resolve or
/// dismiss; the reporter sees their reports' status (GET /users/@me/reports) and gets REPORT_UPDATE when one is decided.
/// </summary>
public static class ReportsEndpoints
{
    public const int ReasonMax = 1000;

    public static RouteGroupBuilder MapReportsEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/channels/{channelId}/messages/{messageId}/reports", Create).WithSummary("Report a message to the community's moderators").ProducesForbidden()
            .WithTags("Moderation").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        api.MapGet("/communities/{communityId}/reports", List).WithSummary("The report queue of a community (MANAGE_MESSAGES)").ProducesForbidden()
            .WithTags("Moderation").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        api.MapPatch("/communities/{communityId}/reports/{reportId}", Resolve).WithSummary("Resolve or dismiss a report (MANAGE_MESSAGES)").ProducesForbidden()
            .WithTags("Moderation").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        api.MapGet("/users/@me/reports", Mine).WithSummary("The reports the caller has made")
            .WithTags("Moderation").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        return api;
    }

    private static string? NoteError(string? text, string field, bool required, out string? normalized)
    {
        normalized = string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        if (normalized is null)
        {
            return required ? $"{field} is required." : null;
        }

        return normalized.Length > ReasonMax
            ? $"{field} must be at most {ReasonMax} characters."
            : TextSafety.Error(normalized, TextKind.Text, field);
    }

    private static async Task<Results<Created<Report>, ValidationProblem, ProblemHttpResult>> Create(
        string channelId, string messageId, CreateReportRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null || !Snowflake.TryParse(messageId, out var id))
        {
            return Problems.NotFound("Message");
        }

        var message = await db.Messages.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id && m.ChannelId == found.Channel.Id, ct);
        if (message is null)
        {
            return Problems.NotFound("Message");
        }

        // Reports go to a community's moderators; a direct message has none (block the person instead).
        if (message.CommunityId is not { } communityId)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.WrongChannelType, "Not a community channel",
                "Messages in direct messages cannot be reported to moderators; block the person instead.");
        }

        if (NoteError(request.Reason, "Reason", true, out var reason) is { } error)
        {
            return Problems.Validation("reason", error);
        }

        var report = new ReportEntity
        {
            Id = Ids.New(Ids.Report), CommunityId = communityId, ChannelId = message.ChannelId, MessageId = message.Id,
            MessageAuthorId = message.AuthorId, MessageContent = message.Content, ReporterId = userId, Reason = reason!,
            Status = ReportStatus.Open, CreatedAt = clock.StoredUtcNow(),
        };
        db.Reports.Add(report);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.AlreadyReported, "Already reported", "You have already reported this message.");
        }

        var wire = report.ToProtocol();
        await events.PublishAsync(new ReportFiled(wire));
        return TypedResults.Created($"/api/v1/users/@me/reports", wire);
    }

    private static async Task<Results<Ok<List<Report>>, ValidationProblem, ProblemHttpResult>> List(
        string communityId, string? status, string? limit, HttpContext http, VoxoraDbContext db, CommunityAccess access, CancellationToken ct)
    {
        var actor = await access.MembershipAsync(communityId, http.User.UserId(), ct);
        if (actor is null)
        {
            return Problems.NotFound("Community");
        }

        if (!actor.Has(Permission.ManageMessages))
        {
            return RolesEndpoints.Missing("MANAGE_MESSAGES");
        }

        var errors = new Dictionary<string, string[]>();
        if (Paging.LimitError(limit, out var take) is { } limitError) errors["limit"] = [limitError];
        var wanted = status ?? ReportStatus.Open;
        if (wanted is not (ReportStatus.Open or ReportStatus.Resolved or ReportStatus.Dismissed)) errors["status"] = ["Status must be open, resolved or dismissed."];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var reports = await db.Reports.AsNoTracking()
            .Where(r => r.CommunityId == actor.Community.Id && r.Status == wanted)
            .OrderBy(r => r.Id)
            .Take(take)
            .ToListAsync(ct);
        return TypedResults.Ok(reports.Select(r => r.ToProtocol()).ToList());
    }

    private static async Task<Results<Ok<Report>, ValidationProblem, ProblemHttpResult>> Resolve(
        string communityId, string reportId, ResolveReportRequest request, HttpContext http, VoxoraDbContext db, CommunityAccess access,
        DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var actorId = http.User.UserId();
        var actor = await access.MembershipAsync(communityId, actorId, ct);
        if (actor is null)
        {
            return Problems.NotFound("Community");
        }

        if (!actor.Has(Permission.ManageMessages))
        {
            return RolesEndpoints.Missing("MANAGE_MESSAGES");
        }

        var errors = new Dictionary<string, string[]>();
        if (request.Status is not (ReportStatus.Resolved or ReportStatus.Dismissed)) errors["status"] = ["Status must be resolved or dismissed."];
        if (NoteError(request.Note, "Note", false, out var note) is { } noteError) errors["note"] = [noteError];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var now = clock.StoredUtcNow();
        var decided = await db.Reports
            .Where(r => r.Id == reportId && r.CommunityId == actor.Community.Id && r.Status == ReportStatus.Open)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, request.Status!).SetProperty(r => r.ResolverId, actorId)
                .SetProperty(r => r.Note, note).SetProperty(r => r.ResolvedAt, now), ct);
        var report = await db.Reports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == reportId && r.CommunityId == actor.Community.Id, ct);
        if (report is null)
        {
            return Problems.NotFound("Report");
        }

        if (decided == 0)
        {
            return Problems.Of(StatusCodes.Status409Conflict, ProblemCodes.ReportAlreadyDecided, "Already decided", $"This report was already {report.Status}.");
        }

        var wire = report.ToProtocol();
        await events.PublishAsync(new ReportDecided(wire, report.ReporterId, actorId));
        return TypedResults.Ok(wire);
    }

    private static async Task<Ok<List<Report>>> Mine(HttpContext http, VoxoraDbContext db, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var reports = await db.Reports.AsNoTracking().Where(r => r.ReporterId == userId).OrderByDescending(r => r.Id).Take(Paging.MaxLimit).ToListAsync(ct);
        return TypedResults.Ok(reports.Select(r => r.ToProtocol()).ToList());
    }
}
