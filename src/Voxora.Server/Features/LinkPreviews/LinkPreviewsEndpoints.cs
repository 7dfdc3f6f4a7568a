using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Messages;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.LinkPreviews;

/// <summary>
/// Removing a message's previews (its author, or MANAGE_MESSAGES) and the image proxy that serves preview images, so
/// readers never load them from the linked site (which would learn their addresses).
/// </summary>
public static class LinkPreviewsEndpoints
{
    public const int MaxImageBytes = 5 * 1024 * 1024;
    public const string ImageAccept = "image/png,image/jpeg,image/gif,image/webp";

    public static void AddLinkPreviews(IServiceCollection services, LinkPreviewOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<IHostResolver, DnsHostResolver>();
        services.AddSingleton<SafeHttpFetcher>();
        services.AddSingleton<PreviewCache>();
        services.AddSingleton<ProxyImageCache>();
        services.AddSingleton(sp => new UrlSigner(sp.GetRequiredService<Audit.AuditKey>().Derive("voxora/url-signer/v1")));
        services.AddSingleton<EmbedPresenter>();
        services.AddSingleton<LinkPreviewService>();
        services.AddHostedService(sp => sp.GetRequiredService<LinkPreviewService>());
        services.AddDomainEventHandler<MessageCreated, LinkPreviewService>();
        services.AddDomainEventHandler<MessageUpdated, LinkPreviewService>();
    }

    public static RouteGroupBuilder MapLinkPreviewsEndpoints(this RouteGroupBuilder api)
    {
        api.MapDelete("/channels/{channelId}/messages/{messageId}/embeds", RemoveEmbeds).WithSummary("Remove the link previews of a message (its author, or MANAGE_MESSAGES)").ProducesForbidden()
            .WithTags("Messages").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        // No token: an <img> cannot send one. The signature (made by this server, expiring) is the authorisation.
        api.MapGet("/media/proxy", Proxy).WithSummary("An image of a link preview, through the pod (signed URL, no token)").WithTags("Media").RequireRateLimiting(RateLimits.Anonymous);
        return api;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveEmbeds(
        string channelId, string messageId, HttpContext http, VoxoraDbContext db, CommunityAccess access, MessageStore store,
        DomainEvents events, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, userId, ct);
        if (found is null || !Snowflake.TryParse(messageId, out var id))
        {
            return Problems.NotFound("Message");
        }

        var row = await db.Messages.Where(m => m.Id == id && m.ChannelId == found.Channel.Id)
            .Select(m => new { m.AuthorId, m.Embeds, m.EmbedsSuppressed }).SingleOrDefaultAsync(ct);
        if (row is null)
        {
            return Problems.NotFound("Message");
        }

        if (row.AuthorId != userId && !found.Has(Permission.ManageMessages))
        {
            return CommunitiesEndpoints.Forbidden("Only the author, or a member with MANAGE_MESSAGES, can remove a message's previews.");
        }

        if (row.EmbedsSuppressed)
        {
            return TypedResults.NoContent();
        }

        await db.Messages.Where(m => m.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.EmbedsSuppressed, true).SetProperty(m => m.Embeds, (string?)null), ct);
        if (await store.FindAsync(found.Channel.Id, id, null, CancellationToken.None) is { } wire)
        {
            await events.PublishAsync(new MessageUpdated(wire, found.DirectRecipients));
        }

        return TypedResults.NoContent();
    }

    private static async Task<IResult> Proxy(
        string? url, string? expires, string? signature, HttpContext http, UrlSigner signer, SafeHttpFetcher fetcher,
        ProxyImageCache images, LinkPreviewOptions options, TimeProvider clock, CancellationToken ct)
    {
        if (!options.Enabled || url is null || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt)
            || !signer.Verify(EmbedPresenter.ProxyPurpose, url, expiresAt, signature, clock.GetUtcNow())
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return Problems.NotFound("Image");
        }

        if (!images.TryGet(url, out var image))
        {
            var result = await fetcher.FetchAsync(uri, ImageAccept, IsAllowedImageType, MaxImageBytes, allowTruncated: false, ct);
            image = result.Ok && Sniff(result.Body!) is { } sniffed ? (result.Body!, sniffed) : null;
            images.Set(url, image);
        }

        if (image is not { } found)
        {
            return Problems.NotFound("Image");
        }

        var (body, contentType) = found;

        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentDisposition = "inline";
        var maxAge = Math.Clamp(expiresAt - clock.GetUtcNow().ToUnixTimeSeconds(), 0, 86_400);
        headers.CacheControl = $"private, max-age={maxAge.ToString(CultureInfo.InvariantCulture)}";
        return TypedResults.File(body, contentType);
    }

    /// <summary>Raster images a browser shows without running anything: never SVG (it can hold scripts).</summary>
    internal static bool IsAllowedImageType(string? mediaType) => mediaType is "image/png" or "image/jpeg" or "image/gif" or "image/webp";

    /// <summary>The type the bytes really are (magic numbers), whatever the remote server claimed; null for anything else.</summary>
    internal static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
        {
            return "image/jpeg";
        }

        if (b.StartsWith("GIF87a"u8) || b.StartsWith("GIF89a"u8))
        {
            return "image/gif";
        }

        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8))
        {
            return "image/webp";
        }

        return null;
    }
}
