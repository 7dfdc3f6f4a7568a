using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Attachments;
using Voxora.Server.Infrastructure.Storage;
using Voxora.Server.Tests.Infrastructure;
using static Voxora.Server.Tests.Infrastructure.GatewayPeople;

namespace Voxora.Server.Tests;

/// <summary>One server per class with its files on the disk or in a fresh bucket of the test S3 server.</summary>
public abstract class MediaServerFixture(Provider provider, bool s3) : IAsyncLifetime
{
    private TestServer? server;

    public Provider Provider { get; } = provider;
    public bool S3 { get; } = s3;

    /// <summary>The storage settings of this class's servers (empty: the disk).</summary>
    public Dictionary<string, string?> StorageSettings { get; private set; } = [];

    public TestServer Server => server ?? throw new InvalidOperationException("Fixture not started.");

    public async Task InitializeAsync()
    {
        StorageSettings = S3 ? await S3Buckets.NewBucketSettingsAsync() : [];
        server = await TestServer.StartAsync(Provider, StorageSettings);
    }

    public async Task DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}

public sealed class SqliteDiskMediaFixture() : MediaServerFixture(Provider.Sqlite, s3: false);
public sealed class PostgresDiskMediaFixture() : MediaServerFixture(Provider.Postgres, s3: false);
public sealed class SqliteS3MediaFixture() : MediaServerFixture(Provider.Sqlite, s3: true);
public sealed class PostgresS3MediaFixture() : MediaServerFixture(Provider.Postgres, s3: true);

