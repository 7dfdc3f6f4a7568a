using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Search;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// <c>voxora search rebuild</c>: the index is derived from the messages table and can be built again from it, on each
/// provider, while the server goes on answering.
/// </summary>
public abstract class SearchIndexRebuildTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private static async Task<SearchResults> SearchAsync(VoxoraClient client, string communityId, string q) =>
        await client.GetAsync($"api/v1/communities/{communityId}/messages/search?q={Uri.EscapeDataString(q)}&sort=newest",
            VoxoraJsonContext.Default.SearchResults);

    [Fact]
    public async Task Rebuilding_brings_back_an_index_that_lost_its_entries_and_prints_what_it_did()
    {
        var (bob, _, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var channel = community.TextChannel().Id;
        var word = "rebuildable" + Guid.NewGuid().ToString("N")[..6];
        var first = await bob.SendMessageAsync(channel, $"the {word} harvest");
        var second = await bob.SendMessageAsync(channel, $"another {word} line");
        Assert.Equal([second.Id, first.Id], (await SearchAsync(bob, community.Id, word)).Hits.Select(h => h.Message.Id));

        if (Server.Provider == Provider.Sqlite)
        {
            // What a restore from a copy without the index, or an import that bypassed the triggers, leaves behind.
            await using var scope = Server.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
            await db.Database.ExecuteSqlRawAsync("INSERT INTO messages_fts(messages_fts) VALUES ('delete-all')");
            Assert.Empty((await SearchAsync(bob, community.Id, word)).Hits);
        }

        var output = new StringWriter();
        Assert.Equal(0, await SearchIndexCommand.RunAsync(Server.Services, output, CancellationToken.None));
        Assert.Matches(@"^voxora: search index rebuilt from \d+ messages \(\d+ words with stems\) on (SQLite|PostgreSQL) in \d+\.\d s", output.ToString());

        Assert.Equal([second.Id, first.Id], (await SearchAsync(bob, community.Id, word)).Hits.Select(h => h.Message.Id));
        // And the triggers / index keep working for what is written after the rebuild.
        var third = await bob.SendMessageAsync(channel, $"a {word} after");
        Assert.Equal([third.Id, second.Id, first.Id], (await SearchAsync(bob, community.Id, word)).Hits.Select(h => h.Message.Id));
    }

    [Fact]
    public void The_command_is_asked_for_with_search_rebuild_only()
    {
        Assert.True(SearchIndexCommand.IsRequested(["search", "rebuild"]));
        Assert.True(SearchIndexCommand.IsRequested(["search", "rebuild", "--urls=http://127.0.0.1:1"]));
        Assert.False(SearchIndexCommand.IsRequested([]));
        Assert.False(SearchIndexCommand.IsRequested(["search"]));
        Assert.False(SearchIndexCommand.IsRequested(["--search", "rebuild"]));
    }
}

/// <summary>The command as a person runs it: the server binary with <c>search rebuild</c>, which exits instead of serving.</summary>
public sealed class SearchIndexRebuildProcessTests
{
    [Fact]
    public async Task The_server_binary_with_search_rebuild_migrates_rebuilds_prints_and_exits_0()
    {
        var dataDir = Directory.CreateTempSubdirectory("voxora-rebuild-").FullName;
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Voxora.Server.dll"), "search", "rebuild"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                WorkingDirectory = dataDir,
            };
            start.Environment["VOXORA_DATA_DIR"] = dataDir;
            start.Environment["VOXORA_VOICE__ENABLED"] = "false";
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            using var process = System.Diagnostics.Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(deadline.Token);
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stdout}\n{await stderr}");
            Assert.Contains("voxora: search index rebuilt from 0 messages (0 words with stems) on SQLite in ", await stdout, StringComparison.Ordinal);
            // It did not stay to serve: no "running at" line.
            Assert.DoesNotContain("Voxora is running at", await stdout, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(dataDir, "voxora.db")), "the embedded default database was created and migrated");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }
}

public sealed class SearchIndexRebuildTestsOnSqlite(SqliteServerFixture fixture) : SearchIndexRebuildTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class SearchIndexRebuildTestsOnPostgres(PostgresServerFixture fixture) : SearchIndexRebuildTests(fixture), IClassFixture<PostgresServerFixture>;
