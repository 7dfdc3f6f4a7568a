using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Audit;

/// <summary>
/// The tamper-evident audit log (seed 000 §P2-8, seed 004 AUDIT-01). Entries are appended, never changed:
/// each stores the previous entry's hash and a SHA-256 over its own canonical content, so editing or
/// removing a row breaks the chain, and <see cref="VerifyAsync"/> names the first entry that no longer
/// fits. Appends are serialized per community (a lock on this node) and the unique indexes on
/// (community_id, seq) and (community_id, prev_hash) refuse a competing append from another node, which
/// then retries on the new tail. An entry is written right after the action it records has been saved.
/// </summary>
public sealed class AuditLog(IServiceScopeFactory scopes, TimeProvider clock, ILogger<AuditLog> logger)
{
    /// <summary>The scope (stored in <c>community_id</c>) of pod-wide entries: pod bans, pod roles.</summary>
    public const string PodScope = "pod";

    public static readonly string Genesis = new('0', 64);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> locks = new(StringComparer.Ordinal);

    /// <summary>Appends one entry. Not cancellable on purpose: once the action is saved, its record must be written.</summary>
    public async Task<AuditEntryEntity> AppendAsync(
        string scope, string? actorId, string action, string? targetType = null, string? targetId = null,
        JsonObject? changes = null, string? reason = null)
    {
        var gate = locks.GetOrAdd(scope, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync();
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                await using var serviceScope = scopes.CreateAsyncScope();
                var db = serviceScope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
                var tail = await db.AuditLog.AsNoTracking()
                    .Where(a => a.CommunityId == scope)
                    .OrderByDescending(a => a.Seq)
                    .Select(a => new { a.Seq, a.Hash })
                    .FirstOrDefaultAsync();
                var seq = (tail?.Seq ?? 0) + 1;
                var prev = tail?.Hash ?? Genesis;
                var id = Ids.New(Ids.Audit);
                var createdAt = clock.StoredUtcNow();
                var changesText = changes?.ToJsonString();
                var trimmedReason = reason is { Length: > 512 } ? reason[..512] : reason;
                var entry = new AuditEntryEntity
                {
                    Id = id,
                    CommunityId = scope,
                    Seq = seq,
                    ActorId = actorId,
                    Action = action,
                    TargetType = targetType,
                    TargetId = targetId,
                    Changes = changesText,
                    Reason = trimmedReason,
                    CreatedAt = createdAt,
                    PrevHash = prev,
                    Hash = HashOf(id, scope, seq, actorId, action, targetType, targetId, changesText, trimmedReason, createdAt, prev),
                };
                db.AuditLog.Add(entry);
                try
                {
                    await db.SaveChangesAsync();
                    return entry;
                }
                catch (DbUpdateException ex) when (attempt < 5)
                {
                    // Another node appended to the same chain first; read the new tail and try again.
                    logger.LogInformation(ex, "Audit append for {Scope} lost a race; retrying", scope);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>SHA-256 (lower-case hex) over the entry's canonical JSON: fixed field order, times as Unix milliseconds.</summary>
    public static string HashOf(
        string id, string scope, long seq, string? actorId, string action, string? targetType, string? targetId,
        string? changes, string? reason, DateTimeOffset createdAt, string prevHash)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", 1);
            json.WriteString("id", id);
            json.WriteString("community_id", scope);
            json.WriteNumber("seq", seq);
            json.WriteString("actor_id", actorId);
            json.WriteString("action", action);
            json.WriteString("target_type", targetType);
            json.WriteString("target_id", targetId);
            json.WriteString("changes", changes);
            json.WriteString("reason", reason);
            json.WriteNumber("created_at", createdAt.ToUnixTimeMilliseconds());
            json.WriteString("prev_hash", prevHash);
            json.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
    }

    public static string HashOf(AuditEntryEntity e) =>
        HashOf(e.Id, e.CommunityId, e.Seq, e.ActorId, e.Action, e.TargetType, e.TargetId, e.Changes, e.Reason, e.CreatedAt, e.PrevHash);

    /// <summary>Walks the chain in order: every entry must link to the one before and hash to what it stores.</summary>
    public static async Task<AuditVerification> VerifyAsync(VoxoraDbContext db, string scope, CancellationToken ct)
    {
        const int Page = 1000;
        var expectedPrev = Genesis;
        var expectedSeq = 1L;
        var checkedCount = 0;
        var after = 0L;
        while (true)
        {
            var page = await db.AuditLog.AsNoTracking()
                .Where(a => a.CommunityId == scope && a.Seq > after)
                .OrderBy(a => a.Seq)
                .Take(Page)
                .ToListAsync(ct);
            foreach (var entry in page)
            {
                checkedCount++;
                if (entry.Seq != expectedSeq || entry.PrevHash != expectedPrev || HashOf(entry) != entry.Hash)
                {
                    return new AuditVerification(false, checkedCount, entry.Id);
                }

                expectedPrev = entry.Hash;
                expectedSeq++;
                after = entry.Seq;
            }

            if (page.Count < Page)
            {
                return new AuditVerification(true, checkedCount, null);
            }
        }
    }

    public static AuditEntry ToProtocol(AuditEntryEntity e)
    {
        JsonElement? changes = null;
        if (e.Changes is { Length: > 0 } text)
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                changes = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Stored text that is not JSON (only possible by tampering): the verify endpoint will say so.
            }
        }

        return new AuditEntry(e.Id, e.CommunityId, e.Seq, e.ActorId, e.Action, e.TargetType, e.TargetId, changes, e.Reason, e.CreatedAt, e.PrevHash, e.Hash);
    }

