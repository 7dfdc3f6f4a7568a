namespace Voxora.Server.Infrastructure.Telemetry;

/// <summary>OpenTelemetry traces over OTLP (<c>VOXORA_OTEL__*</c>). Off unless an endpoint is set.</summary>
public sealed class TracingOptions
{
    public const string HttpProtobuf = "http/protobuf";
    public const string Grpc = "grpc";

    /// <summary>
    /// The collector's base URL, e.g. <c>http://otel-collector:4318</c> (http/protobuf; <c>/v1/traces</c> is added) or
    /// <c>http://otel-collector:4317</c> (grpc). Empty: no tracing at all. <c>VOXORA_OTEL__ENDPOINT</c>.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary><c>http/protobuf</c> (default) or <c>grpc</c>. <c>VOXORA_OTEL__PROTOCOL</c>.</summary>
    public string Protocol { get; set; } = HttpProtobuf;

    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint);

    /// <summary>Where spans are sent: for http/protobuf the endpoint with <c>/v1/traces</c> (unless it already ends so).</summary>
    public Uri ExportUri
    {
        get
        {
            var uri = new Uri(Endpoint!.Trim(), UriKind.Absolute);
            if (Protocol != HttpProtobuf || uri.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal))
            {
                return uri;
            }

            return new Uri(uri.GetLeftPart(UriPartial.Authority) + uri.AbsolutePath.TrimEnd('/') + "/v1/traces");
        }
    }

    public IEnumerable<string> Validate()
    {
        if (Protocol is not (HttpProtobuf or Grpc))
        {
            yield return $"VOXORA_OTEL__PROTOCOL must be {HttpProtobuf} or {Grpc}, not '{Protocol}'.";
        }

        if (Enabled && (!Uri.TryCreate(Endpoint!.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.Host.Length == 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0))
        {
            yield return $"VOXORA_OTEL__ENDPOINT must be an http:// or https:// URL of an OTLP collector (e.g. http://otel-collector:4318), not '{Endpoint}'.";
        }
    }
}
