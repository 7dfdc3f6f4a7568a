using System.Text.Json;
using System.Text.Json.Serialization;
using Voxora.Protocol;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.LinkPreviews;

/// <summary>One preview as stored: <see cref="Image"/> is the remote image address, which only the server ever fetches.</summary>
public sealed record StoredEmbed(
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("image")] string? Image,
    [property: JsonPropertyName("site_name")] string? SiteName,
    [property: JsonPropertyName("color")] int? Color);

/// <summary>
/// The <c>messages.embeds</c> column (JSON): the links the previews were computed for (<see cref="Urls"/>, so an edit that
/// keeps them changes nothing) and the previews that came back.
/// </summary>
public sealed record StoredEmbeds(
    [property: JsonPropertyName("urls")] IReadOnlyList<string> Urls,
    [property: JsonPropertyName("items")] IReadOnlyList<StoredEmbed> Items)
{
    public string ToJson() => JsonSerializer.Serialize(this, LinkPreviewJsonContext.Default.StoredEmbeds);

    public static StoredEmbeds? FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(json, LinkPreviewJsonContext.Default.StoredEmbeds);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StoredEmbeds))]
[JsonSerializable(typeof(StoredEmbed))]
internal sealed partial class LinkPreviewJsonContext : JsonSerializerContext;

/// <summary>
/// Turns stored previews into the wire's <see cref="Embed"/>s: the remote image becomes a signed, expiring address of this
/// server's image proxy. The expiry is the end of the next UTC day, so an image keeps one address (and its browser cache)
/// for a day, and history fetched later gets fresh addresses.
/// </summary>
public sealed class EmbedPresenter(UrlSigner signer, PublicOrigin origin, TimeProvider clock)
{
    public const string ProxyPurpose = "media-proxy";
    public const string ProxyPath = "/api/v1/media/proxy";

    /// <summary>The wire embeds of a stored column; with <paramref name="onlyFor"/>, only those whose link is still among them.</summary>
    public IReadOnlyList<Embed> Present(string? json, IReadOnlyList<string>? onlyFor = null)
    {
        var stored = StoredEmbeds.FromJson(json);
        if (stored is null || stored.Items.Count == 0)
        {
            return [];
        }

        var expires = ExpiryFor(clock.GetUtcNow());
        return stored.Items
            .Where(e => onlyFor is null || onlyFor.Contains(e.Url, StringComparer.Ordinal))
            .Select(e => new Embed("link", e.Url, e.Title, e.Description, e.Image is { } image ? ProxyUrl(image, expires) : null, e.SiteName, e.Color))
            .ToList();
    }

    public string ProxyUrl(string imageUrl, long expires) =>
        $"{origin.Url}{ProxyPath}?url={Uri.EscapeDataString(imageUrl)}&expires={expires}&signature={signer.Sign(ProxyPurpose, imageUrl, expires)}";

    internal static long ExpiryFor(DateTimeOffset now) =>
        new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(2).ToUnixTimeSeconds();
}
