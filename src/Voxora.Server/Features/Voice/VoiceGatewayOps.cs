using Voxora.Protocol;
using Voxora.Server.Gateway;

namespace Voxora.Server.Features.Voice;

/// <summary>The voice ops a client sends over the gateway: VOICE_STATE_UPDATE (join, leave, self mute/deaf) and VOICE_SIGNAL (SDP and ICE).</summary>
public sealed class VoiceGatewayOps(VoiceService voice) : IGatewayOpHandler
{
    public IReadOnlyList<int> Ops { get; } = [GatewayOp.VoiceStateUpdate, GatewayOp.VoiceSignal];

    public bool RequiresSession => true;

    public async ValueTask HandleAsync(GatewayOpContext context, GatewayFrame frame, CancellationToken ct)
    {
        if (frame.Op == GatewayOp.VoiceStateUpdate)
        {
            var request = context.DecodeOrClose(frame, VoxoraJsonContext.Default.VoiceStateUpdateRequest,
                "VOICE_STATE_UPDATE needs d: {channel_id, self_mute, self_deaf}");
            if (request is not null)
            {
                await voice.HandleStateUpdateAsync(context.IdentifiedSession, context.Connection, request, ct);
            }

            return;
        }

        var signal = context.DecodeOrClose(frame, VoxoraJsonContext.Default.VoiceSignal,
            "VOICE_SIGNAL needs d: {voice_session_id, pc, type, sdp?, candidate?}");
        if (signal is not null)
        {
            await voice.HandleSignalAsync(context.IdentifiedSession, signal, ct);
        }
    }
}
