using System.Net;
using System.Net.WebSockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Infrastructure;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// Pod-level permissions and bans on a fresh server each (the first registered user is the pod owner),
/// and the Permissions migration giving existing communities' @everyone the defaults. On each provider.
/// </summary>
public abstract class PodTests(Provider provider)
{
    [Fact]
    public async Task The_first_user_owns_the_pod_and_pod_bans_end_sessions_and_refuse_logins()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (owner, ownerUser, _) = await server.NewUserAsync("podowner");
        using var _o = owner;
        var (user, userUser, password) = await server.NewUserAsync("poduser");
        using var _u = user;

        var me = await owner.GetPodSelfAsync();
        Assert.True(me.IsOwner);
        Assert.Equal(PodPermission.All, me.Permissions);
        var plain = await user.GetPodSelfAsync();
        Assert.False(plain.IsOwner);
        Assert.Equal(PodPermission.EveryoneDefault, plain.Permissions);

        // Only holders of POD_BAN_MEMBERS ban; nobody bans the owner.
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => user.PodBanAsync(ownerUser.Id));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => user.GetPodBansAsync());
        Assert.True((await owner.GetPodSelfAsync()).IsOwner);

        var community = await user.CreateCommunityAsync("Before the ban");
        await using var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await gateway.IdentifyAsync(user.AccessToken!);
        var refresh = user.RefreshToken;

        await owner.PodBanAsync(userUser.Id, "abuse");
        var closed = await gateway.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((WebSocketCloseStatus)GatewayCloseCodes.SessionRevoked, closed.Status);
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => user.GetMeAsync());
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidRefreshToken, () => user.RefreshAsync(refresh));
        using var again = server.NewClient();
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.PodBanned, () => again.LoginAsync(userUser.Username, password));
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.InvalidCredentials, () => again.LoginAsync(userUser.Username, "wrong password!"));
        var ban = Assert.Single(await owner.GetPodBansAsync());
        Assert.Equal((userUser.Id, "abuse"), (ban.User.Id, ban.Reason));

        await owner.PodUnbanAsync(userUser.Id);
        await again.LoginAsync(userUser.Username, password);
        Assert.Contains(await again.GetMyCommunitiesAsync(), c => c.Id == community.Id);

        var log = await owner.GetPodAuditLogAsync();
        Assert.Equal(["pod.unban", "pod.ban"], log.Select(e => e.Action));
        Assert.True((await owner.VerifyPodAuditLogAsync()).Intact);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => again.GetPodAuditLogAsync());
    }

    [Fact]
    public async Task Pod_roles_grant_pod_permissions_and_the_default_role_gates_community_creation()
    {
        await using var server = await TestServer.StartAsync(provider);
        var (owner, _, _) = await server.NewUserAsync("podowner");
        using var _o = owner;
        var (user, userUser, _) = await server.NewUserAsync("poduser");
        using var _u = user;
        var (target, targetUser, _) = await server.NewUserAsync("target");
        using var _t = target;

        var defaults = Assert.Single(await owner.GetPodRolesAsync());
        Assert.True(defaults.IsDefault);
        Assert.Equal(PodPermission.EveryoneDefault, defaults.Permissions);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => user.CreatePodRoleAsync(new CreatePodRoleRequest("x")));

        var moderators = await owner.CreatePodRoleAsync(new CreatePodRoleRequest("Pod moderators", PodPermission.BanMembers, 5));
        await owner.AddPodRoleAsync(userUser.Id, moderators.Id);
        Assert.Equal(PodPermission.EveryoneDefault | PodPermission.BanMembers, (await user.GetPodSelfAsync()).Permissions);
        await user.PodBanAsync(targetUser.Id);
        Assert.Single(await user.GetPodBansAsync());

        // Without POD_CREATE_COMMUNITY on the default role, only the owner creates communities.
        await owner.SendAsync(HttpMethod.Patch, $"api/v1/pod/roles/{defaults.Id}", new UpdatePodRoleRequest(Permissions: 0), VoxoraJsonContext.Default.UpdatePodRoleRequest);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => user.CreateCommunityAsync("nope"));
        await owner.CreateCommunityAsync("mine");
        Assert.Empty(await user.GetMyCommunitiesAsync());
    }

    [Fact]
    public async Task The_permissions_migration_gives_existing_communities_everyone_the_defaults()
    {
        var dataDir = Directory.CreateTempSubdirectory("voxora-migrate-").FullName;
        string connectionString;
        string? database = null;
        if (provider == Provider.Postgres)
        {
            database = "voxora_test_" + Guid.NewGuid().ToString("N")[..12];
            await using (var admin = new NpgsqlConnection(TestServer.PostgresAdminConnectionString))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
                await create.ExecuteNonQueryAsync();
            }

            connectionString = new NpgsqlConnectionStringBuilder(TestServer.PostgresAdminConnectionString) { Database = database }.ConnectionString;
        }
        else
        {
            connectionString = $"Data Source={Path.Combine(dataDir, "voxora.db")};Pooling=False";
        }

        try
        {
            var options = new DbContextOptionsBuilder<VoxoraDbContext>();
            DatabaseSetup.Configure(options, provider == Provider.Postgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite, connectionString);
            await using (var db = new VoxoraDbContext(options.Options))
            {
                var migrator = db.GetService<IMigrator>();
                var chatCore = db.Database.GetMigrations().Single(m => m.EndsWith("_ChatCore", StringComparison.Ordinal));
                await migrator.MigrateAsync(chatCore);
                var now = provider == Provider.Postgres ? "now()" : "0";
                var yes = provider == Provider.Postgres ? "TRUE" : "1";
                var users = $"INSERT INTO users (id, username, username_normalized, password_hash, created_at) VALUES ('usr_old', 'old', 'old', 'x', {now});";
                var communities = $"INSERT INTO communities (id, name, owner_id, created_at) VALUES ('com_old', 'Old', 'usr_old', {now});";
                var roles = $"INSERT INTO roles (id, community_id, name, permissions, position, is_everyone, created_at) VALUES ('rol_old', 'com_old', '@everyone', 0, 0, {yes}, {now});";
                foreach (var sql in new[] { users, communities, roles })
                {
                    await db.Database.ExecuteSqlRawAsync(sql);
                }

                await migrator.MigrateAsync();
            }

            await using (var db = new VoxoraDbContext(options.Options))
            {
                Assert.Equal(Permission.EveryoneDefault, await db.Roles.Where(r => r.Id == "rol_old").Select(r => r.Permissions).SingleAsync());
                Assert.Equal(PodPermission.EveryoneDefault, await db.PodRoles.Where(r => r.IsDefault).Select(r => r.Permissions).SingleAsync());
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (database is not null)
            {
                await using var admin = new NpgsqlConnection(TestServer.PostgresAdminConnectionString);
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }

            Directory.Delete(dataDir, recursive: true);
        }
    }
}

public sealed class PodTestsOnSqlite() : PodTests(Provider.Sqlite);

public sealed class PodTestsOnPostgres() : PodTests(Provider.Postgres);
