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

namespace Voxora.Server.Features.Channels;

/// <summary>
/// Channel permission overrides (seed 000 §P2-9): list; set or remove one per role (needs MANAGE_ROLES in
/// the channel) or per user (needs MANAGE_CHANNELS). Only channel-scoped bits, and only bits the editor
/// holds there, in the override as it was and as it becomes (<see cref="OverrideRules"/>, the rule every other
/// path that changes overrides shares). Setting an override on a channel synced with its category first copies
/// the category's overrides onto it and un-syncs it, so nothing else changes.
/// </summary>
public static class OverridesEndpoints
{
    public static RouteGroupBuilder MapOverridesEndpoints(this RouteGroupBuilder api)
    {
        var overrides = api.MapGroup("/channels/{channelId}/overrides").WithTags("Channels").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        overrides.MapGet("", List).WithSummary("The permission overrides of a channel").ProducesForbidden();
        overrides.MapPut("/{targetType}/{targetId}", Set).WithSummary("Set the allow/deny override of a role or member on a channel (MANAGE_ROLES)").ProducesForbidden();
        overrides.MapDelete("/{targetType}/{targetId}", Remove).WithSummary("Remove the override of a role or member from a channel (MANAGE_ROLES)").ProducesForbidden();
        return api;
    }

    private static async Task<Results<Ok<List<ChannelOverride>>, ProblemHttpResult>> List(
        string channelId, HttpContext http, VoxoraDbContext db, CommunityAccess access, CancellationToken ct)
    {
        var found = await access.FindChannelAsync(channelId, http.User.UserId(), ct);
        if (found is null || found.IsDirect)
        {
            return Problems.NotFound("Channel");
        }

        var overrides = await db.ChannelOverrides.AsNoTracking().Where(o => o.ChannelId == found.Channel.Id).ToListAsync(ct);
        return TypedResults.Ok(overrides.OrderBy(o => o.TargetType).ThenBy(o => o.TargetId, StringComparer.Ordinal).Select(o => o.ToProtocol()).ToList());
    }

    private sealed record Target(ChannelAccess Access, int Type, string Id);

    private static async Task<(Target? Target, IResult? Problem)> ResolveAsync(
        string channelId, string targetType, string targetId, string userId, VoxoraDbContext db, CommunityAccess access, CancellationToken ct)
    {
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null || found.IsDirect)
        {
            return (null, Problems.NotFound("Channel"));
        }

        var type = OverrideTargets.Parse(targetType);
        if (type is null)
        {
            return (null, Problems.Validation("target_type", "Target type must be 'role' or 'user'."));
        }

        var exists = type == OverrideTargets.Role
            ? await db.Roles.AnyAsync(r => r.Id == targetId && r.CommunityId == found.Channel.CommunityId, ct)
            : await db.Members.AnyAsync(m => m.UserId == targetId && m.CommunityId == found.Channel.CommunityId, ct);
        if (!exists)
        {
            return (null, Problems.NotFound(type == OverrideTargets.Role ? "Role" : "Member"));
        }

        var needed = type == OverrideTargets.Role ? Permission.ManageRoles : Permission.ManageChannels;
        if (!found.Has(needed))
        {
            return (null, RolesEndpoints.Missing(type == OverrideTargets.Role ? "MANAGE_ROLES" : "MANAGE_CHANNELS"));
        }

