using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Voxora.Server.Tests.LinkPreviews;

/// <summary>
/// A tiny web site in the test process (Kestrel on a loopback address): pages with Open Graph tags, a plain page, an
/// oEmbed page, redirects and a PNG. It records every request path, so a test can assert a URL was never fetched.
/// </summary>
public sealed class TestOrigin : IAsyncDisposable
{
    /// <summary>A 1×1 PNG.</summary>
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private readonly WebApplication app;

    public ConcurrentQueue<string> Requests { get; } = new();

    public Uri BaseAddress { get; }

    public IPEndPoint EndPoint { get; }

    private TestOrigin(WebApplication app, IPEndPoint endPoint)
    {
        this.app = app;
        EndPoint = endPoint;
        BaseAddress = new Uri($"http://{endPoint}/");
    }

    public bool Saw(string pathPrefix) => Requests.Any(r => r.StartsWith(pathPrefix, StringComparison.Ordinal));

    public string Url(string path) => new Uri(BaseAddress, path).AbsoluteUri;

    /// <summary>Starts on <paramref name="address"/> (port 0: any free one).</summary>
    public static async Task<TestOrigin> StartAsync(string address = "127.0.0.1", int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{address}:{port}");
        var app = builder.Build();
        TestOrigin? origin = null;
        app.Use((context, next) =>
        {
            origin!.Requests.Enqueue(context.Request.Path + context.Request.QueryString);
            return next(context);
        });
        app.MapGet("/page/{name}", (string name, HttpContext http) => Html($"""
            <!doctype html><html><head><title>ignored</title>
            <meta property="og:title" content="Title of {WebUtility.HtmlEncode(name)}">
            <meta property="og:description" content="About {WebUtility.HtmlEncode(name)}">
            <meta property="og:image" content="/image.png?for={Uri.EscapeDataString(name)}">
            <meta property="og:site_name" content="Test Origin">
            <meta name="theme-color" content="#3498db">
            </head><body>hello</body></html>
            """));
        app.MapGet("/plain/{name}", (string name) => Html($"<title>Plain {WebUtility.HtmlEncode(name)}</title><meta name=\"description\" content=\"Plain page\">"));
        app.MapGet("/oembed-page/{name}", (string name) => Html($"""
            <title>Page title</title><link rel="alternate" type="application/json+oembed" href="/oembed.json?name={Uri.EscapeDataString(name)}">
            """));
        app.MapGet("/oembed.json", (string name) => Results.Text($$"""{"type":"rich","title":"oEmbed {{name}}","provider_name":"Embedder"}""", "application/json+oembed"));
        app.MapGet("/redirect", (string to) => Results.Redirect(to));
        app.MapGet("/image.png", () => Results.Bytes(Png, "image/png"));
        app.MapGet("/fake.png", () => Results.Text("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", "image/png"));
        app.MapGet("/svg", () => Results.Text("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "image/svg+xml"));
        app.MapGet("/secret/{name}", (string name) => Html($"<meta property=\"og:title\" content=\"SECRET {name}\">"));
        await app.StartAsync();
        var bound = new Uri(app.Urls.First());
        origin = new TestOrigin(app, new IPEndPoint(IPAddress.Parse(bound.Host.Trim('[', ']')), bound.Port));
        return origin;
    }

    private static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8");

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
