using Voxora.Protocol;
using Voxora.Server.Features.Notifications;

namespace Voxora.Server.Tests.Unit;

public sealed class NotificationRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly RecipientSettings Defaults = new(null, null, false, null, null);

    private static bool Notify(RecipientSettings settings, MentionKind mention, bool isAuthor = false) =>
        NotificationRules.ShouldNotify(isAuthor, settings, mention, Now);

    [Fact]
    public void By_default_only_mentions_notify_everyone_included()
    {
        Assert.False(Notify(Defaults, MentionKind.None));
        Assert.True(Notify(Defaults, MentionKind.Direct));
        Assert.True(Notify(Defaults, MentionKind.Everyone));
    }

    [Fact]
    public void The_author_is_never_notified()
    {
        var all = Defaults with { CommunityLevel = NotificationLevels.All };
        Assert.False(Notify(all, MentionKind.Direct, isAuthor: true));
    }

    [Fact]
    public void All_notifies_every_message_nothing_none()
    {
        Assert.True(Notify(Defaults with { CommunityLevel = NotificationLevels.All }, MentionKind.None));
        Assert.False(Notify(Defaults with { CommunityLevel = NotificationLevels.Nothing }, MentionKind.Direct));
        Assert.False(Notify(Defaults with { CommunityLevel = NotificationLevels.Nothing }, MentionKind.Everyone));
    }

    [Fact]
    public void A_channel_level_wins_over_the_community_unless_it_inherits()
    {
        var loudChannel = Defaults with { CommunityLevel = NotificationLevels.Nothing, ChannelLevel = NotificationLevels.All };
        Assert.True(Notify(loudChannel, MentionKind.None));
        var quietChannel = Defaults with { CommunityLevel = NotificationLevels.All, ChannelLevel = NotificationLevels.Nothing };
        Assert.False(Notify(quietChannel, MentionKind.Direct));
        var inheriting = Defaults with { CommunityLevel = NotificationLevels.All, ChannelLevel = NotificationLevels.Inherit };
        Assert.True(Notify(inheriting, MentionKind.None));
    }

    [Fact]
    public void Suppressing_everyone_keeps_direct_mentions()
    {
        var suppress = Defaults with { SuppressEveryone = true };
        Assert.False(Notify(suppress, MentionKind.Everyone));
        Assert.True(Notify(suppress, MentionKind.Direct));
    }

    [Fact]
    public void A_mute_silences_until_its_time_community_mutes_reach_every_channel()
    {
        var all = Defaults with { CommunityLevel = NotificationLevels.All };
        Assert.False(Notify(all with { CommunityMutedUntil = Now.AddMinutes(1) }, MentionKind.Direct));
        Assert.False(Notify(all with { ChannelMutedUntil = Now.AddMinutes(1) }, MentionKind.Direct));
        Assert.True(Notify(all with { CommunityMutedUntil = Now }, MentionKind.None));
        Assert.True(Notify(all with { ChannelMutedUntil = Now.AddSeconds(-1) }, MentionKind.None));
    }

    [Fact]
    public void Levels_are_validated_by_scope()
    {
        Assert.True(NotificationRules.IsCommunityLevel("all"));
        Assert.False(NotificationRules.IsCommunityLevel("inherit"));
        Assert.False(NotificationRules.IsCommunityLevel("ALL"));
        Assert.True(NotificationRules.IsChannelLevel("inherit"));
        Assert.False(NotificationRules.IsChannelLevel(""));
    }
}

public sealed class PushRulesTests
{
    private const string ValidKey = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";

    [Theory]
    [InlineData("https://fcm.googleapis.com/fcm/send/abc", false, true)]
    [InlineData("http://fcm.googleapis.com/fcm/send/abc", true, false)]
    [InlineData("http://127.0.0.1:5000/push/x", false, false)]
    [InlineData("http://127.0.0.1:5000/push/x", true, true)]
    [InlineData("http://[::1]:5000/push/x", true, true)]
    [InlineData("http://localhost.evil.example/push", true, false)]
    [InlineData("https://user:pw@push.example/x", false, false)]
    [InlineData("ftp://push.example/x", false, false)]
    [InlineData("/relative", false, false)]
    [InlineData("", false, false)]
    public void Endpoints_must_be_https_or_loopback_http_when_allowed(string endpoint, bool allowLoopbackHttp, bool ok) =>
        Assert.Equal(ok, PushRules.EndpointError(endpoint, allowLoopbackHttp) is null);

    [Fact]
    public void Endpoints_are_bounded() =>
        Assert.NotNull(PushRules.EndpointError("https://push.example/" + new string('a', PushRules.MaxEndpointLength), false));

    [Fact]
    public void Keys_must_be_a_P256_point_and_a_16_byte_secret()
    {
        Assert.Null(PushRules.PublicKeyError(ValidKey));
        Assert.NotNull(PushRules.PublicKeyError(null));
        Assert.NotNull(PushRules.PublicKeyError(ValidKey[..^4]));
        Assert.NotNull(PushRules.PublicKeyError("not base64 !"));
        // Right length and prefix, not on the curve.
        Assert.NotNull(PushRules.PublicKeyError(System.Buffers.Text.Base64Url.EncodeToString([0x04, .. new byte[64]])));
        Assert.Null(PushRules.AuthError("BTBZMqHH6r4Tts7J_aSIgg"));
        Assert.NotNull(PushRules.AuthError("BTBZMqHH6r4Tts7J_aSI"));
        Assert.NotNull(PushRules.AuthError(null));
    }

    [Fact]
    public void A_push_quotes_one_message_only_where_previews_are_allowed()
    {
        Assert.Equal(("alice in #general", "hi there"), PushRules.Text("Home", "general", "alice", "hi there", 1, previewAllowed: true));
        Assert.Equal(("Home", "New message in #secret"), PushRules.Text("Home", "secret", "alice", "hi there", 1, previewAllowed: false));
        Assert.Equal(("Home", "3 new messages in #general"), PushRules.Text("Home", "general", "alice", "hi there", 3, previewAllowed: true));
        var (_, body) = PushRules.Text("Home", "general", "alice", new string('x', 500), 1, previewAllowed: true);
        Assert.Equal(PushRules.MaxPreviewLength, body.Length);
    }
}
