using System.Net;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// Roles, overrides and moderation through the API: every guarded endpoint refuses a member without the
/// permission (403, nothing changed) and serves one who has it; role hierarchy; bans, kicks, timeouts,
/// bulk delete and reports. On each database provider.
/// </summary>
public abstract class PermissionsApiTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private const long Everything = Permission.ManageChannels | Permission.ManageRoles | Permission.ManageCommunity | Permission.KickMembers
        | Permission.BanMembers | Permission.ModerateMembers | Permission.ManageMessages | Permission.ViewAuditLog | Permission.CreateInvites
        | Permission.SendMessages | Permission.ReadMessageHistory | Permission.AddReactions | Permission.ViewChannel;

    private static Task Forbidden(Func<Task> call) => Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, call);

    private static Task Hierarchy(Func<Task> call) => Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.RoleHierarchy, call);

    [Fact]
    public async Task The_permission_table_is_public_and_matches_the_protocol()
    {
        using var anonymous = Server.NewClient();
        var table = await anonymous.GetPermissionTableAsync();
        Assert.Equal(Permission.Definitions().Count, table.Community.Count);
        Assert.Equal(Permission.EveryoneDefault, table.EveryoneDefault);
        Assert.Contains(table.Community, d => d.Name == "VIEW_AUDIT_LOG" && d.Bit == 20);
        Assert.Contains(table.Pod, d => d.Name == "POD_ADMINISTRATOR" && d.Bit == 15);
        var raw = await anonymous.Http.GetStringAsync("api/v1/permissions");
        Assert.Contains($"\"everyone_default\":\"{Permission.EveryoneDefault}\"", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_communities_have_everyone_with_the_defaults_and_members_list_their_roles()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, memberUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;

        var everyone = Assert.Single(await member.GetRolesAsync(community.Id));
        Assert.True(everyone.IsEveryone);
        Assert.Equal(Permission.EveryoneDefault, everyone.Permissions);
        Assert.Equal(Permission.EveryoneDefault, (await member.GetMyPermissionsAsync(community.Id)).Community);
        Assert.Equal(Permission.All, (await owner.GetMyPermissionsAsync(community.Id)).Community);

        var role = await owner.CreateRoleAsync(community.Id, new CreateRoleRequest("Helpers", Permission.MentionEveryone, 0x00ff00));
        var updated = await owner.AddMemberRoleAsync(community.Id, memberUser.Id, role.Id);
        Assert.Equal([role.Id], updated.Roles);
        var listed = (await member.GetMembersAsync(community.Id)).Single(m => m.User.Id == memberUser.Id);
        Assert.Equal([role.Id], listed.Roles);
        Assert.Equal(Permission.EveryoneDefault | Permission.MentionEveryone, (await member.GetMyPermissionsAsync(community.Id)).Community);
        Assert.Empty((await owner.RemoveMemberRoleAsync(community.Id, memberUser.Id, role.Id)).Roles!);
    }

    [Fact]
    public async Task Every_guarded_endpoint_refuses_a_member_without_the_permission_and_serves_one_with_it()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, memberUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var (victim, victimUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _v = victim;
        var text = community.TextChannel();
        var victimMessage = await victim.SendMessageAsync(text.Id, "victim says hi");
        var second = await victim.SendMessageAsync(text.Id, "and again");
        var everyone = Assert.Single(await owner.GetRolesAsync(community.Id));
        var lowRole = await owner.CreateRoleAsync(community.Id, new CreateRoleRequest("low"));
        var invite = await owner.CreateInviteAsync(community.Id);
        var report = await victim.ReportMessageAsync(text.Id, second.Id, "testing the queue");
        var auditBefore = (await owner.GetAuditLogAsync(community.Id, limit: 100)).Count;

        // A plain member (the @everyone defaults) is refused everything that needs more.
        var refused = new (string What, Func<Task> Call)[]
        {
            ("create channel", () => member.CreateChannelAsync(community.Id, new CreateChannelRequest("nope"))),
            ("update channel", () => member.UpdateChannelAsync(text.Id, new UpdateChannelRequest("renamed"))),
            ("delete channel", () => member.DeleteChannelAsync(text.Id)),
            ("role override", () => member.SetOverrideAsync(text.Id, "role", everyone.Id, 0, Permission.SendMessages)),
            ("user override", () => member.SetOverrideAsync(text.Id, "user", victimUser.Id, 0, Permission.SendMessages)),
            ("create role", () => member.CreateRoleAsync(community.Id, new CreateRoleRequest("mine"))),
            ("update role", () => member.UpdateRoleAsync(community.Id, lowRole.Id, new UpdateRoleRequest("renamed"))),
            ("update everyone", () => member.UpdateRoleAsync(community.Id, everyone.Id, new UpdateRoleRequest(Permissions: 0))),
            ("delete role", () => member.DeleteRoleAsync(community.Id, lowRole.Id)),
            ("grant role", () => member.AddMemberRoleAsync(community.Id, victimUser.Id, lowRole.Id)),
            ("update community", () => member.UpdateCommunityAsync(community.Id, "hijacked")),
            ("list invites", () => member.GetInvitesAsync(community.Id)),
            ("revoke others' invite", () => member.RevokeInviteAsync(invite.Code)),
            ("kick", () => member.KickAsync(community.Id, victimUser.Id)),
            ("ban", () => member.BanAsync(community.Id, victimUser.Id)),
            ("list bans", () => member.GetBansAsync(community.Id)),
            ("unban", () => member.UnbanAsync(community.Id, victimUser.Id)),
            ("timeout", () => member.TimeoutAsync(community.Id, victimUser.Id, DateTimeOffset.UtcNow.AddHours(1))),
            ("delete others' message", () => member.DeleteMessageAsync(text.Id, victimMessage.Id)),
            ("bulk delete", () => member.BulkDeleteMessagesAsync(text.Id, [victimMessage.Id, second.Id])),
            ("report queue", () => member.GetReportsAsync(community.Id)),
            ("resolve report", () => member.ResolveReportAsync(community.Id, report.Id, ReportStatus.Resolved)),
            ("audit log", () => member.GetAuditLogAsync(community.Id)),
            ("verify audit log", () => member.VerifyAuditLogAsync(community.Id)),
        };
        foreach (var (what, call) in refused)
        {
            var error = await Assert.ThrowsAsync<VoxoraApiException>(call);
            Assert.True(error.Status == HttpStatusCode.Forbidden, $"{what}: {error.Status} {error.Code}");
        }

        await AssertUnchangedAsync();

        // Take the defaults away from @everyone: sending, history, reactions and invites are refused too.
        await owner.UpdateRoleAsync(community.Id, everyone.Id, new UpdateRoleRequest(Permissions: Permission.ViewChannel));
        auditBefore++;
        await Forbidden(() => member.SendMessageAsync(text.Id, "hello"));
        await Forbidden(() => member.GetMessagesAsync(text.Id));
        await Forbidden(() => member.AddReactionAsync(text.Id, victimMessage.Id, "👍"));
        await Forbidden(() => member.CreateInviteAsync(community.Id));
        Assert.Equal(2, (await owner.GetMessagesAsync(text.Id)).Count);
        Assert.Empty(await owner.GetReactionsAsync(text.Id, victimMessage.Id, "👍"));
        await AssertUnchangedAsync();

        // Give the member a role holding all of it (above the role they will manage): every call now succeeds.
        var staff = await owner.CreateRoleAsync(community.Id, new CreateRoleRequest("staff", Everything, Position: 10));
        await owner.AddMemberRoleAsync(community.Id, memberUser.Id, staff.Id);

        var sent = await member.SendMessageAsync(text.Id, "hello");
        Assert.Equal(3, (await member.GetMessagesAsync(text.Id)).Count);
        await member.AddReactionAsync(text.Id, sent.Id, "👍");
        var myInvite = await member.CreateInviteAsync(community.Id);
        Assert.Contains(await member.GetInvitesAsync(community.Id), i => i.Code == myInvite.Code);
        await member.RevokeInviteAsync(invite.Code);
        var created = await member.CreateChannelAsync(community.Id, new CreateChannelRequest("staff-room"));
        await member.UpdateChannelAsync(created.Id, new UpdateChannelRequest(Topic: "for staff"));
        await member.SetOverrideAsync(created.Id, "user", victimUser.Id, Permission.SendMessages, 0);
        await member.SetOverrideAsync(created.Id, "role", everyone.Id, 0, Permission.AddReactions);
        Assert.Equal(2, (await member.GetOverridesAsync(created.Id)).Count);
        await member.DeleteOverrideAsync(created.Id, "user", victimUser.Id);
        await member.DeleteChannelAsync(created.Id);
        var mine = await member.CreateRoleAsync(community.Id, new CreateRoleRequest("mine", Permission.ManageMessages));
        await member.UpdateRoleAsync(community.Id, lowRole.Id, new UpdateRoleRequest("renamed-low"));
        await member.AddMemberRoleAsync(community.Id, victimUser.Id, lowRole.Id);
        await member.DeleteRoleAsync(community.Id, mine.Id);
        await member.UpdateCommunityAsync(community.Id, description: "edited by staff");
        await member.TimeoutAsync(community.Id, victimUser.Id, DateTimeOffset.UtcNow.AddHours(1));
        await member.TimeoutAsync(community.Id, victimUser.Id, null);
        Assert.Single(await member.GetReportsAsync(community.Id));
        await member.ResolveReportAsync(community.Id, report.Id, ReportStatus.Dismissed, "fine");
        await member.DeleteMessageAsync(text.Id, victimMessage.Id);
        await member.BulkDeleteMessagesAsync(text.Id, [second.Id, sent.Id]);
        Assert.Empty(await owner.GetMessagesAsync(text.Id));
        Assert.NotEmpty(await member.GetAuditLogAsync(community.Id));
        Assert.True((await member.VerifyAuditLogAsync(community.Id)).Intact);
        await member.KickAsync(community.Id, victimUser.Id);
        await member.BanAsync(community.Id, victimUser.Id, "spam");
        Assert.Equal(victimUser.Id, Assert.Single(await member.GetBansAsync(community.Id)).User.Id);
        await member.UnbanAsync(community.Id, victimUser.Id);

        // Hierarchy: not the owner, not their own highest role, not a member at their level.
        await Hierarchy(() => member.KickAsync(community.Id, ownerUser.Id));
        await Hierarchy(() => member.UpdateRoleAsync(community.Id, staff.Id, new UpdateRoleRequest("mine now")));
        await Hierarchy(() => member.CreateRoleAsync(community.Id, new CreateRoleRequest("high", Position: 10)));
        await Hierarchy(() => member.CreateRoleAsync(community.Id, new CreateRoleRequest("admin", Permission.Administrator)));
        await Hierarchy(() => member.UpdateRoleAsync(community.Id, lowRole.Id, new UpdateRoleRequest(Permissions: Permission.BanMembers | Permission.Administrator)));
        await Hierarchy(() => member.SetOverrideAsync(text.Id, "role", everyone.Id, Permission.VoiceMuteOthers, 0));
        var (peer, peerUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _p = peer;
        await owner.AddMemberRoleAsync(community.Id, peerUser.Id, staff.Id);
        await Hierarchy(() => member.BanAsync(community.Id, peerUser.Id));
        await Hierarchy(() => member.TimeoutAsync(community.Id, peerUser.Id, DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Contains(await owner.GetMembersAsync(community.Id), m => m.User.Id == peerUser.Id);

        async Task AssertUnchangedAsync()
        {
            Assert.Equal(2, (await owner.GetChannelsAsync(community.Id)).Count);
            Assert.Equal(text.Name, (await owner.GetChannelAsync(text.Id)).Name);
            Assert.Empty(await owner.GetOverridesAsync(text.Id));
            var roles = await owner.GetRolesAsync(community.Id);
            Assert.Equal(2, roles.Count);
            Assert.Equal("low", roles.Single(r => r.Id == lowRole.Id).Name);
            Assert.Equal(community.Name, (await owner.GetCommunityAsync(community.Id)).Name);
            var members = await owner.GetMembersAsync(community.Id);
            var victimMember = members.Single(m => m.User.Id == victimUser.Id);
            Assert.Empty(victimMember.Roles!);
            Assert.Null(victimMember.TimeoutUntil);
            Assert.Empty(await owner.GetBansAsync(community.Id));
            Assert.Contains(await owner.GetInvitesAsync(community.Id), i => i.Code == invite.Code);
            Assert.Single(await owner.GetReportsAsync(community.Id));
            Assert.Equal(auditBefore, (await owner.GetAuditLogAsync(community.Id, limit: 100)).Count);
        }
    }

    [Fact]
    public async Task Roles_and_overrides_validate_their_input()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var everyone = Assert.Single(await owner.GetRolesAsync(community.Id));
        var text = community.TextChannel();

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.CreateRoleAsync(community.Id, new CreateRoleRequest("  ")));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.CreateRoleAsync(community.Id, new CreateRoleRequest("x", 1L << 60)));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.CreateRoleAsync(community.Id, new CreateRoleRequest("x", Position: 0)));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdateRoleAsync(community.Id, everyone.Id, new UpdateRoleRequest("renamed")));
        await Forbidden(() => owner.DeleteRoleAsync(community.Id, everyone.Id));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.SetOverrideAsync(text.Id, "role", everyone.Id, Permission.BanMembers, 0));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.SetOverrideAsync(text.Id, "role", everyone.Id, Permission.SendMessages, Permission.SendMessages));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.SetOverrideAsync(text.Id, "group", everyone.Id, 0, 0));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.SetOverrideAsync(text.Id, "role", "rol_01ARZ3NDEKTSV4RRFFQ69G5FAV", 0, 0));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.AddMemberRoleAsync(community.Id, ownerUser.Id, everyone.Id));
        Assert.Single(await owner.GetRolesAsync(community.Id));
        Assert.Empty(await owner.GetOverridesAsync(text.Id));

        // Bitfields may be sent as numbers too.
        using var body = new StringContent("{\"allow\": 1, \"deny\": \"2\"}", System.Text.Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/v1/channels/{text.Id}/overrides/role/{everyone.Id}") { Content = body };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", owner.AccessToken);
        using var response = await owner.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"deny\":\"2\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeouts_stop_sending_and_reacting_but_not_reading()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, memberUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var text = community.TextChannel();
        var message = await owner.SendMessageAsync(text.Id, "hi");

        var timedOut = await owner.TimeoutAsync(community.Id, memberUser.Id, DateTimeOffset.UtcNow.AddMinutes(10));
        Assert.NotNull(timedOut.TimeoutUntil);
        await Forbidden(() => member.SendMessageAsync(text.Id, "let me talk"));
        await Forbidden(() => member.AddReactionAsync(text.Id, message.Id, "👍"));
        await Forbidden(() => member.CreateInviteAsync(community.Id));
        Assert.Single(await member.GetMessagesAsync(text.Id));
        Assert.Equal(Permission.ViewChannel | Permission.ReadMessageHistory, (await member.GetMyPermissionsAsync(community.Id)).Community);

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => owner.TimeoutAsync(community.Id, memberUser.Id, DateTimeOffset.UtcNow.AddDays(29)));
        await Forbidden(() => owner.TimeoutAsync(community.Id, ownerUser.Id, DateTimeOffset.UtcNow.AddDays(1)));

        Assert.Null((await owner.TimeoutAsync(community.Id, memberUser.Id, null)).TimeoutUntil);
        await member.SendMessageAsync(text.Id, "thanks");
        Assert.Contains(await owner.GetAuditLogAsync(community.Id, action: "member.timeout"), e => e.TargetId == memberUser.Id);
        Assert.Contains(await owner.GetAuditLogAsync(community.Id, action: "member.timeout_remove"), e => e.TargetId == memberUser.Id);
    }

    [Fact]
    public async Task Banned_users_cannot_rejoin_until_unbanned_and_their_recent_messages_can_go_with_them()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, memberUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var text = community.TextChannel();
        await member.SendMessageAsync(text.Id, "spam 1");
        await member.SendMessageAsync(text.Id, "spam 2");
        await owner.SendMessageAsync(text.Id, "owner stays");

        await owner.BanAsync(community.Id, memberUser.Id, "spam", deleteMessageSeconds: 3600);
        Assert.Equal("owner stays", Assert.Single(await owner.GetMessagesAsync(text.Id)).Content);
        Assert.DoesNotContain(await owner.GetMembersAsync(community.Id), m => m.User.Id == memberUser.Id);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.GetCommunityAsync(community.Id));
        var ban = Assert.Single(await owner.GetBansAsync(community.Id));
        Assert.Equal("spam", ban.Reason);

        var invite = await owner.CreateInviteAsync(community.Id);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.BannedFromCommunity, () => member.AcceptInviteAsync(invite.Code));
        Assert.DoesNotContain(await owner.GetMembersAsync(community.Id), m => m.User.Id == memberUser.Id);
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => owner.BanAsync(community.Id, memberUser.Id, deleteMessageSeconds: 8 * 24 * 3600));

        await owner.UnbanAsync(community.Id, memberUser.Id);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.UnbanAsync(community.Id, memberUser.Id));
        await member.AcceptInviteAsync(invite.Code);
        Assert.Contains(await owner.GetMembersAsync(community.Id), m => m.User.Id == memberUser.Id);

        // A kick is not a ban: the member may come back.
        await owner.KickAsync(community.Id, memberUser.Id);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.KickAsync(community.Id, memberUser.Id));
        await member.AcceptInviteAsync((await owner.CreateInviteAsync(community.Id)).Code);

        var log = await owner.GetAuditLogAsync(community.Id);
        Assert.Equal(["member.kick", "member.unban", "member.ban"], log.Where(e => e.Action.StartsWith("member.", StringComparison.Ordinal)).Select(e => e.Action).Take(3));
        Assert.Equal("spam", log.Single(e => e.Action == "member.ban").Reason);
    }

    [Fact]
    public async Task Bulk_delete_takes_two_to_a_hundred_distinct_ids()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var text = community.TextChannel();
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await owner.SendMessageAsync(text.Id, $"m{i}")).Id);
        }

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.BulkDeleteMessagesAsync(text.Id, [ids[0]]));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.BulkDeleteMessagesAsync(text.Id, [ids[0], ids[0]]));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.BulkDeleteMessagesAsync(text.Id, [ids[0], "nope"]));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => owner.BulkDeleteMessagesAsync(text.Id, Enumerable.Range(1, 101).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList()));
        Assert.Equal(4, (await owner.GetMessagesAsync(text.Id)).Count);

        await owner.BulkDeleteMessagesAsync(text.Id, [ids[0], ids[2], "123"]);
        Assert.Equal([ids[3], ids[1]], (await owner.GetMessagesAsync(text.Id)).Select(m => m.Id));
        var entry = Assert.Single(await owner.GetAuditLogAsync(community.Id, action: "message.bulk_delete"));
        Assert.Equal(2, entry.Changes!.Value.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Reports_go_to_moderators_and_their_outcome_back_to_the_reporter()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (reporter, reporterUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _r = reporter;
        var (offender, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _f = offender;
        var text = community.TextChannel();
        var bad = await offender.SendMessageAsync(text.Id, "something nasty");

        // The moderators' queues are live: the owner (a moderator) hears of a new report, a plain member does not.
        await using var moderatorGateway = await GatewayClient.ConnectAsync(Server.BaseAddress);
        await moderatorGateway.IdentifyAsync(owner.AccessToken!);
        await using var bystanderGateway = await GatewayClient.ConnectAsync(Server.BaseAddress);
        await bystanderGateway.IdentifyAsync(offender.AccessToken!);

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => reporter.ReportMessageAsync(text.Id, bad.Id, " "));
        var report = await reporter.ReportMessageAsync(text.Id, bad.Id, "harassment");
        Assert.Equal(ReportStatus.Open, report.Status);
        var created = await moderatorGateway.WaitForDispatchAsync(GatewayEvents.ReportCreate);
        Assert.Equal(report.Id, created.D!.Value.GetProperty("id").GetString());
        Assert.Equal("open", created.D!.Value.GetProperty("status").GetString());
        await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.AlreadyReported, () => reporter.ReportMessageAsync(text.Id, bad.Id, "again"));

        await using var gateway = await GatewayClient.ConnectAsync(Server.BaseAddress);
        await gateway.IdentifyAsync(reporter.AccessToken!);

        // The message goes; the report keeps its content.
        await owner.DeleteMessageAsync(text.Id, bad.Id);
        var queued = Assert.Single(await owner.GetReportsAsync(community.Id));
        Assert.Equal("something nasty", queued.MessageContent);
        var resolved = await owner.ResolveReportAsync(community.Id, report.Id, ReportStatus.Resolved, "removed, thanks");
        Assert.Equal(ReportStatus.Resolved, resolved.Status);
        await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.ReportAlreadyDecided, () => owner.ResolveReportAsync(community.Id, report.Id, ReportStatus.Dismissed));

        var update = await gateway.WaitForDispatchAsync(GatewayEvents.ReportUpdate);
        Assert.Equal("resolved", update.D!.Value.GetProperty("status").GetString());
        var decided = await moderatorGateway.WaitForDispatchAsync(GatewayEvents.ReportUpdate);
        Assert.Equal(report.Id, decided.D!.Value.GetProperty("id").GetString());
        while (await bystanderGateway.TryReceiveDispatchAsync(TimeSpan.FromMilliseconds(500)) is { } frame)
        {
            Assert.False(frame.T is GatewayEvents.ReportCreate or GatewayEvents.ReportUpdate, $"a plain member received {frame.T}");
        }

        var mine = Assert.Single(await reporter.GetMyReportsAsync());
        Assert.Equal(ReportStatus.Resolved, mine.Status);
        Assert.Equal("removed, thanks", mine.Note);
        Assert.Empty(await owner.GetReportsAsync(community.Id));
        Assert.Single(await owner.GetReportsAsync(community.Id, ReportStatus.Resolved));
        Assert.Contains(await owner.GetAuditLogAsync(community.Id), e => e.Action == "message.delete" && e.Changes!.Value.GetProperty("author_id").GetString() != reporterUser.Id);
    }
}

public sealed class PermissionsApiTestsOnSqlite(SqliteServerFixture fixture) : PermissionsApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class PermissionsApiTestsOnPostgres(PostgresServerFixture fixture) : PermissionsApiTests(fixture), IClassFixture<PostgresServerFixture>;
