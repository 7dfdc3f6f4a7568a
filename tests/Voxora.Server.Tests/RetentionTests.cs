using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Features.Retention;
using Voxora.Server.Infrastructure.Storage;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests;

/// <summary>Per-community message retention (seed 004 AUDIT-06): the setting, and the sweeper — on each database provider.</summary>
public abstract class RetentionTests(ServerFixture fixture)
{
    private const string UnknownCommunity = "com_01ARZ3NDEKTSV4RRFFQ69G5FAV";

    private TestServer Server => fixture.Server;

    /// <summary>The sweeper's clock, set by the test.</summary>
    private sealed class SetClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = System.GetUtcNow();

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task Retention_is_off_by_default_and_changed_only_by_MANAGE_COMMUNITY_with_bounds_and_an_audit_entry()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        Assert.Null(community.MessageRetentionDays);
        Assert.Null((await owner.GetCommunityAsync(community.Id)).MessageRetentionDays);

        // Set, read back, left alone by a PATCH without it, turned off with 0.
        Assert.Equal(30, (await owner.UpdateCommunityAsync(community.Id, messageRetentionDays: 30)).MessageRetentionDays);
        Assert.Equal(30, (await member.GetCommunityAsync(community.Id)).MessageRetentionDays);
        Assert.Equal(30, (await owner.UpdateCommunityAsync(community.Id, name: "Renamed")).MessageRetentionDays);
        Assert.Equal(3650, (await owner.UpdateCommunityAsync(community.Id, messageRetentionDays: 3650)).MessageRetentionDays);
        Assert.Null((await owner.UpdateCommunityAsync(community.Id, messageRetentionDays: 0)).MessageRetentionDays);
        Assert.Null((await owner.GetCommunityAsync(community.Id)).MessageRetentionDays);

