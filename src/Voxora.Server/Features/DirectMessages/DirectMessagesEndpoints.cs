using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Avatars;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Channels;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Messages;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.DirectMessages;

/// <summary>
/// Direct messages: open a one-to-one DM or create a group DM, list them, add and remove people in a group, leave it;
/// blocks; the DM privacy setting; another person's profile. Messages, reactions, typing and read states in a DM go
/// through the ordinary channel endpoints (<see cref="CommunityAccess.FindChannelAsync"/> finds a DM for its people).
/// </summary>
public static class DirectMessagesEndpoints
{
    public static RouteGroupBuilder MapDirectMessagesEndpoints(this RouteGroupBuilder api)
    {
        var me = api.MapGroup("/users/@me").WithTags("Direct messages").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        me.MapPost("/channels", Open).WithSummary("Open a direct message or group DM (or return the existing DM)").ProducesForbidden();
        me.MapGet("/channels", List).WithSummary("The caller's direct message channels");
        me.MapGet("/settings", GetSettings).WithSummary("The caller's direct message settings");
        me.MapPatch("/settings", UpdateSettings).WithSummary("Change who may send the caller direct messages");
        me.MapGet("/blocks", ListBlocks).WithSummary("The users the caller has blocked");
        me.MapPut("/blocks/{userId}", Block).WithSummary("Block a user");
        me.MapDelete("/blocks/{userId}", Unblock).WithSummary("Unblock a user");

        var others = api.MapGroup("").WithTags("Direct messages").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        others.MapGet("/users/{userId}/profile", Profile).WithSummary("A user's public profile");
        others.MapPut("/channels/{channelId}/recipients/{userId}", AddRecipient).WithSummary("Add a user to a group DM").ProducesForbidden();
        others.MapDelete("/channels/{channelId}/recipients/{userId}", RemoveRecipient).WithSummary("Remove a user from a group DM (or leave it)").ProducesForbidden();
        return api;
    }

    internal static ProblemHttpResult CannotMessage() =>
        Problems.Of(StatusCodes.Status403Forbidden, ProblemCodes.CannotMessageUser, "Cannot message this user", "You cannot send direct messages to this user.");

