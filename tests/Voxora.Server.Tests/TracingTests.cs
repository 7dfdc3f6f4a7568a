using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Voxora.Server.Infrastructure;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>OpenTelemetry traces over OTLP (<c>VOXORA_OTEL__ENDPOINT</c>): sent to a collector when set, nothing at all when not.</summary>
public sealed class TracingTests
{
    /// <summary>A tiny OTLP/HTTP collector on loopback: records every request's method, path and body.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly HttpListener listener = new();
        private readonly Task loop;

        public ConcurrentQueue<(string Method, string Path, string ContentType, byte[] Body)> Requests { get; } = new();

        public Uri Address { get; }

        public Receiver()
        {
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Address = new Uri($"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/");
            }

            listener.Prefixes.Add(Address.ToString());
            listener.Start();
            loop = Task.Run(ServeAsync);
        }

        private async Task ServeAsync()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                Requests.Enqueue((context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.ContentType ?? "", body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }

        public async ValueTask DisposeAsync()
        {
            listener.Stop();
            listener.Close();
            await loop;
        }
    }

    private static bool Holds(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    [Fact]
    public async Task With_an_endpoint_spans_are_posted_to_v1_traces_in_protobuf_with_the_route_and_service_name()
    {
        await using var receiver = new Receiver();
        await using var server = await TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?>
        {
            ["OTEL:ENDPOINT"] = receiver.Address.ToString().TrimEnd('/'),
            ["NODE_ID"] = "7",
        });
        var (owner, _, community) = await server.NewCommunityAsync();
        using var _o = owner;
        await owner.SendMessageAsync(community.TextChannel().Id, "traced");
        await owner.GetMessagesAsync(community.TextChannel().Id);

        var provider = server.Services.GetRequiredService<TracerProvider>();
        var deadline = Stopwatch.StartNew();
        while (!receiver.Requests.Any(r => Holds(r.Body, "/api/v1/channels/{channelId}/messages") && Holds(r.Body, "gateway.dispatch")))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "no spans of the message request arrived");
            provider.ForceFlush(5000);
            await Task.Delay(100);
        }

        var posts = receiver.Requests.ToList();
        Assert.All(posts, r => Assert.Equal(("POST", "/v1/traces", "application/x-protobuf"), (r.Method, r.Path, r.ContentType)));
        var all = posts.SelectMany(r => r.Body).ToArray();
        Assert.True(Holds(all, "voxora"), "service.name");
        Assert.True(Holds(all, "voxora-node-7"), "service.instance.id");
        Assert.True(Holds(all, "service.name"));
        Assert.True(Holds(all, "messages.writer.batch"));
        Assert.True(Holds(all, "POST /api/v1/channels/{channelId}/messages"), "the request span is named by its route");

        // Health checks are not traced as server requests (this process's own HttpClient span is named "GET" only).
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        (await http.GetAsync("health/live")).Dispose();
        provider.ForceFlush(5000);
        Assert.DoesNotContain(receiver.Requests, r => Holds(r.Body, "GET /health/live"));
    }

    [Fact]
    public async Task Without_an_endpoint_there_is_no_tracer_provider_and_nothing_is_sent()
    {
        await using var receiver = new Receiver();
        await using var server = await TestServer.StartAsync(Provider.Sqlite);
        Assert.Null(server.Services.GetService<TracerProvider>());
        var (owner, _, community) = await server.NewCommunityAsync();
        using var _o = owner;
        await owner.SendMessageAsync(community.TextChannel().Id, "not traced");
        await Task.Delay(500);
        Assert.Empty(receiver.Requests);
    }

    [Theory]
    [InlineData("OTEL:ENDPOINT", "collector:4318", "VOXORA_OTEL__ENDPOINT")]
    [InlineData("OTEL:ENDPOINT", "ftp://collector:4318", "VOXORA_OTEL__ENDPOINT")]
    [InlineData("OTEL:PROTOCOL", "http/json", "VOXORA_OTEL__PROTOCOL must be http/protobuf or grpc")]
    public async Task Bad_otel_settings_stop_start_up(string key, string value, string named)
    {
        var error = await Assert.ThrowsAsync<ConfigurationErrorException>(() =>
            TestServer.StartAsync(Provider.Sqlite, new Dictionary<string, string?> { [key] = value, ["OTEL:ENDPOINT"] = key == "OTEL:ENDPOINT" ? value : "http://127.0.0.1:4318" }));
        Assert.True(error.Message.Contains(named, StringComparison.Ordinal), error.Message);
    }

    [Fact]
    public async Task The_server_process_exits_with_2_on_a_malformed_otel_endpoint()
    {
        var serverDll = Path.Combine(AppContext.BaseDirectory, "Voxora.Server.dll");
        var start = new ProcessStartInfo("dotnet", [serverDll])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment["VOXORA_OTEL__ENDPOINT"] = "not a url";
        start.Environment["VOXORA_URLS"] = "http://127.0.0.1:0";
        start.Environment["VOXORA_DATA_DIR"] = Directory.CreateTempSubdirectory("voxora-otel-").FullName;
        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("VOXORA_OTEL__ENDPOINT", line, StringComparison.Ordinal);
        Assert.Contains("not a url", line, StringComparison.Ordinal);
    }
}