        // Out of bounds: 400 and nothing changes.
        await owner.UpdateCommunityAsync(community.Id, messageRetentionDays: 7);
        foreach (var days in new[] { -1, 3651, int.MaxValue, int.MinValue })
        {
            var refused = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => owner.UpdateCommunityAsync(community.Id, messageRetentionDays: days));
            Assert.Contains("message_retention_days", refused.Problem!.Errors!.Keys);
        }

        // Not a number: 400.
        using (var raw = new HttpClient { BaseAddress = Server.BaseAddress })
        {
            raw.DefaultRequestHeaders.Authorization = new("Bearer", owner.AccessToken);
            using var response = await raw.PatchAsync($"api/v1/communities/{community.Id}",
                new StringContent("""{"message_retention_days":"forever"}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Equal(7, (await owner.GetCommunityAsync(community.Id)).MessageRetentionDays);

        // A member without MANAGE_COMMUNITY: 403; a stranger or an unknown community: 404; nobody signed in: 401.
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.UpdateCommunityAsync(community.Id, messageRetentionDays: 1));
        var (stranger, _, _) = await Server.NewUserAsync("stranger");
        using var _s = stranger;
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => stranger.UpdateCommunityAsync(community.Id, messageRetentionDays: 1));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.UpdateCommunityAsync(UnknownCommunity, messageRetentionDays: 1));
        using var anonymous = Server.NewClient();
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.UpdateCommunityAsync(community.Id, messageRetentionDays: 1));
        Assert.Equal(7, (await owner.GetCommunityAsync(community.Id)).MessageRetentionDays);

        // Every change is audited with its old and new value (newest first).
        static int? Value(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetInt32();
        var changes = (await owner.GetAuditLogAsync(community.Id, limit: 100))
            .Where(e => e.Action == "community.update" && e.Changes is { } c && c.TryGetProperty("message_retention_days", out _))
            .Select(e => e.Changes!.Value.GetProperty("message_retention_days"))
            .Select(d => (Value(d.GetProperty("old")), Value(d.GetProperty("new"))))
            .ToList();
        Assert.Equal([(null, 7), (3650, null), (30, 3650), (null, 30)], changes);
    }

    [Fact]
    public async Task The_sweeper_deletes_only_old_messages_of_only_that_community_with_their_files_and_audits_the_count()
    {
        var clock = new SetClock();
        await using var server = await TestServer.StartAsync(fixture.Provider, services: s => s.AddKeyedSingleton<TimeProvider>(MessageRetentionSweeper.ClockKey, clock));
        var sweeper = server.Services.GetRequiredService<MessageRetentionSweeper>();
        var storage = server.Services.GetRequiredService<IFileStorage>();
        var (ownerApi, ownerUser, kept) = await server.NewCommunityAsync("Kept forever");
        var expiring = await ownerApi.CreateCommunityAsync("Expiring");
        var keptChannel = kept.TextChannel().Id;
        var channel = expiring.TextChannel().Id;
        var other = await ownerApi.CreateChannelAsync(expiring.Id, new CreateChannelRequest("other"));
        await using var owner = await ConnectAsync(server, ownerApi, ownerUser);

        // Old: two messages (one with a file) in one channel, one in another, one in the community that keeps everything.
        var oldFile = await ownerApi.UploadFileAsync(channel, "old.txt", "text/plain", "old"u8.ToArray());
        var old1 = await ownerApi.SendMessageWithAttachmentsAsync(channel, "old one", [oldFile.Id]);
        var old2 = await ownerApi.SendMessageAsync(channel, "old two");
        var old3 = await ownerApi.SendMessageAsync(other.Id, "old three");
        var keptOld = await ownerApi.SendMessageAsync(keptChannel, "kept old");
        await Task.Delay(100);
        var boundary = TimeProvider.System.GetUtcNow();
        await Task.Delay(100);
        var newFile = await ownerApi.UploadFileAsync(channel, "new.txt", "text/plain", "new"u8.ToArray());
        var recent = await ownerApi.SendMessageWithAttachmentsAsync(channel, "recent", [newFile.Id]);
        Assert.True(await storage.ExistsAsync(StorageKeys.Original(oldFile.Id), default));

        // Off: nothing happens however late it is.
        clock.Now = boundary.AddDays(1000);
        Assert.Equal(0, await sweeper.SweepAsync(default));

        // One day, a day after the boundary: the three old messages of that community go, in two channels.
        await ownerApi.UpdateCommunityAsync(expiring.Id, messageRetentionDays: 1);
        clock.Now = boundary.AddDays(1);
        Assert.Equal(3, await sweeper.SweepAsync(default));
        Assert.Equal([recent.Id], (await ownerApi.GetMessagesAsync(channel)).Select(m => m.Id));
        Assert.Empty(await ownerApi.GetMessagesAsync(other.Id));
        Assert.Equal([keptOld.Id], (await ownerApi.GetMessagesAsync(keptChannel)).Select(m => m.Id));

        // Readers are told (MESSAGE_DELETE_BULK per channel), the old file's stored objects are gone, the recent one's stay.
        var deleted = new List<string>();
        while (deleted.Count < 3)
        {
            var frame = await owner.Gateway.WaitForDispatchAsync(GatewayEvents.MessageDeleteBulk);
            var bulk = frame.D!.Value.Deserialize(VoxoraJsonContext.Default.MessagesDeleted)!;
            Assert.Equal(expiring.Id, bulk.CommunityId);
            deleted.AddRange(bulk.Ids);
        }

        Assert.Equal(new[] { old1.Id, old2.Id, old3.Id }.Order(), deleted.Order());
        Assert.False(await storage.ExistsAsync(StorageKeys.Original(oldFile.Id), default));
        Assert.True(await storage.ExistsAsync(StorageKeys.Original(newFile.Id), default));

        // One audit entry for the sweep, by nobody (the system), with the count.
        var entry = Assert.Single(await ownerApi.GetAuditLogAsync(expiring.Id, action: "message.retention_delete"));
        Assert.Null(entry.ActorId);
        Assert.Equal(3, entry.Changes!.Value.GetProperty("count").GetInt32());
        Assert.Equal(1, entry.Changes!.Value.GetProperty("days").GetInt32());
        Assert.Empty(await ownerApi.GetAuditLogAsync(kept.Id, action: "message.retention_delete"));

        // Swept already this period: the next pass (this node's or another's) leaves it, even with the clock moved on a
        // little (the recent message is older than the cutoff by then), and writes no entry.
        clock.Now = boundary.AddDays(1).AddMinutes(20);
        Assert.Equal(0, await sweeper.SweepAsync(default));
        Assert.Single(await ownerApi.GetAuditLogAsync(expiring.Id, action: "message.retention_delete"));
        Assert.Equal([recent.Id], (await ownerApi.GetMessagesAsync(channel)).Select(m => m.Id));

        // Two days on, the recent message is old too.
        clock.Now = boundary.AddDays(3);
        Assert.Equal(1, await sweeper.SweepAsync(default));
        Assert.Empty(await ownerApi.GetMessagesAsync(channel));
        Assert.False(await storage.ExistsAsync(StorageKeys.Original(newFile.Id), default));
        Assert.Equal(2, (await ownerApi.GetAuditLogAsync(expiring.Id, action: "message.retention_delete")).Count);
    }
}

public sealed class RetentionTestsOnSqlite(SqliteServerFixture fixture) : RetentionTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class RetentionTestsOnPostgres(PostgresServerFixture fixture) : RetentionTests(fixture), IClassFixture<PostgresServerFixture>;
