namespace Voxora.Server.Infrastructure;

/// <summary>Headers every response carries. API responses are never framed, sniffed or cached by shared caches.</summary>
public static class SecurityHeaders
{
    public static IApplicationBuilder UseVoxoraSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(static (context, next) =>
        {
            // Set just before the response starts, so error responses written after the exception
            // handler cleared the headers carry them too.
            context.Response.OnStarting(Apply, context);
            return next(context);
        });

    private static Task Apply(object state)
    {
            var context = (HttpContext)state;
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), geolocation=(), payment=()";
            // The API answers nothing a browser should render; the web client gets its own strict policy.
            // An endpoint serving remote content (served files, the media proxy) sets a stricter policy of its own, which is kept.
            if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
            {
                headers.ContentSecurityPolicy = WebClient.IsServerPath(context.Request.Path)
                    ? "default-src 'none'; frame-ancestors 'none'"
                    : WebClient.ContentSecurityPolicy;
            }
            // Unless the endpoint chose otherwise (GET /unread-counts: private, max-age=10, seed 000 §P2-10).
            if (context.Request.Path.StartsWithSegments("/api") && string.IsNullOrEmpty(headers.CacheControl))
            {
                headers.CacheControl = "no-store";
            }

            return Task.CompletedTask;
    }
}
