using System.Text.Json.Nodes;

namespace Voxora.Server.Features.Voice;

/// <summary>An SDP offer or answer as WebRTC and Janus both spell it (<c>{type, sdp}</c>).</summary>
public sealed record SessionDescription(string Type, string Sdp)
{
    public JsonObject ToJson() => new() { ["type"] = Type, ["sdp"] = Sdp };

    public static SessionDescription? From(JsonObject? jsep) =>
        jsep?["sdp"]?.GetValue<string>() is { } sdp ? new SessionDescription(jsep["type"]?.GetValue<string>() ?? "", sdp) : null;
}

/// <summary>How a voice room is created: audio only, Opus, audio levels on for talking events.</summary>
public sealed record VoiceRoomSettings(int Bitrate, int MaxPublishers, int AudioActivePackets, int AudioLevelAverage, string? Description = null);

public sealed record VideoRoomParticipant(long Id, string? Display, bool Publisher, bool Talking);

/// <summary>What Janus answered to a publisher's join: its ids and the feeds already publishing in the room.</summary>
public sealed record PublisherJoined(long Id, long PrivateId, IReadOnlyList<long> Publishers);

/// <summary>The SDP answer to a publisher's offer, and the mid of its audio m-line (needed to moderate it).</summary>
public sealed record PublisherConfigured(SessionDescription Answer, string? AudioMid);

/// <summary>
/// Typed VideoRoom requests (Janus 1.x multistream API) over one plugin handle. A handle plays one role: the
/// server's management handle (create/destroy/list/moderate/kick), one user's publisher, or one user's subscriber.
/// </summary>
public sealed class VideoRoom(JanusHandle handle, string? adminKey)
{
    public const string Plugin = "janus.plugin.videoroom";

    public JanusHandle Handle { get; } = handle;

    public static async Task<VideoRoom> AttachAsync(JanusSession session, string? adminKey, CancellationToken ct = default) =>
        new(await session.AttachAsync(Plugin, ct), adminKey);

    // ---- management ----

    public async Task CreateRoomAsync(long room, VoiceRoomSettings settings, CancellationToken ct = default)
    {
        var body = new JsonObject
        {
            ["request"] = "create",
            ["room"] = room,
            ["permanent"] = false,
            ["is_private"] = true,
            ["description"] = settings.Description ?? $"voxora {room}",
            ["publishers"] = settings.MaxPublishers,
            ["bitrate"] = settings.Bitrate,
            ["audiocodec"] = "opus",
            ["opus_fec"] = true,
            ["audiolevel_ext"] = true,
            ["audiolevel_event"] = true,
            ["audio_active_packets"] = settings.AudioActivePackets,
            ["audio_level_average"] = settings.AudioLevelAverage,
            ["notify_joining"] = true,
        };
        AddAdminKey(body);
        await Handle.MessageAsync(body, ct: ct);
    }

    /// <summary>Changes a live room's bitrate cap (Janus <c>edit</c> with <c>new_bitrate</c>).</summary>
    public async Task SetBitrateAsync(long room, int bitrate, CancellationToken ct = default)
    {
        var body = new JsonObject { ["request"] = "edit", ["room"] = room, ["new_bitrate"] = bitrate };
        await Handle.MessageAsync(body, ct: ct);
    }

    public async Task DestroyRoomAsync(long room, CancellationToken ct = default)
    {
        var body = new JsonObject { ["request"] = "destroy", ["room"] = room, ["permanent"] = false };
        await Handle.MessageAsync(body, ct: ct);
    }

    public async Task<bool> ExistsAsync(long room, CancellationToken ct = default)
    {
        var (data, _) = await Handle.MessageAsync(new JsonObject { ["request"] = "exists", ["room"] = room }, ct: ct);
        return data["exists"]?.GetValue<bool>() ?? false;
    }

