using System.Net;
using System.Text;
using Voxora.Server.Features.LinkPreviews;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Tests.Unit;

/// <summary>The pure parts of link previews: which addresses are public, which links a message has, what a page says.</summary>
public sealed class LinkPreviewRulesTests
{
    [Theory]
    // IPv4 special ranges
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("10.0.0.1")]
    [InlineData("10.255.255.255")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("127.0.0.1")]
    [InlineData("127.1.2.3")]
    [InlineData("169.254.169.254")]
    [InlineData("169.254.0.1")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.0.0.8")]
    [InlineData("192.0.2.1")]
    [InlineData("192.88.99.1")]
    [InlineData("192.168.1.1")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.255")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.9")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    // IPv6 special forms
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("::127.0.0.1")]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("64:ff9b:1::1")]
    [InlineData("100::1")]
    [InlineData("fc00::")]
    [InlineData("fd12:3456:789a::1")]
    [InlineData("fe80::1")]
    [InlineData("febf::1")]
    [InlineData("fec0::1")]
    [InlineData("ff02::1")]
    [InlineData("2001::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")]
    [InlineData("2001:2::1")]
    [InlineData("2001:10::1")]
    [InlineData("2001:db8::1")]
    [InlineData("2002:7f00:1::1")]
    [InlineData("2002:a9fe:a9fe::1")]
    [InlineData("2002:c0a8:101::1")]
    [InlineData("3fff::1")]
    [InlineData("5f00::1")]
    public void Non_public_addresses_are_refused(string address) =>
        Assert.False(AddressRules.IsPublic(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("1.1.1.1")]
    [InlineData("8.8.8.8")]
    [InlineData("93.184.216.34")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("169.253.255.255")]
    [InlineData("192.169.0.1")]
    [InlineData("198.20.0.1")]
    [InlineData("223.255.255.254")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:80b::200e")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2002:808:808::1")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.True(AddressRules.IsPublic(IPAddress.Parse(address)), address);

    [Fact]
    public void Links_are_found_in_order_once_outside_code_at_most_five()
    {
        Assert.Equal(["https://a.example/x", "http://b.example/y?q=1"],
            LinkFinder.Find("see https://a.example/x, and (http://b.example/y?q=1) then https://a.example/x again"));
        Assert.Equal(["https://en.wikipedia.org/wiki/Foo_(bar)"], LinkFinder.Find("read https://en.wikipedia.org/wiki/Foo_(bar)."));
        Assert.Equal(["https://c.example/"], LinkFinder.Find("`https://a.example/` ``x https://b.example/ y`` ```\nhttps://d.example/\n``` https://c.example/"));
        Assert.Equal(["https://t.example/"], LinkFinder.Find("[label](https://t.example/)"));
        Assert.Empty(LinkFinder.Find("ftp://x.example/ javascript:alert(1) xhttps://x.example/ no links"));
        var many = string.Join(' ', Enumerable.Range(1, 8).Select(i => $"https://site{i}.example/"));
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"https://site{i}.example/"), LinkFinder.Find(many));
        Assert.Empty(LinkFinder.Find("https://" + new string('a', 3000) + ".example/"));
    }

    [Fact]
    public void Open_graph_wins_then_title_and_description_fall_back()
    {
        var page = new Uri("https://news.example/article/1");
        var og = PreviewParser.Parse(Encoding.UTF8.GetBytes("""
            <html><head><title>Fallback</title>
            <meta property="og:title" content="  Article
               Title ">
            <meta property="og:description" content="A brief description">
            <meta property="og:image" content="/img/cover.png">
            <meta property="og:site_name" content="News">
            <meta name="theme-color" content="#3498db">
            </head><body><script>document.write('<meta property="og:title" content="no">')</script></body></html>
            """), page);
        Assert.Equal(("Article Title", "A brief description", "https://news.example/img/cover.png", "News", (int?)0x3498db, true),
            (og.Title, og.Description, og.ImageUrl, og.SiteName, og.Color, og.HasOpenGraph));

        var plain = PreviewParser.Parse(Encoding.UTF8.GetBytes("""
            <title>Plain &amp; simple</title><meta name="description" content="Described">
            <meta property="og:image" content="javascript:alert(1)"><meta name="theme-color" content="red">
            <link rel="alternate" type="application/json+oembed" href="/oembed?url=x">
            """), page);
        Assert.Equal(("Plain & simple", "Described", (string?)null, (int?)null, false, "https://news.example/oembed?url=x"),
            (plain.Title, plain.Description, plain.ImageUrl, plain.Color, plain.HasOpenGraph, plain.OEmbedUrl));

        var oembed = PreviewParser.ParseOEmbed(Encoding.UTF8.GetBytes("""{"type":"video","title":"A video","provider_name":"Tube","thumbnail_url":"https://i.tube.example/t.jpg"}"""), new Uri("https://news.example/oembed"));
        var merged = PreviewParser.Merge(plain, oembed);
        Assert.Equal(("A video", "Described", "https://i.tube.example/t.jpg", "Tube"), (merged.Title, merged.Description, merged.ImageUrl, merged.SiteName));
        Assert.Null(PreviewParser.ParseOEmbed("[1,2]"u8.ToArray(), page));
        Assert.Null(PreviewParser.ParseOEmbed("not json"u8.ToArray(), page));
        Assert.Equal(0xaabbcc, PreviewParser.ParseColor("#abc"));
        Assert.True(PreviewParser.Parse(Encoding.UTF8.GetBytes("<p>nothing</p>"), page).IsEmpty);
        Assert.Equal(PreviewParser.MaxTitle, PreviewParser.Parse(Encoding.UTF8.GetBytes($"<title>{new string('x', 5000)}</title>"), page).Title!.Length);
    }

    [Fact]
    public void Signed_urls_verify_only_unchanged_and_unexpired()
    {
        var signer = new UrlSigner(new byte[32]);
        var now = DateTimeOffset.FromUnixTimeSeconds(1_000_000);
        var signature = signer.Sign("media-proxy", "https://a.example/i.png", 1_000_100);
        Assert.True(signer.Verify("media-proxy", "https://a.example/i.png", 1_000_100, signature, now));
        Assert.False(signer.Verify("media-proxy", "https://a.example/j.png", 1_000_100, signature, now));
        Assert.False(signer.Verify("media-proxy", "https://a.example/i.png", 1_000_200, signature, now));
        Assert.False(signer.Verify("other", "https://a.example/i.png", 1_000_100, signature, now));
        Assert.False(signer.Verify("media-proxy", "https://a.example/i.png", 1_000_100, signature, now.AddSeconds(101)));
        Assert.False(signer.Verify("media-proxy", "https://a.example/i.png", 1_000_100, "!!", now));
        Assert.False(signer.Verify("media-proxy", "https://a.example/i.png", 1_000_100, null, now));
        Assert.False(new UrlSigner(Enumerable.Repeat((byte)1, 32).ToArray()).Verify("media-proxy", "https://a.example/i.png", 1_000_100, signature, now));
    }

    [Fact]
    public void Test_endpoints_must_be_loopback_with_a_port()
    {
        Assert.Single(LinkPreviewOptions.ParseEndpoints("127.0.0.1:5001", out var error));
        Assert.Null(error);
        LinkPreviewOptions.ParseEndpoints("10.0.0.1:80", out error);
        Assert.NotNull(error);
        LinkPreviewOptions.ParseEndpoints("127.0.0.1", out error);
        Assert.NotNull(error);
        Assert.Empty(new LinkPreviewOptions().TestEndpoints());
    }

    [Fact]
    public void Only_raster_image_bytes_are_served()
    {
        Assert.Equal("image/png", Features.LinkPreviews.LinkPreviewsEndpoints.Sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]));
        Assert.Equal("image/jpeg", Features.LinkPreviews.LinkPreviewsEndpoints.Sniff([0xFF, 0xD8, 0xFF, 0xE0]));
        Assert.Equal("image/gif", Features.LinkPreviews.LinkPreviewsEndpoints.Sniff("GIF89a..."u8));
        Assert.Equal("image/webp", Features.LinkPreviews.LinkPreviewsEndpoints.Sniff("RIFF\0\0\0\0WEBPVP8 "u8));
        Assert.Null(Features.LinkPreviews.LinkPreviewsEndpoints.Sniff("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"u8));
        Assert.Null(Features.LinkPreviews.LinkPreviewsEndpoints.Sniff("<html>"u8));
        Assert.False(Features.LinkPreviews.LinkPreviewsEndpoints.IsAllowedImageType("image/svg+xml"));
    }
}
