using System.Text.Json.Serialization;

namespace Voxora.Server.Features.Backup;

/// <summary>
/// <c>manifest.json</c>, the last entry of a backup archive: what it is, what it holds, and the SHA-256 of every other
/// entry. An archive without it, with another <see cref="Format"/>, or with a newer <see cref="FormatVersion"/> is refused.
/// </summary>
internal sealed record BackupManifest
{
    public const string FileName = "manifest.json";
    public const string FormatName = "voxora-backup";
    public const int CurrentVersion = 1;

    public required string Format { get; init; }
    public required int FormatVersion { get; init; }
    public required string VoxoraVersion { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary><c>sqlite</c> or <c>postgres</c>: a backup is restored into the same provider.</summary>
    public required string Provider { get; init; }

    /// <summary>The newest EF migration applied to the copied database (it tells which Voxora can read it).</summary>
    public string? Migration { get; init; }

    /// <summary><c>included</c>, <c>environment</c> (VOXORA_AUDIT__KEY: not in the archive), or <c>missing</c>.</summary>
    public required string AuditKey { get; init; }

    /// <summary><c>disk</c> (the files are under <c>files/</c>) or <c>s3</c> (not included: back the bucket up).</summary>
    public required string Storage { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];

    public required IReadOnlyList<BackupFile> Files { get; init; }
}

internal sealed record BackupFile(string Path, long Size, string Sha256);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(BackupManifest))]
internal sealed partial class BackupJsonContext : JsonSerializerContext;