        return (new Target(found, type.Value, targetId), null);
    }

    private static async Task<IResult> Set(
        string channelId, string targetType, string targetId, SetOverrideRequest request, HttpContext http, VoxoraDbContext db,
        CommunityAccess access, DomainEvents events, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var (target, problem) = await ResolveAsync(channelId, targetType, targetId, userId, db, access, ct);
        if (target is null)
        {
            return problem!;
        }

        var allow = request.Allow ?? 0;
        var deny = request.Deny ?? 0;
        var errors = new Dictionary<string, string[]>();
        if ((allow & ~Permission.ChannelScoped) != 0) errors["allow"] = ["Only channel-scoped permissions can be overridden (see GET /api/v1/permissions)."];
        if ((deny & ~Permission.ChannelScoped) != 0) errors["deny"] = ["Only channel-scoped permissions can be overridden (see GET /api/v1/permissions)."];
        if ((allow & deny) != 0) errors["deny"] = ["A permission cannot be both allowed and denied."];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        // Checked against what applies now: for a channel synced with its category, the category's override.
        var channel = target.Access.Channel;
        var current = await EffectiveAsync(db, channel, ct);
        var before = current.Find(o => o.TargetType == target.Type && o.TargetId == target.Id) is { } found ? new OverrideBits(found.Allow, found.Deny) : (OverrideBits?)null;
        var change = new OverrideChange(target.Type, target.Id, before, new OverrideBits(allow, deny));
        if (RefusalOf(target.Access.Permissions, [change]) is { } refused)
        {
            return refused;
        }

        var unsynced = await UnsyncAsync(db, channel, ct);
        var existing = await db.ChannelOverrides.SingleOrDefaultAsync(
            o => o.ChannelId == channel.Id && o.TargetType == target.Type && o.TargetId == target.Id, ct);
        if (existing is null)
        {
            db.ChannelOverrides.Add(new ChannelOverrideEntity
            {
                ChannelId = channel.Id, CommunityId = channel.OwningCommunityId, TargetType = target.Type, TargetId = target.Id, Allow = allow, Deny = deny,
            });
        }
        else
        {
            existing.Allow = allow;
            existing.Deny = deny;
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // A concurrent PUT created it first: last writer wins, as for an update.
            db.ChangeTracker.Clear();
            await db.ChannelOverrides.Where(o => o.ChannelId == channel.Id && o.TargetType == target.Type && o.TargetId == target.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Allow, allow).SetProperty(o => o.Deny, deny), ct);
        }

        await events.PublishAsync(new ChannelOverridesChanged(channel.OwningCommunityId, channel.Id, unsynced ? channel.ToProtocol() : null, userId, change));
        return TypedResults.Ok(new ChannelOverride(channel.Id, OverrideTargets.Name(target.Type), target.Id, allow, deny));
    }

    private static async Task<IResult> Remove(
        string channelId, string targetType, string targetId, HttpContext http, VoxoraDbContext db,
        CommunityAccess access, DomainEvents events, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var (target, problem) = await ResolveAsync(channelId, targetType, targetId, userId, db, access, ct);
        if (target is null)
        {
            return problem!;
        }

        // What applies now: for a channel synced with its category, the category's override (it is copied, then removed).
        var channel = target.Access.Channel;
        var existing = (await EffectiveAsync(db, channel, ct)).Find(o => o.TargetType == target.Type && o.TargetId == target.Id);
        var change = new OverrideChange(target.Type, target.Id, existing is null ? null : new OverrideBits(existing.Allow, existing.Deny), null);
        if (existing is not null && RefusalOf(target.Access.Permissions, [change]) is { } refused)
        {
            return refused;
        }

        var unsynced = await UnsyncAsync(db, channel, ct);
        var removed = await db.ChannelOverrides.Where(o => o.ChannelId == channel.Id && o.TargetType == target.Type && o.TargetId == target.Id)
            .ExecuteDeleteAsync(ct);
        if (removed > 0 || unsynced)
        {
            // Only a removed override is audited; ending the sync alone changed nobody's access.
            await events.PublishAsync(new ChannelOverridesChanged(channel.OwningCommunityId, channel.Id, unsynced ? channel.ToProtocol() : null, userId, removed > 0 ? change : null));
        }

        return TypedResults.NoContent();
    }

    /// <summary>
    /// The 403 the overrides endpoints answer when the caller, holding <paramref name="held"/> in the channel, may
    /// not make one of <paramref name="changes"/> (see <see cref="OverrideRules.Check"/>); null when all are allowed.
    /// </summary>
    internal static ProblemHttpResult? RefusalOf(long held, IEnumerable<OverrideChange> changes)
    {
        if (OverrideRules.FirstRefused(held, changes) is not var (change, refusal))
        {
            return null;
        }

        var what = $"the {OverrideTargets.Name(change.TargetType)} override for '{change.TargetId}'";
        return refusal == OverrideRefusal.MissingPermission
            ? Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, "Forbidden",
                $"This changes {what}, which needs the {OverrideRules.NeededName(change.TargetType)} permission.")
            : RolesEndpoints.Hierarchy($"This changes {what}, which touches permissions you do not have in this channel.");
    }

    /// <summary>The channel whose overrides apply to <paramref name="channel"/>: its category while synced, otherwise itself.</summary>
    internal static string EffectiveSource(ChannelEntity channel) =>
        channel is { PermissionsSynced: true, ParentId: { } parentId } ? parentId : channel.Id;

    /// <summary>The overrides that apply to <paramref name="channel"/> (its category's while synced).</summary>
    internal static Task<List<ChannelOverrideEntity>> EffectiveAsync(VoxoraDbContext db, ChannelEntity channel, CancellationToken ct) =>
        OwnAsync(db, EffectiveSource(channel), ct);

    /// <summary>The overrides stored on one channel.</summary>
    internal static Task<List<ChannelOverrideEntity>> OwnAsync(VoxoraDbContext db, string channelId, CancellationToken ct) =>
        db.ChannelOverrides.AsNoTracking().Where(o => o.ChannelId == channelId).ToListAsync(ct);

    /// <summary>
    /// A channel synced with its category is about to get its own overrides: copy the category's onto it and
    /// mark it unsynced (saved), so its effective permissions are unchanged until the edit. Returns whether it did.
    /// </summary>
    internal static async Task<bool> UnsyncAsync(VoxoraDbContext db, ChannelEntity channel, CancellationToken ct)
    {
        if (!channel.PermissionsSynced || channel.ParentId is null)
        {
            return false;
        }

        await CopyOverridesAsync(db, channel.ParentId, channel, ct);
        channel.PermissionsSynced = false;
        await db.Channels.Where(c => c.Id == channel.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.PermissionsSynced, false), ct);
        return true;
    }

    /// <summary>Replaces <paramref name="channel"/>'s own overrides with copies of <paramref name="fromChannelId"/>'s.</summary>
    internal static async Task CopyOverridesAsync(VoxoraDbContext db, string fromChannelId, ChannelEntity channel, CancellationToken ct)
    {
        var source = await db.ChannelOverrides.AsNoTracking().Where(o => o.ChannelId == fromChannelId).ToListAsync(ct);
        await db.ChannelOverrides.Where(o => o.ChannelId == channel.Id).ExecuteDeleteAsync(ct);
        db.ChannelOverrides.AddRange(source.Select(o => new ChannelOverrideEntity
        {
            ChannelId = channel.Id, CommunityId = channel.OwningCommunityId, TargetType = o.TargetType, TargetId = o.TargetId, Allow = o.Allow, Deny = o.Deny,
        }));
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }
}
