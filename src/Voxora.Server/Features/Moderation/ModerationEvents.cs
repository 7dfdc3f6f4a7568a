using Voxora.Protocol;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Moderation;

/// <summary>Domain event: a member's timeout was set, changed or lifted; <paramref name="Member"/> is the member as they are now.</summary>
public sealed record MemberTimeoutChanged(Member Member) : ICommunityPermissionsChange
{
    public string CommunityId => Member.CommunityId;
}

/// <summary>Domain event: a moderator resolved or dismissed a report; <paramref name="Report"/> is the report as decided.</summary>
public sealed record ReportDecided(Report Report, string ReporterId);

/// <summary>
/// The gateway's side of moderation: every member of the community sees a member's new timeout; a reporter (only
/// they) hears the outcome of their report.
/// </summary>
public sealed class ModerationGateway(GatewayHub hub) : IDomainEventHandler<MemberTimeoutChanged>, IDomainEventHandler<ReportDecided>
{
    public Task HandleAsync(ReportDecided decided, CancellationToken ct)
    {
        hub.Publish(GatewayEvents.ReportUpdate, decided.Report, VoxoraJsonContext.Default.Report, Audience.User(decided.ReporterId));
        return Task.CompletedTask;
    }

    public Task HandleAsync(MemberTimeoutChanged changed, CancellationToken ct)
    {
        hub.Publish(GatewayEvents.CommunityMemberUpdate, changed.Member, VoxoraJsonContext.Default.Member, Audience.Community(changed.CommunityId));
        return Task.CompletedTask;
    }
}
