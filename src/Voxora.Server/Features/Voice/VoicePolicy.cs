using Voxora.Protocol;
using Voxora.Server.Features.Permissions;

namespace Voxora.Server.Features.Voice;

/// <summary>What a join decided: refused with a VOICE_ERROR code, or allowed (with whether the member may speak).</summary>
public readonly record struct VoiceDecision(string? Error, string? Message, bool ServerMute)
{
    public bool Allowed => Error is null;

    public static VoiceDecision Refuse(string code, string message) => new(code, message, false);
}

/// <summary>
/// May this member join this voice channel now? Pure: the permission snapshot, the channel's user limit and
/// how many others are in it decide. Unknown and invisible channels look the same (nothing leaks).
/// </summary>
public static class VoicePolicy
{
    public static VoiceDecision Decide(PermissionSnapshot snapshot, string userId, string channelId, int userLimit, int othersInChannel, DateTimeOffset now)
    {
        var channel = snapshot.Channels.FirstOrDefault(c => c.Id == channelId);
        if (channel is null || !snapshot.CanView(userId, channelId))
        {
            return VoiceDecision.Refuse(VoiceErrorCodes.UnknownChannel, "unknown channel");
        }

        if (channel.Type != ChannelTypes.Voice)
        {
            return VoiceDecision.Refuse(VoiceErrorCodes.NotVoiceChannel, "not a voice channel");
        }

        var permissions = snapshot.For(userId, channelId, now);
        if ((permissions & Permission.VoiceConnect) == 0)
        {
            return PermissionResolver.IsTimedOut(snapshot.Data, userId, now) && !snapshot.IsOwner(userId)
                ? VoiceDecision.Refuse(VoiceErrorCodes.TimedOut, "you are timed out in this community")
                : VoiceDecision.Refuse(VoiceErrorCodes.MissingPermissions, "missing VOICE_CONNECT in this channel");
        }

        if (userLimit > 0 && othersInChannel >= userLimit && (permissions & Permission.VoiceMoveOthers) == 0)
        {
            return VoiceDecision.Refuse(VoiceErrorCodes.ChannelFull, $"the channel is full ({userLimit} members)");
        }

        return new VoiceDecision(null, null, ServerMute: (permissions & Permission.VoiceSpeak) == 0);
    }
}
