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
        Assert.Equal(new AuditVerification(true, all.Count, null, Truncated: false, CheckpointSeq: all.Count), verified);
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

        // Recomputing that entry's MAC (even with the key) does not help: the next entry's prev_hash no longer matches.
        await SqlAsync(DropUpdateTrigger);
        try
        {
            var stored = await ReadAsync(victim.Id);
            var rehashed = Server.Services.GetRequiredService<Voxora.Server.Features.Audit.AuditLog>().MacOf(stored);
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
        Assert.Equal(new AuditVerification(true, 20, null, Truncated: false, CheckpointSeq: 20), await owner.VerifyAuditLogAsync(community.Id));

        // A second writer (another node) cannot insert a competing entry after the same tail.
        var tail = entries[0];
        var sql = Server.Provider == Provider.Postgres
            ? $"INSERT INTO audit_log (id, community_id, seq, action, created_at, prev_hash, hash) VALUES ('aud_fork', '{community.Id}', 21, 'fork', now(), '{tail.PrevHash}', 'x')"
            : $"INSERT INTO audit_log (id, community_id, seq, action, created_at, prev_hash, hash) VALUES ('aud_fork', '{community.Id}', 21, 'fork', 0, '{tail.PrevHash}', 'x')";
        await Assert.ThrowsAnyAsync<Exception>(() => SqlAsync(sql));
    }

    private string DropDeleteTrigger => Server.Provider == Provider.Postgres
        ? "DROP TRIGGER audit_log_no_update ON audit_log;"
        : "DROP TRIGGER audit_log_no_delete;";

    private string RecreateDeleteTrigger => Server.Provider == Provider.Postgres
        ? RecreateUpdateTrigger
        : "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;";

    private async Task<List<AuditEntry>> FiveEntriesAsync(Voxora.Client.VoxoraClient owner, string communityId)
    {
        for (var i = 0; i < 5; i++)
        {
            await owner.UpdateCommunityAsync(communityId, $"Name {i}");
        }

        var entries = (await owner.GetAuditLogAsync(communityId)).OrderBy(e => e.Seq).ToList();
        Assert.Equal(5, entries.Count);
        return entries;
    }

    /// <summary>Every row of the log in chain order, straight from the database.</summary>
    private async Task<List<Voxora.Server.Features.Audit.AuditEntryEntity>> RowsAsync(string scope)
    {
        await using var serviceScope = Server.Services.CreateAsyncScope();
        var db = serviceScope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        return await db.AuditLog.AsNoTracking().Where(a => a.CommunityId == scope).OrderBy(a => a.Seq).ToListAsync();
    }

    /// <summary>
    /// What someone with database access but without the key can compute: plain SHA-256 over the documented
    /// canonical JSON (in the legacy version 1 form or the current version 2 form).
    /// </summary>
    private static string PlainSha256(Voxora.Server.Features.Audit.AuditEntryEntity e, string prevHash, int version)
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", version);
            json.WriteString("id", e.Id);
            json.WriteString("community_id", e.CommunityId);
            json.WriteNumber("seq", e.Seq);
            json.WriteString("actor_id", e.ActorId);
            json.WriteString("action", e.Action);
            json.WriteString("target_type", e.TargetType);
            json.WriteString("target_id", e.TargetId);
            json.WriteString("changes", e.Changes);
            json.WriteString("reason", e.Reason);
            json.WriteNumber("created_at", e.CreatedAt.ToUnixTimeMilliseconds());
            json.WriteString("prev_hash", prevHash);
            json.WriteEndObject();
        }

        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(buffer.ToArray()));
    }

    [Fact]
    public async Task Insert_or_replace_and_upserts_cannot_rewrite_or_remove_an_entry()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var entries = await FiveEntriesAsync(owner, community.Id);
        var before = await RowsAsync(community.Id);
        var victim = before[2];
        var at = Server.Provider == Provider.Postgres ? "now()" : "0";
        var values = $"'{{0}}', '{community.Id}', {{1}}, 'innocent', {at}, '{{2}}', '{new string('a', 64)}'";
        string Insert(string verb, string id, long seq, string prev, string tail = "") =>
            $"{verb} INTO audit_log (id, community_id, seq, action, created_at, prev_hash, hash) VALUES ({string.Format(System.Globalization.CultureInfo.InvariantCulture, values, id, seq, prev)}){tail}";

        var attempts = Server.Provider == Provider.Postgres
            ? new[]
            {
                Insert("INSERT", victim.Id, victim.Seq, victim.PrevHash, " ON CONFLICT (id) DO UPDATE SET action = excluded.action, reason = 'rewritten'"),
                Insert("INSERT", "aud_new", victim.Seq, "b", " ON CONFLICT (community_id, seq) DO UPDATE SET action = excluded.action"),
                Insert("INSERT", victim.Id, victim.Seq, victim.PrevHash, " ON CONFLICT DO NOTHING"),
            }
            : new[]
            {
                // Same id: REPLACE deletes the old row without firing DELETE triggers.
                Insert("INSERT OR REPLACE", victim.Id, victim.Seq, victim.PrevHash),
                Insert("REPLACE", victim.Id, victim.Seq, victim.PrevHash),
                // New id, same (community_id, seq) or (community_id, prev_hash): REPLACE would drop the old row.
                Insert("INSERT OR REPLACE", "aud_new", victim.Seq, "b"),
                Insert("INSERT OR REPLACE", "aud_new", 99, victim.PrevHash),
                Insert("INSERT", victim.Id, victim.Seq, victim.PrevHash, " ON CONFLICT (id) DO UPDATE SET action = excluded.action"),
                Insert("INSERT OR IGNORE", victim.Id, victim.Seq, victim.PrevHash),
            };
        foreach (var sql in attempts)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => SqlAsync(sql));
        }

        Assert.Equal(before, await RowsAsync(community.Id), new RowComparer());
        Assert.True((await owner.VerifyAuditLogAsync(community.Id)).Intact);
        Assert.Equal(entries.Select(e => e.Id), (await owner.GetAuditLogAsync(community.Id)).OrderBy(e => e.Seq).Select(e => e.Id));
    }

    private sealed class RowComparer : IEqualityComparer<Voxora.Server.Features.Audit.AuditEntryEntity>
    {
        public bool Equals(Voxora.Server.Features.Audit.AuditEntryEntity? x, Voxora.Server.Features.Audit.AuditEntryEntity? y) =>
            x is not null && y is not null && x.Id == y.Id && x.Seq == y.Seq && x.Action == y.Action && x.Reason == y.Reason
            && x.Changes == y.Changes && x.PrevHash == y.PrevHash && x.Hash == y.Hash;

        public int GetHashCode(Voxora.Server.Features.Audit.AuditEntryEntity obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_tail_rewritten_and_rehashed_without_the_key_is_detected(int version)
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var entries = await FiveEntriesAsync(owner, community.Id);
        var rows = await RowsAsync(community.Id);

        // Someone with database access but not the key drops the guard, rewrites entry 4, recomputes the
        // chain from there on with plain SHA-256 (all they can compute), and puts the guard back.
        await SqlAsync(DropUpdateTrigger);
        try
        {
            var prev = rows[2].Hash;
            for (var i = 3; i < rows.Count; i++)
            {
                var changes = i == 3 ? "{\"name\":{\"old\":\"x\",\"new\":\"innocent\"}}" : rows[i].Changes;
                var forged = new Voxora.Server.Features.Audit.AuditEntryEntity
                {
                    Id = rows[i].Id, CommunityId = rows[i].CommunityId, Seq = rows[i].Seq, ActorId = rows[i].ActorId, Action = rows[i].Action,
                    TargetType = rows[i].TargetType, TargetId = rows[i].TargetId, Changes = changes, Reason = rows[i].Reason,
                    CreatedAt = rows[i].CreatedAt, PrevHash = prev, Hash = "",
                };
                var hash = PlainSha256(forged, prev, version);
                Assert.Equal(1, await SqlAsync($"UPDATE audit_log SET changes = '{changes}', prev_hash = '{prev}', hash = '{hash}' WHERE id = '{rows[i].Id}'"));
                prev = hash;
            }
        }
        finally
        {
            await SqlAsync(RecreateUpdateTrigger);
        }

        var result = await owner.VerifyAuditLogAsync(community.Id);
        Assert.False(result.Intact);
        Assert.Equal(entries[3].Id, result.FirstBrokenId);
    }

    [Fact]
    public async Task A_truncated_tail_is_reported()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var entries = await FiveEntriesAsync(owner, community.Id);

        // The database owner can always lift the guard: deleting the newest entries leaves a chain that is
        // intact as far as it goes. Only something kept outside the table can tell that entries are missing.
        await SqlAsync(DropDeleteTrigger);
        try
        {
            Assert.Equal(2, await SqlAsync($"DELETE FROM audit_log WHERE community_id = '{community.Id}' AND seq > 3"));
        }
        finally
        {
            await SqlAsync(RecreateDeleteTrigger);
        }

        var result = await owner.VerifyAuditLogAsync(community.Id);
        Assert.False(result.Intact);
        Assert.Equal(3, result.Checked);
        Assert.Null(result.FirstBrokenId);
        Assert.True(result.Truncated);
        Assert.Equal(entries[^1].Seq, result.CheckpointSeq);

        // The next action appends after the cut, as entry 4 again: the entry at the checkpoint's seq now carries
        // another hash than the checkpoint, so the rewrite is still named.
        await owner.UpdateCommunityAsync(community.Id, "After the cut");
        result = await owner.VerifyAuditLogAsync(community.Id);
        Assert.False(result.Intact);
        Assert.True(result.Truncated);
    }

    private static async Task RawSqlAsync(Provider provider, string connectionString, params string[] statements)
    {
        await using System.Data.Common.DbConnection connection = provider == Provider.Postgres
            ? new Npgsql.NpgsqlConnection(connectionString)
            : new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task Entries_from_before_the_keyed_log_are_sealed_once_and_cannot_be_extended()
    {
        var provider = Server.Provider;
        var first = await TestServer.StartAsync(provider);
        var (podOwner, _, password) = await first.NewUserAsync("podowner");
        var username = (await podOwner.GetMeAsync()).Username;
        podOwner.Dispose();
        await first.StopAsync();

        // Make the database look like one from before the keyed log: no seals, three plain SHA-256 pod entries.
        var legacy = new List<Voxora.Server.Features.Audit.AuditEntryEntity>();
        var prev = AuditLogGenesis;
        for (var seq = 1; seq <= 3; seq++)
        {
            var entry = new Voxora.Server.Features.Audit.AuditEntryEntity
            {
                Id = $"aud_legacy{seq}", CommunityId = "pod", Seq = seq, Action = "pod_role.create", CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000 + seq),
                PrevHash = prev, Hash = "",
            };
            var hash = PlainSha256(entry, prev, 1);
            var at = provider == Provider.Postgres ? $"to_timestamp({entry.CreatedAt.ToUnixTimeMilliseconds()} / 1000.0)" : $"{entry.CreatedAt.ToUnixTimeMilliseconds()}";
            legacy.Add(entry);
            prev = hash;
            await RawSqlAsync(provider, first.ConnectionString,
                $"INSERT INTO audit_log (id, community_id, seq, action, created_at, prev_hash, hash) VALUES ('{entry.Id}', 'pod', {seq}, 'pod_role.create', {at}, '{entry.PrevHash}', '{hash}')");
        }

        string[] withoutSealGuard(string sql) => provider == Provider.Postgres
            ? ["ALTER TABLE audit_log_seals DISABLE TRIGGER USER", sql, "ALTER TABLE audit_log_seals ENABLE TRIGGER USER"]
            : ["DROP TRIGGER audit_log_seals_no_delete", sql, "CREATE TRIGGER audit_log_seals_no_delete BEFORE DELETE ON audit_log_seals BEGIN SELECT RAISE(ABORT, 'audit_log_seals is append-only'); END;"];
        await RawSqlAsync(provider, first.ConnectionString, withoutSealGuard("DELETE FROM audit_log_seals"));

        // Stopped, not disposed: disposing would delete the data folder (key and checkpoints) the third start needs.
        var second = await TestServer.StartAsync(provider, dataDir: first.DataDir, reuseConnectionString: first.ConnectionString);
        {
            using var owner = second.NewClient();
            await owner.LoginAsync(username, password);
            Assert.Equal(new AuditVerification(true, 3, null, false, null, LegacyEntries: 3), await owner.VerifyPodAuditLogAsync());

            await owner.CreatePodRoleAsync(new CreatePodRoleRequest("keyed"));
            var newest = (await owner.GetPodAuditLogAsync())[0];
            Assert.Equal(4, newest.Seq);
            Assert.Equal(new AuditVerification(true, 4, null, false, 4, LegacyEntries: 3), await owner.VerifyPodAuditLogAsync());
            await second.StopAsync();
        }

        // Someone without the key rewrites the keyed entry as a legacy one, removes the seals so that the next
        // start would seal their version, and restarts the server: it refuses to seal, and verify names the entry.
        var rows = await RawRowsAsync(provider, first.ConnectionString);
        var forged = rows[3];
        var forgedHash = PlainSha256(forged, forged.PrevHash, 1);
        await RawSqlAsync(provider, first.ConnectionString, withoutSealGuard("DELETE FROM audit_log_seals"));
        await RawSqlAsync(provider, first.ConnectionString, provider == Provider.Postgres
            ? ["ALTER TABLE audit_log DISABLE TRIGGER USER", $"UPDATE audit_log SET hash = '{forgedHash}' WHERE id = '{forged.Id}'", "ALTER TABLE audit_log ENABLE TRIGGER USER"]
            : ["DROP TRIGGER audit_log_no_update", $"UPDATE audit_log SET hash = '{forgedHash}' WHERE id = '{forged.Id}'", "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;"]);

        await using var third = await TestServer.StartAsync(provider, dataDir: first.DataDir, reuseConnectionString: first.ConnectionString);
        using var again = third.NewClient();
        await again.LoginAsync(username, password);
        var result = await again.VerifyPodAuditLogAsync();
        Assert.False(result.Intact);
        Assert.Equal(legacy[0].Id, result.FirstBrokenId);
        Assert.Equal(0, result.LegacyEntries);
    }

    private static async Task<List<Voxora.Server.Features.Audit.AuditEntryEntity>> RawRowsAsync(Provider provider, string connectionString)
    {
        var builder = new DbContextOptionsBuilder<VoxoraDbContext>();
        Voxora.Server.Data.DatabaseSetup.Configure(builder, provider == Provider.Postgres ? Voxora.Server.Infrastructure.DatabaseProvider.Postgres : Voxora.Server.Infrastructure.DatabaseProvider.Sqlite, connectionString);
        await using var db = new VoxoraDbContext(builder.Options);
        return await db.AuditLog.AsNoTracking().Where(a => a.CommunityId == "pod").OrderBy(a => a.Seq).ToListAsync();
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
        Assert.True((await Server.Services.GetRequiredService<Voxora.Server.Features.Audit.AuditLog>().VerifyAsync(db, community.Id, default)).Intact);
    }
}

public sealed class AuditLogTestsOnSqlite(SqliteServerFixture fixture) : AuditLogTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class AuditLogTestsOnPostgres(PostgresServerFixture fixture) : AuditLogTests(fixture), IClassFixture<PostgresServerFixture>;
