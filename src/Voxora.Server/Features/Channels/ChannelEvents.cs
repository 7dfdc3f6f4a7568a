using System.Text.Json.Nodes;
using Voxora.Protocol;
using Voxora.Server.Features.Audit;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Channels;

/// <summary>
/// Domain event: <paramref name="ActorId"/> created a channel and it is saved; <paramref name="InheritedOverrides"/> are
/// the overrides it took on from its category (synced), each an override its creator gave.
/// </summary>
public sealed record ChannelCreated(Channel Channel, string ActorId, IReadOnlyList<OverrideChange> InheritedOverrides) : ICommunityPermissionsChange
{
    public string CommunityId => Channel.CommunityId;
}

/// <summary>
/// Domain event: a channel's settings (name, topic, category, position, sync, bitrate, user limit) were saved by
/// <paramref name="ActorId"/>; <paramref name="Previous"/> is the channel as it was, <paramref name="OverrideChanges"/> how
/// the overrides that apply to it changed (syncing with a category, or moving while synced).
/// </summary>
public sealed record ChannelUpdated(Channel Channel, Channel Previous, string ActorId, IReadOnlyList<OverrideChange> OverrideChanges) : ICommunityPermissionsChange
{
    public string CommunityId => Channel.CommunityId;
}

/// <summary>
/// Domain event: <paramref name="ActorId"/> deleted <paramref name="Channel"/> (as it was). Exactly the members who could
/// see it just before hear CHANNEL_DELETE (each node decides for its own sessions, <see cref="Audience.DeletedChannel"/>);
/// <paramref name="Orphans"/> are a deleted category's children, now without one. <paramref name="Overrides"/> are the
/// channel's own overrides, which went with it; <paramref name="OverridesCopiedTo"/> the children that were synced with
/// the deleted category and now hold copies of its overrides as their own.
/// </summary>
public sealed record ChannelDeleted(
    Channel Channel, IReadOnlyList<Channel> Orphans, string ActorId, IReadOnlyList<OverrideChange> Overrides, IReadOnlyList<string> OverridesCopiedTo)
    : ICommunityPermissionsChange
{
    public string CommunityId => Channel.CommunityId;

    public string ChannelId => Channel.Id;
}

/// <summary>
/// Domain event: <paramref name="ActorId"/> set or removed a permission override of a channel. <paramref name="Change"/>
/// is the override as it was and as it is (<c>New</c> null: removed), null when nothing was removed and the request
/// only ended the sync. <paramref name="Unsynced"/> is the channel when the change ended its sync with its category
/// (clients see <c>permissions_synced</c> turn false), else null.
/// </summary>
public sealed record ChannelOverridesChanged(string CommunityId, string ChannelId, Channel? Unsynced, string ActorId, OverrideChange? Change)
    : ICommunityPermissionsChange;

