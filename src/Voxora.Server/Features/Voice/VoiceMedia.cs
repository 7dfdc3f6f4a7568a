using Voxora.Protocol;

namespace Voxora.Server.Features.Voice;

/// <summary>Thrown when no media server can take a voice member (voice disabled, Janus down or refusing).</summary>
public sealed class VoiceMediaException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>What the media plane tells the signaling layer about one member.</summary>
public interface IVoicePeerEvents
{
    /// <summary>An SDP or candidate for the member's browser (sent to their gateway session only).</summary>
    void Signal(VoiceSignal signal);

    /// <summary>Audio-level detection: the member started or stopped talking.</summary>
    void Speaking(bool speaking);

    /// <summary>
    /// This member's media is gone (the media server restarted and forgot their room and PeerConnections) or cannot be
    /// repaired in place (it keeps refusing their subscription): give them fresh media.
    /// </summary>
    void MediaLost();
}

/// <summary>One voice member's media: a publishing PeerConnection ("send") and a receiving one ("recv").</summary>
public interface IVoicePeer : IAsyncDisposable
{
    /// <summary>The browser's offer for its send PeerConnection; returns the SDP answer.</summary>
    Task<string> PublishAsync(string offerSdp, CancellationToken ct);

    /// <summary>The browser's answer to the last offer the server sent for its recv PeerConnection.</summary>
    Task AnswerAsync(string answerSdp, CancellationToken ct);

    /// <summary>A trickled browser candidate (null: end of candidates).</summary>
    Task TrickleAsync(bool send, VoiceIceCandidate? candidate, CancellationToken ct);

    /// <summary>
    /// The member's client knows its voice session now (op 5 was sent): subscribe it to everyone already publishing,
    /// and from here on hand it receive offers. Offers are never sent before this call.
    /// </summary>
    Task StartReceivingAsync(CancellationToken ct);

    /// <summary>Server mute: the media server stops (or resumes) forwarding this member's audio.</summary>
    Task SetServerMuteAsync(bool mute, CancellationToken ct);

    /// <summary>Server deafen: the media server stops (or resumes) sending this member anyone's audio.</summary>
    Task SetServerDeafAsync(bool deaf, CancellationToken ct);
}

/// <summary>The media plane behind voice signaling (Janus VideoRoom in production, a fake in tests).</summary>
public interface IVoiceMedia
{
    VoiceStatus Status { get; }

    /// <summary>
    /// Puts a member into the channel's room (created on demand, with the channel's Opus <paramref name="bitrate"/>) with a
    /// publisher and a subscriber handle.
    /// </summary>
    Task<IVoicePeer> ConnectAsync(string channelId, int bitrate, string userId, bool serverMute, bool serverDeaf, IVoicePeerEvents events, CancellationToken ct);

    /// <summary>The channel's bitrate changed: the live room (if any) caps publishers at the new value.</summary>
    Task SetBitrateAsync(string channelId, int bitrate, CancellationToken ct);
}
