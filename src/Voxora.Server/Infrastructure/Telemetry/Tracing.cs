using System.Diagnostics;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Voxora.Server.Infrastructure.Telemetry;

/// <summary>
/// OpenTelemetry traces over OTLP when <c>VOXORA_OTEL__ENDPOINT</c> is set: HTTP server requests (named by route),
/// outgoing HTTP calls, and Voxora's own spans from <see cref="Source"/> (message writer batches, gateway dispatches).
/// Without the setting no tracer provider exists, nothing listens to <see cref="Source"/>, and
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null at the cost of one check.
/// </summary>
public static class Tracing
{
    public const string ServiceName = "voxora";

    /// <summary>Voxora's own spans.</summary>
    public static readonly ActivitySource Source = new("Voxora");

    public static void AddTracing(IServiceCollection services, ServerOptions options)
    {
        var tracing = options.Otel;
        if (!tracing.Enabled)
        {
            return;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(ServiceName, serviceInstanceId: $"{ServiceName}-node-{options.NodeId}", autoGenerateServiceInstanceId: false)
                .AddAttributes([new("voxora.node_id", options.NodeId)]))
            .WithTracing(builder => builder
                .AddSource(Source.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = context =>
                    !context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
                    && !context.Request.Path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(exporter =>
                {
                    exporter.Protocol = tracing.Protocol == TracingOptions.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                    exporter.Endpoint = tracing.ExportUri;
                }));
    }
}
