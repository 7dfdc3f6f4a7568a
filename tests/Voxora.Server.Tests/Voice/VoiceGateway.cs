using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Features.Voice;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests.Voice;

/// <summary>Gateway helpers shared by the voice signaling tests.</summary>
public static class VoiceGateway
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>A server whose media plane is <paramref name="media"/> (Janus itself stays off).</summary>
    public static Task<TestServer> StartAsync(FakeVoiceMedia media, Provider provider = Provider.Sqlite) =>
        TestServer.StartAsync(provider, new Dictionary<string, string?> { ["VOICE:ENABLED"] = "false" },
            services: s => s.AddSingleton<IVoiceMedia>(media));

    public static async Task<GatewayClient> ConnectAsync(TestServer server, VoxoraClient api)
    {
        var gateway = await GatewayClient.ConnectAsync(server.BaseAddress);
        await gateway.IdentifyAsync(api.AccessToken!);
        return gateway;
    }

    public static Task JoinAsync(GatewayClient gateway, string? channelId, bool selfMute = false) =>
        gateway.SendAsync(GatewayOp.VoiceStateUpdate, new VoiceStateUpdateRequest(channelId, selfMute, false), VoxoraJsonContext.Default.VoiceStateUpdateRequest);

    public static async Task<GatewayFrame> NextAsync(GatewayClient gateway, Func<GatewayFrame, bool> match)
    {
        while (true)
        {
            var frame = await gateway.ReceiveAsync(Wait);
            if (match(frame))
            {
                return frame;
            }
        }
    }

    public static Task<GatewayFrame> DispatchAsync(GatewayClient gateway, string type) => NextAsync(gateway, f => f.Op == GatewayOp.Dispatch && f.T == type);

    public static async Task<VoiceError> ErrorAsync(GatewayClient gateway) =>
        (await DispatchAsync(gateway, GatewayEvents.VoiceError)).D!.Value.Deserialize(VoxoraJsonContext.Default.VoiceError)!;

    public static VoiceState StateOf(GatewayFrame frame) => frame.D!.Value.Deserialize(VoxoraJsonContext.Default.VoiceState)!;

    public static VoiceServerPayload VoiceServerOf(GatewayFrame frame) => frame.D!.Value.Deserialize(VoxoraJsonContext.Default.VoiceServerPayload)!;

    /// <summary>Joins and waits for op 5.</summary>
    public static async Task<VoiceServerPayload> JoinedAsync(GatewayClient gateway, string channelId)
    {
        await JoinAsync(gateway, channelId);
        return VoiceServerOf(await NextAsync(gateway, f => f.Op == GatewayOp.VoiceServer));
    }

    /// <summary>The next VOICE_STATE_UPDATE about <paramref name="userId"/>.</summary>
    public static async Task<VoiceState> StateAboutAsync(GatewayClient gateway, string userId) =>
        StateOf(await NextAsync(gateway, f => f.T == GatewayEvents.VoiceStateUpdate && f.D!.Value.GetProperty("user_id").GetString() == userId));
}
