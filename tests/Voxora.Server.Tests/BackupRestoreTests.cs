using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Npgsql;
using OtpNet;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// <c>voxora backup --out FILE</c> and <c>voxora restore --from FILE</c>, run through the executable's own entry
/// (<see cref="VoxoraHost.RunAsync(string[], IReadOnlyDictionary{string, string?}?, TextWriter, TextWriter, CancellationToken)"/>)
/// on each provider: a backup taken while messages keep arriving, restored into an empty data folder and database,
/// serves everything that was acknowledged before it began, with the same keys; and every refusal says why with exit 2.
/// </summary>
public abstract class BackupRestoreTests(Provider provider) : IAsyncLifetime
{
    private const string Password = "correct horse battery";
    private readonly List<string> folders = [];
    private readonly List<string> databases = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var database in databases)
        {
            await TestServer.DropPostgresDatabaseAsync(database);
        }

        foreach (var folder in folders)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    private string NewFolder()
    {
        var folder = Directory.CreateTempSubdirectory("voxora-backup-test-").FullName;
        folders.Add(folder);
        return folder;
    }

    /// <summary>An empty target: a new data folder and a database that does not exist yet (restore creates it on PostgreSQL).</summary>
    private (string DataDir, string ConnectionString) NewEmptyTarget()
    {
        var dataDir = Path.Combine(NewFolder(), "data");
        if (provider == Provider.Sqlite)
        {
            return (dataDir, $"Data Source={Path.Combine(dataDir, "voxora.db")};Pooling=True");
        }

        var name = "voxora_restore_" + Guid.NewGuid().ToString("N")[..12];
        databases.Add(name);
        return (dataDir, new NpgsqlConnectionStringBuilder(TestServer.PostgresAdminConnectionString) { Database = name }.ConnectionString);
    }

    private Dictionary<string, string?> Settings(string dataDir, string connectionString) =>
        TestServer.DefaultSettings(provider, dataDir, connectionString);

    private static async Task<(int Exit, string Output, string Error)> VoxoraAsync(IReadOnlyDictionary<string, string?> settings, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var exit = await VoxoraHost.RunAsync(args, settings, output, error, deadline.Token);
        return (exit, output.ToString(), error.ToString());
    }

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The file's permission bits (0600 expected for anything holding keys); Voxora runs on Linux.</summary>
    private static UnixFileMode ModeOf(string path) =>
        OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException() : File.GetUnixFileMode(path);

    private static async Task<List<Message>> AllMessagesAsync(VoxoraClient client, string channelId)
    {
        var all = new List<Message>();
        string? before = null;
        while (true)
        {
            var page = await client.GetMessagesAsync(channelId, before: before, limit: 100);
            all.AddRange(page);
            if (page.Count < 100)
            {
                return all;
            }

            before = page[^1].Id;
        }
    }

    private static async Task<string> KeyIdsAsync(Uri server)
    {
        using var http = new HttpClient { BaseAddress = server };
        using var jwks = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(".well-known/jwks.json"));
        return string.Join(",", jwks.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_backup_taken_under_live_traffic_restores_into_an_empty_target_with_everything_acknowledged_before_it_and_the_same_keys()
    {
        var archive = Path.Combine(NewFolder(), "voxora.tar.gz");
        List<string> acknowledgedBefore;
        string channelId, communityId, roleId, memberId, attachmentMessageId, ownerRefreshToken, sourceKeys, mfaUsername;
        TotpEnrollment enrollment;
        var fileBytes = Encoding.UTF8.GetBytes("the minutes of the meeting, " + Guid.NewGuid());

        await using (var source = await TestServer.StartAsync(provider))
        {
            var (owner, _, community) = await source.NewCommunityAsync("Backed up");
            using var _o = owner;
            communityId = community.Id;
            channelId = community.TextChannel().Id;
            var (member, memberUser) = await source.NewMemberAsync(owner, communityId);
            using var _m = member;
            memberId = memberUser.Id;
            var role = await owner.CreateRoleAsync(communityId, new CreateRoleRequest("Archivists", Color: 0x3366cc));
            roleId = role.Id;
            await owner.AddMemberRoleAsync(communityId, memberId, roleId);
            var attachment = await member.UploadFileAsync(channelId, "minutes.txt", "text/plain", fileBytes);
            attachmentMessageId = (await member.SendMessageWithAttachmentsAsync(channelId, "the minutes", [attachment.Id])).Id;
            // A pending two-factor secret is sealed under a key derived from the audit key (outside the database).
            var (mfa, mfaUser, _) = await source.NewUserAsync("mfa");
            using var _mfa = mfa;
            mfaUsername = mfaUser.Username;
            enrollment = await mfa.EnableTotpAsync(Password);
            ownerRefreshToken = owner.RefreshToken!;
            sourceKeys = await KeyIdsAsync(source.BaseAddress);

            // Live traffic: one writer keeps posting and records what the server acknowledged.
            var acknowledged = new ConcurrentQueue<string>();
            using var stop = new CancellationTokenSource();
            var traffic = Task.Run(async () =>
            {
                var n = 0;
                while (!stop.IsCancellationRequested)
                {
                    acknowledged.Enqueue((await member.SendMessageAsync(channelId, $"live {n++}")).Id);
                }
            });
            while (acknowledged.Count < 20)
            {
                await Task.Delay(10);
            }

            acknowledgedBefore = [.. acknowledged, attachmentMessageId];
            var backup = await VoxoraAsync(Settings(source.DataDir, source.ConnectionString), "backup", "--out", archive);
            await stop.CancelAsync();
            // The writes went on during the backup and none failed (a failed send throws here).
            await traffic;

            Assert.True(backup.Exit == 0, $"exit {backup.Exit}: {backup.Output}\n{backup.Error}");
            Assert.Matches(@"^voxora: backup written to .+voxora\.tar\.gz \(\d+ bytes\): (sqlite|postgres) database, audit key included, the audit checkpoints, 1 stored files", backup.Output);
            Assert.Equal(OwnerOnly, ModeOf(archive));
            // No partial file or staging folder is left beside it.
            Assert.Equal([archive], Directory.GetFileSystemEntries(Path.GetDirectoryName(archive)!));
        }

        // What the archive holds: the manifest last, with a checksum for everything else.
        await using (var file = File.OpenRead(archive))
        await using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        await using (var tar = new TarReader(gzip))
        {
            var names = new List<string>();
            while (await tar.GetNextEntryAsync() is { } entry)
            {
                names.Add(entry.Name);
            }

            Assert.Equal(provider == Provider.Sqlite ? "database/voxora.db" : "database/voxora.pgdump", names[0]);
            Assert.Contains("keys/audit.key", names);
            Assert.Contains("keys/audit-checkpoints.json", names);
            Assert.Single(names, n => n.StartsWith("files/att_", StringComparison.Ordinal) && n.EndsWith("/original", StringComparison.Ordinal));
            Assert.Equal("manifest.json", names[^1]);
        }

        var (dataDir, connectionString) = NewEmptyTarget();
        var restore = await VoxoraAsync(Settings(dataDir, connectionString), "restore", "--from", archive);
        Assert.True(restore.Exit == 0, $"exit {restore.Exit}: {restore.Output}\n{restore.Error}");
        Assert.Contains("audit key restored, 1 stored files", restore.Output, StringComparison.Ordinal);
        Assert.Equal(OwnerOnly, ModeOf(Path.Combine(dataDir, "audit.key")));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(dataDir), e => Path.GetFileName(e).StartsWith(".restore-", StringComparison.Ordinal));

        await using var restored = await TestServer.StartAsync(provider, dataDir: dataDir, reuseConnectionString: connectionString);
        Assert.Equal(sourceKeys, await KeyIdsAsync(restored.BaseAddress));

        // The old session: its refresh token (issued before the backup) still refreshes, and the new tokens work.
        using var ownerAgain = restored.NewClient();
        await ownerAgain.RefreshAsync(ownerRefreshToken);
        var messages = await AllMessagesAsync(ownerAgain, channelId);
        var ids = messages.Select(m => m.Id).ToHashSet();
        Assert.All(acknowledgedBefore, id => Assert.Contains(id, ids));

        var members = await ownerAgain.GetMembersAsync(communityId);
        Assert.Contains(members, m => m.User.Id == memberId && m.Roles is { } roles && roles.Contains(roleId));
        Assert.Contains(await ownerAgain.GetRolesAsync(communityId), r => r.Id == roleId && r.Name == "Archivists");

        var withFile = messages.Single(m => m.Id == attachmentMessageId);
        using (var anonymous = new HttpClient())
        {
            Assert.Equal(fileBytes, await anonymous.GetByteArrayAsync(withFile.Attachments.Single().Url));
        }

        // The audit key came back: the pending two-factor secret sealed under it opens, so the code confirms.
        using var mfaAgain = restored.NewClient();
        await mfaAgain.LoginAsync(mfaUsername, Password);
        await mfaAgain.ConfirmTotpAsync(new Totp(Base32Encoding.ToBytes(enrollment.Secret)).ComputeTotp());

        // And the restored server takes new writes.
        var after = await ownerAgain.SendMessageAsync(channelId, "after the restore");
        Assert.Contains(after.Id, (await ownerAgain.GetMessagesAsync(channelId, limit: 1)).Select(m => m.Id));
    }

    [Fact]
    public async Task Refusals_exit_2_with_one_line_saying_why_and_leave_the_target_untouched()
    {
        var archive = Path.Combine(NewFolder(), "voxora.tar.gz");
        await using var source = await TestServer.StartAsync(provider);
        var (owner, _, _) = await source.NewCommunityAsync();
        owner.Dispose();
        var sourceSettings = Settings(source.DataDir, source.ConnectionString);
        Assert.Equal(0, (await VoxoraAsync(sourceSettings, "backup", "--out", archive)).Exit);

        async Task RefusedAsync(IReadOnlyDictionary<string, string?> settings, string expected, params string[] args)
        {
            var (exit, output, error) = await VoxoraAsync(settings, args);
            Assert.True(exit == 2, $"exit {exit} for {string.Join(' ', args)}: {output}\n{error}");
            Assert.Contains(expected, error, StringComparison.Ordinal);
            Assert.Single(error.TrimEnd().Split('\n'));
            Assert.StartsWith("voxora: ", error, StringComparison.Ordinal);
        }

        // Arguments.
        await RefusedAsync(sourceSettings, "backup needs --out FILE", "backup");
        await RefusedAsync(sourceSettings, "backup needs --out FILE", "backup", "--out");
        await RefusedAsync(sourceSettings, "restore needs --from FILE", "restore");
        await RefusedAsync(sourceSettings, "unexpected argument '--to'", "restore", "--to", archive);
        // Outputs that cannot be written: an existing file (never overwritten), a folder that does not exist.
        var before = await File.ReadAllBytesAsync(archive);
        await RefusedAsync(sourceSettings, "already exists", "backup", "--out", archive);
        Assert.Equal(before, await File.ReadAllBytesAsync(archive));
        await RefusedAsync(sourceSettings, "does not exist", "backup", "--out", Path.Combine(NewFolder(), "missing", "b.tar.gz"));
        await RefusedAsync(sourceSettings, "does not exist", "restore", "--from", Path.Combine(NewFolder(), "nothing.tar.gz"));

        // A target that is not empty: the running server's own data folder.
        await RefusedAsync(sourceSettings, "is not empty", "restore", "--from", archive);

        // A database that is not empty behind an empty data folder.
        var emptyFolder = Path.Combine(NewFolder(), "data");
        var existingDatabase = provider == Provider.Sqlite
            ? $"Data Source={Path.Combine(source.DataDir, "voxora.db")}"
            : source.ConnectionString;
        await RefusedAsync(Settings(emptyFolder, existingDatabase), "restore only into an empty database", "restore", "--from", archive);
        Assert.Empty(Directory.EnumerateFileSystemEntries(emptyFolder));

        var (dataDir, connectionString) = NewEmptyTarget();
        var target = Settings(dataDir, connectionString);

        // Another provider's server.
        var other = provider == Provider.Sqlite
            ? TestServer.DefaultSettings(Provider.Postgres, dataDir, "Host=127.0.0.1;Port=1;Username=nobody;Database=none")
            : TestServer.DefaultSettings(Provider.Sqlite, dataDir, $"Data Source={Path.Combine(dataDir, "voxora.db")}");
        await RefusedAsync(other, provider == Provider.Sqlite
            ? "the archive holds a sqlite database and this server is configured for postgres"
            : "the archive holds a postgres database and this server is configured for sqlite", "restore", "--from", archive);

        // A damaged archive: one byte changed in the middle of the database entry.
        var damaged = Path.Combine(NewFolder(), "damaged.tar.gz");
        await RewriteAsync(archive, damaged, (name, bytes) =>
        {
            if (name.StartsWith("database/", StringComparison.Ordinal))
            {
                bytes[bytes.Length / 2] ^= 0x5a;
            }

            return bytes;
        });
        await RefusedAsync(target, "damaged: database/", "restore", "--from", damaged);

        // A file that is not gzip at all, and a tar.gz that is not a Voxora backup.
        var text = Path.Combine(NewFolder(), "notes.tar.gz");
        await File.WriteAllTextAsync(text, "not an archive");
        await RefusedAsync(target, "is damaged or not a Voxora backup", "restore", "--from", text);
        var foreign = Path.Combine(NewFolder(), "foreign.tar.gz");
        await RewriteAsync(archive, foreign, (name, bytes) => name == "manifest.json" ? Encoding.UTF8.GetBytes("{\"format\":\"something-else\"}") : bytes);
        await RefusedAsync(target, "is not a Voxora backup", "restore", "--from", foreign);
        // A truncated archive.
        var truncated = Path.Combine(NewFolder(), "truncated.tar.gz");
        var whole = await File.ReadAllBytesAsync(archive);
        await File.WriteAllBytesAsync(truncated, whole[..(whole.Length / 2)]);
        await RefusedAsync(target, "not a Voxora backup", "restore", "--from", truncated);

        // The audit key: another key configured on the target, or an archive without the key and none configured.
        var otherKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await RefusedAsync(new Dictionary<string, string?>(target) { ["AUDIT:KEY"] = otherKey }, "VOXORA_AUDIT__KEY is not the audit key in the archive", "restore", "--from", archive);
        var keyless = Path.Combine(NewFolder(), "keyless.tar.gz");
        var keylessBackup = await VoxoraAsync(new Dictionary<string, string?>(sourceSettings) { ["AUDIT:KEY"] = otherKey }, "backup", "--out", keyless);
        Assert.True(keylessBackup.Exit == 0, keylessBackup.Error);
        Assert.Contains("audit key environment", keylessBackup.Output, StringComparison.Ordinal);
        Assert.Contains("is not in this archive", keylessBackup.Output, StringComparison.Ordinal);
        await RefusedAsync(target, "the archive does not hold the audit key", "restore", "--from", keyless);

        // None of these wrote anything: the target is still empty and the good archive still restores into it.
        Assert.True(!Directory.Exists(dataDir) || !Directory.EnumerateFileSystemEntries(dataDir).Any());
        var restore = await VoxoraAsync(target, "restore", "--from", archive);
        Assert.True(restore.Exit == 0, restore.Error);
        // ... once: a second restore into the now-filled target is refused.
        await RefusedAsync(target, "is not empty", "restore", "--from", archive);
    }

    /// <summary>Copies a backup archive entry by entry, letting <paramref name="change"/> alter an entry's bytes.</summary>
    private static async Task RewriteAsync(string from, string to, Func<string, byte[], byte[]> change)
    {
        await using var input = File.OpenRead(from);
        await using var gunzip = new GZipStream(input, CompressionMode.Decompress);
        await using var reader = new TarReader(gunzip);
        await using var output = File.Create(to);
        await using var gzip = new GZipStream(output, CompressionLevel.Fastest);
        await using var writer = new TarWriter(gzip, TarEntryFormat.Pax);
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            using var buffer = new MemoryStream();
            if (entry.DataStream is not null)
            {
                await entry.DataStream.CopyToAsync(buffer);
            }

            var bytes = change(entry.Name, buffer.ToArray());
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, entry.Name) { DataStream = new MemoryStream(bytes) });
        }
    }
}

