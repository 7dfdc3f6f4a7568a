using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Features.Avatars;
using Voxora.Server.Infrastructure.Storage;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests;

/// <summary>
/// Avatars and community icons: stored as metadata-free 256×256 WebP, served publicly by content hash, replaced and removed
/// cleanly, and shown to everyone who sees the person or community at once (USER_UPDATE, COMMUNITY_UPDATE) — on each
/// database provider and each storage backend.
/// </summary>
public abstract class AvatarsTests(MediaServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private IFileStorage Storage => Server.Services.GetRequiredService<IFileStorage>();

    private static readonly HttpClient Anonymous = new();

    private static byte[] Png(int width, int height, double red = 200)
    {
        using var black = NetVips.Image.Black(width, height, bands: 3);
        using var sum = black + new[] { red, 40, 90 };
        using var image = sum.Cast(NetVips.Enums.BandFormat.Uchar);
        return image.PngsaveBuffer();
    }

    private string Absolute(string path) => new Uri(Server.BaseAddress, path).ToString();

    private static string KeyOf(string url)
    {
        // "/api/v1/avatars/{id}/{hash}.webp" → "avatars/{id}/{hash}.webp"
        var parts = url.Split('/');
        return $"{parts[^3]}/{parts[^2]}/{parts[^1]}";
    }

    private static UserSummary SummaryOf(GatewayFrame frame) => frame.D!.Value.Deserialize(VoxoraJsonContext.Default.UserSummary)!;

    [Fact]
    public async Task An_avatar_is_cut_square_stored_without_metadata_served_publicly_and_shown_to_everyone_at_once()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (alice, aliceUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _a = alice;
        await alice.SendMessageAsync(community.TextChannel().Id, "before the picture");
        await using var watcher = await ConnectAsync(Server, owner, ownerUser);
        await using var stranger = await ConnectedUserAsync(Server, "str");
        Assert.Null(aliceUser.AvatarUrl);

        // A wide JPEG with GPS EXIF: the stored avatar is the centred square, 256×256 WebP, without any of it.
        var me = await alice.SetAvatarAsync(AttachmentsTests.JpegWithGps(600, 300), "image/jpeg");
        Assert.Matches($"^/api/v1/avatars/{aliceUser.Id}/[0-9a-f]{{16}}\\.webp$", me.AvatarUrl!);
        using (var response = await Anonymous.GetAsync(Absolute(me.AvatarUrl!)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/webp", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Contains("sandbox", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.True(response.Headers.CacheControl!.Public);
            Assert.Contains("immutable", response.Headers.CacheControl.ToString(), StringComparison.Ordinal);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            using var image = NetVips.Image.NewFromBuffer(bytes);
            Assert.Equal((AvatarLinks.Size, AvatarLinks.Size), (image.Width, image.Height));
            Assert.DoesNotContain(image.GetFields(), f => f.StartsWith("exif", StringComparison.Ordinal) || f.StartsWith("xmp", StringComparison.Ordinal));

            // A cache that already holds it is told so.
            using var again = new HttpRequestMessage(HttpMethod.Get, Absolute(me.AvatarUrl!));
            again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
            using var notModified = await Anonymous.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }

        // Those who share a community hear of it; a stranger does not.
        var update = SummaryOf(await watcher.Gateway.WaitForDispatchAsync(GatewayEvents.UserUpdate));
        Assert.Equal((aliceUser.Id, me.AvatarUrl), (update.Id, update.AvatarUrl));
        await AssertNoneOfArrivesAsync(stranger.Gateway, GatewayEvents.UserUpdate);

        // Everywhere the name goes, the picture goes: messages (old ones too), the member list, the user.
        var messages = await owner.GetMessagesAsync(community.TextChannel().Id);
        Assert.All(messages.Where(m => m.Author.Id == aliceUser.Id), m => Assert.Equal(me.AvatarUrl, m.Author.AvatarUrl));
        var members = await owner.GetMembersAsync(community.Id);
        Assert.Equal(me.AvatarUrl, members.Single(m => m.User.Id == aliceUser.Id).User.AvatarUrl);
        Assert.Equal(me.AvatarUrl, (await alice.GetMeAsync()).AvatarUrl);
        var sent = await alice.SendMessageAsync(community.TextChannel().Id, "after");
        Assert.Equal(me.AvatarUrl, sent.Author.AvatarUrl);

        // A new picture is a new URL; the old one is gone, from the API and from storage.
        var replaced = await alice.SetAvatarAsync(Png(100, 300), "image/png");
        Assert.NotEqual(me.AvatarUrl, replaced.AvatarUrl);
        Assert.Equal(HttpStatusCode.NotFound, (await Anonymous.GetAsync(Absolute(me.AvatarUrl!))).StatusCode);
        Assert.False(await Storage.ExistsAsync(KeyOf(me.AvatarUrl!), default));
        Assert.Equal(HttpStatusCode.OK, (await Anonymous.GetAsync(Absolute(replaced.AvatarUrl!))).StatusCode);
        Assert.Equal(replaced.AvatarUrl, SummaryOf(await watcher.Gateway.WaitForDispatchAsync(GatewayEvents.UserUpdate)).AvatarUrl);

        // Removed: no URL, nothing stored, everyone told.
        var removed = await alice.RemoveAvatarAsync();
        Assert.Null(removed.AvatarUrl);
        Assert.Equal(HttpStatusCode.NotFound, (await Anonymous.GetAsync(Absolute(replaced.AvatarUrl!))).StatusCode);
        Assert.False(await Storage.ExistsAsync(KeyOf(replaced.AvatarUrl!), default));
        var cleared = SummaryOf(await watcher.Gateway.WaitForDispatchAsync(GatewayEvents.UserUpdate));
        Assert.Equal((aliceUser.Id, null), (cleared.Id, cleared.AvatarUrl));
        Assert.Null((await owner.GetMembersAsync(community.Id)).Single(m => m.User.Id == aliceUser.Id).User.AvatarUrl);

        // Removing again changes nothing and tells nobody.
        Assert.Null((await alice.RemoveAvatarAsync()).AvatarUrl);
        await AssertNoneOfArrivesAsync(watcher.Gateway, GatewayEvents.UserUpdate);
    }

    [Fact]
    public async Task A_display_name_change_reaches_those_who_share_a_community_or_a_direct_channel()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (alice, aliceUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _a = alice;
        await using var watcher = await ConnectAsync(Server, owner, ownerUser);
        // A friend who shares only a direct channel with alice (met in the community, then left it).
        await using var friend = await ConnectedUserAsync(Server, "dm");
        await friend.Api.AcceptInviteAsync((await owner.CreateInviteAsync(community.Id)).Code);
        await alice.OpenDirectMessageAsync(friend.User.Id);
        await friend.Api.LeaveCommunityAsync(community.Id);
        await using var stranger = await ConnectedUserAsync(Server, "str");
        await using var self = await ConnectAsync(Server, alice, aliceUser);

        await alice.UpdateMeAsync("Alice Renamed");
        foreach (var gateway in new[] { watcher.Gateway, friend.Gateway, self.Gateway })
        {
            var update = SummaryOf(await gateway.WaitForDispatchAsync(GatewayEvents.UserUpdate));
            Assert.Equal((aliceUser.Id, "Alice Renamed"), (update.Id, update.DisplayName));
        }

        await AssertNoneOfArrivesAsync(stranger.Gateway, GatewayEvents.UserUpdate);
        Assert.Equal("Alice Renamed", (await owner.GetMembersAsync(community.Id)).Single(m => m.User.Id == aliceUser.Id).User.DisplayName);
    }

    [Fact]
    public async Task Pictures_that_are_not_what_they_claim_too_large_empty_or_anonymous_are_refused_and_change_nothing()
    {
        var (alice, aliceUser, _) = await Server.NewUserAsync("pic");
        using var _a = alice;
        var kept = await alice.SetAvatarAsync(Png(64, 64), "image/png");

        await Expect.Problem(HttpStatusCode.UnsupportedMediaType, ProblemCodes.UnsupportedMediaType, () => alice.SetAvatarAsync(Encoding.UTF8.GetBytes("hello"), "text/plain"));
        await Expect.Problem(HttpStatusCode.UnsupportedMediaType, ProblemCodes.UnsupportedMediaType, () => alice.SetAvatarAsync(Encoding.UTF8.GetBytes("<svg/>"), "image/svg+xml"));
        await Expect.Problem(HttpStatusCode.UnsupportedMediaType, ProblemCodes.FileContentMismatch,
            () => alice.SetAvatarAsync(Encoding.UTF8.GetBytes("<html><script>alert(1)</script></html>"), "image/png"));
        await Expect.Problem(HttpStatusCode.UnsupportedMediaType, ProblemCodes.FileContentMismatch, () => alice.SetAvatarAsync(Png(32, 32), "image/jpeg"));
        var truncated = Png(64, 64)[..80];
        await Expect.Problem(HttpStatusCode.UnsupportedMediaType, ProblemCodes.FileContentMismatch, () => alice.SetAvatarAsync(truncated, "image/png"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.MalformedRequest, () => alice.SetAvatarAsync([], "image/png"));

        // Over the 8 MiB cap: refused from the announced length before a byte is read.
        var tooBig = new byte[8 * 1024 * 1024 + 1];
        Png(8, 8).CopyTo(tooBig, 0);
        await Expect.Problem(HttpStatusCode.RequestEntityTooLarge, ProblemCodes.FileTooLarge, () => alice.SetAvatarAsync(tooBig, "image/png"));

        using (var anonymous = Server.NewClient())
        {
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.SetAvatarAsync(Png(8, 8), "image/png"));
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.RemoveAvatarAsync());
        }

        Assert.Equal(kept.AvatarUrl, (await alice.GetMeAsync()).AvatarUrl);
        Assert.Equal(HttpStatusCode.OK, (await Anonymous.GetAsync(Absolute(kept.AvatarUrl!))).StatusCode);

        // Only the current picture of that user, by its exact name, is served.
        var hash = kept.AvatarUrl!.Split('/')[^1][..AvatarLinks.HashLength];
        foreach (var path in new[]
                 {
                     $"/api/v1/avatars/{aliceUser.Id}/0000000000000000.webp", $"/api/v1/avatars/{aliceUser.Id}/{hash}.png",
                     $"/api/v1/avatars/{aliceUser.Id}/{hash.ToUpperInvariant()}.webp", $"/api/v1/avatars/usr_01ARZ3NDEKTSV4RRFFQ69G5FAV/{hash}.webp",
                     $"/api/v1/avatars/{aliceUser.Id}/..%2F{hash}.webp", $"/api/v1/icons/{aliceUser.Id}/{hash}.webp",
                 })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await Anonymous.GetAsync(Absolute(path))).StatusCode);
        }
    }

    [Fact]
    public async Task A_community_icon_needs_manage_community_reaches_its_members_and_goes_with_the_community()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, memberUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var (outsider, _, _) = await Server.NewUserAsync("out");
        using var _x = outsider;
        await using var watcher = await ConnectAsync(Server, member, memberUser);
        Assert.Null(community.IconUrl);

        var updated = await owner.SetCommunityIconAsync(community.Id, Png(300, 200), "image/png");
        Assert.Matches($"^/api/v1/icons/{community.Id}/[0-9a-f]{{16}}\\.webp$", updated.IconUrl!);
        Assert.NotNull(updated.Channels);
        var announced = (await watcher.Gateway.WaitForDispatchAsync(GatewayEvents.CommunityUpdate)).D!.Value.Deserialize(VoxoraJsonContext.Default.Community)!;
        Assert.Equal(updated.IconUrl, announced.IconUrl);
        Assert.Equal(updated.IconUrl, (await member.GetCommunityAsync(community.Id)).IconUrl);
        using (var response = await Anonymous.GetAsync(Absolute(updated.IconUrl!)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var image = NetVips.Image.NewFromBuffer(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal((AvatarLinks.Size, AvatarLinks.Size), (image.Width, image.Height));
        }

        // A member without MANAGE_COMMUNITY, an outsider, an unknown community: refused, nothing changed.
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.SetCommunityIconAsync(community.Id, Png(20, 20), "image/png"));
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => member.RemoveCommunityIconAsync(community.Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => outsider.SetCommunityIconAsync(community.Id, Png(20, 20), "image/png"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => owner.SetCommunityIconAsync("com_01ARZ3NDEKTSV4RRFFQ69G5FAV", Png(20, 20), "image/png"));
        await Expect.Problem(HttpStatusCode.UnsupportedMediaType, ProblemCodes.FileContentMismatch,
            () => owner.SetCommunityIconAsync(community.Id, Encoding.UTF8.GetBytes("<svg onload=alert(1)>"), "image/png"));
        Assert.Equal(updated.IconUrl, (await owner.GetCommunityAsync(community.Id)).IconUrl);

        // Replaced, then removed: each old file goes.
        var replaced = await owner.SetCommunityIconAsync(community.Id, Png(64, 64, red: 20), "image/png");
        Assert.NotEqual(updated.IconUrl, replaced.IconUrl);
        Assert.False(await Storage.ExistsAsync(KeyOf(updated.IconUrl!), default));
        var removed = await owner.RemoveCommunityIconAsync(community.Id);
        Assert.Null(removed.IconUrl);
        Assert.False(await Storage.ExistsAsync(KeyOf(replaced.IconUrl!), default));
        Assert.Equal(HttpStatusCode.NotFound, (await Anonymous.GetAsync(Absolute(replaced.IconUrl!))).StatusCode);

        // Deleting the community deletes its icon.
        var last = await owner.SetCommunityIconAsync(community.Id, Png(50, 50), "image/png");
        Assert.True(await Storage.ExistsAsync(KeyOf(last.IconUrl!), default));
        await owner.DeleteCommunityAsync(community.Id);
        Assert.False(await Storage.ExistsAsync(KeyOf(last.IconUrl!), default));
    }
}

public sealed class AvatarsTestsOnSqliteDisk(SqliteDiskMediaFixture fixture) : AvatarsTests(fixture), IClassFixture<SqliteDiskMediaFixture>;
public sealed class AvatarsTestsOnPostgresDisk(PostgresDiskMediaFixture fixture) : AvatarsTests(fixture), IClassFixture<PostgresDiskMediaFixture>;
public sealed class AvatarsTestsOnSqliteS3(SqliteS3MediaFixture fixture) : AvatarsTests(fixture), IClassFixture<SqliteS3MediaFixture>;
public sealed class AvatarsTestsOnPostgresS3(PostgresS3MediaFixture fixture) : AvatarsTests(fixture), IClassFixture<PostgresS3MediaFixture>;
