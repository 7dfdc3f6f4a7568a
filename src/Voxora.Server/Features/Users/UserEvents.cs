using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.DirectMessages;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Users;

/// <summary>Domain event: the user's display name or avatar changed and is saved; <paramref name="User"/> is how others see them now.</summary>
public sealed record UserUpdated(UserSummary User);

/// <summary>
/// Everyone who sees the user learns of the change at once: the member caches forget the old name and picture, and
/// USER_UPDATE goes once to each person sharing a community or a direct channel with them, and to their own sessions.
/// </summary>
public sealed class UserGateway(GatewayHub hub, MemberDirectory members, IServiceScopeFactory scopes) : IDomainEventHandler<UserUpdated>
{
    public async Task HandleAsync(UserUpdated updated, CancellationToken ct)
    {
        var userId = updated.User.Id;
        members.ForgetUser(userId);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var communityIds = db.Members.Where(m => m.UserId == userId).Select(m => m.CommunityId);
        var channelIds = db.Set<DirectRecipientEntity>().Where(r => r.UserId == userId).Select(r => r.ChannelId);
        var inCommunities = await db.Members.AsNoTracking().Where(m => communityIds.Contains(m.CommunityId)).Select(m => m.UserId).Distinct().ToListAsync(ct);
        var inDirect = await db.Set<DirectRecipientEntity>().AsNoTracking().Where(r => channelIds.Contains(r.ChannelId)).Select(r => r.UserId).Distinct().ToListAsync(ct);

        var audience = new HashSet<string>(inCommunities, StringComparer.Ordinal) { userId };
        audience.UnionWith(inDirect);
        hub.Publish(GatewayEvents.UserUpdate, updated.User, VoxoraJsonContext.Default.UserSummary, Audience.Users([.. audience]));
    }
}
