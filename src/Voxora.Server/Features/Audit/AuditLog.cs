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
/// each stores the previous entry's hash and an HMAC-SHA256 over its own canonical content, keyed with the
/// audit key (<see cref="AuditKey"/>, never stored in the database), so editing, removing or re-hashing a row
/// breaks the chain for anyone without the key, and <see cref="VerifyAsync"/> names the first entry that no
/// longer fits. The newest entry of each chain is also checkpointed outside the database
/// (<see cref="AuditCheckpoints"/>), so a cut-off tail is reported too. Entries written before the log was
/// keyed keep their plain SHA-256 hashes; a MACed seal (<see cref="AuditSealEntity"/>) says where they end.
/// Appends are serialized per community (a lock on this node) and the unique indexes on
/// (community_id, seq) and (community_id, prev_hash) refuse a competing append from another node, which
/// then retries on the new tail. An entry is written right after the action it records has been saved.
/// </summary>
public sealed class AuditLog(IServiceScopeFactory scopes, TimeProvider clock, AuditKey key, AuditCheckpoints checkpoints, ILogger<AuditLog> logger)
{
    /// <summary>The scope (stored in <c>community_id</c>) of pod-wide entries: pod bans, pod roles.</summary>
    public const string PodScope = "pod";

    public static readonly string Genesis = new('0', 64);

    /// <summary>Canonical-form version of entries hashed with plain SHA-256 (before the log was keyed).</summary>
    public const int LegacyVersion = 1;

