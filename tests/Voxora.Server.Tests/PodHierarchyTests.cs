using System.Net;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// The pod role hierarchy (security review, issue 12 finding 2): pod administrators act only below their
/// highest pod role, grant only what they hold, never give the default role POD_ADMINISTRATOR unless they
/// own the pod, and only the owner bans or unbans an administrator. Every refusal is a 403 problem that
/// changes nothing and writes nothing to the pod audit log. On each provider.
/// </summary>
public abstract class PodHierarchyTests(Provider provider)
{
    /// <summary>The owner, a high administrator (position 10), a low administrator (position 5), a pod moderator (3) and a plain user.</summary>
    private sealed class Pod : IAsyncDisposable
    {
        public required TestServer Server { get; init; }
        public required VoxoraClient Owner { get; init; }
        public required VoxoraClient High { get; init; }
        public required User HighUser { get; init; }
        public required VoxoraClient Low { get; init; }
        public required User LowUser { get; init; }
        public required VoxoraClient Moderator { get; init; }
        public required User ModeratorUser { get; init; }
        public required VoxoraClient Plain { get; init; }
        public required User PlainUser { get; init; }
        public required PodRole HighRole { get; init; }
        public required PodRole LowRole { get; init; }
        public required PodRole ModeratorRole { get; init; }
        public required PodRole DefaultRole { get; init; }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in new[] { Owner, High, Low, Moderator, Plain })
            {
                client.Dispose();
            }

