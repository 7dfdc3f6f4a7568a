using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Voxora.Protocol;

namespace Voxora.Server.Tests.Notifications;

/// <summary>One request the stand-in received: what a real push service would get over HTTP.</summary>
public sealed record ReceivedPush(string Token, string? Authorization, string? ContentEncoding, string? Ttl, string? Topic, string? Urgency, byte[] Body);

/// <summary>
/// A local push service (RFC 8030) inside the test suite: a Kestrel listener on a loopback port that records every
/// push POSTed to <c>/push/{token}</c> and answers 201, or the status a test chose for that token (404/410: expired,
/// 500: failing).
/// </summary>
public sealed class PushServiceStandIn : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, System.Threading.Channels.Channel<ReceivedPush>> received = new();
    private readonly ConcurrentDictionary<string, int> answers = new();

    private PushServiceStandIn(WebApplication app) => this.app = app;

    public string Origin => app.Urls.First();

    public static async Task<PushServiceStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new PushServiceStandIn(app);
        app.MapPost("/push/{token}", async (string token, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            var push = new ReceivedPush(token, request.Headers.Authorization, request.Headers.ContentEncoding, request.Headers["TTL"],
                request.Headers["Topic"], request.Headers["Urgency"], body.ToArray());
            standIn.Inbox(token).Writer.TryWrite(push);
            return Results.StatusCode(standIn.answers.GetValueOrDefault(token, StatusCodes.Status201Created));
        });
        await app.StartAsync();
        return standIn;
    }

    /// <summary>A new browser subscription whose endpoint is on this push service.</summary>
    public BrowserSubscription NewSubscription() => new(this, $"{Origin}/push/{Guid.NewGuid():N}");

    public void Answer(BrowserSubscription subscription, int status) => answers[subscription.Token] = status;

    public System.Threading.Channels.Channel<ReceivedPush> Inbox(string token) => received.GetOrAdd(token, _ => System.Threading.Channels.Channel.CreateUnbounded<ReceivedPush>());

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>What a browser holds for one push subscription: its P-256 key pair and auth secret, never sent to the server whole.</summary>
public sealed class BrowserSubscription : IDisposable
{
    private readonly PushServiceStandIn service;
    private readonly ECDiffieHellman key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

    public BrowserSubscription(PushServiceStandIn service, string endpoint)
    {
        this.service = service;
        Endpoint = endpoint;
        Token = endpoint[(endpoint.LastIndexOf('/') + 1)..];
        var q = key.ExportParameters(false).Q;
        PublicKey = [0x04, .. q.X!, .. q.Y!];
        AuthSecret = RandomNumberGenerator.GetBytes(16);
    }

    public string Endpoint { get; }
    public string Token { get; }
    public byte[] PublicKey { get; }
    public byte[] AuthSecret { get; }

    public CreatePushSubscriptionRequest Request() =>
        new(Endpoint, new PushSubscriptionKeys(System.Buffers.Text.Base64Url.EncodeToString(PublicKey), System.Buffers.Text.Base64Url.EncodeToString(AuthSecret)));

    /// <summary>The next push that reached this subscription's endpoint, or null when none arrives within <paramref name="within"/>.</summary>
    public async Task<ReceivedPush?> NextAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            return await service.Inbox(Token).Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Decrypts a received push with this browser's private key and auth secret.</summary>
    public PushPayload Open(ReceivedPush push)
    {
        var plaintext = WebPushDecryptor.Decrypt(push.Body, key, PublicKey, AuthSecret);
        return System.Text.Json.JsonSerializer.Deserialize(plaintext, VoxoraJsonContext.Default.PushPayload)!;
    }

    public void Dispose() => key.Dispose();
}
