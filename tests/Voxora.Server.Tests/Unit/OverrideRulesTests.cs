using Voxora.Protocol;
using Voxora.Server.Features.Channels;

namespace Voxora.Server.Tests.Unit;

/// <summary>The one rule every path that changes channel overrides goes through.</summary>
public sealed class OverrideRulesTests
{
    private const long Moderator = Permission.ViewChannel | Permission.SendMessages | Permission.ManageChannels | Permission.ManageRoles;

    private static ChannelOverrideEntity Row(int type, string target, long allow, long deny) =>
        new() { ChannelId = "chn_x", CommunityId = "cmn_x", TargetType = type, TargetId = target, Allow = allow, Deny = deny };

    [Fact]
    public void Role_overrides_need_MANAGE_ROLES_and_user_overrides_MANAGE_CHANNELS()
    {
        var view = new OverrideBits(Permission.ViewChannel, 0);
        Assert.Equal(OverrideRefusal.MissingPermission, OverrideRules.Check(Moderator & ~Permission.ManageRoles, OverrideTargets.Role, null, view));
        Assert.Equal(OverrideRefusal.None, OverrideRules.Check(Moderator & ~Permission.ManageRoles, OverrideTargets.User, null, view));
        Assert.Equal(OverrideRefusal.MissingPermission, OverrideRules.Check(Moderator & ~Permission.ManageChannels, OverrideTargets.User, view, null));
        Assert.Equal(OverrideRefusal.None, OverrideRules.Check(Moderator & ~Permission.ManageChannels, OverrideTargets.Role, view, null));
    }

    [Fact]
    public void Every_bit_before_and_after_must_be_held()
    {
        var sendDenied = new OverrideBits(0, Permission.SendMessages);
        var held = Moderator & ~Permission.SendMessages;
        Assert.Equal(OverrideRefusal.BitsNotHeld, OverrideRules.Check(held, OverrideTargets.Role, null, sendDenied));
        Assert.Equal(OverrideRefusal.BitsNotHeld, OverrideRules.Check(held, OverrideTargets.Role, sendDenied, null));
        Assert.Equal(OverrideRefusal.BitsNotHeld, OverrideRules.Check(held, OverrideTargets.Role, sendDenied, new OverrideBits(0, 0)));
        Assert.Equal(OverrideRefusal.None, OverrideRules.Check(Moderator, OverrideTargets.Role, sendDenied, null));
        Assert.Equal(OverrideRefusal.None, OverrideRules.Check(Permission.All, OverrideTargets.Role, new OverrideBits(Permission.ManageMessages, 0), null));
    }

    [Fact]
    public void Diff_lists_added_altered_and_removed_overrides_and_skips_equal_ones()
    {
        var before = new[]
        {
            Row(OverrideTargets.Role, "rol_b", 0, Permission.ViewChannel),
            Row(OverrideTargets.Role, "rol_a", Permission.ViewChannel, 0),
            Row(OverrideTargets.User, "usr_a", Permission.SendMessages, 0),
        };
        var after = new[]
        {
            Row(OverrideTargets.Role, "rol_a", Permission.ViewChannel, 0),
            Row(OverrideTargets.User, "usr_a", 0, Permission.SendMessages),
            Row(OverrideTargets.User, "usr_b", Permission.ViewChannel, 0),
        };

        var changes = OverrideRules.Diff(before, after);

        Assert.Equal(
            [
                new OverrideChange(OverrideTargets.Role, "rol_b", new OverrideBits(0, Permission.ViewChannel), null),
                new OverrideChange(OverrideTargets.User, "usr_a", new OverrideBits(Permission.SendMessages, 0), new OverrideBits(0, Permission.SendMessages)),
                new OverrideChange(OverrideTargets.User, "usr_b", null, new OverrideBits(Permission.ViewChannel, 0)),
            ],
            changes);
        Assert.Empty(OverrideRules.Diff(before, before));
    }

    [Fact]
    public void The_first_refused_change_decides()
    {
        var changes = new[]
        {
            new OverrideChange(OverrideTargets.User, "usr_a", null, new OverrideBits(Permission.ViewChannel, 0)),
            new OverrideChange(OverrideTargets.Role, "rol_a", new OverrideBits(0, Permission.ViewChannel), null),
        };
        var held = Moderator & ~Permission.ManageRoles;

        var refused = OverrideRules.FirstRefused(held, changes);

        Assert.Equal((changes[1], OverrideRefusal.MissingPermission), refused);
        Assert.Null(OverrideRules.FirstRefused(Moderator, changes));
        Assert.Null(OverrideRules.FirstRefused(0, []));
    }

    [Fact]
    public void The_audit_record_names_each_override_with_old_and_new_bits_as_strings()
    {
        var record = OverrideRules.ToAudit([new OverrideChange(OverrideTargets.Role, "rol_a", new OverrideBits(0, Permission.ViewChannel), null)]);

        Assert.Equal("""[{"target_type":"role","target_id":"rol_a","allow":{"old":"0","new":null},"deny":{"old":"1","new":null}}]""", record.ToJsonString());
    }
}
