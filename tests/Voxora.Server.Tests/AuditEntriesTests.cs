using System.Globalization;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// What each audited change writes, pinned whole: action, actor, target, the exact <c>changes</c> JSON and reason, one
/// entry per change and none for a change that changed nothing. The entries are written by the audit log's domain event
/// subscribers (RolesAudit, ChannelsAudit, CommunityAudit, InvitesAudit, ModerationAudit, PodAudit), in the shape the
/// endpoints used to write them. On each provider.
/// </summary>
public abstract class AuditEntriesTests(Provider provider, ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private sealed record Entry(string Action, string? ActorId, string? TargetType, string? TargetId, string? Changes, string? Reason);

    private static async Task<List<Entry>> EntriesAsync(Task<List<AuditEntry>> listing) =>
        (await listing).OrderBy(e => e.Seq).Select(e => new Entry(e.Action, e.ActorId, e.TargetType, e.TargetId, e.Changes?.GetRawText(), e.Reason)).ToList();

    private static string Bits(long bits) => bits.ToString(CultureInfo.InvariantCulture);

    /// <summary>One override change as the entries record it; null bits are "none".</summary>
    private static string Override(string targetType, string targetId, long? oldAllow, long? newAllow, long? oldDeny, long? newDeny)
    {
        static string Of(long? bits) => bits is { } value ? $"\"{Bits(value)}\"" : "null";
        return $"{{\"target_type\":\"{targetType}\",\"target_id\":\"{targetId}\",\"allow\":{{\"old\":{Of(oldAllow)},\"new\":{Of(newAllow)}}},"
            + $"\"deny\":{{\"old\":{Of(oldDeny)},\"new\":{Of(newDeny)}}}}}";
    }

    [Fact]
    public async Task Invites_community_edits_roles_channels_overrides_and_reports_are_each_audited_once_with_their_changes()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync("Audited");
        using var _o = owner;
        var o = ownerUser.Id;

        // Invites: created with its limits, revoked once (the second revocation changes nothing).
        var invite = await owner.CreateInviteAsync(community.Id, maxUses: 5, maxAgeSeconds: 3600);
        var (member, memberUser, _) = await Server.NewUserAsync("aud");
        using var _m = member;
        await member.AcceptInviteAsync(invite.Code);
        await owner.RevokeInviteAsync(invite.Code);
        await owner.RevokeInviteAsync(invite.Code);

        // The community: what changed only; an edit that changes nothing is not recorded.
        await owner.UpdateCommunityAsync(community.Id, "Renamed", "About us");
        await owner.UpdateCommunityAsync(community.Id, "Renamed");

        // Roles and grants.
        var role = await owner.CreateRoleAsync(community.Id, new CreateRoleRequest("mods", Permission.ManageMessages));
        await owner.UpdateRoleAsync(community.Id, role.Id, new UpdateRoleRequest("moderators", Color: 0x00FF00));
        await owner.UpdateRoleAsync(community.Id, role.Id, new UpdateRoleRequest("moderators"));
        await owner.AddMemberRoleAsync(community.Id, memberUser.Id, role.Id);
        await owner.AddMemberRoleAsync(community.Id, memberUser.Id, role.Id);
        await owner.RemoveMemberRoleAsync(community.Id, memberUser.Id, role.Id);

        // Channels and overrides, with their side effects: a synced channel inherits its category's overrides, a user
        // override un-syncs it (copying them), deleting takes its own overrides, deleting a category leaves copies.
        var category = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("Staff", ChannelTypes.Category));
        await owner.SetOverrideAsync(category.Id, "role", role.Id, Permission.SendMessages, Permission.AddReactions);
        var plans = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("plans", ParentId: category.Id));
        await owner.UpdateChannelAsync(plans.Id, new UpdateChannelRequest(Topic: "the plan"));
        await owner.SetOverrideAsync(plans.Id, "user", memberUser.Id, Permission.SendAttachments, 0);
        await owner.DeleteOverrideAsync(plans.Id, "user", memberUser.Id);
        await owner.DeleteOverrideAsync(plans.Id, "user", memberUser.Id);
        await owner.DeleteChannelAsync(plans.Id);
        var notes = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("notes", ParentId: category.Id));
        await owner.DeleteChannelAsync(category.Id);
        await owner.DeleteRoleAsync(community.Id, role.Id);

        // Reports: the moderator's note is the entry's reason.
        var text = community.TextChannel();
        var first = await owner.SendMessageAsync(text.Id, "first");
        var second = await owner.SendMessageAsync(text.Id, "second");
        var resolved = await member.ReportMessageAsync(text.Id, first.Id, "spam");
        var dismissed = await member.ReportMessageAsync(text.Id, second.Id, "also spam");
        await owner.ResolveReportAsync(community.Id, resolved.Id, ReportStatus.Resolved, "handled");
        await owner.ResolveReportAsync(community.Id, dismissed.Id, ReportStatus.Dismissed);

        var roleOverrideSet = Override("role", role.Id, null, Permission.SendMessages, null, Permission.AddReactions);
        var roleOverrideGone = Override("role", role.Id, Permission.SendMessages, null, Permission.AddReactions, null);
        Entry[] expected =
        [
            new("invite.create", o, "invite", invite.Code, "{\"max_uses\":5,\"max_age_seconds\":3600}", null),
            new("invite.delete", o, "invite", invite.Code, null, null),
            new("community.update", o, "community", community.Id,
                "{\"name\":{\"old\":\"Audited\",\"new\":\"Renamed\"},\"description\":{\"old\":null,\"new\":\"About us\"}}", null),
            new("role.create", o, "role", role.Id, $"{{\"name\":\"mods\",\"permissions\":\"{Bits(Permission.ManageMessages)}\",\"position\":1}}", null),
            new("role.update", o, "role", role.Id, "{\"name\":{\"old\":\"mods\",\"new\":\"moderators\"},\"color\":{\"old\":null,\"new\":65280}}", null),
            new("member.role_update", o, "user", memberUser.Id, $"{{\"added\":[\"{role.Id}\"]}}", null),
            new("member.role_update", o, "user", memberUser.Id, $"{{\"removed\":[\"{role.Id}\"]}}", null),
            new("channel.create", o, "channel", category.Id, "{\"name\":\"Staff\",\"type\":4,\"parent_id\":null}", null),
            new("channel_override.update", o, "channel", category.Id, roleOverrideSet, null),
            new("channel.create", o, "channel", plans.Id, $"{{\"name\":\"plans\",\"type\":0,\"parent_id\":\"{category.Id}\",\"overrides\":[{roleOverrideSet}]}}", null),
            new("channel.update", o, "channel", plans.Id, "{\"topic\":{\"old\":null,\"new\":\"the plan\"}}", null),
            new("channel_override.update", o, "channel", plans.Id, Override("user", memberUser.Id, null, Permission.SendAttachments, null, 0), null),
            new("channel_override.delete", o, "channel", plans.Id, Override("user", memberUser.Id, Permission.SendAttachments, null, 0, null), null),
            new("channel.delete", o, "channel", plans.Id, $"{{\"name\":\"plans\",\"type\":0,\"overrides\":[{roleOverrideGone}]}}", null),
            new("channel.create", o, "channel", notes.Id, $"{{\"name\":\"notes\",\"type\":0,\"parent_id\":\"{category.Id}\",\"overrides\":[{roleOverrideSet}]}}", null),
            new("channel.delete", o, "channel", category.Id,
                $"{{\"name\":\"Staff\",\"type\":4,\"overrides\":[{roleOverrideGone}],\"overrides_copied_to\":[\"{notes.Id}\"]}}", null),
            new("role.delete", o, "role", role.Id,
                $"{{\"name\":\"moderators\",\"permissions\":\"{Bits(Permission.ManageMessages)}\",\"overrides_removed_from\":[\"{notes.Id}\"]}}", null),
            new("report.resolve", o, "report", resolved.Id, null, "handled"),
            new("report.dismiss", o, "report", dismissed.Id, null, null),
        ];
        Assert.Equal(expected, await EntriesAsync(owner.GetAuditLogAsync(community.Id, limit: 100)));
        Assert.True((await owner.VerifyAuditLogAsync(community.Id)).Intact);
    }

    [Fact]
    public async Task Pod_roles_grants_and_bans_are_audited_in_the_pod_chain()
    {
        // The first user of a server owns its pod, so this needs a server of its own.
        await using var server = await TestServer.StartAsync(provider);
        var (owner, ownerUser, _) = await server.NewUserAsync("podown");
        using var _o = owner;
        var (user, userUser, _) = await server.NewUserAsync("poduser");
        using var _u = user;
        var o = ownerUser.Id;

        var role = await owner.CreatePodRoleAsync(new CreatePodRoleRequest("helpers", PodPermission.BanMembers, 2));
        await owner.UpdatePodRoleAsync(role.Id, new UpdatePodRoleRequest("wardens", Position: 3));
        await owner.UpdatePodRoleAsync(role.Id, new UpdatePodRoleRequest("wardens"));
        await owner.AddPodRoleAsync(userUser.Id, role.Id);
        await owner.AddPodRoleAsync(userUser.Id, role.Id);
        await owner.RemovePodRoleAsync(userUser.Id, role.Id);
        await owner.DeletePodRoleAsync(role.Id);
        await owner.PodBanAsync(userUser.Id, "abuse");
        await owner.PodBanAsync(userUser.Id, "again");
        await owner.PodUnbanAsync(userUser.Id);

        Entry[] expected =
        [
            new("pod_role.create", o, "pod_role", role.Id, $"{{\"name\":\"helpers\",\"permissions\":\"{Bits(PodPermission.BanMembers)}\"}}", null),
            new("pod_role.update", o, "pod_role", role.Id, "{\"name\":{\"old\":\"helpers\",\"new\":\"wardens\"},\"position\":{\"old\":2,\"new\":3}}", null),
            // An edit that changes nothing is still recorded here, with empty changes, as it always was.
            new("pod_role.update", o, "pod_role", role.Id, "{}", null),
            new("pod.member_role_update", o, "user", userUser.Id, $"{{\"added\":[\"{role.Id}\"]}}", null),
            new("pod.member_role_update", o, "user", userUser.Id, $"{{\"removed\":[\"{role.Id}\"]}}", null),
            new("pod_role.delete", o, "pod_role", role.Id, "{\"name\":\"wardens\"}", null),
            new("pod.ban", o, "user", userUser.Id, null, "abuse"),
            new("pod.unban", o, "user", userUser.Id, null, null),
        ];
        Assert.Equal(expected, await EntriesAsync(owner.GetPodAuditLogAsync()));
        Assert.True((await owner.VerifyPodAuditLogAsync()).Intact);
    }
}

public sealed class AuditEntriesTestsOnSqlite(SqliteServerFixture fixture) : AuditEntriesTests(Provider.Sqlite, fixture), IClassFixture<SqliteServerFixture>;

public sealed class AuditEntriesTestsOnPostgres(PostgresServerFixture fixture) : AuditEntriesTests(Provider.Postgres, fixture), IClassFixture<PostgresServerFixture>;
