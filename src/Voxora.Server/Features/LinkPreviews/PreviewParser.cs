using System.Globalization;
using System.Text.Json;
using AngleSharp.Html.Parser;

namespace Voxora.Server.Features.LinkPreviews;

/// <summary>What a page says about itself, before it becomes an embed. <see cref="ImageUrl"/> is the remote image (never sent to clients).</summary>
public sealed record PagePreview(string? Title, string? Description, string? ImageUrl, string? SiteName, int? Color, string? OEmbedUrl, bool HasOpenGraph = false)
{
    public bool IsEmpty => Title is null && Description is null && ImageUrl is null;
}

/// <summary>
/// Reads Open Graph (<c>og:title</c>, <c>og:description</c>, <c>og:image</c>, <c>og:site_name</c>), <c>theme-color</c>, the
/// <c>&lt;title&gt;</c> and <c>description</c> fallbacks and the oEmbed discovery link from a page, with AngleSharp's HTML5 parser
/// (no regular expressions over HTML; nothing is executed or loaded). Texts are trimmed and capped.
/// </summary>
public static class PreviewParser
{
    public const int MaxTitle = 256;
    public const int MaxDescription = 1024;
    public const int MaxSiteName = 256;
    public const int MaxUrl = 2048;

    public static PagePreview Parse(byte[] html, Uri pageUrl)
    {
        using var stream = new MemoryStream(html, writable: false);
        var parser = new HtmlParser(new HtmlParserOptions { IsScripting = false });
        using var document = parser.ParseDocument(stream);

        string? Meta(params string[] names)
        {
            foreach (var name in names)
            {
                foreach (var meta in document.QuerySelectorAll("meta"))
                {
                    var key = meta.GetAttribute("property") ?? meta.GetAttribute("name");
                    if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase) && Clean(meta.GetAttribute("content"), int.MaxValue) is { } value)
                    {
                        return value;
                    }
                }
            }

            return null;
        }

        var ogTitle = Clean(Meta("og:title"), MaxTitle);
        var title = ogTitle ?? Clean(Meta("twitter:title"), MaxTitle) ?? Clean(document.QuerySelector("title")?.TextContent, MaxTitle);
        var description = Clean(Meta("og:description", "twitter:description", "description"), MaxDescription);
        var image = AbsoluteHttp(Meta("og:image", "og:image:url", "og:image:secure_url", "twitter:image"), pageUrl);
        var siteName = Clean(Meta("og:site_name"), MaxSiteName);
        var color = ParseColor(Meta("theme-color"));
        string? oembed = null;
        foreach (var link in document.QuerySelectorAll("link"))
        {
            var rel = link.GetAttribute("rel") ?? "";
            if (rel.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("alternate", StringComparer.OrdinalIgnoreCase)
                && string.Equals(link.GetAttribute("type")?.Trim(), "application/json+oembed", StringComparison.OrdinalIgnoreCase))
            {
                oembed = AbsoluteHttp(link.GetAttribute("href"), pageUrl);
                if (oembed is not null)
                {
                    break;
                }
            }
        }

        return new PagePreview(title, description, image, siteName, color, oembed, ogTitle is not null);
    }

    /// <summary>An oEmbed JSON answer (title, provider_name, thumbnail_url); null when it is not one.</summary>
    public static PagePreview? ParseOEmbed(byte[] json, Uri oembedUrl)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            string? Text(string name) => document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            return new PagePreview(Clean(Text("title"), MaxTitle), null, AbsoluteHttp(Text("thumbnail_url"), oembedUrl),
                Clean(Text("provider_name"), MaxSiteName), null, null);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Combines the page and its oEmbed answer: what the page's Open Graph said wins, oEmbed fills the gaps.</summary>
    public static PagePreview Merge(PagePreview page, PagePreview? oembed) => oembed is null
        ? page
        : new PagePreview(
            page.HasOpenGraph ? page.Title ?? oembed.Title : oembed.Title ?? page.Title,
            page.Description,
            page.ImageUrl ?? oembed.ImageUrl,
            page.SiteName ?? oembed.SiteName,
            page.Color,
            page.OEmbedUrl,
            page.HasOpenGraph);

    /// <summary><c>#rgb</c> or <c>#rrggbb</c> as 0xRRGGBB; anything else (names, rgb()) is ignored.</summary>
    internal static int? ParseColor(string? value)
    {
        var text = value?.Trim();
        if (text is null || text.Length == 0 || text[0] != '#')
        {
            return null;
        }

        var hex = text[1..];
        if (hex.Length == 3)
        {
            hex = string.Concat(hex.Select(c => new string(c, 2)));
        }

        return hex.Length == 6 && int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var rgb) ? rgb : null;
    }

    /// <summary>An absolute http(s) URL (relative ones resolved against the page), or null.</summary>
    internal static string? AbsoluteHttp(string? value, Uri baseUrl)
    {
        if (string.IsNullOrWhiteSpace(value) || !Uri.TryCreate(baseUrl, value.Trim(), out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.UserInfo.Length > 0)
        {
            return null;
        }

        var text = uri.AbsoluteUri;
        return text.Length <= MaxUrl ? text : null;
    }

    /// <summary>Whitespace collapsed, control characters dropped, cut at <paramref name="max"/> characters; null when empty.</summary>
    internal static string? Clean(string? value, int max)
    {
        if (value is null)
        {
            return null;
        }

        var builder = new System.Text.StringBuilder(Math.Min(value.Length, max));
        var space = false;
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (char.IsControl(c))
            {
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
            if (builder.Length >= max)
            {
                break;
            }
        }

        return builder.Length == 0 ? null : builder.ToString();
    }
}
