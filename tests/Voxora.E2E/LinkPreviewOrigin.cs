using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Voxora.E2E;

/// <summary>
/// A tiny web site on 127.0.0.1 for the link preview browser test: an Open Graph page and its cover image. The server
/// may reach it only because the fixture lists its endpoint in the TEST-ONLY <c>LINK_PREVIEWS:ALLOW_LOOPBACK_FOR_TESTS</c>.
/// </summary>
public sealed class LinkPreviewOrigin : IAsyncDisposable
{
    private readonly WebApplication app;

    private LinkPreviewOrigin(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int ImageRequests;

    public static async Task<LinkPreviewOrigin> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        LinkPreviewOrigin? origin = null;
        var cover = SolidPng(160, 160, 0x34, 0x98, 0xdb);
        app.MapGet("/article", () => Results.Content("""
            <!doctype html><html><head><title>fallback</title>
            <meta property="og:title" content="Voxora ships link previews">
            <meta property="og:description" content="Fetched by the server, shown to everyone, images through the pod's proxy.">
            <meta property="og:image" content="/cover.png">
            <meta property="og:site_name" content="Voxora Blog">
            <meta name="theme-color" content="#3498db">
            </head><body>article</body></html>
            """, "text/html; charset=utf-8"));
        app.MapGet("/cover.png", () =>
        {
            Interlocked.Increment(ref origin!.ImageRequests);
            return Results.Bytes(cover, "image/png");
        });
        await app.StartAsync();
        origin = new LinkPreviewOrigin(app, new Uri(app.Urls.First() + "/"));
        return origin;
    }

    /// <summary>A solid-colour RGB PNG (zlib-compressed scanlines, CRC-32 per chunk).</summary>
    private static byte[] SolidPng(int width, int height, byte r, byte g, byte b)
    {
        using var raw = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            raw.WriteByte(0);
            for (var x = 0; x < width; x++)
            {
                raw.Write([r, g, b]);
            }
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            raw.Position = 0;
            raw.CopyTo(zlib);
        }

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = 2;
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        png.Write(four);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(four, Crc32(typed));
        png.Write(four);
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var d in data)
        {
            crc ^= d;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
