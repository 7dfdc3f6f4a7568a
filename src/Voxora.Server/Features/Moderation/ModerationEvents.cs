using System.Text.Json.Nodes;
using Voxora.Protocol;
using Voxora.Server.Features.Audit;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Moderation;

/// <summary>
/// Domain event: a member's timeout was set, changed or lifted by <paramref name="ActorId"/>; <paramref name="Member"/> is
/// the member as they are now, <paramref name="PreviousUntil"/> the timeout that was in force before (null if none).
/// </summary>
public sealed record MemberTimeoutChanged(Member Member, string ActorId, DateTimeOffset? PreviousUntil) : ICommunityPermissionsChange
{
    public string CommunityId => Member.CommunityId;
}

/// <summary>
/// Domain event: <paramref name="UserId"/> was banned by <paramref name="ActorId"/> (the ban row saved, the membership
/// removed — that raised <c>CommunityMemberRemoved</c> — and <paramref name="MessagesDeleted"/> of their messages of the
/// last <paramref name="DeleteMessageSeconds"/> purged).
/// </summary>
public sealed record MemberBanned(string CommunityId, string ActorId, string UserId, string? Reason, int DeleteMessageSeconds, int MessagesDeleted);

/// <summary>Domain event: <paramref name="ActorId"/> lifted <paramref name="UserId"/>'s ban.</summary>
public sealed record MemberUnbanned(string CommunityId, string ActorId, string UserId);

/// <summary>
/// Domain event: <paramref name="ActorId"/> resolved or dismissed a report; <paramref name="Report"/> is the report as
/// decided (its status and the moderator's note).
/// </summary>
public sealed record ReportDecided(Report Report, string ReporterId, string ActorId);

/// <summary>Domain event: a member filed <paramref name="Report"/> (status open).</summary>
public sealed record ReportFiled(Report Report);

/// <summary>
/// The gateway's side of moderation: every member of the community sees a member's new timeout; the moderators
/// (MANAGE_MESSAGES) see a new report and each decision, so every open queue stays current; a reporter hears the
/// outcome of their own report (and nothing of others' reports).
/// </summary>
public sealed class ModerationGateway(GatewayHub hub) :
    IDomainEventHandler<MemberTimeoutChanged>, IDomainEventHandler<ReportDecided>, IDomainEventHandler<ReportFiled>
{
    public Task HandleAsync(ReportDecided decided, CancellationToken ct)
    {
        hub.Publish(GatewayEvents.ReportUpdate, decided.Report, VoxoraJsonContext.Default.Report,
            Audience.PermissionHolders(decided.Report.CommunityId, Permission.ManageMessages, decided.ReporterId));
        return Task.CompletedTask;
    }

    public Task HandleAsync(ReportFiled filed, CancellationToken ct)
    {
        hub.Publish(GatewayEvents.ReportCreate, filed.Report, VoxoraJsonContext.Default.Report,
            Audience.PermissionHolders(filed.Report.CommunityId, Permission.ManageMessages, null));
        return Task.CompletedTask;
    }

    public Task HandleAsync(MemberTimeoutChanged changed, CancellationToken ct)
    {
        hub.Publish(GatewayEvents.CommunityMemberUpdate, changed.Member, VoxoraJsonContext.Default.Member, Audience.Community(changed.CommunityId));
        return Task.CompletedTask;
    }
}

/// <summary>
/// The audit log's side of moderation, subscribed last: kicks, bans (with what was purged), unbans, timeouts and
/// decided reports (the note as the entry's reason) are recorded after everything else has reacted, exactly as the
/// endpoints used to write them.
/// </summary>
public sealed class ModerationAudit(AuditLog audit) :
    IDomainEventHandler<CommunityMemberRemoved>, IDomainEventHandler<MemberBanned>, IDomainEventHandler<MemberUnbanned>, IDomainEventHandler<MemberTimeoutChanged>,
    IDomainEventHandler<ReportDecided>
{
    public Task HandleAsync(ReportDecided decided, CancellationToken ct)
    {
        var report = decided.Report;
        return audit.AppendAsync(report.CommunityId, decided.ActorId, report.Status == ReportStatus.Resolved ? AuditActions.ReportResolve : AuditActions.ReportDismiss,
            "report", report.Id, null, report.Note);
    }

    public async Task HandleAsync(CommunityMemberRemoved removal, CancellationToken ct)
    {
        // A ban is recorded by MemberBanned, with its purge; leaving is not a moderation action.
        if (removal.Reason == MemberRemovalReason.Kicked && removal.ActorId is { } actorId)
        {
            await audit.AppendAsync(removal.CommunityId, actorId, AuditActions.MemberKick, "user", removal.User.Id);
        }
    }

    public Task HandleAsync(MemberBanned banned, CancellationToken ct) =>
        audit.AppendAsync(banned.CommunityId, banned.ActorId, AuditActions.MemberBan, "user", banned.UserId,
            new JsonObject { ["delete_message_seconds"] = banned.DeleteMessageSeconds, ["messages_deleted"] = banned.MessagesDeleted }, banned.Reason);

    public Task HandleAsync(MemberUnbanned unbanned, CancellationToken ct) =>
        audit.AppendAsync(unbanned.CommunityId, unbanned.ActorId, AuditActions.MemberUnban, "user", unbanned.UserId);

    public async Task HandleAsync(MemberTimeoutChanged changed, CancellationToken ct)
    {
        var until = changed.Member.TimeoutUntil;
        if (until is null && changed.PreviousUntil is null)
        {
            return; // lifting a timeout that had already run out changes nothing worth recording
        }

        await audit.AppendAsync(changed.CommunityId, changed.ActorId, until is null ? AuditActions.MemberTimeoutRemove : AuditActions.MemberTimeout, "user", changed.Member.User.Id,
            AuditLog.Diff(("timeout_until", changed.PreviousUntil?.ToString("O"), until?.ToString("O"))));
    }
}
