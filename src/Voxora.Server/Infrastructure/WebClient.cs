using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Voxora.Server.Infrastructure;

/// <summary>
/// Serves the built web client (web/dist, shipped as wwwroot/): hashed assets cached for a year, the
/// shell (index.html, sw.js, manifest) revalidated every time, and index.html for any client route
/// so deep links such as /invite/{code} work. Server paths (/api, /gateway …) are never shadowed.
/// </summary>
public static class WebClient
{
    /// <summary>The web client's CSP: no inline script or style, nothing from other origins (blob: images are the composer's local previews of files being uploaded).</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; " +
        "connect-src 'self'; worker-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; " +
        "frame-ancestors 'none'; object-src 'none'";

    private static readonly string[] ServerPrefixes = ["/api", "/gateway", "/.well-known", "/health", "/openapi"];

    public static bool IsServerPath(PathString path) =>
        ServerPrefixes.Any(prefix => path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase));

    public static string Root => Path.Combine(AppContext.BaseDirectory, "wwwroot");

    public static void UseVoxoraWebClient(this WebApplication app)
    {
        var index = Path.Combine(Root, "index.html");
        if (!File.Exists(index))
        {
            app.Logger.LogWarning("The web client is not built (no {Index}); only the API is served. Build without -p:SkipWebBuild=true to include it.", index);
            app.MapGet("/", () => TypedResults.Text("Voxora is running, but its web client was not built. See README.md.", statusCode: StatusCodes.Status503ServiceUnavailable))
                .ExcludeFromDescription();
            return;
        }

        var files = new PhysicalFileProvider(Root);
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".webmanifest"] = "application/manifest+json";
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = types,
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl =
                context.Context.Request.Path.StartsWithSegments("/assets")
                    ? "public, max-age=31536000, immutable"
                    : "no-cache",
        });

        // Any GET that routing matched to nothing, outside the server's own paths and without a file
        // extension, is a client route (/app/…, /invite/{code}): answer with the shell. Doing this after
        // routing (instead of a catch-all route) keeps 404 and 405 problems for API paths intact.
        var shell = files.GetFileInfo("index.html");
        app.Use(async (http, next) =>
        {
            var request = http.Request;
            if (http.GetEndpoint() is null
                && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
                && !IsServerPath(request.Path)
                && !Path.HasExtension(request.Path.Value))
            {
                http.Response.ContentType = "text/html; charset=utf-8";
                http.Response.Headers.CacheControl = "no-cache";
                await http.Response.SendFileAsync(shell);
                return;
            }

            await next(http);
        });
    }
}