    /// <summary>Canonical-form version of entries MACed with the audit key.</summary>
    public const int KeyedVersion = 2;

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
                    Hash = key.Mac(Canonical(KeyedVersion, id, scope, seq, actorId, action, targetType, targetId, changesText, trimmedReason, createdAt, prev)),
                };
                db.AuditLog.Add(entry);
                try
                {
                    await db.SaveChangesAsync();
                    checkpoints.Advance(scope, entry.Seq, entry.Hash);
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

    /// <summary>The canonical content that is hashed: JSON with a fixed field order, times as Unix milliseconds.</summary>
    public static byte[] Canonical(
        int version, string id, string scope, long seq, string? actorId, string action, string? targetType, string? targetId,
        string? changes, string? reason, DateTimeOffset createdAt, string prevHash)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", version);
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

        return buffer.ToArray();
    }

    private static byte[] Canonical(int version, AuditEntryEntity e) =>
        Canonical(version, e.Id, e.CommunityId, e.Seq, e.ActorId, e.Action, e.TargetType, e.TargetId, e.Changes, e.Reason, e.CreatedAt, e.PrevHash);

    /// <summary>The plain SHA-256 (lower-case hex) of a legacy entry, written before the log was keyed.</summary>
    public static string LegacyHashOf(AuditEntryEntity e) => Convert.ToHexStringLower(SHA256.HashData(Canonical(LegacyVersion, e)));

    /// <summary>The MAC (lower-case hex) a keyed entry must carry.</summary>
    public string MacOf(AuditEntryEntity e) => key.Mac(Canonical(KeyedVersion, e));

    private string SealMacOf(string scope, long lastSeq, string lastHash)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", KeyedVersion);
            json.WriteString("seal", scope);
            json.WriteNumber("last_seq", lastSeq);
            json.WriteString("last_hash", lastHash);
            json.WriteEndObject();
        }

        return key.Mac(buffer.ToArray());
    }

    /// <summary>
    /// Once per database, when the keyed log starts: seals every existing chain at its last (plain SHA-256)
    /// entry and writes the marker that says sealing happened. If the marker is missing but this node has
    /// checkpoints, or some chain does not verify as legacy entries (so it holds keyed entries), someone removed
    /// the seals: nothing is sealed and an error is logged, since re-sealing then would bless whatever was rewritten.
    /// </summary>
    public async Task InitializeAsync(CancellationToken ct)
    {
        await using var serviceScope = scopes.CreateAsyncScope();
        var db = serviceScope.ServiceProvider.GetRequiredService<VoxoraDbContext>();
        var marker = await db.AuditSeals.AsNoTracking().SingleOrDefaultAsync(s => s.CommunityId == AuditSealEntity.MarkerScope, ct);
        if (marker is not null)
        {
            if (marker.Mac != SealMacOf(marker.CommunityId, marker.LastSeq, marker.LastHash))
            {
                logger.LogError("The audit log seal marker does not carry this node's audit key: either the key differs from the one the log was started with, or the seals were tampered with");
            }

            return;
        }

        if (checkpoints.Any)
        {
            // This node has written keyed entries, so this database was sealed before: the seals were removed.
            logger.LogError("The audit log's seal marker is missing although this node has appended keyed entries (see {File}); not sealing again. Verify will report the legacy entries as broken", AuditCheckpoints.FileName);
            return;
        }

        var scopesWithEntries = await db.AuditLog.AsNoTracking().Select(a => a.CommunityId).Distinct().ToListAsync(ct);
        var now = clock.GetUtcNow();
        var seals = new List<AuditSealEntity>();
        foreach (var scope in scopesWithEntries)
        {
            var walk = await WalkAsync(db, scope, legacyUpTo: long.MaxValue, legacyLastHash: null, checkpoint: null, ct);
            if (walk.BrokenId is not null)
            {
                logger.LogError(
                    "The audit log has no seal marker, but the chain {Scope} does not verify as legacy entries (first misfit {EntryId}); not sealing anything. Verify will report the legacy entries as broken",
                    scope, walk.BrokenId);
                return;
            }

            seals.Add(new AuditSealEntity { CommunityId = scope, LastSeq = walk.LastSeq, LastHash = walk.LastHash, Mac = SealMacOf(scope, walk.LastSeq, walk.LastHash), CreatedAt = now });
        }

        seals.Add(new AuditSealEntity
        {
            CommunityId = AuditSealEntity.MarkerScope, LastSeq = seals.Count, LastHash = Genesis,
            Mac = SealMacOf(AuditSealEntity.MarkerScope, seals.Count, Genesis), CreatedAt = now,
        });
        db.AuditSeals.AddRange(seals);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex)
        {
            db.ChangeTracker.Clear();
            if (!await db.AuditSeals.AsNoTracking().AnyAsync(s => s.CommunityId == AuditSealEntity.MarkerScope, ct))
            {
                throw;
            }

            // Another node sealed at the same moment.
            logger.LogInformation(ex, "Another node sealed the audit log first");
            return;
        }

        if (seals.Count > 1)
        {
            logger.LogWarning("Sealed {Count} audit chains written before the log was keyed; their entries verify by plain SHA-256 only", seals.Count - 1);
        }
    }

    /// <summary>
    /// Walks the chain in order: every entry must follow the one before, link to its hash and carry its own
    /// (MAC, or plain SHA-256 up to the chain's seal); the entry at this node's checkpoint must still carry the
    /// checkpointed hash; and the chain must reach the checkpoint and the seal, or its tail was cut off.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(VoxoraDbContext db, string scope, CancellationToken ct)
    {
        var seal = await db.AuditSeals.AsNoTracking().SingleOrDefaultAsync(s => s.CommunityId == scope, ct);
        var sealValid = seal is not null && scope != AuditSealEntity.MarkerScope && seal.Mac == SealMacOf(seal.CommunityId, seal.LastSeq, seal.LastHash);
        var legacyUpTo = sealValid ? seal!.LastSeq : 0;
        var checkpoint = checkpoints.For(scope);
        var walk = await WalkAsync(db, scope, legacyUpTo, sealValid ? seal!.LastHash : null, checkpoint, ct);
        var newest = walk.BrokenId is null
            ? walk.LastSeq
            : await db.AuditLog.AsNoTracking().Where(a => a.CommunityId == scope).MaxAsync(a => (long?)a.Seq, ct) ?? 0;
        var truncated = (checkpoint?.Seq ?? 0) > newest || legacyUpTo > newest;
        return new AuditVerification(
            walk.BrokenId is null && !truncated, walk.Checked, walk.BrokenId, truncated, checkpoint?.Seq, (int)Math.Min(legacyUpTo, walk.Checked));
    }

    private readonly record struct Walk(int Checked, string? BrokenId, long LastSeq, string LastHash);

    private async Task<Walk> WalkAsync(
        VoxoraDbContext db, string scope, long legacyUpTo, string? legacyLastHash, AuditCheckpoint? checkpoint, CancellationToken ct)
    {
        const int Page = 1000;
        var expectedPrev = Genesis;
        var expectedSeq = 1L;
        var checkedCount = 0;
        while (true)
        {
            var after = expectedSeq - 1;
            var page = await db.AuditLog.AsNoTracking()
                .Where(a => a.CommunityId == scope && a.Seq > after)
                .OrderBy(a => a.Seq)
                .Take(Page)
                .ToListAsync(ct);
            foreach (var entry in page)
            {
                checkedCount++;
                var legacy = entry.Seq <= legacyUpTo;
                if (entry.Seq != expectedSeq
                    || entry.PrevHash != expectedPrev
                    || entry.Hash != (legacy ? LegacyHashOf(entry) : MacOf(entry))
                    || (entry.Seq == legacyUpTo && legacyLastHash is not null && entry.Hash != legacyLastHash)
                    || (checkpoint is { } c && entry.Seq == c.Seq && entry.Hash != c.Hash))
                {
                    return new Walk(checkedCount, entry.Id, expectedSeq - 1, expectedPrev);
                }

                expectedPrev = entry.Hash;
                expectedSeq++;
            }

            if (page.Count < Page)
            {
                return new Walk(checkedCount, null, expectedSeq - 1, expectedPrev);
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
    public const string MessageRetentionDelete = "message.retention_delete";
    public const string MessagePin = "message.pin";
    public const string MessageUnpin = "message.unpin";
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
    public const string PodSetup = "pod.setup";
    public const string PodSettingsUpdate = "pod.settings_update";
    public const string PodSessionsEnd = "pod.sessions_end";
    public const string PasskeyAdd = "user.passkey_add";
    public const string PasskeyRemove = "user.passkey_remove";
}