    /// <summary><c>{"field": {"old": …, "new": …}}</c> for the fields that changed.</summary>
    public static JsonObject Diff(params (string Field, JsonNode? Old, JsonNode? New)[] fields)
    {
        var changes = new JsonObject();
        foreach (var (field, old, @new) in fields)
        {
            if (!JsonNode.DeepEquals(old, @new))
            {
                changes[field] = new JsonObject { ["old"] = old?.DeepClone(), ["new"] = @new?.DeepClone() };
            }
        }

        return changes;
    }
}

/// <summary>Action names written to the audit log (docs/permissions.md lists them).</summary>
public static class AuditActions
{
    public const string CommunityUpdate = "community.update";
    public const string CommunityDelete = "community.delete";
    public const string ChannelCreate = "channel.create";
    public const string ChannelUpdate = "channel.update";
    public const string ChannelDelete = "channel.delete";
    public const string ChannelOverrideUpdate = "channel_override.update";
    public const string ChannelOverrideDelete = "channel_override.delete";
    public const string RoleCreate = "role.create";
    public const string RoleUpdate = "role.update";
    public const string RoleDelete = "role.delete";
    public const string MemberRoleUpdate = "member.role_update";
    public const string MemberKick = "member.kick";
    public const string MemberBan = "member.ban";
    public const string MemberUnban = "member.unban";
    public const string MemberTimeout = "member.timeout";
    public const string MemberTimeoutRemove = "member.timeout_remove";
    public const string MessageDelete = "message.delete";
    public const string MessageBulkDelete = "message.bulk_delete";
    public const string InviteCreate = "invite.create";
    public const string InviteDelete = "invite.delete";
    public const string ReportResolve = "report.resolve";
    public const string ReportDismiss = "report.dismiss";
    public const string PodBan = "pod.ban";
    public const string PodUnban = "pod.unban";
    public const string PodRoleCreate = "pod_role.create";
    public const string PodRoleUpdate = "pod_role.update";
    public const string PodRoleDelete = "pod_role.delete";
    public const string PodMemberRoleUpdate = "pod.member_role_update";
}
