using Voxora.Protocol;
using Voxora.Server.Features.Permissions;

namespace Voxora.Server.Tests.Unit;

/// <summary>The role hierarchy shared by community and pod roles; pure functions.</summary>
public sealed class RoleHierarchyTests
{
    private const long Admin = PodPermission.Administrator;
    private static readonly HierarchyActor Owner = new(true, int.MaxValue, PodPermission.All);
    private static readonly HierarchyActor HighAdmin = new(false, 10, PodPermission.All);
    private static readonly HierarchyActor Moderator = new(false, 3, PodPermission.BanMembers | PodPermission.ViewAuditLog);

    [Theory]
    [InlineData(9, true)]
    [InlineData(10, false)]
    [InlineData(11, false)]
    [InlineData(0, true)]
    public void Only_positions_below_ones_level_are_reachable(int position, bool reachable)
    {
        Assert.Equal(reachable, RoleHierarchy.IsAbove(HighAdmin, position));
        Assert.True(RoleHierarchy.IsAbove(Owner, position));
    }

    [Fact]
    public void Roles_are_created_and_changed_only_below_ones_level()
    {
        Assert.Null(RoleHierarchy.CannotChangeRole(HighAdmin, null, new RoleState(9, Admin, false), Admin));
        Assert.NotNull(RoleHierarchy.CannotChangeRole(HighAdmin, null, new RoleState(10, 0, false), Admin));
        Assert.NotNull(RoleHierarchy.CannotChangeRole(HighAdmin, new RoleState(10, Admin, false), new RoleState(10, 0, false), Admin));
        Assert.NotNull(RoleHierarchy.CannotChangeRole(HighAdmin, new RoleState(12, Admin, false), new RoleState(1, Admin, false), Admin));
        Assert.NotNull(RoleHierarchy.CannotChangeRole(HighAdmin, new RoleState(5, Admin, false), new RoleState(10, Admin, false), Admin));
        Assert.Null(RoleHierarchy.CannotChangeRole(HighAdmin, new RoleState(5, Admin, false), new RoleState(9, 0, false), Admin));
        Assert.Null(RoleHierarchy.CannotChangeRole(Owner, new RoleState(1000, Admin, false), new RoleState(1000, 0, false), Admin));
    }

    [Fact]
    public void Only_held_permissions_are_granted_but_anything_may_be_kept_or_removed()
    {
        var held = PodPermission.BanMembers | PodPermission.ViewAuditLog;
        Assert.Null(RoleHierarchy.CannotChangeRole(Moderator, null, new RoleState(2, held, false), Admin));
        Assert.NotNull(RoleHierarchy.CannotChangeRole(Moderator, null, new RoleState(2, held | PodPermission.ManageSettings, false), Admin));
        Assert.NotNull(RoleHierarchy.CannotChangeRole(Moderator, new RoleState(2, 0, false), new RoleState(2, Admin, false), Admin));

        // A bit the role already has (but the editor lacks) may stay, or go.
        var existing = new RoleState(2, PodPermission.ManageSettings, false);
        Assert.Null(RoleHierarchy.CannotChangeRole(Moderator, existing, existing with { Permissions = PodPermission.ManageSettings | PodPermission.BanMembers }, Admin));
        Assert.Null(RoleHierarchy.CannotChangeRole(Moderator, existing, existing with { Permissions = 0 }, Admin));
    }

    [Fact]
    public void Only_the_owner_gives_the_default_role_administrator()
    {
        var defaults = new RoleState(0, PodPermission.EveryoneDefault, true);
        Assert.NotNull(RoleHierarchy.CannotChangeRole(HighAdmin, defaults, defaults with { Permissions = defaults.Permissions | Admin }, Admin));
        Assert.Null(RoleHierarchy.CannotChangeRole(HighAdmin, defaults, defaults with { Permissions = defaults.Permissions | PodPermission.ViewAuditLog }, Admin));
        Assert.Null(RoleHierarchy.CannotChangeRole(Owner, defaults, defaults with { Permissions = Admin }, Admin));

        // The owner's own choice, once made, can be undone by an administrator above the default role.
        var everyoneAdmin = defaults with { Permissions = Admin };
        Assert.Null(RoleHierarchy.CannotChangeRole(HighAdmin, everyoneAdmin, defaults, Admin));

        // The same rule with the community's bit.
        var everyone = new RoleState(0, Permission.EveryoneDefault, true);
        var communityAdmin = new HierarchyActor(false, 5, Permission.All);
        Assert.NotNull(RoleHierarchy.CannotChangeRole(communityAdmin, everyone, everyone with { Permissions = Permission.All }, Permission.Administrator));
    }

    [Fact]
    public void Acting_on_users_follows_levels_and_administrators_are_the_owners_alone_where_asked()
    {
        Assert.Equal(ActRefusal.Self, RoleHierarchy.CannotActOn(HighAdmin, true, false, 10, true, true));
        Assert.Equal(ActRefusal.Owner, RoleHierarchy.CannotActOn(HighAdmin, false, true, int.MaxValue, true, true));
        Assert.Equal(ActRefusal.NotBelow, RoleHierarchy.CannotActOn(Moderator, false, false, 3, false, true));
        Assert.Equal(ActRefusal.None, RoleHierarchy.CannotActOn(Moderator, false, false, 2, false, true));
        Assert.Equal(ActRefusal.Administrator, RoleHierarchy.CannotActOn(HighAdmin, false, false, 5, true, true));
        Assert.Equal(ActRefusal.None, RoleHierarchy.CannotActOn(HighAdmin, false, false, 5, true, false));
        Assert.Equal(ActRefusal.None, RoleHierarchy.CannotActOn(Owner, false, false, 999, true, true));

        // An administrator only through the default role sits at level 0: below every role holder.
        Assert.Equal(ActRefusal.Administrator, RoleHierarchy.CannotActOn(HighAdmin, false, false, 0, true, true));
    }
}