            await Server.DisposeAsync();
        }
    }

    private async Task<Pod> StartPodAsync()
    {
        var server = await TestServer.StartAsync(provider);
        var (owner, _, _) = await server.NewUserAsync("podowner");
        var (high, highUser, _) = await server.NewUserAsync("highadmin");
        var (low, lowUser, _) = await server.NewUserAsync("lowadmin");
        var (moderator, moderatorUser, _) = await server.NewUserAsync("podmod");
        var (plain, plainUser, _) = await server.NewUserAsync("plain");
        var highRole = await owner.CreatePodRoleAsync(new CreatePodRoleRequest("High admins", PodPermission.Administrator, 10));
        var lowRole = await owner.CreatePodRoleAsync(new CreatePodRoleRequest("Low admins", PodPermission.Administrator, 5));
        var moderatorRole = await owner.CreatePodRoleAsync(new CreatePodRoleRequest("Pod moderators", PodPermission.BanMembers, 3));
        await owner.AddPodRoleAsync(highUser.Id, highRole.Id);
        await owner.AddPodRoleAsync(lowUser.Id, lowRole.Id);
        await owner.AddPodRoleAsync(moderatorUser.Id, moderatorRole.Id);
        var defaults = (await owner.GetPodRolesAsync()).Single(r => r.IsDefault);
        return new Pod
        {
            Server = server, Owner = owner, High = high, HighUser = highUser, Low = low, LowUser = lowUser, Moderator = moderator,
            ModeratorUser = moderatorUser, Plain = plain, PlainUser = plainUser, HighRole = highRole, LowRole = lowRole,
            ModeratorRole = moderatorRole, DefaultRole = defaults,
        };
    }

    private static Task Hierarchy(Func<Task> call) => Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.RoleHierarchy, call);

    private static async Task<string> RolesFingerprintAsync(VoxoraClient client) =>
        string.Join("|", (await client.GetPodRolesAsync()).Select(r => $"{r.Id}:{r.Name}:{r.Permissions}:{r.Position}"));

    [Fact]
    public async Task A_low_administrator_cannot_touch_a_higher_administrator_or_their_role()
    {
        await using var pod = await StartPodAsync();
        var roles = await RolesFingerprintAsync(pod.Owner);
        var audited = (await pod.Owner.GetPodAuditLogAsync()).Count;

        // Take the higher administrator's role away, edit it, delete it, or give it to oneself.
        await Hierarchy(() => pod.Low.RemovePodRoleAsync(pod.HighUser.Id, pod.HighRole.Id));
        await Hierarchy(() => pod.Low.UpdatePodRoleAsync(pod.HighRole.Id, new UpdatePodRoleRequest(Permissions: 0)));
        await Hierarchy(() => pod.Low.UpdatePodRoleAsync(pod.HighRole.Id, new UpdatePodRoleRequest(Name: "demoted")));
        await Hierarchy(() => pod.Low.UpdatePodRoleAsync(pod.HighRole.Id, new UpdatePodRoleRequest(Position: 1)));
        await Hierarchy(() => pod.Low.DeletePodRoleAsync(pod.HighRole.Id));
        await Hierarchy(() => pod.Low.AddPodRoleAsync(pod.LowUser.Id, pod.HighRole.Id));

        // Climb: move one's own role to or above the higher one, or create a role at or above one's own level.
        await Hierarchy(() => pod.Low.UpdatePodRoleAsync(pod.LowRole.Id, new UpdatePodRoleRequest(Position: 10)));
        await Hierarchy(() => pod.Low.UpdatePodRoleAsync(pod.LowRole.Id, new UpdatePodRoleRequest(Position: 11)));
        await Hierarchy(() => pod.Low.UpdatePodRoleAsync(pod.LowRole.Id, new UpdatePodRoleRequest(Name: "renamed")));
        await Hierarchy(() => pod.Low.CreatePodRoleAsync(new CreatePodRoleRequest("Top", PodPermission.Administrator, 5)));
        await Hierarchy(() => pod.Low.CreatePodRoleAsync(new CreatePodRoleRequest("Top", PodPermission.Administrator, 1000)));

        // Ban the higher administrator, which would also end all their sessions.
        await Hierarchy(() => pod.Low.PodBanAsync(pod.HighUser.Id));

        Assert.Equal(roles, await RolesFingerprintAsync(pod.Owner));
        Assert.Contains(pod.HighRole.Id, (await pod.High.GetPodSelfAsync()).Roles);
        Assert.Equal(PodPermission.All, (await pod.High.GetPodSelfAsync()).Permissions);
        Assert.Empty(await pod.Owner.GetPodBansAsync());
        Assert.Equal(audited, (await pod.Owner.GetPodAuditLogAsync()).Count);
    }

    [Fact]
    public async Task Only_the_owner_bans_or_unbans_an_administrator()
    {
        await using var pod = await StartPodAsync();
        var audited = (await pod.Owner.GetPodAuditLogAsync()).Count;

        // Even from above, a non-owner does not ban an administrator; nor does a moderator ban anyone at or above them.
        await Hierarchy(() => pod.High.PodBanAsync(pod.LowUser.Id));
        await Hierarchy(() => pod.Moderator.PodBanAsync(pod.LowUser.Id));
        await Hierarchy(() => pod.Moderator.PodBanAsync(pod.HighUser.Id));
        Assert.Empty(await pod.Owner.GetPodBansAsync());
        Assert.Equal(audited, (await pod.Owner.GetPodAuditLogAsync()).Count);
        await pod.Low.GetMeAsync();

        // The owner bans the low administrator; neither the higher administrator nor a moderator lifts that ban.
        await pod.Owner.PodBanAsync(pod.LowUser.Id, "rogue");
        audited++;
        await Hierarchy(() => pod.High.PodUnbanAsync(pod.LowUser.Id));
        await Hierarchy(() => pod.Moderator.PodUnbanAsync(pod.LowUser.Id));
        Assert.Equal(pod.LowUser.Id, Assert.Single(await pod.Owner.GetPodBansAsync()).User.Id);
        Assert.Equal(audited, (await pod.Owner.GetPodAuditLogAsync()).Count);

        await pod.Owner.PodUnbanAsync(pod.LowUser.Id);
        Assert.Empty(await pod.Owner.GetPodBansAsync());
    }

    [Fact]
    public async Task Nobody_but_the_owner_gives_the_default_role_administrator()
    {
        await using var pod = await StartPodAsync();
        var audited = (await pod.Owner.GetPodAuditLogAsync()).Count;

        await Hierarchy(() => pod.High.UpdatePodRoleAsync(pod.DefaultRole.Id, new UpdatePodRoleRequest(Permissions: PodPermission.EveryoneDefault | PodPermission.Administrator)));
        await Hierarchy(() => pod.Low.UpdatePodRoleAsync(pod.DefaultRole.Id, new UpdatePodRoleRequest(Permissions: PodPermission.Administrator)));
        Assert.Equal(PodPermission.EveryoneDefault, (await pod.Owner.GetPodRolesAsync()).Single(r => r.IsDefault).Permissions);
        Assert.Equal(PodPermission.EveryoneDefault, (await pod.Plain.GetPodSelfAsync()).Permissions);
        Assert.Equal(audited, (await pod.Owner.GetPodAuditLogAsync()).Count);

        // An administrator above it may still give it other bits they hold, and take bits away.
        await pod.Low.UpdatePodRoleAsync(pod.DefaultRole.Id, new UpdatePodRoleRequest(Permissions: PodPermission.EveryoneDefault | PodPermission.ViewAuditLog));
        await pod.Low.UpdatePodRoleAsync(pod.DefaultRole.Id, new UpdatePodRoleRequest(Permissions: PodPermission.ManageInvites));
        Assert.Equal(PodPermission.ManageInvites, (await pod.Plain.GetPodSelfAsync()).Permissions);

        // The owner may do it (it is their pod), and undo it.
        await pod.Owner.UpdatePodRoleAsync(pod.DefaultRole.Id, new UpdatePodRoleRequest(Permissions: PodPermission.Administrator));
        Assert.Equal(PodPermission.All, (await pod.Plain.GetPodSelfAsync()).Permissions);
        await pod.Owner.UpdatePodRoleAsync(pod.DefaultRole.Id, new UpdatePodRoleRequest(Permissions: PodPermission.EveryoneDefault));
        Assert.Equal(PodPermission.EveryoneDefault, (await pod.Plain.GetPodSelfAsync()).Permissions);
    }

    [Fact]
    public async Task Administrators_still_manage_everything_below_them()
    {
        await using var pod = await StartPodAsync();

        // The higher administrator manages the lower role and its holder.
        await pod.High.UpdatePodRoleAsync(pod.LowRole.Id, new UpdatePodRoleRequest(Name: "Junior admins", Position: 6));
        await pod.High.RemovePodRoleAsync(pod.LowUser.Id, pod.LowRole.Id);
        Assert.Equal(PodPermission.EveryoneDefault, (await pod.Low.GetPodSelfAsync()).Permissions);
        await pod.High.AddPodRoleAsync(pod.LowUser.Id, pod.LowRole.Id);

        // The lower administrator creates, edits, gives, takes and deletes roles below their own, and bans below them.
        var helpers = await pod.Low.CreatePodRoleAsync(new CreatePodRoleRequest("Helpers", PodPermission.BanMembers | PodPermission.ViewAuditLog, 4));
        await pod.Low.UpdatePodRoleAsync(helpers.Id, new UpdatePodRoleRequest(Position: 2));
        await pod.Low.AddPodRoleAsync(pod.PlainUser.Id, helpers.Id);
        Assert.Equal(PodPermission.EveryoneDefault | PodPermission.BanMembers | PodPermission.ViewAuditLog, (await pod.Plain.GetPodSelfAsync()).Permissions);
        await pod.Low.RemovePodRoleAsync(pod.PlainUser.Id, helpers.Id);
        await pod.Low.DeletePodRoleAsync(helpers.Id);
        await pod.Low.RemovePodRoleAsync(pod.ModeratorUser.Id, pod.ModeratorRole.Id);
        await pod.Low.AddPodRoleAsync(pod.ModeratorUser.Id, pod.ModeratorRole.Id);

        // A moderator bans and unbans users below them; an administrator bans a moderator.
        await pod.Moderator.PodBanAsync(pod.PlainUser.Id);
        await pod.Moderator.PodUnbanAsync(pod.PlainUser.Id);
        await pod.Low.PodBanAsync(pod.ModeratorUser.Id);
        await pod.Low.PodUnbanAsync(pod.ModeratorUser.Id);

        // The owner is above everyone.
        await pod.Owner.PodBanAsync(pod.HighUser.Id);
        await pod.Owner.PodUnbanAsync(pod.HighUser.Id);
        await pod.Owner.DeletePodRoleAsync(pod.HighRole.Id);

        var actions = (await pod.Owner.GetPodAuditLogAsync()).Select(e => e.Action).ToList();
        Assert.Equal(3, actions.Count(a => a == "pod.ban"));
        Assert.True((await pod.Owner.VerifyPodAuditLogAsync()).Intact);
    }

    [Fact]
    public async Task A_community_administrator_cannot_give_everyone_administrator()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (owner, _, _) = await server.NewUserAsync("owner");
        using var _o = owner;
        var (admin, adminUser, _) = await server.NewUserAsync("admin");
        using var _a = admin;
        var community = await owner.CreateCommunityAsync("Hierarchy");
        var invite = await owner.CreateInviteAsync(community.Id);
        await admin.AcceptInviteAsync(invite.Code);
        var admins = await owner.CreateRoleAsync(community.Id, new CreateRoleRequest("Admins", Permission.Administrator, Position: 10));
        await owner.AddMemberRoleAsync(community.Id, adminUser.Id, admins.Id);
        var everyone = (await owner.GetRolesAsync(community.Id)).Single(r => r.Position == 0);

        await Hierarchy(() => admin.UpdateRoleAsync(community.Id, everyone.Id, new UpdateRoleRequest(Permissions: everyone.Permissions | Permission.Administrator)));
        Assert.Equal(everyone.Permissions, (await owner.GetRolesAsync(community.Id)).Single(r => r.Id == everyone.Id).Permissions);

        // Other bits they hold are still theirs to give; the owner may give ADMINISTRATOR to everyone.
        await admin.UpdateRoleAsync(community.Id, everyone.Id, new UpdateRoleRequest(Permissions: everyone.Permissions | Permission.ManageMessages));
        await owner.UpdateRoleAsync(community.Id, everyone.Id, new UpdateRoleRequest(Permissions: everyone.Permissions | Permission.Administrator));
    }
}

public sealed class PodHierarchyTestsOnSqlite() : PodHierarchyTests(Provider.Sqlite);

public sealed class PodHierarchyTestsOnPostgres() : PodHierarchyTests(Provider.Postgres);