    public async Task<IReadOnlyList<VideoRoomParticipant>> ListParticipantsAsync(long room, CancellationToken ct = default)
    {
        var (data, _) = await Handle.MessageAsync(new JsonObject { ["request"] = "listparticipants", ["room"] = room }, ct: ct);
        return (data["participants"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(p => new VideoRoomParticipant(
                p["id"]?.GetValue<long>() ?? 0,
                p["display"]?.GetValue<string>(),
                p["publisher"]?.GetValue<bool>() ?? false,
                p["talking"]?.GetValue<bool>() ?? false))
            .ToList();
    }

    /// <summary>
    /// Server-side mute: Janus stops forwarding the publisher's m-line <paramref name="mid"/> to every subscriber
    /// (Janus 1.x <c>moderate</c> with <c>mid</c> + <c>mute</c>; 0.x spelled it <c>mute_audio</c>).
    /// </summary>
    public async Task ModerateAsync(long room, long participant, string mid, bool mute, CancellationToken ct = default)
    {
        var body = new JsonObject { ["request"] = "moderate", ["room"] = room, ["id"] = participant, ["mid"] = mid, ["mute"] = mute };
        await Handle.MessageAsync(body, ct: ct);
    }

    public async Task KickAsync(long room, long participant, CancellationToken ct = default)
    {
        await Handle.MessageAsync(new JsonObject { ["request"] = "kick", ["room"] = room, ["id"] = participant }, ct: ct);
    }

    // ---- publisher ----

    public async Task<PublisherJoined> JoinAsPublisherAsync(long room, long id, string display, CancellationToken ct = default)
    {
        var body = new JsonObject { ["request"] = "join", ["ptype"] = "publisher", ["room"] = room, ["id"] = id, ["display"] = display };
        var (data, _) = await Handle.MessageAsync(body, ct: ct);
        var publishers = (data["publishers"] as JsonArray ?? []).OfType<JsonObject>().Select(p => p["id"]!.GetValue<long>()).ToList();
        return new PublisherJoined(data["id"]?.GetValue<long>() ?? id, data["private_id"]?.GetValue<long>() ?? 0, publishers);
    }

    /// <summary>Publishes (or renegotiates) with the browser's offer; returns Janus's answer.</summary>
    public async Task<PublisherConfigured> ConfigureAsync(SessionDescription offer, CancellationToken ct = default)
    {
        var (data, jsep) = await Handle.MessageAsync(new JsonObject { ["request"] = "configure" }, offer.ToJson(), ct);
        var answer = SessionDescription.From(jsep) ?? throw new JanusException(0, "no SDP answer", "configure");
        var audioMid = (data["streams"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .FirstOrDefault(s => s["type"]?.GetValue<string>() == "audio")?["mid"]?.GetValue<string>();
        return new PublisherConfigured(answer, audioMid);
    }

    // ---- subscriber ----

    /// <summary>Subscribes to the audio of <paramref name="feeds"/> over one PeerConnection; returns Janus's offer.</summary>
    public async Task<SessionDescription> JoinAsSubscriberAsync(long room, IEnumerable<long> feeds, long? privateId = null, CancellationToken ct = default)
    {
        var body = new JsonObject
        {
            ["request"] = "join",
            ["ptype"] = "subscriber",
            ["room"] = room,
            ["streams"] = Streams(feeds),
        };
        if (privateId is { } pvt)
        {
            body["private_id"] = pvt;
        }

        var (_, jsep) = await Handle.MessageAsync(body, ct: ct);
        return SessionDescription.From(jsep) ?? throw new JanusException(0, "no SDP offer", "join subscriber");
    }

    /// <summary>Completes a subscription (or a renegotiation) with the browser's answer.</summary>
    public async Task StartAsync(SessionDescription answer, CancellationToken ct = default)
    {
        await Handle.MessageAsync(new JsonObject { ["request"] = "start" }, answer.ToJson(), ct);
    }

    /// <summary>Stops relaying media to this subscriber (server deafen); <see cref="ResumeAsync"/> undoes it.</summary>
    public async Task PauseAsync(CancellationToken ct = default)
    {
        await Handle.MessageAsync(new JsonObject { ["request"] = "pause" }, ct: ct);
    }

    /// <summary>Resumes relaying to a paused subscriber (<c>start</c> without an SDP).</summary>
    public async Task ResumeAsync(CancellationToken ct = default)
    {
        await Handle.MessageAsync(new JsonObject { ["request"] = "start" }, ct: ct);
    }

    /// <summary>Adds feeds to an existing subscription; Janus answers with a new offer to renegotiate.</summary>
    public async Task<SessionDescription?> SubscribeAsync(IEnumerable<long> feeds, CancellationToken ct = default)
    {
        var (_, jsep) = await Handle.MessageAsync(new JsonObject { ["request"] = "subscribe", ["streams"] = Streams(feeds) }, ct: ct);
        return SessionDescription.From(jsep);
    }

    public async Task<SessionDescription?> UnsubscribeAsync(IEnumerable<long> feeds, CancellationToken ct = default)
    {
        var (_, jsep) = await Handle.MessageAsync(new JsonObject { ["request"] = "unsubscribe", ["streams"] = Streams(feeds) }, ct: ct);
        return SessionDescription.From(jsep);
    }

    /// <summary>Leaves the room (publisher or subscriber); the handle stays attached.</summary>
    public async Task LeaveAsync(CancellationToken ct = default)
    {
        await Handle.MessageAsync(new JsonObject { ["request"] = "leave" }, ct: ct);
    }

    private static JsonArray Streams(IEnumerable<long> feeds)
    {
        var streams = new JsonArray();
        foreach (var feed in feeds)
        {
            streams.Add(new JsonObject { ["feed"] = feed });
        }

        return streams;
    }

    private void AddAdminKey(JsonObject body)
    {
        if (adminKey is { Length: > 0 })
        {
            body["admin_key"] = adminKey;
        }
    }
}
