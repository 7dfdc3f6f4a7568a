using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// The pod's public face, its first-run setup, its registration modes and the admin API (<c>/api/v1/admin/*</c>),
/// each on a fresh server (the setup needs an empty pod) and on each provider.
/// </summary>
public abstract class PodAdminTests(Provider provider)
{
    private const string Password = "correct horse battery";

    private static PodSetupRequest Setup(string username, string mode = RegistrationModes.Open) =>
        new(username, Password, null, "Família Silva", "Our family's chat", mode);

    private static async Task<int> UserCountAsync(TestServer server)
    {
        await using var scope = server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<VoxoraDbContext>().Users.CountAsync();
    }

    private static async Task<HttpResponseMessage> SendRawAsync(VoxoraClient client, HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (client.AccessToken is { } token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        // As large uploads do: an oversized body is answered 413 before it is sent (see HttpSurfaceTests).
        request.Headers.ExpectContinue = true;
        return await client.Http.SendAsync(request);
    }

    [Fact]
    public async Task Setup_creates_the_signed_in_owner_names_the_pod_and_then_closes()
    {
        await using var server = await TestServer.StartAsync(provider);
        using var anonymous = server.NewClient();
        var fresh = await anonymous.GetPodInfoAsync();
        Assert.Equal(new PodInfo("Voxora", null, RegistrationModes.Open, true), fresh);

        // Malformed or invalid setups are refused and leave the pod empty.
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => anonymous.SetupPodAsync(Setup("owner") with { PodName = new string('x', 101) }));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => anonymous.SetupPodAsync(Setup("owner") with { PodName = " " }));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => anonymous.SetupPodAsync(Setup("owner") with { PodDescription = new string('x', 1001) }));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => anonymous.SetupPodAsync(Setup("owner", "sometimes")));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => anonymous.SetupPodAsync(Setup("owner") with { Password = "short" }));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => anonymous.SetupPodAsync(Setup("owner") with { PodName = "Evil\u202Ename" }));
        using (var malformed = await SendRawAsync(anonymous, HttpMethod.Post, "api/v1/pod/setup", "{\"username\": 42"))
        {
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.MalformedRequest, malformed);
        }

        Assert.Equal(0, await UserCountAsync(server));
        Assert.True((await anonymous.GetPodInfoAsync()).SetupRequired);

        using var owner = server.NewClient();
        var tokens = await owner.SetupPodAsync(Setup("Owner", RegistrationModes.Invite));
        Assert.Equal("Bearer", tokens.TokenType);
        var me = await owner.GetMeAsync();
        Assert.Equal("Owner", me.Username);
        Assert.True((await owner.GetPodSelfAsync()).IsOwner);
        Assert.Equal(new PodInfo("Família Silva", "Our family's chat", RegistrationModes.Invite, false), await anonymous.GetPodInfoAsync());
        var settings = await owner.GetPodSettingsAsync();
        Assert.NotNull(settings.SetupCompletedAt);

        // Closed for good: a second setup changes nothing.
        await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.SetupCompleted, () => server.NewClient().SetupPodAsync(Setup("intruder", RegistrationModes.Open)));
        Assert.Equal(1, await UserCountAsync(server));
        Assert.Equal(RegistrationModes.Invite, (await anonymous.GetPodInfoAsync()).RegistrationMode);
        var audit = Assert.Single(await owner.GetPodAuditLogAsync());
        Assert.Equal(("pod.setup", me.Id), (audit.Action, audit.ActorId));
        Assert.True((await owner.VerifyPodAuditLogAsync()).Intact);
    }

    [Fact]
    public async Task Of_racing_setups_exactly_one_wins_and_the_others_get_409()
    {
        await using var server = await TestServer.StartAsync(provider);
        var clients = Enumerable.Range(0, 4).Select(_ => server.NewClient()).ToList();
        var outcomes = await Task.WhenAll(clients.Select(async (client, i) =>
        {
            try
            {
                await client.SetupPodAsync(Setup($"racer{i}"));
                return "won";
            }
            catch (VoxoraApiException error) when (error.Status == HttpStatusCode.Conflict && error.Code == ProblemCodes.SetupCompleted)
            {
                return "409";
            }
        }));
        Assert.Equal(1, outcomes.Count(o => o == "won"));
        Assert.Equal(3, outcomes.Count(o => o == "409"));
        Assert.Equal(1, await UserCountAsync(server));
        var winner = clients[Array.IndexOf(outcomes, "won")];
        Assert.True((await winner.GetPodSelfAsync()).IsOwner);
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Registration_modes_are_enforced_and_the_first_account_always_gets_in()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["POD:REGISTRATION"] = "CLOSED" });
        using var anonymous = server.NewClient();
        Assert.Equal(RegistrationModes.Closed, (await anonymous.GetPodInfoAsync()).RegistrationMode);

        // The first account on an empty pod owns it, whatever the mode (scripted installs).
        var (owner, ownerUser, _) = await server.NewUserAsync("owner");
        using var _o = owner;
        Assert.True((await owner.GetPodSelfAsync()).IsOwner);
        Assert.False((await anonymous.GetPodInfoAsync()).SetupRequired);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.RegistrationClosed, () => anonymous.RegisterAsync("late", Password));

        var community = await owner.CreateCommunityAsync("Invited only");
        var invite = await owner.CreateInviteAsync(community.Id, maxUses: 1);
        // Closed means closed, even with an invite.
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.RegistrationClosed, () => anonymous.RegisterWithInviteAsync("late", Password, invite.Code));

        await owner.UpdatePodSettingsAsync(new UpdatePodSettingsRequest(RegistrationMode: RegistrationModes.Invite));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.RegistrationInviteOnly, () => anonymous.RegisterAsync("late", Password));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.InviteNotFound, () => anonymous.RegisterWithInviteAsync("late", Password, "zzzzzzzz"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.InviteNotFound, () => anonymous.RegisterWithInviteAsync("late", Password, "../../etc"));
        var user = await anonymous.RegisterWithInviteAsync("invited", Password, invite.Code);
        using var invited = server.NewClient();
        await invited.LoginAsync("invited", Password);
        Assert.Contains(await invited.GetMyCommunitiesAsync(), c => c.Id == community.Id);
        Assert.Equal(1, (await owner.GetInvitesAsync(community.Id)).Single(i => i.Code == invite.Code).Uses);

        // A used-up or revoked invite creates no account.
        await Expect.Problem(HttpStatusCode.Gone, ProblemCodes.InviteExhausted, () => anonymous.RegisterWithInviteAsync("second", Password, invite.Code));
        var revoked = await owner.CreateInviteAsync(community.Id);
        await owner.RevokeInviteAsync(revoked.Code);
        await Expect.Problem(HttpStatusCode.Gone, ProblemCodes.InviteRevoked, () => anonymous.RegisterWithInviteAsync("second", Password, revoked.Code));
        var open = await owner.CreateInviteAsync(community.Id);
        await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.UsernameTaken, () => anonymous.RegisterWithInviteAsync("INVITED", Password, open.Code));
        Assert.Equal(0, (await owner.GetInvitesAsync(community.Id)).Single(i => i.Code == open.Code).Uses);
        Assert.Equal(2, await UserCountAsync(server));
        Assert.Equal([ownerUser.Id, user.Id], (await owner.GetAdminUsersAsync()).Users.Select(u => u.Id).Order(StringComparer.Ordinal));

        await owner.UpdatePodSettingsAsync(new UpdatePodSettingsRequest(RegistrationMode: RegistrationModes.Open));
        await anonymous.RegisterAsync("anyone", Password);
        Assert.Equal(3, await UserCountAsync(server));
    }

    [Fact]
    public async Task The_first_account_of_a_closed_pod_is_created_once_under_a_race()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["POD:REGISTRATION"] = "closed" });
        var attempts = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            using var client = server.NewClient();
            try
            {
                await client.RegisterAsync($"first{i}", Password);
                return true;
            }
            catch (VoxoraApiException error) when (error.Code == ProblemCodes.RegistrationClosed)
            {
                return false;
            }
        }));
        Assert.Equal(1, attempts.Count(a => a));
        Assert.Equal(1, await UserCountAsync(server));
    }

    [Fact]
    public async Task The_admin_api_is_gated_by_pod_permissions_and_refuses_bad_input_without_changing_anything()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (owner, ownerUser, _) = await server.NewUserAsync("owner");
        using var _o = owner;
        var (member, memberUser, _) = await server.NewUserAsync("member");
        using var _m = member;
        using var anonymous = server.NewClient();

        foreach (var path in new[] { "api/v1/admin/settings", "api/v1/admin/dashboard", "api/v1/admin/users", "api/v1/admin/communities" })
        {
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetAsync(path, VoxoraJsonContext.Default.Problem));
        }

        var refused = await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.GetPodSettingsAsync());
        Assert.Contains("POD_MANAGE_SETTINGS", refused.Message, StringComparison.Ordinal);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.UpdatePodSettingsAsync(new UpdatePodSettingsRequest("Mine now")));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.GetPodDashboardAsync());
        Assert.Contains("POD_BAN_MEMBERS", (await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.GetAdminUsersAsync())).Message, StringComparison.Ordinal);
        Assert.Contains("POD_MANAGE_COMMUNITIES",
            (await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.GetAdminCommunitiesAsync())).Message, StringComparison.Ordinal);

        var before = await owner.GetPodSettingsAsync();
        Assert.Equal(("Voxora", RegistrationModes.Open, (DateTimeOffset?)null), (before.Name, before.RegistrationMode, before.UpdatedAt));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdatePodSettingsAsync(new UpdatePodSettingsRequest(new string('n', 101))));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdatePodSettingsAsync(new UpdatePodSettingsRequest("")));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdatePodSettingsAsync(new UpdatePodSettingsRequest(Description: new string('d', 1001))));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdatePodSettingsAsync(new UpdatePodSettingsRequest(RegistrationMode: "sometimes")));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdatePodSettingsAsync(new UpdatePodSettingsRequest("Ok", RegistrationMode: "")));
        using (var malformed = await SendRawAsync(owner, HttpMethod.Patch, "api/v1/admin/settings", "[1,2"))
        {
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.MalformedRequest, malformed);
        }

        using (var huge = await SendRawAsync(owner, HttpMethod.Patch, "api/v1/admin/settings", $"{{\"name\":\"{new string('x', 2 * 1024 * 1024)}\"}}"))
        {
            await Expect.Problem(HttpStatusCode.RequestEntityTooLarge, ProblemCodes.PayloadTooLarge, huge);
        }

        Assert.Equal(before, await owner.GetPodSettingsAsync());
        Assert.Empty(await owner.GetPodAuditLogAsync());

        var saved = await owner.UpdatePodSettingsAsync(new UpdatePodSettingsRequest("  Clube  ", "Board games\non Fridays", "invite"));
        Assert.Equal(("Clube", "Board games\non Fridays", RegistrationModes.Invite), (saved.Name, saved.Description, saved.RegistrationMode));
        Assert.NotNull(saved.UpdatedAt);
        var cleared = await owner.UpdatePodSettingsAsync(new UpdatePodSettingsRequest(Description: ""));
        Assert.Equal(("Clube", null, RegistrationModes.Invite), (cleared.Name, cleared.Description, cleared.RegistrationMode));
        var log = await owner.GetPodAuditLogAsync();
        Assert.Equal(["pod.settings_update", "pod.settings_update"], log.Select(e => e.Action));
        Assert.Equal(ownerUser.Id, log[^1].ActorId);
        Assert.Equal("Clube", log[^1].Changes!.Value.GetProperty("name").GetProperty("new").GetString());
        Assert.Equal("invite", log[^1].Changes!.Value.GetProperty("registration_mode").GetProperty("new").GetString());

        // The dashboard counts what is there.
        var community = await owner.CreateCommunityAsync("Counted");
        var channel = (await owner.GetChannelsAsync(community.Id)).First(c => c.Type == ChannelTypes.Text);
        await owner.SendMessageAsync(channel.Id, "hello");
        var dashboard = await owner.GetPodDashboardAsync();
        Assert.Equal((2, 1, 1), (dashboard.Users, dashboard.Communities, dashboard.MessagesToday));
        Assert.Equal(provider == Provider.Postgres ? "postgres" : "sqlite", dashboard.DatabaseProvider);
        Assert.True(dashboard.UptimeSeconds >= 0 && dashboard.StorageUsedBytes == 0 && dashboard.InVoice == 0, dashboard.ToString());
        Assert.False(string.IsNullOrEmpty(dashboard.Version));
        Assert.Equal(0, dashboard.GatewayConnections);
        await using (var gateway = await GatewayClient.ConnectAsync(server.BaseAddress))
        {
            await gateway.IdentifyAsync(owner.AccessToken!);
            Assert.Equal(1, (await owner.GetPodDashboardAsync()).GatewayConnections);
        }

        // Dropped, the session is kept for RESUME but nobody is connected.
        for (var waited = 0; (await owner.GetPodDashboardAsync()).GatewayConnections != 0 && waited < 200; waited++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, (await owner.GetPodDashboardAsync()).GatewayConnections);

        // A pod role holding POD_BAN_MEMBERS lists users, and only that.
        var moderators = await owner.CreatePodRoleAsync(new CreatePodRoleRequest("Pod moderators", PodPermission.BanMembers, 5));
        await owner.AddPodRoleAsync(memberUser.Id, moderators.Id);
        var found = await member.GetAdminUsersAsync("MEMB");
        var only = Assert.Single(found.Users);
        Assert.Equal((memberUser.Id, false, false), (only.Id, only.IsOwner, only.Banned));
        Assert.Null(found.NextCursor);
        Assert.Empty((await member.GetAdminUsersAsync("nobody-by-this-name")).Users);
        Assert.Empty((await member.GetAdminUsersAsync(cursor: memberUser.Id.CompareTo(ownerUser.Id) > 0 ? memberUser.Id : ownerUser.Id)).Users);
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => member.GetAdminUsersAsync(new string('a', 33)));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => member.GetAdminUsersAsync(cursor: "com_nope"));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.GetPodDashboardAsync());
        await owner.PodBanAsync(memberUser.Id);
        Assert.True((await owner.GetAdminUsersAsync("member")).Users.Single().Banned);
        Assert.True((await owner.GetAdminUsersAsync("owner")).Users.Single().IsOwner);

        var communities = await owner.GetAdminCommunitiesAsync();
        var listed = Assert.Single(communities.Communities);
        Assert.Equal((community.Id, "Counted", ownerUser.Id, 1), (listed.Id, listed.Name, listed.OwnerId, listed.MemberCount));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.GetAdminCommunitiesAsync("usr_nope"));
    }

    [Fact]
    public async Task An_admin_lists_and_ends_a_users_sessions_as_a_self_revoke_would()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (owner, ownerUser, _) = await server.NewUserAsync("owner");
        using var _o = owner;
        var (member, memberUser, password) = await server.NewUserAsync("member");
        using var _m = member;
        using var phone = server.NewClient();
        await phone.LoginAsync(memberUser.Username, password);
        var (moderator, moderatorUser, _) = await server.NewUserAsync("moderator");
        using var _mod = moderator;
        using var anonymous = server.NewClient();
        var memberPath = $"api/v1/admin/users/{memberUser.Id}/sessions";

        // Unauthenticated, lacking POD_BAN_MEMBERS, unknown or malformed ids: refused, nothing ended.
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetAsync(memberPath, VoxoraJsonContext.Default.Problem));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.EndAdminUserSessionsAsync(memberUser.Id));
        Assert.Contains("POD_BAN_MEMBERS",
            (await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => moderator.GetAdminUserSessionsAsync(memberUser.Id))).Message, StringComparison.Ordinal);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => moderator.EndAdminUserSessionsAsync(memberUser.Id));
        var phoneSession = (await phone.GetSessionsAsync()).Single(s => s.Current).Id;
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => moderator.EndAdminUserSessionAsync(memberUser.Id, phoneSession));
        var unknownUser = memberUser.Id[..^1] + (memberUser.Id[^1] == '0' ? '1' : '0');
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.GetAdminUserSessionsAsync(unknownUser));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.GetAdminUserSessionsAsync("not-a-user"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.EndAdminUserSessionsAsync(unknownUser));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.EndAdminUserSessionAsync(memberUser.Id, "ses_nope"));
        // The owner's own session is not the member's.
        var ownerSession = (await owner.GetSessionsAsync()).Single(s => s.Current).Id;
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.EndAdminUserSessionAsync(memberUser.Id, ownerSession));

        var listed = await owner.GetAdminUserSessionsAsync(memberUser.Id);
        Assert.Equal(2, listed.Count);
        Assert.Contains(listed, s => s.Id == phoneSession);
        Assert.All(listed, s => Assert.False(s.Current));
        Assert.Single(await owner.GetAdminUserSessionsAsync(ownerUser.Id), s => s.Current);
        Assert.Empty(await owner.GetPodAuditLogAsync());

        // Ending one closes its gateway connection and refuses its tokens; the other session carries on.
        await using var phoneGateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await phoneGateway.IdentifyAsync(phone.AccessToken!);
        var phoneRefresh = phone.RefreshToken;
        await owner.EndAdminUserSessionAsync(memberUser.Id, phoneSession);
        var closed = await phoneGateway.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((WebSocketCloseStatus)GatewayCloseCodes.SessionRevoked, closed.Status);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => phone.GetMeAsync());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken, () => phone.RefreshAsync(phoneRefresh));
        Assert.Equal(memberUser.Id, (await member.GetMeAsync()).Id);
        Assert.DoesNotContain(await owner.GetAdminUserSessionsAsync(memberUser.Id), s => s.Id == phoneSession);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.EndAdminUserSessionAsync(memberUser.Id, phoneSession));

        // A pod moderator lists anyone's sessions but ends only those of people below them: not the owner, not themselves.
        var moderators = await owner.CreatePodRoleAsync(new CreatePodRoleRequest("Pod moderators", PodPermission.BanMembers, 5));
        await owner.AddPodRoleAsync(moderatorUser.Id, moderators.Id);
        Assert.Single(await moderator.GetAdminUserSessionsAsync(ownerUser.Id));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.RoleHierarchy, () => moderator.EndAdminUserSessionsAsync(ownerUser.Id));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.RoleHierarchy, () => moderator.EndAdminUserSessionAsync(ownerUser.Id, ownerSession));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.RoleHierarchy, () => moderator.EndAdminUserSessionsAsync(moderatorUser.Id));
        Assert.Equal(ownerUser.Id, (await owner.GetMeAsync()).Id);

        // "End all" by the moderator signs the member out everywhere.
        var memberSession = (await member.GetSessionsAsync()).Single(s => s.Current).Id;
        await moderator.EndAdminUserSessionsAsync(memberUser.Id);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => member.GetMeAsync());
        Assert.Empty(await owner.GetAdminUserSessionsAsync(memberUser.Id));
        // Nothing left to end: no second audit entry.
        await owner.EndAdminUserSessionsAsync(memberUser.Id);

        var log = await owner.GetPodAuditLogAsync();
        var ends = log.Where(e => e.Action == "pod.sessions_end").ToList();
        Assert.Equal(2, ends.Count);
        Assert.Equal((moderatorUser.Id, memberUser.Id), (ends[0].ActorId, ends[0].TargetId));
        Assert.Equal([memberSession], ends[0].Changes!.Value.GetProperty("sessions").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal((ownerUser.Id, memberUser.Id), (ends[1].ActorId, ends[1].TargetId));
        Assert.Equal([phoneSession], ends[1].Changes!.Value.GetProperty("sessions").EnumerateArray().Select(e => e.GetString()));
        Assert.True((await owner.VerifyPodAuditLogAsync()).Intact);
    }

    [Fact]
    public async Task An_admin_deletes_any_community_and_its_members_see_it_go()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (owner, ownerUser, _) = await server.NewUserAsync("owner");
        using var _o = owner;
        var (creator, _, _) = await server.NewUserAsync("creator");
        using var _c = creator;
        var (member, _, _) = await server.NewUserAsync("member");
        using var _m = member;
        using var anonymous = server.NewClient();

        var community = await creator.CreateCommunityAsync("Not the admin's");
        await member.AcceptInviteAsync((await creator.CreateInviteAsync(community.Id)).Code);
        var kept = await creator.CreateCommunityAsync("Kept");

        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.DeleteAdminCommunityAsync(community.Id));
        Assert.Contains("POD_MANAGE_COMMUNITIES",
            (await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.DeleteAdminCommunityAsync(community.Id))).Message, StringComparison.Ordinal);
        // Its own owner goes through DELETE /communities/{id}; the admin path is for pod admins only.
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => creator.DeleteAdminCommunityAsync(community.Id));
        var unknown = community.Id[..^1] + (community.Id[^1] == '0' ? '1' : '0');
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.DeleteAdminCommunityAsync(unknown));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.DeleteAdminCommunityAsync("usr_nope"));
        Assert.Equal(2, (await owner.GetAdminCommunitiesAsync()).Communities.Count);

        await using var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await gateway.IdentifyAsync(member.AccessToken!);
        // The pod owner is not a member, and still deletes it.
        await owner.DeleteAdminCommunityAsync(community.Id);
        var dropped = await gateway.WaitForDispatchAsync(GatewayEvents.CommunityDelete, TimeSpan.FromSeconds(10));
        Assert.Contains(community.Id, dropped.D!.Value.GetRawText(), StringComparison.Ordinal);
        Assert.Empty(await member.GetMyCommunitiesAsync());
        Assert.Equal([kept.Id], (await creator.GetMyCommunitiesAsync()).Select(c => c.Id));
        Assert.Equal([kept.Id], (await owner.GetAdminCommunitiesAsync()).Communities.Select(c => c.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.DeleteAdminCommunityAsync(community.Id));

        // Audited in the community's own chain, the admin as actor, as an owner's delete is.
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var entry = await db.AuditLog.AsNoTracking().Where(a => a.CommunityId == community.Id).OrderBy(a => a.Seq).LastAsync();
        Assert.Equal(("community.delete", ownerUser.Id), (entry.Action, entry.ActorId));
    }

    [Fact]
    public async Task Pod_roles_have_a_colour_are_given_from_the_users_list_and_refuse_the_unauthorised_and_the_malformed()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (owner, ownerUser, _) = await server.NewUserAsync("owner");
        using var _o = owner;
        var (member, memberUser, _) = await server.NewUserAsync("member");
        using var _m = member;
        using var anonymous = server.NewClient();

        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetPodRolesAsync());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.CreatePodRoleAsync(new CreatePodRoleRequest("x")));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.CreatePodRoleAsync(new CreatePodRoleRequest("Mine", Color: 0x112233)));

        // Colour: an RGB value; -1 removes it on an update only.
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.CreatePodRoleAsync(new CreatePodRoleRequest("Auditors", Color: 0x1000000)));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.CreatePodRoleAsync(new CreatePodRoleRequest("Auditors", Color: -1)));
        using (var malformed = await SendRawAsync(owner, HttpMethod.Post, "api/v1/pod/roles", "{\"name\": \"x\", \"color\": \"red\"}"))
        {
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.MalformedRequest, malformed);
        }

        Assert.Equal([PodRoleEntityDefaultId], (await owner.GetPodRolesAsync()).Select(r => r.Id));
        var auditors = await owner.CreatePodRoleAsync(new CreatePodRoleRequest("Auditors", PodPermission.ViewAuditLog, 3, 0x1ABC9C));
        Assert.Equal(("Auditors", 0x1ABC9C, PodPermission.ViewAuditLog), (auditors.Name, auditors.Color, auditors.Permissions));
        Assert.Equal(0x1ABC9C, (await member.GetPodRolesAsync()).Single(r => r.Id == auditors.Id).Color);

        var renamed = await owner.UpdatePodRoleAsync(auditors.Id, new UpdatePodRoleRequest("Log readers", Color: 0xE91E63));
        Assert.Equal(("Log readers", 0xE91E63, PodPermission.ViewAuditLog, 3), (renamed.Name, renamed.Color, renamed.Permissions, renamed.Position));
        Assert.Null((await owner.UpdatePodRoleAsync(auditors.Id, new UpdatePodRoleRequest(Color: -1))).Color);
        Assert.Equal(0x00FF00, (await owner.UpdatePodRoleAsync(auditors.Id, new UpdatePodRoleRequest(Color: 0x00FF00))).Color);
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdatePodRoleAsync(auditors.Id, new UpdatePodRoleRequest(Color: -2)));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdatePodRoleAsync(auditors.Id, new UpdatePodRoleRequest(Color: 0x1000000)));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.UpdatePodRoleAsync(auditors.Id, new UpdatePodRoleRequest(Color: 1)));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.UpdatePodRoleAsync("prl_01ARZ3NDEKTSV4RRFFQ69G5FAV", new UpdatePodRoleRequest(Color: 1)));
        Assert.Equal(0x00FF00, (await owner.GetPodRolesAsync()).Single(r => r.Id == auditors.Id).Color);
        var colourChange = (await owner.GetPodAuditLogAsync(null, "pod_role.update"))[0];
        Assert.Equal(0x00FF00, colourChange.Changes!.Value.GetProperty("color").GetProperty("new").GetInt32());

        // Given from /admin's users list: the list shows each user's pod roles, and the role opens the audit log.
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.GetPodAuditLogAsync());
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.AddPodRoleAsync(memberUser.Id, auditors.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.AddPodRoleAsync("usr_01ARZ3NDEKTSV4RRFFQ69G5FAV", auditors.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.AddPodRoleAsync(memberUser.Id, "prl_01ARZ3NDEKTSV4RRFFQ69G5FAV"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.AddPodRoleAsync(memberUser.Id, PodRoleEntityDefaultId));
        Assert.Empty((await owner.GetAdminUsersAsync("member")).Users.Single().Roles!);
        await owner.AddPodRoleAsync(memberUser.Id, auditors.Id);
        Assert.Equal([auditors.Id], (await owner.GetAdminUsersAsync("member")).Users.Single().Roles!);
        Assert.Empty((await owner.GetAdminUsersAsync("owner")).Users.Single().Roles!);
        Assert.NotEmpty(await member.GetPodAuditLogAsync());
        Assert.True((await member.VerifyPodAuditLogAsync()).Intact);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.GetPodSettingsAsync());

        await owner.RemovePodRoleAsync(memberUser.Id, auditors.Id);
        Assert.Empty((await owner.GetAdminUsersAsync("member")).Users.Single().Roles!);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.VerifyPodAuditLogAsync());
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.DeletePodRoleAsync(auditors.Id));
        await owner.DeletePodRoleAsync(auditors.Id);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.DeletePodRoleAsync(auditors.Id));
        var actions = (await owner.GetPodAuditLogAsync()).Select(e => e.Action).ToList();
        Assert.Equal(["pod_role.delete", "pod.member_role_update", "pod.member_role_update"], actions.Take(3));
        Assert.Equal(ownerUser.Id, (await owner.GetPodAuditLogAsync(ownerUser.Id, "pod_role.create")).Single().ActorId);
    }

    private const string PodRoleEntityDefaultId = "prl_default";

    [Fact]
    public async Task The_pod_audit_log_filters_by_action_actor_and_date_and_refuses_bad_filters()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (owner, ownerUser, _) = await server.NewUserAsync("owner");
        using var _o = owner;
        var (member, memberUser, _) = await server.NewUserAsync("member");
        using var _m = member;
        using var anonymous = server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.GetPodAuditLogAsync());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.VerifyPodAuditLogAsync());
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.GetPodAuditLogAsync(null, since: "2020-01-01"));

        await owner.UpdatePodSettingsAsync(new UpdatePodSettingsRequest("Filtered"));
        var role = await owner.CreatePodRoleAsync(new CreatePodRoleRequest("Helpers", PodPermission.ViewAuditLog, 2));
        await owner.AddPodRoleAsync(memberUser.Id, role.Id);
        var all = await owner.GetPodAuditLogAsync();
        Assert.Equal(["pod.member_role_update", "pod_role.create", "pod.settings_update"], all.Select(e => e.Action));

        Assert.Equal(role.Id, (await owner.GetPodAuditLogAsync(null, "pod_role.create")).Single().TargetId);
        Assert.Empty(await owner.GetPodAuditLogAsync(memberUser.Id));
        Assert.Equal(3, (await member.GetPodAuditLogAsync(ownerUser.Id)).Count);
        Assert.Empty(await owner.GetPodAuditLogAsync(null, "pod.ban"));

        // Dates: since is inclusive, until exclusive; a plain date is its UTC midnight.
        var (oldest, newest) = (all[^1], all[0]);
        var firstDay = oldest.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(3, (await owner.GetPodAuditLogAsync(null, since: firstDay)).Count);
        Assert.Equal(3, (await owner.GetPodAuditLogAsync(null, since: Iso(oldest.CreatedAt))).Count);
        Assert.Empty(await owner.GetPodAuditLogAsync(null, since: Iso(newest.CreatedAt.AddMilliseconds(1))));
        Assert.Empty(await owner.GetPodAuditLogAsync(null, until: Iso(oldest.CreatedAt)));
        Assert.Empty(await owner.GetPodAuditLogAsync(null, until: firstDay));
        Assert.Equal(3, (await owner.GetPodAuditLogAsync(null, until: Iso(newest.CreatedAt.AddDays(1)), since: firstDay)).Count);
        var withOffset = newest.CreatedAt.AddMilliseconds(1).ToOffset(TimeSpan.FromHours(-3)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(3, (await owner.GetPodAuditLogAsync(null, until: withOffset)).Count);
        Assert.Equal(["pod_role.create"], (await owner.GetPodAuditLogAsync(ownerUser.Id, "pod_role.create", firstDay)).Select(e => e.Action));

        foreach (var bad in new[] { "yesterday", "2026-12-06T10:00:00", "2026-13-01", "" })
        {
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.GetPodAuditLogAsync(null, since: bad));
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.GetPodAuditLogAsync(null, until: bad));
        }

        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.GetPodAuditLogAsync(null, since: "2026-12-06", until: "2026-12-06"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.GetPodAuditLogAsync("com_nope"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.GetPodAuditLogAsync(null, before: "aud_01ARZ3NDEKTSV4RRFFQ69G5FAV"));

        // The community log takes the same date filters.
        var community = await owner.CreateCommunityAsync("Dated");
        await owner.UpdateCommunityAsync(community.Id, "Dated again");
        var communityLog = $"api/v1/communities/{community.Id}/audit-log";
        Assert.NotEmpty(await owner.GetAsync($"{communityLog}?since={firstDay}", VoxoraJsonContext.Default.ListAuditEntry));
        Assert.Empty(await owner.GetAsync($"{communityLog}?until={firstDay}", VoxoraJsonContext.Default.ListAuditEntry));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.GetAsync($"{communityLog}?since=soon", VoxoraJsonContext.Default.ListAuditEntry));
        Assert.True((await owner.VerifyPodAuditLogAsync()).Intact);
    }

    [Fact]
    public async Task The_pods_upload_limit_is_a_default_within_the_servers_maximum_and_uploads_are_held_to_it()
    {
        await using var server = await TestServer.StartAsync(provider, new Dictionary<string, string?> { ["MEDIA:MAX_UPLOAD_BYTES"] = "100000" });
        var (owner, _, _) = await server.NewUserAsync("owner");
        using var _o = owner;
        var (member, _, _) = await server.NewUserAsync("member");
        using var _m = member;
        var community = await owner.CreateCommunityAsync("Uploads");
        var channel = (await owner.GetChannelsAsync(community.Id)).First(c => c.Type == ChannelTypes.Text).Id;

        var settings = await owner.GetPodSettingsAsync();
        Assert.Equal(((long?)null, 100000L), (settings.MaxUploadBytes, settings.MaxUploadBytesLimit));
        await owner.CreateAttachmentAsync(channel, "full.txt", "text/plain", 100000);

        // Within 1 … the server's maximum; 0 goes back to that maximum.
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdatePodSettingsAsync(new UpdatePodSettingsRequest(MaxUploadBytes: 100001)));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdatePodSettingsAsync(new UpdatePodSettingsRequest(MaxUploadBytes: -1)));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.UpdatePodSettingsAsync(new UpdatePodSettingsRequest(MaxUploadBytes: 10)));
        using (var malformed = await SendRawAsync(owner, HttpMethod.Patch, "api/v1/admin/settings", "{\"max_upload_bytes\": \"lots\"}"))
        {
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.MalformedRequest, malformed);
        }

        Assert.Null((await owner.GetPodSettingsAsync()).MaxUploadBytes);
        var pending = await owner.CreateAttachmentAsync(channel, "later.txt", "text/plain", 400);
        var lowered = await owner.UpdatePodSettingsAsync(new UpdatePodSettingsRequest(MaxUploadBytes: 300));
        Assert.Equal((300L, 100000L), (lowered.MaxUploadBytes, lowered.MaxUploadBytesLimit));
        var refused = await Expect.Problem(HttpStatusCode.RequestEntityTooLarge, ProblemCodes.FileTooLarge, () => owner.CreateAttachmentAsync(channel, "big.txt", "text/plain", 301));
        Assert.Contains("300 bytes", refused.Message, StringComparison.Ordinal);
        await owner.CreateAttachmentAsync(channel, "fits.txt", "text/plain", 300);

        // Announced under the old limit, uploaded under the new: held to the new.
        await Expect.Problem(HttpStatusCode.RequestEntityTooLarge, ProblemCodes.FileTooLarge,
            () => owner.UploadAttachmentAsync(pending.UploadUrl, Encoding.UTF8.GetBytes(new string('a', 400))));

        var entry = (await owner.GetPodAuditLogAsync(null, "pod.settings_update"))[0];
        Assert.Equal(300, entry.Changes!.Value.GetProperty("max_upload_bytes").GetProperty("new").GetInt64());
        Assert.Null((await owner.UpdatePodSettingsAsync(new UpdatePodSettingsRequest(MaxUploadBytes: 0))).MaxUploadBytes);
        await owner.CreateAttachmentAsync(channel, "full-again.txt", "text/plain", 100000);
    }
}

public sealed class PodAdminTestsOnSqlite() : PodAdminTests(Provider.Sqlite);

public sealed class PodAdminTestsOnPostgres() : PodAdminTests(Provider.Postgres);