/// <summary>The gateway's side of channels: each change goes to the members who can see the channel (after the permission refresh).</summary>
public sealed class ChannelsGateway(GatewayHub hub) :
    IDomainEventHandler<ChannelCreated>, IDomainEventHandler<ChannelUpdated>, IDomainEventHandler<ChannelDeleted>, IDomainEventHandler<ChannelOverridesChanged>
{
    public Task HandleAsync(ChannelCreated created, CancellationToken ct)
    {
        var channel = created.Channel;
        hub.Publish(GatewayEvents.ChannelCreate, channel, VoxoraJsonContext.Default.Channel, Audience.Channel(channel.CommunityId, channel.Id));
        return Task.CompletedTask;
    }

    public Task HandleAsync(ChannelUpdated updated, CancellationToken ct)
    {
        var channel = updated.Channel;
        hub.Publish(GatewayEvents.ChannelUpdate, channel, VoxoraJsonContext.Default.Channel, Audience.Channel(channel.CommunityId, channel.Id));
        return Task.CompletedTask;
    }

    public Task HandleAsync(ChannelDeleted deleted, CancellationToken ct)
    {
        hub.Publish(GatewayEvents.ChannelDelete, new Deleted(deleted.ChannelId, deleted.CommunityId), VoxoraJsonContext.Default.Deleted, Audience.DeletedChannel(deleted.CommunityId, deleted.ChannelId));
        foreach (var orphan in deleted.Orphans)
        {
            hub.Publish(GatewayEvents.ChannelUpdate, orphan, VoxoraJsonContext.Default.Channel, Audience.Channel(deleted.CommunityId, orphan.Id));
        }

        return Task.CompletedTask;
    }

    public Task HandleAsync(ChannelOverridesChanged changed, CancellationToken ct)
    {
        if (changed.Unsynced is { } channel)
        {
            hub.Publish(GatewayEvents.ChannelUpdate, channel, VoxoraJsonContext.Default.Channel, Audience.Channel(channel.CommunityId, channel.Id));
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// The audit log's side of channels, subscribed last: creation (with the overrides inherited from the category),
/// edits (what changed, and the override changes syncing or moving caused), deletion (the overrides that went with it,
/// the children that now hold copies of a category's) and override changes, exactly as the endpoints used to write them.
/// </summary>
public sealed class ChannelsAudit(AuditLog audit) :
    IDomainEventHandler<ChannelCreated>, IDomainEventHandler<ChannelUpdated>, IDomainEventHandler<ChannelDeleted>, IDomainEventHandler<ChannelOverridesChanged>
{
    public Task HandleAsync(ChannelCreated created, CancellationToken ct)
    {
        var channel = created.Channel;
        var details = new JsonObject { ["name"] = channel.Name, ["type"] = channel.Type, ["parent_id"] = channel.ParentId };
        if (created.InheritedOverrides.Count > 0)
        {
            details["overrides"] = OverrideRules.ToAudit(created.InheritedOverrides);
        }

        return audit.AppendAsync(channel.CommunityId, created.ActorId, AuditActions.ChannelCreate, "channel", channel.Id, details);
    }

    public async Task HandleAsync(ChannelUpdated updated, CancellationToken ct)
    {
        var (channel, previous) = (updated.Channel, updated.Previous);
        var diff = AuditLog.Diff(
            ("name", previous.Name, channel.Name), ("topic", previous.Topic, channel.Topic), ("parent_id", previous.ParentId, channel.ParentId),
            ("position", previous.Position, channel.Position),
            ("permissions_synced", previous.PermissionsSynced, channel.PermissionsSynced),
            ("bitrate", previous.Bitrate, channel.Bitrate), ("user_limit", previous.UserLimit, channel.UserLimit));
        if (updated.OverrideChanges.Count > 0)
        {
            diff["overrides"] = OverrideRules.ToAudit(updated.OverrideChanges);
        }

        if (diff.Count > 0)
        {
            await audit.AppendAsync(channel.CommunityId, updated.ActorId, AuditActions.ChannelUpdate, "channel", channel.Id, diff);
        }
    }

    public Task HandleAsync(ChannelDeleted deleted, CancellationToken ct)
    {
        var channel = deleted.Channel;
        var details = new JsonObject { ["name"] = channel.Name, ["type"] = channel.Type };
        if (deleted.Overrides.Count > 0)
        {
            details["overrides"] = OverrideRules.ToAudit(deleted.Overrides);
        }

        if (deleted.OverridesCopiedTo.Count > 0)
        {
            details["overrides_copied_to"] = new JsonArray(deleted.OverridesCopiedTo.Select(id => (JsonNode)id).ToArray());
        }

        return audit.AppendAsync(channel.CommunityId, deleted.ActorId, AuditActions.ChannelDelete, "channel", channel.Id, details);
    }

    public async Task HandleAsync(ChannelOverridesChanged changed, CancellationToken ct)
    {
        if (changed.Change is { } change)
        {
            await audit.AppendAsync(changed.CommunityId, changed.ActorId, change.New is null ? AuditActions.ChannelOverrideDelete : AuditActions.ChannelOverrideUpdate,
                "channel", changed.ChannelId, OverrideRules.ToAudit(change));
        }
    }
}
