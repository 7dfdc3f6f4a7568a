namespace Voxora.Server.Features.Permissions;

/// <summary>
/// Who is acting, as the role hierarchy sees them: whether they own the scope (community or pod), their level
/// (their highest role's position; 0 without roles) and their resolved permissions there.
/// </summary>
public readonly record struct HierarchyActor(bool IsOwner, int Level, long Permissions);

/// <summary>
/// The role hierarchy, one rule set for community roles and pod roles (docs/permissions.md, "Role hierarchy"),
/// as pure functions. Roles are ordered by position (0 is the default role, higher is more powerful); the
/// owner is above everyone. Nobody touches a role or a person at or above their own level, gives a role a
/// permission they do not hold, or gives the default role (everyone) the administrator bit unless they
/// are the owner: that would make every user an administrator at once.
/// </summary>
public static class RoleHierarchy
{
    /// <summary>May the actor act on a role, or on someone whose level is <paramref name="position"/>? The owner always may.</summary>
    public static bool IsAbove(HierarchyActor actor, int position) => actor.IsOwner || actor.Level > position;

    /// <summary>
    /// Why the actor may not create a role (<paramref name="current"/> null) or change one (null when they may).
    /// <paramref name="administrator"/> is the scope's administrator bit.
    /// </summary>
    public static string? CannotChangeRole(HierarchyActor actor, RoleState? current, RoleState next, long administrator)
    {
        if (current is { } before && !IsAbove(actor, before.Position))
        {
            return "You can only manage roles below your highest role.";
        }

        if (!IsAbove(actor, next.Position))
        {
            return current is null ? "A new role must sit below your highest role." : "A role can only be moved below your highest role.";
        }

        var added = next.Permissions & ~(current?.Permissions ?? 0);
        if ((added & ~actor.Permissions) != 0)
        {
            return "You can only grant permissions you have yourself.";
        }

        if (next.IsDefault && (added & administrator) != 0 && !actor.IsOwner)
        {
            return "Only the owner can give the default role the administrator permission (it would make everyone an administrator).";
        }

        return null;
    }

    /// <summary>
    /// Why the actor may not act on another user (ban, unban, kick, time out; null when they may). With
    /// <paramref name="onlyOwnerActsOnAdministrators"/>, only the owner acts on someone who holds the administrator
    /// bit, whatever their level.
    /// </summary>
    public static ActRefusal CannotActOn(
        HierarchyActor actor, bool isSelf, bool targetIsOwner, int targetLevel, bool targetIsAdministrator, bool onlyOwnerActsOnAdministrators)
    {
        if (isSelf) return ActRefusal.Self;
        if (targetIsOwner) return ActRefusal.Owner;
        if (!IsAbove(actor, targetLevel)) return ActRefusal.NotBelow;
        if (onlyOwnerActsOnAdministrators && targetIsAdministrator && !actor.IsOwner) return ActRefusal.Administrator;
        return ActRefusal.None;
    }
}

/// <summary>A role as the hierarchy sees it: where it sits, what it grants, and whether it is the default role.</summary>
public readonly record struct RoleState(int Position, long Permissions, bool IsDefault);

public enum ActRefusal
{
    None,
    Self,
    Owner,
    NotBelow,
    Administrator,
}
