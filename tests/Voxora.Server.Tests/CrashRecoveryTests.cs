using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Voxora.Client;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// A single node on SQLite (the embedded default) killed with <c>kill -9</c> while messages are being written: no
/// drain, no last commit. Started again on the same data folder, it has every message REST acknowledged and a sound
/// database, search index included. (The PostgreSQL counterpart, under cluster traffic, is
/// <see cref="Cluster.NodeFailureTests"/>.)
/// </summary>
public sealed class CrashRecoveryTests
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task A_kill_9_under_traffic_on_SQLite_loses_no_acknowledged_message_and_leaves_a_sound_database()
    {
        var dataDir = Directory.CreateTempSubdirectory("voxora-kill9-").FullName;
        var connectionString = $"Data Source={Path.Combine(dataDir, "voxora.db")};Pooling=False";
        var settings = new Dictionary<string, string?>();
        var acknowledged = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var username = "crash" + Random.Shared.Next(100_000, 999_999);
        string communityId;
        string channelId;
        try
        {
            await using (var node = await ServerProcess.StartAsync(Provider.Sqlite, connectionString, settings, dataDir))
            {
                using var api = new VoxoraClient(node.BaseAddress);
                await api.RegisterAsync(username, Password);
                await api.LoginAsync(username, Password);
                var community = await api.CreateCommunityAsync("Crash");
                communityId = community.Id;
                channelId = community.TextChannel().Id;

                var killed = 0;
                var writers = Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
                {
                    for (var n = 0; Volatile.Read(ref killed) == 0; n++)
                    {
                        var content = $"crash writer{writer} number{n} token{writer}x{n}";
                        try
                        {
                            var message = await api.SendMessageAsync(channelId, content);
                            acknowledged[message.Id] = content;
                        }
                        catch (Exception) when (Volatile.Read(ref killed) == 1)
                        {
                            // The process died under this request: it was never acknowledged.
                            return;
                        }
                    }
                })).ToList();

                var waited = System.Diagnostics.Stopwatch.StartNew();
                while (acknowledged.Count < 300 && waited.Elapsed < TimeSpan.FromSeconds(30))
                {
                    await Task.Delay(50);
                }

                Volatile.Write(ref killed, 1);
                node.Kill();
                await Task.WhenAll(writers);
            }

            Assert.True(acknowledged.Count >= 300, $"only {acknowledged.Count} messages were acknowledged before the kill");

            // The database as the crash left it (SQLite replays its write-ahead log on open): sound, index included.
            await using (var db = new SqliteConnection(connectionString))
            {
                await db.OpenAsync();
                await using var integrity = db.CreateCommand();
                integrity.CommandText = "PRAGMA integrity_check";
                Assert.Equal("ok", (string?)await integrity.ExecuteScalarAsync());
                await using var index = db.CreateCommand();
                // Raises an error when the FTS5 index and the messages it is built from disagree.
                index.CommandText = "INSERT INTO messages_fts(messages_fts) VALUES('integrity-check')";
                await index.ExecuteNonQueryAsync();
            }

            await using var again = await ServerProcess.StartAsync(Provider.Sqlite, connectionString, settings, dataDir);
            using var reader = new VoxoraClient(again.BaseAddress);
            await reader.LoginAsync(username, Password);
            var stored = new List<string>();
            string? before = null;
            while (true)
            {
                var page = await reader.GetMessagesAsync(channelId, before: before, limit: 100);
                if (page.Count == 0)
                {
                    break;
                }

                stored.AddRange(page.Select(m => m.Id));
                before = page[^1].Id;
            }

            Assert.Equal(stored.Count, stored.Distinct(StringComparer.Ordinal).Count());
            var lost = acknowledged.Keys.Except(stored, StringComparer.Ordinal).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged messages are gone after the kill");

            // And what was acknowledged is found by its words.
            var (someId, someContent) = acknowledged.First();
            var found = await reader.SearchCommunityAsync(communityId, someContent.Split(' ')[^1]);
            Assert.Contains(found.Hits, hit => hit.Message.Id == someId);
        }
        finally
        {
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open; the OS temp cleaner will get it.
            }
        }
    }
}
