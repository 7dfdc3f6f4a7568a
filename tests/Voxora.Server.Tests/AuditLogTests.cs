using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// The audit log: filters and paging, the hash chain (verify names the first tampered entry), the database
/// refusing UPDATE and DELETE, race-free appends, and entries outliving their community. On each provider.
/// </summary>
public abstract class AuditLogTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private async Task<int> SqlAsync(string sql)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        // Raw SQL here goes through string.Format: braces in the statement must be doubled.
        return await db.Database.ExecuteSqlRawAsync(sql.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal));
    }

    private string RecreateUpdateTrigger => Server.Provider == Provider.Postgres
        ? "CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();"
        : "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;";

    private string DropUpdateTrigger => Server.Provider == Provider.Postgres
        ? "DROP TRIGGER audit_log_no_update ON audit_log;"
        : "DROP TRIGGER audit_log_no_update;";

    [Fact]
    public async Task Entries_are_listed_newest_first_with_filters_and_cursor()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, memberUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var role = await owner.CreateRoleAsync(community.Id, new CreateRoleRequest("mods", Permission.ManageMessages | Permission.CreateInvites));
        await owner.UpdateRoleAsync(community.Id, role.Id, new UpdateRoleRequest("moderators"));
        await owner.AddMemberRoleAsync(community.Id, memberUser.Id, role.Id);
        await owner.UpdateCommunityAsync(community.Id, "Renamed");
        await member.CreateInviteAsync(community.Id);
        await owner.SetOverrideAsync(community.TextChannel().Id, "role", role.Id, Permission.MentionEveryone, 0);

        var all = await owner.GetAuditLogAsync(community.Id);
        Assert.Equal(all.OrderByDescending(e => e.Seq).Select(e => e.Id), all.Select(e => e.Id));
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i).Reverse(), all.Select(e => e.Seq));
        Assert.Equal(AuditLogGenesis, all[^1].PrevHash);
        Assert.Contains(all, e => e.Action == "role.create");
        var rename = Assert.Single(all, e => e.Action == "role.update");
        Assert.Equal("mods", rename.Changes!.Value.GetProperty("name").GetProperty("old").GetString());
        Assert.Equal("moderators", rename.Changes!.Value.GetProperty("name").GetProperty("new").GetString());
        Assert.Contains(all, e => e.Action == "member.role_update" && e.TargetId == memberUser.Id);
        Assert.Contains(all, e => e.Action == "community.update");
        Assert.Contains(all, e => e.Action == "channel_override.update");

        var byMember = await owner.GetAuditLogAsync(community.Id, userId: memberUser.Id);
        Assert.Equal("invite.create", Assert.Single(byMember).Action);
        Assert.All(await owner.GetAuditLogAsync(community.Id, userId: ownerUser.Id), e => Assert.Equal(ownerUser.Id, e.ActorId));
        Assert.Single(await owner.GetAuditLogAsync(community.Id, action: "role.create"));
        var page = await owner.GetAuditLogAsync(community.Id, limit: 2);
        Assert.Equal(all.Take(2).Select(e => e.Id), page.Select(e => e.Id));
        var next = await owner.GetAuditLogAsync(community.Id, before: page[^1].Id, limit: 2);
        Assert.Equal(all.Skip(2).Take(2).Select(e => e.Id), next.Select(e => e.Id));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.GetAuditLogAsync(community.Id, limit: 101));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.GetAuditLogAsync(community.Id, before: "aud_nope"));

        var verified = await owner.VerifyAuditLogAsync(community.Id);
        Assert.Equal(new AuditVerification(true, all.Count, null), verified);
    }

    private static readonly string AuditLogGenesis = new('0', 64);

    [Fact]
    public async Task The_database_refuses_to_update_or_delete_audit_entries()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        await owner.UpdateCommunityAsync(community.Id, "Changed");
        var entry = Assert.Single(await owner.GetAuditLogAsync(community.Id));

        await Assert.ThrowsAnyAsync<Exception>(() => SqlAsync($"UPDATE audit_log SET reason = 'rewritten' WHERE id = '{entry.Id}'"));
        await Assert.ThrowsAnyAsync<Exception>(() => SqlAsync($"DELETE FROM audit_log WHERE id = '{entry.Id}'"));
        await Assert.ThrowsAnyAsync<Exception>(() => SqlAsync($"DELETE FROM audit_log WHERE community_id = '{community.Id}'"));
        if (Server.Provider == Provider.Postgres)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => SqlAsync("TRUNCATE audit_log"));
        }

        Assert.Equal(entry, Assert.Single(await owner.GetAuditLogAsync(community.Id)) with { Changes = entry.Changes });
        Assert.True((await owner.VerifyAuditLogAsync(community.Id)).Intact);
    }

    [Fact]
    public async Task Verify_names_the_first_entry_edited_behind_the_servers_back()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        for (var i = 0; i < 5; i++)
        {
            await owner.UpdateCommunityAsync(community.Id, $"Name {i}");
        }

        var entries = (await owner.GetAuditLogAsync(community.Id)).OrderBy(e => e.Seq).ToList();
        Assert.Equal(5, entries.Count);
        var victim = entries[2];

        // Someone with database access drops the guard, rewrites history, and puts the guard back.
        await SqlAsync(DropUpdateTrigger);
        try
        {
            Assert.Equal(1, await SqlAsync($"UPDATE audit_log SET changes = '{{\"name\":{{\"old\":\"x\",\"new\":\"innocent\"}}}}' WHERE id = '{victim.Id}'"));
        }
        finally
        {
            await SqlAsync(RecreateUpdateTrigger);
        }

        var result = await owner.VerifyAuditLogAsync(community.Id);
        Assert.False(result.Intact);
        Assert.Equal(victim.Id, result.FirstBrokenId);
        Assert.Equal(3, result.Checked);

        // Recomputing that entry's hash does not help: the next entry's prev_hash no longer matches.
        await SqlAsync(DropUpdateTrigger);
        try
        {
            var stored = await ReadAsync(victim.Id);
            var rehashed = Voxora.Server.Features.Audit.AuditLog.HashOf(stored);
            await SqlAsync($"UPDATE audit_log SET hash = '{rehashed}' WHERE id = '{victim.Id}'");
        }
        finally
        {
            await SqlAsync(RecreateUpdateTrigger);
        }

        result = await owner.VerifyAuditLogAsync(community.Id);
        Assert.False(result.Intact);
        Assert.Equal(entries[3].Id, result.FirstBrokenId);
    }

    private async Task<Voxora.Server.Features.Audit.AuditEntryEntity> ReadAsync(string id)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        return await db.AuditLog.AsNoTracking().SingleAsync(a => a.Id == id);
    }

    [Fact]
    public async Task Concurrent_moderation_actions_never_fork_the_chain()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => owner.CreateRoleAsync(community.Id, new CreateRoleRequest($"role {i}"))));

        var entries = await owner.GetAuditLogAsync(community.Id, limit: 100);
        Assert.Equal(20, entries.Count);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i).Reverse(), entries.Select(e => e.Seq));
        Assert.Equal(20, entries.Select(e => e.PrevHash).Distinct().Count());
        Assert.Equal(new AuditVerification(true, 20, null), await owner.VerifyAuditLogAsync(community.Id));

        // A second writer (another node) cannot insert a competing entry after the same tail.
        var tail = entries[0];
        var sql = Server.Provider == Provider.Postgres
            ? $"INSERT INTO audit_log (id, community_id, seq, action, created_at, prev_hash, hash) VALUES ('aud_fork', '{community.Id}', 21, 'fork', now(), '{tail.PrevHash}', 'x')"
            : $"INSERT INTO audit_log (id, community_id, seq, action, created_at, prev_hash, hash) VALUES ('aud_fork', '{community.Id}', 21, 'fork', 0, '{tail.PrevHash}', 'x')";
        await Assert.ThrowsAnyAsync<Exception>(() => SqlAsync(sql));
    }

    [Fact]
    public async Task A_deleted_communitys_log_stays()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        await owner.UpdateCommunityAsync(community.Id, "Doomed");
        await owner.DeleteCommunityAsync(community.Id);

        await using var scope = Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var rows = await db.AuditLog.AsNoTracking().Where(a => a.CommunityId == community.Id).OrderBy(a => a.Seq).ToListAsync();
        Assert.Equal(["community.update", "community.delete"], rows.Select(r => r.Action));
        Assert.Equal(ownerUser.Id, rows[1].ActorId);
        Assert.True((await Voxora.Server.Features.Audit.AuditLog.VerifyAsync(db, community.Id, default)).Intact);
    }
}

public sealed class AuditLogTestsOnSqlite(SqliteServerFixture fixture) : AuditLogTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class AuditLogTestsOnPostgres(PostgresServerFixture fixture) : AuditLogTests(fixture), IClassFixture<PostgresServerFixture>;
