using Voxora.Protocol;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Features.Voice;

namespace Voxora.Server.Tests.Voice;

public sealed class VoicePolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static PermissionSnapshot Snapshot(long everyone, IReadOnlyDictionary<string, DateTimeOffset>? timeouts = null)
    {
        var data = new CommunityPermissionData("com_1", "usr_owner", "rol_every",
            new Dictionary<string, RoleInfo> { ["rol_every"] = new("rol_every", everyone, 0) },
            new Dictionary<string, IReadOnlyList<string>>(),
            timeouts ?? new Dictionary<string, DateTimeOffset>(),
            new Dictionary<string, ChannelInfo>());
        var channels = new List<Channel>
        {
            new("ch_voice", "com_1", "Voice", ChannelTypes.Voice, null, null, 0, Now),
            new("ch_text", "com_1", "general", ChannelTypes.Text, null, null, 1, Now),
        };
        return new PermissionSnapshot(data, channels);
    }

    private const long Member = Permission.ViewChannel | Permission.VoiceConnect | Permission.VoiceSpeak;

    [Fact]
    public void Allowed_with_connect_and_speak() =>
        Assert.Equal(new VoiceDecision(null, null, false), VoicePolicy.Decide(Snapshot(Member), "usr_a", "ch_voice", 0, 5, Now));

    [Fact]
    public void Without_speak_the_member_is_server_muted() =>
        Assert.True(VoicePolicy.Decide(Snapshot(Member & ~Permission.VoiceSpeak), "usr_a", "ch_voice", 0, 0, Now).ServerMute);

    [Theory]
    [InlineData("ch_text", Member, 0, 0, VoiceErrorCodes.NotVoiceChannel)]
    [InlineData("ch_missing", Member, 0, 0, VoiceErrorCodes.UnknownChannel)]
    [InlineData("ch_voice", Permission.VoiceConnect, 0, 0, VoiceErrorCodes.UnknownChannel)]
    [InlineData("ch_voice", Permission.ViewChannel, 0, 0, VoiceErrorCodes.MissingPermissions)]
    [InlineData("ch_voice", Member, 2, 2, VoiceErrorCodes.ChannelFull)]
    public void Refusals(string channel, long everyone, int limit, int others, string code) =>
        Assert.Equal(code, VoicePolicy.Decide(Snapshot(everyone), "usr_a", channel, limit, others, Now).Error);

    [Fact]
    public void Move_members_and_the_owner_bypass_the_user_limit()
    {
        Assert.True(VoicePolicy.Decide(Snapshot(Member | Permission.VoiceMoveOthers), "usr_a", "ch_voice", 1, 1, Now).Allowed);
        Assert.True(VoicePolicy.Decide(Snapshot(Member), "usr_owner", "ch_voice", 1, 1, Now).Allowed);
    }

    [Fact]
    public void A_timed_out_member_is_told_so()
    {
        var snapshot = Snapshot(Member, new Dictionary<string, DateTimeOffset> { ["usr_a"] = Now.AddMinutes(5) });
        Assert.Equal(VoiceErrorCodes.TimedOut, VoicePolicy.Decide(snapshot, "usr_a", "ch_voice", 0, 0, Now).Error);
        Assert.True(VoicePolicy.Decide(snapshot, "usr_a", "ch_voice", 0, 0, Now.AddMinutes(6)).Allowed);
    }
}
