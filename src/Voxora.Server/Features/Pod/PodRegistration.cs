using System.Data;
using System.Data.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Invites;
using Voxora.Server.Features.Users;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;

namespace Voxora.Server.Features.Pod;

/// <summary>
/// Who may create an account, and how: the pod's saved settings (or their defaults), the pod's first account (always
/// allowed, whatever the mode: it becomes the owner), and registration with a community invite.
/// </summary>
public static class PodRegistration
{
    /// <summary>The pod's settings as saved, or the defaults of a pod that never saved them (not tracked either way).</summary>
    public static async Task<PodSettingsEntity> CurrentAsync(VoxoraDbContext db, PodOptions options, CancellationToken ct) =>
        await db.PodSettings.AsNoTracking().SingleOrDefaultAsync(s => s.Id == PodSettingsEntity.SingletonId, ct)
        ?? new PodSettingsEntity { Name = PodSettingsEntity.DefaultName, RegistrationMode = options.RegistrationMode };

    public static ProblemHttpResult Closed() =>
        Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.RegistrationClosed, "Registration closed", "This server does not take new accounts.");

    public static ProblemHttpResult InviteOnly() =>
        Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.RegistrationInviteOnly, "Registration is invite only",
            "This server takes new accounts only with an invite: register with an invite_code.");

    /// <summary>
    /// Saves <paramref name="user"/> only if the pod has no account yet, with whatever <paramref name="alsoSave"/> adds,
    /// in one serializable transaction: of two racing first accounts exactly one is saved. False when the pod has an
    /// account already (nothing was saved then).
    /// </summary>
    public static async Task<bool> TryCreateFirstAccountAsync(
        VoxoraDbContext db, UserAccount user, Func<Task>? alsoSave, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable, ct);
                if (await db.Users.AnyAsync(ct))
                {
                    return false;
                }

                db.Users.Add(user);
                if (alsoSave is not null)
                {
                    await alsoSave();
                }

                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                return true;
            }
            catch (Exception ex) when (IsConflict(ex))
            {
                // PostgreSQL refuses one of two serializable transactions that both saw an empty pod (or the second's
                // pod_settings row collides); SQLite makes the second wait for the first. The other one may not have
                // committed yet when this one is refused, so look again, and try again while the pod is still empty.
                db.ChangeTracker.Clear();
                if (await db.Users.AnyAsync(ct))
                {
                    return false;
                }

                if (attempt == 5)
                {
                    throw;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt * Random.Shared.Next(1, 4)), ct);
            }
        }
    }

    /// <summary>A write refused by a concurrent one: a serialization failure or a key collision (EF wraps PostgreSQL's as transient).</summary>
    private static bool IsConflict(Exception ex) =>
        ex is DbUpdateException or DbException || ex is InvalidOperationException { InnerException: DbUpdateException or DbException };

    /// <summary>
    /// Saves <paramref name="user"/> as a member of the invite's community, spending one use of the invite, in one
    /// transaction (no account without the membership, no membership past the invite's limits). Null when saved.
    /// </summary>
    public static async Task<ProblemHttpResult?> CreateWithInviteAsync(
        VoxoraDbContext db, UserAccount user, string code, CommunityAccess access, DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        if (!InviteCodes.IsWellFormed(code))
        {
            return InvitesEndpoints.NotFound();
        }

        var invite = await db.Invites.AsNoTracking().SingleOrDefaultAsync(i => i.Code == code, ct);
        if (invite is null)
        {
            return InvitesEndpoints.NotFound();
        }

        var now = clock.StoredUtcNow();
        if (InvitesEndpoints.Unusable(invite, now) is { } unusable)
        {
            return unusable;
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            if (await InvitesEndpoints.SpendUseAsync(db, code, now, ct) is { } refused)
            {
                await transaction.RollbackAsync(ct);
                return refused;
            }

            db.Users.Add(user);
            db.Members.Add(new MemberEntity { CommunityId = invite.CommunityId, UserId = user.Id, JoinedAt = now });
            try
            {
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }
            catch (DbUpdateException)
            {
                // The username was just taken, or the community just deleted: nothing is kept, the use is given back.
                await transaction.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                if (await db.Users.AnyAsync(u => u.UsernameNormalized == user.UsernameNormalized, ct))
                {
                    return Auth.AuthEndpoints.UsernameTaken();
                }

                if (!await db.Communities.AnyAsync(c => c.Id == invite.CommunityId, ct))
                {
                    return InvitesEndpoints.NotFound();
                }

                throw;
            }
        }

        if (await access.FindCommunityAsync(invite.CommunityId, user.Id, ct) is { } community)
        {
            var whole = await access.WholeAsync(community, user.Id, ct);
            await events.PublishAsync(new CommunityMemberAdded(whole, user.ToSummary(), now, MemberAddedVia.Invite));
        }

        return null;
    }
}