/// <summary>The commands as a person runs them: the server binary with <c>backup</c> / <c>restore</c> and the environment.</summary>
public sealed class BackupRestoreProcessTests : IAsyncLifetime
{
    private readonly string root = Directory.CreateTempSubdirectory("voxora-backup-process-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(root, recursive: true);
        return Task.CompletedTask;
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string dataDir, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Voxora.Server.dll"), .. args])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["VOXORA_DATA_DIR"] = dataDir;
        start.Environment["VOXORA_VOICE__ENABLED"] = "false";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task The_server_binary_backs_up_restores_once_and_refuses_with_exit_2()
    {
        var source = Path.Combine(root, "source");
        Directory.CreateDirectory(source);
        string communityId, refreshToken;
        await using (var server = await TestServer.StartAsync(Provider.Sqlite, dataDir: source, reuseConnectionString: $"Data Source={Path.Combine(source, "voxora.db")}"))
        {
            var (owner, _, community) = await server.NewCommunityAsync("On disk");
            refreshToken = owner.RefreshToken!;
            owner.Dispose();
            communityId = community.Id;
            await server.StopAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

            var archive = Path.Combine(root, "b.tar.gz");
            var missing = await RunAsync(source, "backup");
            Assert.Equal((2, "voxora: backup refused: backup needs --out FILE (usage: voxora backup --out FILE | voxora restore --from FILE)"), (missing.Exit, missing.Error.Trim()));

            var backup = await RunAsync(source, "backup", "--out", archive);
            Assert.True(backup.Exit == 0, backup.Output + backup.Error);
            Assert.StartsWith($"voxora: backup written to {archive} (", backup.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Voxora is running at", backup.Output, StringComparison.Ordinal);

            var target = Path.Combine(root, "target");
            var restore = await RunAsync(target, "restore", "--from", archive);
            Assert.True(restore.Exit == 0, restore.Output + restore.Error);
            var again = await RunAsync(target, "restore", "--from", archive);
            Assert.Equal(2, again.Exit);
            Assert.Matches($@"^voxora: restore refused: the data folder {System.Text.RegularExpressions.Regex.Escape(target)} is not empty \(it holds [^)]+\); restore only into an empty data folder \(VOXORA_DATA_DIR\)$", again.Error.Trim());

            await using var restored = await TestServer.StartAsync(Provider.Sqlite, dataDir: target, reuseConnectionString: $"Data Source={Path.Combine(target, "voxora.db")}");
            using var ownerAgain = restored.NewClient();
            await ownerAgain.RefreshAsync(refreshToken);
            Assert.Single(await ownerAgain.GetMembersAsync(communityId));
        }
    }
}

public sealed class BackupRestoreTestsOnSqlite() : BackupRestoreTests(Provider.Sqlite);

public sealed class BackupRestoreTestsOnPostgres() : BackupRestoreTests(Provider.Postgres);