    private static ProblemHttpResult TooMany() =>
        Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.TooManyRecipients, "Too many recipients",
            $"A group direct message holds at most {DirectMessageRules.MaxGroupSize} people, you included.");

    private static ProblemHttpResult NotGroup() =>
        Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.WrongChannelType, "Not a group DM", "Only a group direct message has people to add, remove or rename it.");

    private static async Task<Results<Created<DirectChannel>, Ok<DirectChannel>, ValidationProblem, ProblemHttpResult>> Open(
        CreateDirectChannelRequest request, HttpContext http, VoxoraDbContext db, DirectChannelStore store, DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var userId = http.User.UserId();
        if ((request.RecipientId is null) == (request.RecipientIds is null))
        {
            return Problems.Validation("recipient_id", "Give either recipient_id (a one-to-one DM) or recipient_ids (a group DM).");
        }

        if (request.RecipientId is { } recipientId)
        {
            if (!Ids.IsWellFormed(recipientId, Ids.User))
            {
                return Problems.Validation("recipient_id", "recipient_id must be a user id.");
            }

            if (recipientId == userId)
            {
                return Problems.Validation("recipient_id", "You cannot open a direct message with yourself.");
            }

            if (!await db.Users.AnyAsync(u => u.Id == recipientId, ct))
            {
                return Problems.NotFound("User");
            }

            // The DM both already have is theirs to use (sending in it follows the block rules).
            if (await store.PairChannelAsync(userId, recipientId, ct) is { } existing)
            {
                return TypedResults.Ok((await store.WireAsync(existing, ct))!);
            }

            if (!await store.MayReachAsync(userId, recipientId, ct))
            {
                return CannotMessage();
            }

            var now = clock.StoredUtcNow();
            var channel = NewChannel(ChannelTypes.DirectMessage, "", now);
            try
            {
                await store.CreateAsync(channel, new DirectChannelEntity { ChannelId = channel.Id, PairKey = DirectMessageRules.PairKey(userId, recipientId) },
                    [userId, recipientId], now, ct);
            }
            catch (DbUpdateException)
            {
                // Both opened it at the same moment: the unique pair key let one through, and that one is the DM.
                if (await PairChannelFreshAsync(http, userId, recipientId, ct) is { } raced)
                {
                    return TypedResults.Ok(raced);
                }

                throw;
            }

            return await CreatedAsync(channel.Id, store, events, ct);
        }

        var requested = request.RecipientIds!;
        if (requested.Count == 0)
        {
            return Problems.Validation("recipient_ids", "Give at least one other person.");
        }

        if (requested.Count + 1 > DirectMessageRules.MaxGroupSize)
        {
            return TooMany();
        }

        if (requested.Any(id => !Ids.IsWellFormed(id, Ids.User)))
        {
            return Problems.Validation("recipient_ids", "Every recipient must be a user id.");
        }

        if (requested.Distinct(StringComparer.Ordinal).Count() != requested.Count || requested.Contains(userId))
        {
            return Problems.Validation("recipient_ids", "Recipients must not repeat or include yourself.");
        }

        var name = request.Name?.Trim() ?? "";
        if (DirectMessageRules.NameError(name) is { } nameError)
        {
            return Problems.Validation("name", nameError);
        }

        if (await db.Users.CountAsync(u => requested.Contains(u.Id), ct) != requested.Count)
        {
            return Problems.NotFound("User");
        }

        foreach (var id in requested)
        {
            if (!await store.MayReachAsync(userId, id, ct))
            {
                return CannotMessage();
            }
        }

        var at = clock.StoredUtcNow();
        var group = NewChannel(ChannelTypes.GroupDirectMessage, name, at);
        await store.CreateAsync(group, new DirectChannelEntity { ChannelId = group.Id, OwnerId = userId }, [userId, .. requested], at, ct);
        return await CreatedAsync(group.Id, store, events, ct);
    }

    private static ChannelEntity NewChannel(int type, string name, DateTimeOffset now) =>
        new() { Id = Ids.New(Ids.Channel), CommunityId = null, Name = name, Type = type, CreatedAt = now };

    private static async Task<DirectChannel?> PairChannelFreshAsync(HttpContext http, string a, string b, CancellationToken ct)
    {
        // The failed insert left the request's context dirty: ask through a fresh one.
        await using var scope = http.RequestServices.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<DirectChannelStore>();
        return await store.PairChannelAsync(a, b, ct) is { } id ? await store.WireAsync(id, ct) : null;
    }

    private static async Task<Created<DirectChannel>> CreatedAsync(string channelId, DirectChannelStore store, DomainEvents events, CancellationToken ct)
    {
        var wire = (await store.WireAsync(channelId, ct))!;
        await events.PublishAsync(new DirectChannelCreated(wire));
        return TypedResults.Created($"/api/v1/channels/{wire.Id}", wire);
    }

    private static async Task<Ok<List<DirectChannel>>> List(HttpContext http, DirectChannelStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.ListAsync(http.User.UserId(), ct));

    /// <summary><c>GET /channels/{id}</c> for a direct channel.</summary>
    internal static async Task<DirectChannel> GetAsync(ChannelAccess found, DirectChannelStore store, CancellationToken ct) =>
        (await store.WireAsync(found.Channel.Id, ct))!;

    /// <summary><c>PATCH /channels/{id}</c> for a direct channel: any person in a group may rename it.</summary>
    internal static async Task<Results<Ok<Channel>, Ok<ThreadChannel>, Ok<DirectChannel>, ValidationProblem, ProblemHttpResult>> RenameAsync(
        ChannelAccess found, string? requestedName, VoxoraDbContext db, DirectChannelStore store, DomainEvents events, CancellationToken ct)
    {
        if (found.Channel.Type != ChannelTypes.GroupDirectMessage)
        {
            return NotGroup();
        }

        if (requestedName is null)
        {
            return TypedResults.Ok(await GetAsync(found, store, ct));
        }

        var name = requestedName.Trim();
        if (DirectMessageRules.NameError(name) is { } nameError)
        {
            return Problems.Validation("name", nameError);
        }

        var channel = found.Channel;
        if (channel.Name != name)
        {
            db.Channels.Attach(channel);
            channel.Name = name;
            await db.SaveChangesAsync(ct);
            var wire = await GetAsync(found, store, ct);
            await events.PublishAsync(new DirectChannelUpdated(wire));
            return TypedResults.Ok(wire);
        }

        return TypedResults.Ok(await GetAsync(found, store, ct));
    }

    /// <summary><c>DELETE /channels/{id}</c> for a direct channel: leaving a group (a one-to-one DM cannot be left).</summary>
    internal static async Task<Results<NoContent, ProblemHttpResult>> LeaveAsync(
        ChannelAccess found, VoxoraDbContext db, DirectChannelStore store, DomainEvents events, CancellationToken ct)
    {
        if (found.Channel.Type != ChannelTypes.GroupDirectMessage)
        {
            return NotGroup();
        }

        await RemoveAsync(found, found.Me, db, store, events, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> AddRecipient(
        string channelId, string userId, HttpContext http, VoxoraDbContext db, CommunityAccess access, DirectChannelStore store,
        DomainEvents events, TimeProvider clock, CancellationToken ct)
    {
        var me = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, me, ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

        if (found.Channel.Type != ChannelTypes.GroupDirectMessage)
        {
            return NotGroup();
        }

        if (!found.IsOwner)
        {
            return CommunitiesEndpoints.Forbidden("Only the group's owner can add people.");
        }

        var user = Ids.IsWellFormed(userId, Ids.User)
            ? await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new UserSummary(u.Id, u.Username, u.DisplayName, AvatarLinks.UserAvatarUrl(u.Id, u.AvatarHash))).SingleOrDefaultAsync(ct)
            : null;
        if (user is null)
        {
            return Problems.NotFound("User");
        }

        var recipients = found.DirectRecipients ?? [];
        if (recipients.Contains(user.Id))
        {
            return TypedResults.NoContent();
        }

        if (recipients.Count + 1 > DirectMessageRules.MaxGroupSize)
        {
            return TooMany();
        }

        if (!await store.MayReachAsync(me, user.Id, ct))
        {
            return CannotMessage();
        }

        db.Set<DirectRecipientEntity>().Add(new DirectRecipientEntity { ChannelId = found.Channel.Id, UserId = user.Id, JoinedAt = clock.StoredUtcNow() });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Added by a concurrent request a moment ago: already there is what was asked.
            return TypedResults.NoContent();
        }

        await events.PublishAsync(new DirectRecipientAdded((await store.WireAsync(found.Channel.Id, ct))!, user));
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveRecipient(
        string channelId, string userId, HttpContext http, VoxoraDbContext db, CommunityAccess access, DirectChannelStore store,
        DomainEvents events, CancellationToken ct)
    {
        var me = http.User.UserId();
        var found = await access.FindChannelAsync(channelId, me, ct);
        if (found is null)
        {
            return Problems.NotFound("Channel");
        }

        if (found.Channel.Type != ChannelTypes.GroupDirectMessage)
        {
            return NotGroup();
        }

        if (userId != me && !found.IsOwner)
        {
            return CommunitiesEndpoints.Forbidden("Only the group's owner can remove people.");
        }

        var people = await store.ParticipantsAsync(found.Channel.Id, ct);
        if (people.FirstOrDefault(p => p.Id == userId) is not { } user)
        {
            return Problems.NotFound("Recipient");
        }

        await RemoveAsync(found, user, db, store, events, ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Takes <paramref name="user"/> out of the group. The owner leaving hands the group to the person who joined
    /// earliest; the last person leaving deletes it with its messages.
    /// </summary>
    private static async Task RemoveAsync(ChannelAccess found, UserSummary user, VoxoraDbContext db, DirectChannelStore store, DomainEvents events, CancellationToken ct)
    {
        var channelId = found.Channel.Id;
        var ownerChanged = false;
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            if (await db.Set<DirectRecipientEntity>().Where(r => r.ChannelId == channelId && r.UserId == user.Id).ExecuteDeleteAsync(ct) == 0)
            {
                return;
            }

            var next = await db.Set<DirectRecipientEntity>().Where(r => r.ChannelId == channelId)
                .OrderBy(r => r.JoinedAt).ThenBy(r => r.UserId).Select(r => r.UserId).FirstOrDefaultAsync(ct);
            if (next is null)
            {
                await db.Channels.Where(c => c.Id == channelId).ExecuteDeleteAsync(ct);
            }
            else if (found.OwnerId == user.Id)
            {
                await db.Set<DirectChannelEntity>().Where(d => d.ChannelId == channelId).ExecuteUpdateAsync(s => s.SetProperty(d => d.OwnerId, next), ct);
                ownerChanged = true;
            }

            await transaction.CommitAsync(ct);
        }

        var wire = await store.WireAsync(channelId, ct)
            ?? new DirectChannel(channelId, found.Channel.Type, found.Channel.Name.Length == 0 ? null : found.Channel.Name, null, [], null, found.Channel.CreatedAt);
        await events.PublishAsync(new DirectRecipientRemoved(wire, user, ownerChanged));
    }

    private static async Task<Ok<UserSettings>> GetSettings(HttpContext http, DirectChannelStore store, CancellationToken ct) =>
        TypedResults.Ok(new UserSettings(await store.AllowsDmsFromMembersAsync(http.User.UserId(), ct)));

    private static async Task<Results<Ok<UserSettings>, ValidationProblem>> UpdateSettings(
        UpdateUserSettingsRequest request, HttpContext http, VoxoraDbContext db, CancellationToken ct)
    {
        var userId = http.User.UserId();
        if (request.AllowDmsFromMembers is null)
        {
            return Problems.Validation("allow_dms_from_members", "Give allow_dms_from_members (true or false).");
        }

        var row = await db.Set<DirectMessageSettingsEntity>().SingleOrDefaultAsync(s => s.UserId == userId, ct);
        if (row is null)
        {
            row = new DirectMessageSettingsEntity { UserId = userId };
            db.Add(row);
        }

        row.AllowDmsFromMembers = request.AllowDmsFromMembers.Value;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new UserSettings(row.AllowDmsFromMembers));
    }

    private static async Task<Ok<List<BlockedUser>>> ListBlocks(HttpContext http, VoxoraDbContext db, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var rows = await db.Set<UserBlockEntity>().AsNoTracking().Where(b => b.UserId == userId)
            .Join(db.Users, b => b.BlockedUserId, u => u.Id, (b, u) => new { b.CreatedAt, u.Id, u.Username, u.DisplayName, u.AvatarHash })
            .ToListAsync(ct);
        return TypedResults.Ok(rows.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal)
            .Select(r => new BlockedUser(new UserSummary(r.Id, r.Username, r.DisplayName, AvatarLinks.UserAvatarUrl(r.Id, r.AvatarHash)), r.CreatedAt)).ToList());
    }

    /// <summary>Blocking is silent: the blocked person gets no event and no answer that differs because of it.</summary>
    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Block(
        string userId, HttpContext http, VoxoraDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var me = http.User.UserId();
        if (!Ids.IsWellFormed(userId, Ids.User) || !await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            return Problems.NotFound("User");
        }

        if (userId == me)
        {
            return Problems.Validation("user_id", "You cannot block yourself.");
        }

        if (await db.Set<UserBlockEntity>().AnyAsync(b => b.UserId == me && b.BlockedUserId == userId, ct))
        {
            return TypedResults.NoContent();
        }

        db.Add(new UserBlockEntity { UserId = me, BlockedUserId = userId, CreatedAt = clock.StoredUtcNow() });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // A concurrent request blocked them a moment ago: blocked is what was asked.
            if (!await AlreadyBlockedAsync(http, me, userId, ct))
            {
                throw;
            }
        }

        return TypedResults.NoContent();
    }

    private static async Task<bool> AlreadyBlockedAsync(HttpContext http, string me, string userId, CancellationToken ct)
    {
        await using var scope = http.RequestServices.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        return await db.Set<UserBlockEntity>().AnyAsync(b => b.UserId == me && b.BlockedUserId == userId, ct);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Unblock(string userId, HttpContext http, VoxoraDbContext db, CancellationToken ct)
    {
        var me = http.User.UserId();
        if (!Ids.IsWellFormed(userId, Ids.User) || !await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            return Problems.NotFound("User");
        }

        await db.Set<UserBlockEntity>().Where(b => b.UserId == me && b.BlockedUserId == userId).ExecuteDeleteAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>Someone you share a community or a DM with (or yourself); anyone else is a 404, as if they did not exist.</summary>
    private static async Task<Results<Ok<UserProfile>, ProblemHttpResult>> Profile(
        string userId, HttpContext http, VoxoraDbContext db, DirectChannelStore store, CancellationToken ct)
    {
        var me = http.User.UserId();
        var user = Ids.IsWellFormed(userId, Ids.User)
            ? await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new UserSummary(u.Id, u.Username, u.DisplayName, AvatarLinks.UserAvatarUrl(u.Id, u.AvatarHash))).SingleOrDefaultAsync(ct)
            : null;
        if (user is null)
        {
            return Problems.NotFound("User");
        }

        var shared = await db.Members.AsNoTracking()
            .Where(m => m.UserId == userId && db.Members.Any(o => o.CommunityId == m.CommunityId && o.UserId == me))
            .Join(db.Communities, m => m.CommunityId, c => c.Id, (m, c) => new { c.Id, c.Name })
            .OrderBy(c => c.Id)
            .ToListAsync(ct);
        if (shared.Count == 0 && userId != me && !await store.ShareDirectChannelAsync(me, userId, ct))
        {
            return Problems.NotFound("User");
        }

        var communityIds = shared.Select(c => c.Id).ToList();
        var roles = await db.MemberRoles.AsNoTracking().Where(r => r.UserId == userId && communityIds.Contains(r.CommunityId))
            .Select(r => new { r.CommunityId, r.RoleId }).ToListAsync(ct);
        var blocked = await db.Set<UserBlockEntity>().AnyAsync(b => b.UserId == me && b.BlockedUserId == userId, ct);
        return TypedResults.Ok(new UserProfile(user,
            shared.Select(c => new SharedCommunity(c.Id, c.Name,
                roles.Where(r => r.CommunityId == c.Id).Select(r => r.RoleId).Order(StringComparer.Ordinal).ToList())).ToList(),
            blocked));
    }
}
