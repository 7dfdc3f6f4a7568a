using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace Voxora.Server.Infrastructure;

/// <summary>
/// This server's public base URL and token issuer, from configuration only: a request's Host header (or
/// X-Forwarded-Host) never decides it, so nobody can make the server publish or mint tokens for an origin
/// of their choosing. <c>VOXORA_PUBLIC_URL</c> when set; otherwise the first address the server listens on
/// (<c>VOXORA_URLS</c> after binding, so port 0 becomes the real port), with a wildcard host
/// (<c>0.0.0.0</c>, <c>[::]</c>, <c>+</c>, <c>*</c>) read as <c>localhost</c>.
/// </summary>
public sealed class PublicOrigin(ServerOptions options, IServer server)
{
    private static readonly HashSet<string> WildcardHosts = new(StringComparer.Ordinal) { "0.0.0.0", "[::]", "::", "+", "*" };

    private string? url;

    /// <summary>The base URL, without a trailing slash (e.g. <c>https://chat.example.org</c>).</summary>
    public string Url => url ??= Resolve();

    /// <summary>The <c>iss</c> of issued tokens and the only issuer the API accepts: <c>VOXORA_AUTH__ISSUER</c>, else <see cref="Url"/>.</summary>
    public string Issuer => options.Auth.Issuer is { Length: > 0 } configured ? configured.TrimEnd('/') : Url;

    private string Resolve()
    {
        if (options.PublicUrl is { Length: > 0 } configured)
        {
            return configured.TrimEnd('/');
        }

        var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The public URL is derived from the listen address, which is only known once the server listens. Set VOXORA_PUBLIC_URL.");
        return FromListenAddress(listening);
    }

    /// <summary>A listen address (as Kestrel reports it) as a base URL: wildcard hosts become <c>localhost</c>.</summary>
    public static string FromListenAddress(string address)
    {
        var binding = BindingAddress.Parse(address);
        var host = WildcardHosts.Contains(binding.Host) ? "localhost" : binding.Host;
        return new UriBuilder(binding.Scheme, host, binding.Port, binding.PathBase).Uri.ToString().TrimEnd('/');
    }

    /// <summary>Why <paramref name="value"/> cannot be <c>VOXORA_PUBLIC_URL</c> (null when it can).</summary>
    public static string? Invalid(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https"
        && uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0
            ? null
            : $"VOXORA_PUBLIC_URL must be an absolute http or https URL without user info, query or fragment (e.g. https://chat.example.org), not '{value}'.";
}
