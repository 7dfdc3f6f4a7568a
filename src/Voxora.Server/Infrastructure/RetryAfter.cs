using System.Globalization;

namespace Voxora.Server.Infrastructure;

public static class RetryAfter
{
    /// <summary>Sets Retry-After in whole seconds (never below 1, as 0 invites an immediate retry) and returns them.</summary>
    public static int SetRetryAfter(this HttpResponse response, TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return seconds;
    }
}
