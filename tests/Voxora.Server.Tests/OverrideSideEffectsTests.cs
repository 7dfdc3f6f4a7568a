using System.Net;
using System.Text.Json;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// Every path that changes a channel's overrides as a side effect (sync with a category, a move between
/// categories, creating a channel in a category, deleting a category) obeys the same rule as the overrides
/// endpoints: refused with the same 403 and nothing changed when the caller could not make that override
/// change directly, recorded in the audit log when it happens. On each database provider.
/// </summary>
public abstract class OverrideSideEffectsTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private static Task Forbidden(Func<Task> call) => Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, call);

    private static Task Hierarchy(Func<Task> call) => Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.RoleHierarchy, call);

    /// <summary>
    /// A community with a public category, a private top-level channel (hidden from @everyone, shown to the
    /// "mods" role) holding one message, a moderator in "mods" with <paramref name="modPermissions"/>, and a
    /// plain member.
    /// </summary>
    private async Task<Setup> SetUpAsync(long modPermissions)
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        var (mod, modUser) = await Server.NewMemberAsync(owner, community.Id);
        var (plain, plainUser) = await Server.NewMemberAsync(owner, community.Id);
        var everyone = Assert.Single(await owner.GetRolesAsync(community.Id));
        var mods = await owner.CreateRoleAsync(community.Id, new CreateRoleRequest("mods", modPermissions));
        await owner.AddMemberRoleAsync(community.Id, modUser.Id, mods.Id);
        var lobby = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("Lobby", ChannelTypes.Category));
        var secret = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("secret"));
        await owner.SetOverrideAsync(secret.Id, "role", everyone.Id, 0, Permission.ViewChannel);
        await owner.SetOverrideAsync(secret.Id, "role", mods.Id, Permission.ViewChannel, 0);
        await owner.SendMessageAsync(secret.Id, "history nobody else may read");
        return new Setup(owner, mod, plain, plainUser, community, everyone, mods, lobby, secret);
    }

    private sealed record Setup(
        VoxoraClient Owner, VoxoraClient Mod, VoxoraClient Plain, User PlainUser, Community Community,
        Role Everyone, Role Mods, Channel Lobby, Channel Secret) : IDisposable
    {
        public void Dispose()
        {
            Owner.Dispose();
            Mod.Dispose();
            Plain.Dispose();
        }
    }

    private static async Task AssertHiddenFromAsync(VoxoraClient plain, string channelId)
    {
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => plain.GetChannelAsync(channelId));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => plain.GetMessagesAsync(channelId));
    }

    private static List<(string Type, string Id, long Allow, long Deny)> Shape(IEnumerable<ChannelOverride> overrides) =>
        overrides.Select(o => (o.Type, o.Id, o.Allow, o.Deny)).OrderBy(o => o.Type).ThenBy(o => o.Id, StringComparer.Ordinal).ToList();

    private static List<JsonElement> OverridesIn(AuditEntry entry) =>
        entry.Changes!.Value.TryGetProperty("overrides", out var list) ? list.EnumerateArray().ToList() : [];

    [Fact]
    public async Task Syncing_a_private_channel_under_a_public_category_without_MANAGE_ROLES_is_refused_and_changes_nothing()
    {
        using var s = await SetUpAsync(Permission.ManageChannels);
        var overridesBefore = Shape(await s.Owner.GetOverridesAsync(s.Secret.Id));
        var auditBefore = (await s.Owner.GetAuditLogAsync(s.Community.Id, limit: 100)).Count;
        await using var plainGateway = await GatewayClient.ConnectAsync(Server.BaseAddress);
        await plainGateway.IdentifyAsync(s.Plain.AccessToken!);

        // The reported attack: the moderator cannot remove the overrides one by one …
        await Forbidden(() => s.Mod.DeleteOverrideAsync(s.Secret.Id, "role", s.Everyone.Id));

        // … nor all at once by syncing the channel with a category that has none.
        await Forbidden(() => s.Mod.UpdateChannelAsync(s.Secret.Id, new UpdateChannelRequest(ParentId: s.Lobby.Id, PermissionsSynced: true)));

        var channel = await s.Owner.GetChannelAsync(s.Secret.Id);
        Assert.Null(channel.ParentId);
        Assert.False(channel.PermissionsSynced);
        Assert.Equal(overridesBefore, Shape(await s.Owner.GetOverridesAsync(s.Secret.Id)));
        await AssertHiddenFromAsync(s.Plain, s.Secret.Id);
        Assert.DoesNotContain(await s.Plain.GetChannelsAsync(s.Community.Id), c => c.Id == s.Secret.Id);
        Assert.Equal(auditBefore, (await s.Owner.GetAuditLogAsync(s.Community.Id, limit: 100)).Count);
        var frame = await plainGateway.TryReceiveDispatchAsync(TimeSpan.FromMilliseconds(500));
        Assert.True(frame is null, $"unexpected {frame?.T}: {frame?.D}");
    }

    [Fact]
    public async Task Dropping_a_deny_on_ones_own_role_by_syncing_is_refused_like_deleting_it()
    {
        // The moderator may manage roles and channels, but their role is denied SEND_MESSAGES in the channel.
        using var s = await SetUpAsync(Permission.ManageChannels | Permission.ManageRoles);
        var muted = await s.Owner.CreateChannelAsync(s.Community.Id, new CreateChannelRequest("muted", ParentId: s.Lobby.Id, PermissionsSynced: false));
        await s.Owner.SetOverrideAsync(muted.Id, "role", s.Mods.Id, 0, Permission.SendMessages);
        var auditBefore = (await s.Owner.GetAuditLogAsync(s.Community.Id, limit: 100)).Count;
        await Forbidden(() => s.Mod.SendMessageAsync(muted.Id, "let me talk"));

        await Hierarchy(() => s.Mod.DeleteOverrideAsync(muted.Id, "role", s.Mods.Id));
        await Hierarchy(() => s.Mod.UpdateChannelAsync(muted.Id, new UpdateChannelRequest(PermissionsSynced: true)));

        Assert.False((await s.Owner.GetChannelAsync(muted.Id)).PermissionsSynced);
        var kept = Assert.Single(await s.Owner.GetOverridesAsync(muted.Id));
        Assert.Equal((s.Mods.Id, 0L, Permission.SendMessages), (kept.Id, kept.Allow, kept.Deny));
        await Forbidden(() => s.Mod.SendMessageAsync(muted.Id, "let me talk"));
        Assert.Equal(auditBefore, (await s.Owner.GetAuditLogAsync(s.Community.Id, limit: 100)).Count);
    }

    [Fact]
    public async Task Replacing_an_override_that_holds_permissions_one_lacks_is_refused_like_deleting_it()
    {
        // Same class of mistake on the direct endpoint: PUT allow 0 / deny 0 used to lift a deny the caller could not delete.
        using var s = await SetUpAsync(Permission.ManageChannels | Permission.ManageRoles);
        var text = s.Community.TextChannel();
        await s.Owner.SetOverrideAsync(text.Id, "role", s.Mods.Id, 0, Permission.SendMessages);

        await Hierarchy(() => s.Mod.DeleteOverrideAsync(text.Id, "role", s.Mods.Id));
        await Hierarchy(() => s.Mod.SetOverrideAsync(text.Id, "role", s.Mods.Id, 0, 0));

        var kept = Assert.Single(await s.Owner.GetOverridesAsync(text.Id));
        Assert.Equal((0L, Permission.SendMessages), (kept.Allow, kept.Deny));
    }

    [Fact]
    public async Task Removing_an_override_through_a_synced_channel_is_checked_against_the_categorys_override()
    {
        // On a synced channel the override that applies is the category's: removing it there lifts the category's deny.
        using var s = await SetUpAsync(Permission.ManageChannels | Permission.ManageRoles);
        await s.Owner.SetOverrideAsync(s.Lobby.Id, "role", s.Mods.Id, 0, Permission.SendMessages);
        var inside = await s.Owner.CreateChannelAsync(s.Community.Id, new CreateChannelRequest("lobby-chat", ParentId: s.Lobby.Id));
        var auditBefore = (await s.Owner.GetAuditLogAsync(s.Community.Id, limit: 100)).Count;

        await Hierarchy(() => s.Mod.DeleteOverrideAsync(inside.Id, "role", s.Mods.Id));
        await Hierarchy(() => s.Mod.SetOverrideAsync(inside.Id, "role", s.Mods.Id, 0, 0));

        Assert.True((await s.Owner.GetChannelAsync(inside.Id)).PermissionsSynced);
        Assert.Empty(await s.Owner.GetOverridesAsync(inside.Id));
        await Forbidden(() => s.Mod.SendMessageAsync(inside.Id, "let me talk"));
        Assert.Equal(auditBefore, (await s.Owner.GetAuditLogAsync(s.Community.Id, limit: 100)).Count);
    }

    [Fact]
    public async Task Deleting_a_role_records_the_channels_whose_overrides_went_with_it()
    {
        using var s = await SetUpAsync(Permission.ManageChannels);
        await s.Owner.DeleteRoleAsync(s.Community.Id, s.Mods.Id);

        Assert.Equal(s.Everyone.Id, Assert.Single(await s.Owner.GetOverridesAsync(s.Secret.Id)).Id);
        var entry = (await s.Owner.GetAuditLogAsync(s.Community.Id, action: "role.delete", limit: 1)).Single();
        Assert.Equal([s.Secret.Id], entry.Changes!.Value.GetProperty("overrides_removed_from").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Moving_a_synced_channel_from_a_private_category_to_a_public_one_needs_the_override_rights()
    {
        using var s = await SetUpAsync(Permission.ManageChannels);
        var staff = await s.Owner.CreateChannelAsync(s.Community.Id, new CreateChannelRequest("Staff", ChannelTypes.Category));
        await s.Owner.SetOverrideAsync(staff.Id, "role", s.Everyone.Id, 0, Permission.ViewChannel);
        await s.Owner.SetOverrideAsync(staff.Id, "role", s.Mods.Id, Permission.ViewChannel, 0);
        var inside = await s.Owner.CreateChannelAsync(s.Community.Id, new CreateChannelRequest("plans", ParentId: staff.Id));
        Assert.True(inside.PermissionsSynced);
        await s.Owner.SendMessageAsync(inside.Id, "the plans");
        await AssertHiddenFromAsync(s.Plain, inside.Id);
        var auditBefore = (await s.Owner.GetAuditLogAsync(s.Community.Id, limit: 100)).Count;

        // Synced channels follow their new category: a move is an override change.
        await Forbidden(() => s.Mod.UpdateChannelAsync(inside.Id, new UpdateChannelRequest(ParentId: s.Lobby.Id)));
        await Forbidden(() => s.Mod.UpdateChannelAsync(inside.Id, new UpdateChannelRequest(ParentId: s.Lobby.Id, PermissionsSynced: true)));

        var channel = await s.Owner.GetChannelAsync(inside.Id);
        Assert.Equal((staff.Id, true), (channel.ParentId, channel.PermissionsSynced));
        Assert.Empty(await s.Owner.GetOverridesAsync(inside.Id));
        await AssertHiddenFromAsync(s.Plain, inside.Id);
        Assert.Equal(auditBefore, (await s.Owner.GetAuditLogAsync(s.Community.Id, limit: 100)).Count);

        // Moves that keep the channel's overrides as they are stay open to MANAGE_CHANNELS: unsynced, the
        // category's overrides become the channel's own and nobody gains or loses it.
        var moved = await s.Mod.UpdateChannelAsync(inside.Id, new UpdateChannelRequest(ParentId: s.Lobby.Id, PermissionsSynced: false));
        Assert.Equal((s.Lobby.Id, false), (moved.ParentId, moved.PermissionsSynced));
        Assert.Equal(2, (await s.Owner.GetOverridesAsync(inside.Id)).Count);
        await AssertHiddenFromAsync(s.Plain, inside.Id);
    }

    [Fact]
    public async Task Creating_a_channel_that_inherits_a_private_categorys_overrides_needs_the_override_rights()
    {
        using var s = await SetUpAsync(Permission.ManageChannels);
        var staff = await s.Owner.CreateChannelAsync(s.Community.Id, new CreateChannelRequest("Staff", ChannelTypes.Category));
        await s.Owner.SetOverrideAsync(staff.Id, "role", s.Everyone.Id, 0, Permission.ViewChannel);
        await s.Owner.SetOverrideAsync(staff.Id, "role", s.Mods.Id, Permission.ViewChannel, 0);
        var hidden = await s.Owner.CreateChannelAsync(s.Community.Id, new CreateChannelRequest("Hidden", ChannelTypes.Category));
        await s.Owner.SetOverrideAsync(hidden.Id, "role", s.Everyone.Id, 0, Permission.ViewChannel);
        var channelsBefore = (await s.Owner.GetChannelsAsync(s.Community.Id)).Count;
        var auditBefore = (await s.Owner.GetAuditLogAsync(s.Community.Id, limit: 100)).Count;

        // Synced (the default in a category) the new channel would carry the category's role overrides.
        await Forbidden(() => s.Mod.CreateChannelAsync(s.Community.Id, new CreateChannelRequest("mine", ParentId: staff.Id)));
        await Forbidden(() => s.Mod.CreateChannelAsync(s.Community.Id, new CreateChannelRequest("mine", ParentId: staff.Id, PermissionsSynced: true)));

        // A category the caller cannot see is no parent for them, exactly like one that does not exist.
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => s.Mod.CreateChannelAsync(s.Community.Id, new CreateChannelRequest("mine", ParentId: hidden.Id, PermissionsSynced: false)));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => s.Mod.UpdateChannelAsync(s.Community.TextChannel().Id, new UpdateChannelRequest(ParentId: hidden.Id, PermissionsSynced: false)));

        Assert.Equal(channelsBefore, (await s.Owner.GetChannelsAsync(s.Community.Id)).Count);
        Assert.Null((await s.Owner.GetChannelAsync(s.Community.TextChannel().Id)).ParentId);
        Assert.Equal(auditBefore, (await s.Owner.GetAuditLogAsync(s.Community.Id, limit: 100)).Count);

        // Unsynced, it has no overrides at all: nothing to authorize (any MANAGE_CHANNELS holder may create a public channel).
        var own = await s.Mod.CreateChannelAsync(s.Community.Id, new CreateChannelRequest("public-corner", ParentId: staff.Id, PermissionsSynced: false));
        Assert.Empty(await s.Owner.GetOverridesAsync(own.Id));

        // With MANAGE_ROLES the inherited overrides are the moderator's to give, and the audit entry lists them.
        await s.Owner.UpdateRoleAsync(s.Community.Id, s.Mods.Id, new UpdateRoleRequest(Permissions: Permission.ManageChannels | Permission.ManageRoles));
        var synced = await s.Mod.CreateChannelAsync(s.Community.Id, new CreateChannelRequest("staff-only", ParentId: staff.Id));
        Assert.True(synced.PermissionsSynced);
        await AssertHiddenFromAsync(s.Plain, synced.Id);
        var entry = (await s.Owner.GetAuditLogAsync(s.Community.Id, action: "channel.create", limit: 1)).Single();
        Assert.Equal(synced.Id, entry.TargetId);
        var listed = OverridesIn(entry);
        Assert.Equal(2, listed.Count);
        var everyoneEntry = listed.Single(o => o.GetProperty("target_id").GetString() == s.Everyone.Id);
        Assert.Equal(JsonValueKind.Null, everyoneEntry.GetProperty("deny").GetProperty("old").ValueKind);
        Assert.Equal("1", everyoneEntry.GetProperty("deny").GetProperty("new").GetString());
    }

    [Fact]
    public async Task Deleting_a_private_category_keeps_its_synced_children_private_and_records_what_happened_to_the_overrides()
    {
        using var s = await SetUpAsync(Permission.ManageChannels);
        var staff = await s.Owner.CreateChannelAsync(s.Community.Id, new CreateChannelRequest("Staff", ChannelTypes.Category));
        await s.Owner.SetOverrideAsync(staff.Id, "role", s.Everyone.Id, 0, Permission.ViewChannel);
        await s.Owner.SetOverrideAsync(staff.Id, "role", s.Mods.Id, Permission.ViewChannel, 0);
        var inside = await s.Owner.CreateChannelAsync(s.Community.Id, new CreateChannelRequest("plans", ParentId: staff.Id));
        var categoryOverrides = Shape(await s.Owner.GetOverridesAsync(staff.Id));

        // Nobody's access changes, so MANAGE_CHANNELS is enough; the child keeps the category's overrides as its own.
        await s.Mod.DeleteChannelAsync(staff.Id);

        var orphan = await s.Owner.GetChannelAsync(inside.Id);
        Assert.Equal((null, false), (orphan.ParentId, orphan.PermissionsSynced));
        Assert.Equal(categoryOverrides.Select(o => (o.Type, o.Id, o.Allow, o.Deny)),
            Shape(await s.Owner.GetOverridesAsync(inside.Id)).Select(o => (o.Type, o.Id, o.Allow, o.Deny)));
        await AssertHiddenFromAsync(s.Plain, inside.Id);
        Assert.NotNull(await s.Mod.GetChannelAsync(inside.Id));

        var entry = (await s.Owner.GetAuditLogAsync(s.Community.Id, action: "channel.delete", limit: 1)).Single();
        Assert.Equal(staff.Id, entry.TargetId);
        Assert.Equal(2, OverridesIn(entry).Count);
        Assert.All(OverridesIn(entry), o => Assert.Equal(JsonValueKind.Null, o.GetProperty("deny").GetProperty("new").ValueKind));
        Assert.Equal([inside.Id], entry.Changes!.Value.GetProperty("overrides_copied_to").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_member_with_the_override_rights_can_sync_and_the_audit_log_and_gateway_follow()
    {
        using var s = await SetUpAsync(Permission.ManageChannels | Permission.ManageRoles);
        await using var plainGateway = await GatewayClient.ConnectAsync(Server.BaseAddress);
        await plainGateway.IdentifyAsync(s.Plain.AccessToken!);

        var synced = await s.Mod.UpdateChannelAsync(s.Secret.Id, new UpdateChannelRequest(ParentId: s.Lobby.Id, PermissionsSynced: true));
        Assert.Equal((s.Lobby.Id, true), (synced.ParentId, synced.PermissionsSynced));
        Assert.Empty(await s.Owner.GetOverridesAsync(s.Secret.Id));

        // The plain member gains the channel live and can now read it.
        var gained = await plainGateway.WaitForDispatchAsync(GatewayEvents.ChannelCreate);
        Assert.Equal(s.Secret.Id, gained.D!.Value.GetProperty("id").GetString());
        Assert.Single(await s.Plain.GetMessagesAsync(s.Secret.Id));

        // One channel.update entry names the move, the sync and every override that stopped applying.
        var entry = (await s.Owner.GetAuditLogAsync(s.Community.Id, action: "channel.update", limit: 1)).Single();
        Assert.Equal(s.Secret.Id, entry.TargetId);
        Assert.Equal(s.Lobby.Id, entry.Changes!.Value.GetProperty("parent_id").GetProperty("new").GetString());
        Assert.True(entry.Changes!.Value.GetProperty("permissions_synced").GetProperty("new").GetBoolean());
        var listed = OverridesIn(entry);
        Assert.Equal(2, listed.Count);
        var everyoneEntry = listed.Single(o => o.GetProperty("target_id").GetString() == s.Everyone.Id);
        Assert.Equal("role", everyoneEntry.GetProperty("target_type").GetString());
        Assert.Equal("1", everyoneEntry.GetProperty("deny").GetProperty("old").GetString());
        Assert.Equal(JsonValueKind.Null, everyoneEntry.GetProperty("deny").GetProperty("new").ValueKind);
        var modsEntry = listed.Single(o => o.GetProperty("target_id").GetString() == s.Mods.Id);
        Assert.Equal("1", modsEntry.GetProperty("allow").GetProperty("old").GetString());
        Assert.True((await s.Owner.VerifyAuditLogAsync(s.Community.Id)).Intact);
    }
}

public sealed class OverrideSideEffectsTestsOnSqlite(SqliteServerFixture fixture) : OverrideSideEffectsTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class OverrideSideEffectsTestsOnPostgres(PostgresServerFixture fixture) : OverrideSideEffectsTests(fixture), IClassFixture<PostgresServerFixture>;