/// <summary>
/// Attachments (seed 000 §P2-5, Test 3): upload, limits, sniffing, image processing, signed links, serving, deletes and the
/// orphan sweep — on each database provider and each storage backend, against real storage.
/// </summary>
public abstract class AttachmentsTests(MediaServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private IFileStorage Storage => Server.Services.GetRequiredService<IFileStorage>();

    private static readonly HttpClient Anonymous = new();

    private static Message MessageOf(GatewayFrame frame) => frame.D!.Value.Deserialize(VoxoraJsonContext.Default.Message)!;

    private static byte[] Png(int width, int height)
    {
        using var black = NetVips.Image.Black(width, height, bands: 3);
        using var sum = black + new double[] { 200, 40, 90 };
        using var image = sum.Cast(NetVips.Enums.BandFormat.Uchar);
        return image.PngsaveBuffer();
    }

    /// <summary>A JPEG of <paramref name="width"/>×<paramref name="height"/> carrying EXIF orientation 6 (turn 90° clockwise) and a GPS position.</summary>
    internal static byte[] JpegWithGps(int width, int height)
    {
        using var black = NetVips.Image.Black(width, height, bands: 3);
        using var sum = black + new double[] { 10, 120, 240 };
        using var image = sum.Cast(NetVips.Enums.BandFormat.Uchar);
        var jpeg = image.JpegsaveBuffer(keep: NetVips.Enums.ForeignKeep.None);
        var tiff = new List<byte>();
        void U16(int v) => tiff.AddRange([(byte)v, (byte)(v >> 8)]);
        void U32(int v) => tiff.AddRange([(byte)v, (byte)(v >> 8), (byte)(v >> 16), (byte)(v >> 24)]);
        tiff.AddRange("II"u8.ToArray());
        U16(42);
        U32(8);
        // IFD0: orientation 6 and the GPS IFD's offset (8 + 2 + 2*12 + 4 = 38).
        U16(2);
        U16(0x0112); U16(3); U32(1); U16(6); U16(0);
        U16(0x8825); U16(4); U32(1); U32(38);
        U32(0);
        // GPS IFD: latitude ref "N" and latitude 48° 51' 30" (rationals at 38 + 2 + 2*12 + 4 = 68).
        U16(2);
        U16(0x0001); U16(2); U32(2); tiff.AddRange("N\0\0\0"u8.ToArray());
        U16(0x0002); U16(5); U32(3); U32(68);
        U32(0);
        foreach (var part in new[] { 48, 51, 30 })
        {
            U32(part);
            U32(1);
        }

        var app1 = new List<byte> { 0xFF, 0xE1 };
        var length = 2 + 6 + tiff.Count;
        app1.AddRange([(byte)(length >> 8), (byte)length]);
        app1.AddRange("Exif\0\0"u8.ToArray());
        app1.AddRange(tiff);
        return [.. jpeg.AsSpan(0, 2), .. app1, .. jpeg.AsSpan(2)];
    }

    private static async Task<HttpResponseMessage> GetAsync(string url, string? range = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (range is not null)
        {
            request.Headers.Range = RangeHeaderValue.Parse(range);
        }

        return await Anonymous.SendAsync(request);
    }

    private static async Task<int> StatusOfPutAsync(VoxoraClient client, string url, HttpContent content)
    {
        try
        {
            await client.UploadAttachmentAsync(url, content);
            return 200;
        }
        catch (VoxoraApiException e)
        {
            return (int)e.Status;
        }
    }

    private async Task<AttachmentEntity?> RowAsync(string id)
    {
        await using var scope = Server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<VoxoraDbContext>().Attachments.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id);
    }

    [Fact]
    public async Task Seed_test_3_files_are_uploaded_sent_announced_served_and_deleted_with_their_message()
    {
        var (bob, _, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var (alice, aliceUser) = await Server.NewMemberAsync(bob, community.Id);
        using var _a = alice;
        var channel = community.TextChannel().Id;
        await using var watcher = await ConnectAsync(Server, bob, (await bob.GetMeAsync()));

        // 1–2: announce, then PUT the bytes.
        var text = Encoding.UTF8.GetBytes("hello, files\nsecond line ünïcode\n");
        var upload = await alice.CreateAttachmentAsync(channel, "notes ü.txt", "text/plain", text.Length);
        Assert.StartsWith("att_", upload.AttachmentId, StringComparison.Ordinal);
        Assert.Equal(("PUT", $"{Server.BaseAddress}api/v1/media/upload/{upload.AttachmentId}"), (upload.UploadMethod, upload.UploadUrl));
        Assert.InRange(upload.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(9), DateTimeOffset.UtcNow.AddMinutes(11));
        var textFile = await alice.UploadAttachmentAsync(upload.UploadUrl, text);
        Assert.Equal((upload.AttachmentId, "notes ü.txt", "text/plain", (long)text.Length), (textFile.Id, textFile.Filename, textFile.ContentType, textFile.SizeBytes));
        Assert.Equal((null, null, null), (textFile.ThumbnailUrl, textFile.Width, textFile.Height));

        var png = Png(900, 600);
        var image = await alice.UploadFileAsync(channel, "picture.png", "image/png", png);
        Assert.Equal((900, 600), (image.Width, image.Height));
        Assert.NotNull(image.ThumbnailUrl);

        // 3–4: a message with the attachments only; MESSAGE_CREATE carries the full objects in the order given.
        var sent = await alice.SendMessageWithAttachmentsAsync(channel, null, [image.Id, textFile.Id]);
        Assert.Equal("", sent.Content);
        Assert.Equal([image.Id, textFile.Id], sent.Attachments.Select(a => a.Id));
        var created = MessageOf(await watcher.Gateway.WaitForDispatchAsync(GatewayEvents.MessageCreate));
        Assert.Equal(sent.Id, created.Id);
        Assert.Equal(aliceUser.Id, created.Author.Id);
        Assert.Equal([image.Id, textFile.Id], created.Attachments.Select(a => a.Id));
        Assert.Equal(("picture.png", "image/png", 900, 600), (created.Attachments[0].Filename, created.Attachments[0].ContentType, created.Attachments[0].Width, created.Attachments[0].Height));
        Assert.Equal(textFile.SizeBytes, created.Attachments[1].SizeBytes);

        // History carries them too, with links anyone holding them can use (no token).
        var history = await bob.GetMessagesAsync(channel);
        var stored = Assert.Single(history, m => m.Id == sent.Id);
        Assert.Equal([image.Id, textFile.Id], stored.Attachments.Select(a => a.Id));

        // 5: the exact bytes, with the headers that keep a browser from running anything.
        using (var response = await GetAsync(stored.Attachments[1].Url))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(text, await response.Content.ReadAsByteArrayAsync());
            Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal("attachment; filename=\"notes _.txt\"; filename*=UTF-8''notes%20%C3%BC.txt", response.Content.Headers.ContentDisposition!.ToString());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("sandbox", csp, StringComparison.Ordinal);
            Assert.True(response.Headers.CacheControl!.Private);
            Assert.InRange(response.Headers.CacheControl.MaxAge!.Value, TimeSpan.FromHours(23), TimeSpan.FromHours(25));
            Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
        }

        // Range: 206 with exactly those bytes.
        using (var partial = await GetAsync(stored.Attachments[1].Url, "bytes=7-11"))
        {
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(text[7..12], await partial.Content.ReadAsByteArrayAsync());
            Assert.Equal($"bytes 7-11/{text.Length}", partial.Content.Headers.ContentRange!.ToString());
        }

        using (var tail = await GetAsync(stored.Attachments[1].Url, "bytes=-5"))
        {
            Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
            Assert.Equal(text[^5..], await tail.Content.ReadAsByteArrayAsync());
        }

        using (var beyond = await GetAsync(stored.Attachments[1].Url, $"bytes={text.Length}-"))
        {
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
        }

        // 6: the image is inline, decodes to its size, and its thumbnail is a WebP within 400×400.
        using (var original = await GetAsync(stored.Attachments[0].Url))
        {
            Assert.Equal(HttpStatusCode.OK, original.StatusCode);
            Assert.Equal("image/png", original.Content.Headers.ContentType!.MediaType);
            Assert.StartsWith("inline;", original.Content.Headers.ContentDisposition!.ToString(), StringComparison.Ordinal);
            using var decoded = NetVips.Image.NewFromBuffer(await original.Content.ReadAsByteArrayAsync());
            Assert.Equal((900, 600), (decoded.Width, decoded.Height));
        }

        using (var thumbnail = await GetAsync(stored.Attachments[0].ThumbnailUrl!))
        {
            Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
            Assert.Equal("image/webp", thumbnail.Content.Headers.ContentType!.MediaType);
            var bytes = await thumbnail.Content.ReadAsByteArrayAsync();
            Assert.True(MediaRules.Sniff("image/webp", bytes), "the thumbnail is a WebP");
            using var decoded = NetVips.Image.NewFromBuffer(bytes);
            Assert.Equal((400, 267), (decoded.Width, decoded.Height));
        }

        Assert.True(await Storage.ExistsAsync(StorageKeys.Original(image.Id), default));
        Assert.True(await Storage.ExistsAsync(StorageKeys.Thumbnail(image.Id), default));
        Assert.True(await Storage.ExistsAsync(StorageKeys.Original(textFile.Id), default));

        // An edit keeps the attachments (MESSAGE_UPDATE carries them too).
        var edited = await alice.EditMessageAsync(channel, sent.Id, "now with words");
        Assert.Equal([image.Id, textFile.Id], edited.Attachments.Select(a => a.Id));

        // Deleting the message deletes its files from storage, and their links stop working.
        await alice.DeleteMessageAsync(channel, sent.Id);
        Assert.False(await Storage.ExistsAsync(StorageKeys.Original(image.Id), default));
        Assert.False(await Storage.ExistsAsync(StorageKeys.Thumbnail(image.Id), default));
        Assert.False(await Storage.ExistsAsync(StorageKeys.Original(textFile.Id), default));
        Assert.Null(await RowAsync(image.Id));
        using var gone = await GetAsync(stored.Attachments[1].Url);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task A_jpeg_loses_its_gps_exif_and_is_stored_upright()
    {
        var (bob, _, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var channel = community.TextChannel().Id;
        var jpeg = JpegWithGps(40, 20);
        using (var input = NetVips.Image.NewFromBuffer(jpeg))
        {
            // The test file really carries what must go.
            Assert.Contains("exif-ifd3-GPSLatitude", input.GetFields());
            Assert.Equal(6, (int)input.Get("orientation"));
        }

        var attachment = await bob.UploadFileAsync(channel, "holiday.jpg", "image/jpeg", jpeg);
        Assert.Equal((20, 40), (attachment.Width, attachment.Height));
        var message = await bob.SendMessageWithAttachmentsAsync(channel, "look", [attachment.Id]);
        using var response = await GetAsync(message.Attachments[0].Url);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(bytes.Length, message.Attachments[0].SizeBytes);
        Assert.Equal(-1, bytes.AsSpan().IndexOf("Exif\0\0"u8));
        using var output = NetVips.Image.NewFromBuffer(bytes);
        Assert.DoesNotContain(output.GetFields(), f => f.StartsWith("exif-", StringComparison.Ordinal));
        Assert.Equal((20, 40), (output.Width, output.Height));
    }

    [Fact]
    public async Task Every_limit_is_a_clear_4xx_that_stores_nothing()
    {
        var (bob, _, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var (alice, _) = await Server.NewMemberAsync(bob, community.Id);
        using var _a = alice;
        var channel = community.TextChannel().Id;
        var other = (await bob.CreateChannelAsync(community.Id, new CreateChannelRequest("other"))).Id;

        // At POST: too big, refused types (HTML, SVG, unknown), malformed requests.
        await Expect.Problem(HttpStatusCode.RequestEntityTooLarge, ProblemCodes.FileTooLarge, () => alice.CreateAttachmentAsync(channel, "big.bin.pdf", "application/pdf", 25L * 1024 * 1024 + 1));
        await Expect.Problem(HttpStatusCode.UnsupportedMediaType, ProblemCodes.FileTypeNotAllowed, () => alice.CreateAttachmentAsync(channel, "page.html", "text/html", 10));
        await Expect.Problem(HttpStatusCode.UnsupportedMediaType, ProblemCodes.FileTypeNotAllowed, () => alice.CreateAttachmentAsync(channel, "cat.svg", "image/svg+xml", 10));
        await Expect.Problem(HttpStatusCode.UnsupportedMediaType, ProblemCodes.FileTypeNotAllowed, () => alice.CreateAttachmentAsync(channel, "x.exe", "application/x-msdownload", 10));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.CreateAttachmentAsync(channel, "", "text/plain", 10));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.CreateAttachmentAsync(channel, "../etc/passwd", "text/plain", 10));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.CreateAttachmentAsync(channel, "a.txt", "text/plain", 0));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.CreateAttachmentAsync(channel, "a.txt", null, 3));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.CreateAttachmentAsync("ch_01ARZ3NDEKTSV4RRFFQ69G5FAV", "a.txt", "text/plain", 3));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => alice.CreateAttachmentAsync("nope", "a.txt", "text/plain", 3));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.WrongChannelType, () => alice.CreateAttachmentAsync(community.VoiceChannel().Id, "a.txt", "text/plain", 3));
        using (var anonymous = Server.NewClient())
        {
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.CreateAttachmentAsync(channel, "a.txt", "text/plain", 3));
        }

        // At PUT: more or fewer bytes than declared (also when the client sends no length up front).
        var declared = await alice.CreateAttachmentAsync(channel, "ten.txt", "text/plain", 10);
        Assert.Equal(400, await StatusOfPutAsync(alice, declared.UploadUrl, new ByteArrayContent(Encoding.ASCII.GetBytes("eleven byte"))));
        Assert.Equal(400, await StatusOfPutAsync(alice, declared.UploadUrl, new ByteArrayContent(Encoding.ASCII.GetBytes("nine byte"))));
        Assert.Equal(400, await StatusOfPutAsync(alice, declared.UploadUrl, new StreamContent(new NoLengthStream(Encoding.ASCII.GetBytes("eleven byte")))));
        Assert.Equal(400, await StatusOfPutAsync(alice, declared.UploadUrl, new StreamContent(new NoLengthStream(Encoding.ASCII.GetBytes("nine byte")))));
        Assert.False(await Storage.ExistsAsync(StorageKeys.Original(declared.AttachmentId), default));
        Assert.Equal(AttachmentStatus.Pending, (await RowAsync(declared.AttachmentId))!.Status);

        // Someone else's upload is unknown to you; unknown and malformed ids too; no token, 401.
        using (var anonymous = Server.NewClient())
        {
            await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, () => anonymous.UploadAttachmentAsync(declared.UploadUrl, Encoding.ASCII.GetBytes("ten bytes!")));
        }

        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => bob.UploadAttachmentAsync(declared.UploadUrl, Encoding.ASCII.GetBytes("ten bytes!")));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => bob.UploadAttachmentAsync($"{Server.BaseAddress}api/v1/media/upload/att_01ARZ3NDEKTSV4RRFFQ69G5FAV", Encoding.ASCII.GetBytes("ten bytes!")));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => bob.UploadAttachmentAsync($"{Server.BaseAddress}api/v1/media/upload/garbage", Encoding.ASCII.GetBytes("ten bytes!")));

        // The right bytes after the failed tries are taken; a second PUT is refused.
        var ten = await alice.UploadAttachmentAsync(declared.UploadUrl, Encoding.ASCII.GetBytes("ten bytes!"));
        Assert.Equal(10, ten.SizeBytes);
        await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.AlreadyUploaded, () => alice.UploadAttachmentAsync(declared.UploadUrl, Encoding.ASCII.GetBytes("ten bytes!")));

        // The declared type must match the bytes: HTML or SVG called cat.png, HTML or SVG as text, a PNG that is not one.
        var html = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><script>alert(document.cookie)</script></html>");
        var svg = Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>");
        foreach (var (name, type, bytes) in new[]
        {
            ("cat.png", "image/png", html), ("cat.png", "image/png", svg), ("cat.jpg", "image/jpeg", svg), ("notes.txt", "text/plain", html),
            ("notes.txt", "text/plain", svg), ("notes.txt", "text/plain", Encoding.UTF8.GetBytes("  <?xml version=\"1.0\"?><svg/>")),
            ("doc.pdf", "application/pdf", html), ("broken.png", "image/png", [.. Png(20, 20).AsSpan(0, 30)]),
        })
        {
            var refused = await alice.CreateAttachmentAsync(channel, name, type, bytes.Length);
            await Expect.Problem(HttpStatusCode.UnsupportedMediaType, ProblemCodes.FileContentMismatch, () => alice.UploadAttachmentAsync(refused.UploadUrl, bytes));
            Assert.False(await Storage.ExistsAsync(StorageKeys.Original(refused.AttachmentId), default));
        }

        // Sending: at most 10, each uploaded by the sender for this channel and not sent yet.
        var pending = await alice.CreateAttachmentAsync(channel, "later.txt", "text/plain", 5);
        var elsewhere = await alice.UploadFileAsync(other, "other.txt", "text/plain", Encoding.ASCII.GetBytes("other"));
        var bobs = await bob.UploadFileAsync(channel, "bob.txt", "text/plain", Encoding.ASCII.GetBytes("bob's"));
        var mine = await alice.UploadFileAsync(channel, "mine.txt", "text/plain", Encoding.ASCII.GetBytes("mine!"));
        var eleven = Enumerable.Range(0, 11).Select(_ => mine.Id).ToList();
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.SendMessageWithAttachmentsAsync(channel, "x", eleven));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.SendMessageWithAttachmentsAsync(channel, "x", [mine.Id, mine.Id]));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.SendMessageWithAttachmentsAsync(channel, "x", ["garbage"]));
        foreach (var wrong in new[] { pending.AttachmentId, elsewhere.Id, bobs.Id, "att_01ARZ3NDEKTSV4RRFFQ69G5FAV" })
        {
            await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.SendMessageWithAttachmentsAsync(channel, "x", [mine.Id, wrong]));
        }

        // None of the refused sends kept a claim: the upload is still free, is sent once, and not a second time.
        Assert.DoesNotContain(await alice.GetMessagesAsync(channel), m => m.Content == "x");
        await alice.SendMessageWithAttachmentsAsync(channel, "", [mine.Id]);
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.SendMessageWithAttachmentsAsync(channel, "again", [mine.Id]));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed, () => alice.SendMessageWithAttachmentsAsync(channel, "", []));
        Assert.Equal(AttachmentStatus.Uploaded, (await RowAsync(elsewhere.Id))!.Status);
    }

    [Fact]
    public async Task Without_send_attachments_nothing_can_be_announced_and_direct_messages_take_files()
    {
        var (bob, _, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var (alice, aliceUser) = await Server.NewMemberAsync(bob, community.Id);
        using var _a = alice;
        var channel = community.TextChannel().Id;
        await bob.SetOverrideAsync(channel, "user", aliceUser.Id, 0, Permission.SendAttachments);
        await Expect.Problem(HttpStatusCode.Forbidden, ProblemCodes.Forbidden, () => alice.CreateAttachmentAsync(channel, "a.txt", "text/plain", 3));
        await using (var scope = Server.Services.CreateAsyncScope())
        {
            Assert.False(await scope.ServiceProvider.GetRequiredService<VoxoraDbContext>().Attachments.AnyAsync(a => a.UploaderId == aliceUser.Id));
        }

        // Still fine in a direct message with a participant; an outsider does not even see the channel.
        var dm = await alice.OpenDirectMessageAsync((await bob.GetMeAsync()).Id);
        var file = await alice.UploadFileAsync(dm.Id, "dm.txt", "text/plain", Encoding.ASCII.GetBytes("psst"));
        var message = await alice.SendMessageWithAttachmentsAsync(dm.Id, null, [file.Id]);
        Assert.Equal(file.Id, Assert.Single((await bob.GetMessagesAsync(dm.Id)).Single(m => m.Id == message.Id).Attachments).Id);
        var (carol, _, _) = await Server.NewUserAsync("carol");
        using var _c = carol;
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => carol.CreateAttachmentAsync(dm.Id, "a.txt", "text/plain", 3));
    }

    [Fact]
    public async Task Media_links_that_are_expired_tampered_or_for_another_file_serve_nothing()
    {
        var (bob, _, community) = await Server.NewCommunityAsync();
        using var _b = bob;
        var channel = community.TextChannel().Id;
        var one = await bob.UploadFileAsync(channel, "one.png", "image/png", Png(30, 30));
        var two = await bob.UploadFileAsync(channel, "two.txt", "text/plain", Encoding.ASCII.GetBytes("two"));
        byte[] key;
        await using (var scope = Server.Services.CreateAsyncScope())
        {
            key = (await scope.ServiceProvider.GetRequiredService<VoxoraDbContext>().MediaKeys.SingleAsync()).Key;
        }

        string Link(string id, string name, long expires, MediaVariant variant = MediaVariant.Original) =>
            $"{Server.BaseAddress}api/v1/media/{id}/{name}?expires={expires}&signature={MediaLinks.Sign(key, variant, id, expires)}";

        var future = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var past = DateTimeOffset.UtcNow.AddSeconds(-5).ToUnixTimeSeconds();
        using (var ok = await GetAsync(Link(two.Id, "two.txt", future)))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var refused = new[]
        {
            Link(two.Id, "two.txt", past),                                            // expired
            Link(two.Id, "two.txt", future).Replace("expires=", "expires=1", StringComparison.Ordinal), // expiry changed
            Link(two.Id, "two.txt", future)[..^2] + "AA",                               // signature changed
            Link(one.Id, "two.txt", future).Replace(one.Id, two.Id, StringComparison.Ordinal), // another file's signature
            Link(one.Id, "one.png", future, MediaVariant.Thumbnail),                    // a thumbnail's signature for the original
            $"{Server.BaseAddress}api/v1/media/{two.Id}/two.txt",                     // no signature
            $"{Server.BaseAddress}api/v1/media/{two.Id}/two.txt?expires=abc&signature=x",
        };
        foreach (var url in refused)
        {
            using var response = await GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{url}: {response.StatusCode}");
            Assert.Equal(ProblemCodes.InvalidMediaLink, (await response.Content.ReadFromJsonAsync(VoxoraJsonContext.Default.Problem))!.Code);
        }

        // A thumbnail link opens the thumbnail, not the original.
        using var thumbnail = await GetAsync(Link(one.Id, "thumbnail.webp", future, MediaVariant.Thumbnail));
        Assert.Equal("image/webp", thumbnail.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Quota_expired_upload_urls_and_orphans_are_enforced_and_swept()
    {
        var settings = new Dictionary<string, string?>(fixture.StorageSettings)
        {
            ["MEDIA:USER_QUOTA_BYTES"] = "100",
            ["MEDIA:UPLOAD_URL_SECONDS"] = "1",
            ["MEDIA:ORPHAN_SECONDS"] = "0",
            ["MEDIA:SWEEP_SECONDS"] = "86400",
        };
        await using var server = await TestServer.StartAsync(fixture.Provider, settings);
        var (bob, _, community) = await server.NewCommunityAsync();
        using var _b = bob;
        var channel = community.TextChannel().Id;
        var storage = server.Services.GetRequiredService<IFileStorage>();

        // Quota: announced files count, so 60 + 50 is over 100 and nothing is created.
        var first = await bob.CreateAttachmentAsync(channel, "a.txt", "text/plain", 60);
        await Expect.Problem(HttpStatusCode.RequestEntityTooLarge, ProblemCodes.QuotaExceeded, () => bob.CreateAttachmentAsync(channel, "b.txt", "text/plain", 50));
        var second = await bob.CreateAttachmentAsync(channel, "b.txt", "text/plain", 30);

        // The upload URL expires.
        await Task.Delay(2100);
        await Expect.Problem(HttpStatusCode.Gone, ProblemCodes.UploadExpired, () => bob.UploadAttachmentAsync(first.UploadUrl, new byte[60]));

        // Orphans (announced or uploaded, never sent) are swept with their files; a sent one stays.
        var uploaded = await bob.CreateAttachmentAsync(channel, "c.txt", "text/plain", 0 + 1);
        await bob.UploadAttachmentAsync(uploaded.UploadUrl, "c"u8.ToArray());
        Assert.True(await storage.ExistsAsync(StorageKeys.Original(uploaded.AttachmentId), default));
        var sweeper = server.Services.GetRequiredService<AttachmentSweeper>();
        await Task.Delay(50);
        Assert.Equal(3, await sweeper.SweepOnceAsync(default));
        Assert.False(await storage.ExistsAsync(StorageKeys.Original(uploaded.AttachmentId), default));
        Assert.Equal(0, await sweeper.SweepOnceAsync(default));
        _ = second;
    }
}

/// <summary>A stream whose length is unknown, so the request goes chunked without a Content-Length.</summary>
internal sealed class NoLengthStream(byte[] bytes) : MemoryStream(bytes)
{
    public override bool CanSeek => false;
}

public sealed class AttachmentsTestsOnSqliteDisk(SqliteDiskMediaFixture fixture) : AttachmentsTests(fixture), IClassFixture<SqliteDiskMediaFixture>;
public sealed class AttachmentsTestsOnPostgresDisk(PostgresDiskMediaFixture fixture) : AttachmentsTests(fixture), IClassFixture<PostgresDiskMediaFixture>;
public sealed class AttachmentsTestsOnSqliteS3(SqliteS3MediaFixture fixture) : AttachmentsTests(fixture), IClassFixture<SqliteS3MediaFixture>;
public sealed class AttachmentsTestsOnPostgresS3(PostgresS3MediaFixture fixture) : AttachmentsTests(fixture), IClassFixture<PostgresS3MediaFixture>;
