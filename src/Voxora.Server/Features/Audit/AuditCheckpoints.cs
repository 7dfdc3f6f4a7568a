using System.Text.Json;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Audit;

/// <summary>The newest entry this node appended to one chain: its <c>seq</c> and <c>hash</c>.</summary>
public readonly record struct AuditCheckpoint(long Seq, string Hash);

/// <summary>
/// The newest (seq, hash) of every chain this node appended to, kept outside the database in
/// <c>{DataDir}/audit-checkpoints.json</c> (replaced atomically on every append) and logged at Information, so
/// log shipping keeps a copy too. Verify compares the table with it: a chain that ends before its checkpoint
/// lost its tail, and a checkpointed entry whose hash changed was rewritten. Only appends advance it.
/// </summary>
public sealed class AuditCheckpoints
{
    public const string FileName = "audit-checkpoints.json";

    private readonly string path;
    private readonly ILogger<AuditCheckpoints> logger;
    private readonly Lock gate = new();
    private readonly Dictionary<string, AuditCheckpoint> checkpoints;

    public AuditCheckpoints(ServerOptions options, ILogger<AuditCheckpoints> logger)
    {
        path = Path.Combine(options.DataDir, FileName);
        this.logger = logger;
        checkpoints = Load(path, logger);
    }

    /// <summary>Whether this node has ever appended a keyed entry (and kept its checkpoint).</summary>
    public bool Any
    {
        get
        {
            lock (gate)
            {
                return checkpoints.Count > 0;
            }
        }
    }

    public AuditCheckpoint? For(string scope)
    {
        lock (gate)
        {
            return checkpoints.TryGetValue(scope, out var checkpoint) ? checkpoint : null;
        }
    }

    /// <summary>Records a newly appended entry; an older one (another node got further) never moves it back.</summary>
    public void Advance(string scope, long seq, string hash)
    {
        lock (gate)
        {
            if (checkpoints.TryGetValue(scope, out var known) && known.Seq >= seq)
            {
                return;
            }

            checkpoints[scope] = new AuditCheckpoint(seq, hash);
            Save();
        }

        logger.LogInformation("Audit checkpoint {Scope} seq {Seq} hash {Hash}", scope, seq, hash);
    }

    private void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var json = new Utf8JsonWriter(file))
            {
                json.WriteStartObject();
                foreach (var (scope, checkpoint) in checkpoints)
                {
                    json.WriteStartObject(scope);
                    json.WriteNumber("seq", checkpoint.Seq);
                    json.WriteString("hash", checkpoint.Hash);
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    internal static Dictionary<string, AuditCheckpoint> Load(string path, ILogger logger)
    {
        var result = new Dictionary<string, AuditCheckpoint>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return result;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            foreach (var scope in document.RootElement.EnumerateObject())
            {
                result[scope.Name] = new AuditCheckpoint(scope.Value.GetProperty("seq").GetInt64(), scope.Value.GetProperty("hash").GetString() ?? "");
            }

            return result;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            // Keep the damaged file for whoever investigates; verify can no longer detect truncation before this point.
            var aside = path + ".damaged";
            File.Move(path, aside, overwrite: true);
            logger.LogError(ex, "The audit checkpoint file {Path} is damaged; moved it to {Aside} and starting without checkpoints", path, aside);
            return new Dictionary<string, AuditCheckpoint>(StringComparer.Ordinal);
        }
    }
}
