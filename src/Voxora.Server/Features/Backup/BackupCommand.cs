using System.Formats.Tar;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Voxora.Server.Features.Audit;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Storage;

namespace Voxora.Server.Features.Backup;

/// <summary>
/// <c>voxora backup --out FILE</c> and <c>voxora restore --from FILE</c> (<c>scripts/voxora.sh backup|restore …</c>).
/// A backup is one <c>.tar.gz</c>: the database (a consistent copy taken while the server runs), the audit key and
/// checkpoints from the data folder, the uploaded files when they are on the local disk, and <c>manifest.json</c> with
/// the SHA-256 of each. A restore goes only into an empty data folder and an empty database, and checks every checksum
/// before it writes anything there. Neither starts the server: they read the same configuration and exit.
/// Exit codes: 0 done; 1 failed part-way (a partial output is removed); 2 refused before writing anything (arguments,
/// configuration, an unwritable or existing output, a target that is not empty, a damaged or foreign archive, another
/// provider); 3 the database cannot be reached.
/// </summary>
internal static class BackupCommand
{
    private const string AuditKeyEntry = "keys/" + Audit.AuditKey.DefaultFileName;
    private const string CheckpointsEntry = "keys/" + AuditCheckpoints.FileName;
    private const string FilesPrefix = "files/";
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = OwnerOnlyFile | UnixFileMode.UserExecute;

    public const string Usage = "usage: voxora backup --out FILE | voxora restore --from FILE";

    /// <summary>Whether <paramref name="args"/> ask for this command (its first word is <c>backup</c> or <c>restore</c>).</summary>
    public static bool IsRequested(string[] args) => args is ["backup" or "restore", ..];

    /// <summary>Runs the command; the configuration comes from <paramref name="loadOptions"/>, as the server's would.</summary>
    public static async Task<int> RunAsync(string[] args, Func<ServerOptions> loadOptions, TimeProvider clock, TextWriter output, TextWriter error, CancellationToken ct)
    {
        try
        {
            var (verb, path) = ParseArguments(args);
            var options = loadOptions();
            return verb == "backup"
                ? await BackupAsync(options, path, clock, output, ct)
                : await RestoreAsync(options, path, output, ct);
        }
        catch (ConfigurationErrorException ex)
        {
            await error.WriteLineAsync($"voxora: configuration error: {ex.Message}");
            return 2;
        }
        catch (BackupRefusedException ex)
        {
            await error.WriteLineAsync($"voxora: {args[0]} refused: {ex.Message}");
            return 2;
        }
        catch (BackupFailedException ex)
        {
            await error.WriteLineAsync($"voxora: {args[0]} failed: {ex.Message}");
            return ex.ExitCode;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            await error.WriteLineAsync($"voxora: {args[0]} failed: {ex.Message}");
            return 1;
        }
    }

    private static (string Verb, string Path) ParseArguments(string[] args)
    {
        var verb = args[0];
        var flag = verb == "backup" ? "--out" : "--from";
        string? path = null;
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == flag && i + 1 < args.Length && !string.IsNullOrWhiteSpace(args[i + 1]))
            {
                path = args[++i];
            }
            else if (arg.StartsWith(flag + "=", StringComparison.Ordinal) && arg.Length > flag.Length + 1)
            {
                path = arg[(flag.Length + 1)..];
            }
            else
            {
                throw new BackupRefusedException($"unexpected argument '{arg}' ({verb} needs {flag} FILE; {Usage})");
            }
        }

        return path is null
            ? throw new BackupRefusedException($"{verb} needs {flag} FILE ({Usage})")
            : (verb, Path.GetFullPath(path));
    }

    private static string VoxoraVersion =>
        typeof(BackupCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Where the disk backend keeps files, or null when they are in S3.</summary>
    private static string? DiskRoot(ServerOptions options) => options.Storage.IsS3
        ? null
        : Path.GetFullPath(options.Storage.DiskPath is { Length: > 0 } path ? path : Path.Combine(options.DataDir, "attachments"));

    private static string AuditKeyPath(ServerOptions options) =>
        Path.GetFullPath(options.Audit.KeyFile is { Length: > 0 } file ? file : Path.Combine(options.DataDir, Audit.AuditKey.DefaultFileName));

    // ---------------------------------------------------------------- backup

    private static async Task<int> BackupAsync(ServerOptions options, string outPath, TimeProvider clock, TextWriter output, CancellationToken ct)
    {
        var folder = Path.GetDirectoryName(outPath)!;
        if (File.Exists(outPath) || Directory.Exists(outPath))
        {
            throw new BackupRefusedException($"{outPath} already exists (a backup never overwrites; choose a new name)");
        }

        if (!Directory.Exists(folder))
        {
            throw new BackupRefusedException($"cannot write {outPath}: the folder {folder} does not exist");
        }

        var partial = outPath + ".partial";
        FileStream archiveFile;
        try
        {
            archiveFile = new FileStream(partial, NewOwnerOnlyFile());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BackupRefusedException($"cannot write {outPath}: {ex.Message}");
        }

        var staging = CreateOwnerOnlyFolder(outPath + ".staging-" + Guid.NewGuid().ToString("N")[..8]);
        var done = false;
        try
        {
            var createdAt = clock.GetUtcNow();
            var provider = options.Database.ProviderKind;
            var notes = new List<string>();

            // The audit checkpoints before the database: the copied audit chains then end at or after them, as they must
            // (a checkpoint ahead of its chain reads as a lost tail when the log is verified).
            var checkpointsPath = Path.Combine(options.DataDir, AuditCheckpoints.FileName);
            var checkpoints = File.Exists(checkpointsPath) ? await File.ReadAllBytesAsync(checkpointsPath, ct) : null;
            byte[]? auditKey = null;
            string auditKeyState;
            if (options.Audit.Key is { Length: > 0 })
            {
                auditKeyState = "environment";
                notes.Add("The audit key is set by VOXORA_AUDIT__KEY and is not in this archive: keep it with the archive; the restored server needs the same key.");
            }
            else if (File.Exists(AuditKeyPath(options)))
            {
                auditKey = await File.ReadAllBytesAsync(AuditKeyPath(options), ct);
                auditKeyState = "included";
            }
            else
            {
                auditKeyState = "missing";
                notes.Add($"There was no audit key at {AuditKeyPath(options)} (has the server never started?).");
            }

            var databaseCopy = Path.Combine(staging, Path.GetFileName(DatabaseCopy.EntryFor(provider)));
            var migration = await DatabaseCopy.DumpAsync(options, databaseCopy, ct);

            var files = new List<BackupFile>();
            var attachments = 0;
            await using (archiveFile)
            {
                await using (var gzip = new GZipStream(archiveFile, CompressionLevel.Fastest, leaveOpen: true))
                await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
                {
                    await using (var database = File.OpenRead(databaseCopy))
                    {
                        files.Add(await AddAsync(tar, DatabaseCopy.EntryFor(provider), database, createdAt, ct));
                    }

                    if (auditKey is not null)
                    {
                        files.Add(await AddAsync(tar, AuditKeyEntry, new MemoryStream(auditKey), createdAt, ct));
                    }

                    if (checkpoints is not null)
                    {
                        files.Add(await AddAsync(tar, CheckpointsEntry, new MemoryStream(checkpoints), createdAt, ct));
                    }

                    // The files after the database: every file a copied row names was stored before its row was committed.
                    // A file added since is harmless; one deleted since is missing (its message was deleted too).
                    var root = DiskRoot(options);
                    if (root is null)
                    {
                        notes.Add($"Uploaded files are in the S3 bucket '{options.Storage.S3.Bucket}' and are not in this archive: back the bucket up with the store's own tools (versioning, replication).");
                    }
                    else
                    {
                        foreach (var (key, path) in StoredFiles(root))
                        {
                            FileStream stream;
                            try
                            {
                                stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                            }
                            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
                            {
                                continue;
                            }

                            await using (stream)
                            {
                                files.Add(await AddAsync(tar, FilesPrefix + key, stream, createdAt, ct));
                                attachments++;
                            }
                        }
                    }

                    var manifest = new BackupManifest
                    {
                        Format = BackupManifest.FormatName,
                        FormatVersion = BackupManifest.CurrentVersion,
                        VoxoraVersion = VoxoraVersion,
                        CreatedAt = createdAt,
                        Provider = DatabaseCopy.Name(provider),
                        Migration = migration,
                        AuditKey = auditKeyState,
                        Storage = root is null ? "s3" : "disk",
                        Notes = notes,
                        Files = files,
                    };
                    var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, BackupJsonContext.Default.BackupManifest);
                    await AddAsync(tar, BackupManifest.FileName, new MemoryStream(manifestBytes), createdAt, ct);
                }

                await archiveFile.FlushAsync(ct);
                archiveFile.Flush(flushToDisk: true);
            }

            File.Move(partial, outPath);
            done = true;
            var size = new FileInfo(outPath).Length;
            await output.WriteLineAsync(
                $"voxora: backup written to {outPath} ({size} bytes): {DatabaseCopy.Name(provider)} database, audit key {auditKeyState}, {(checkpoints is null ? "no" : "the")} audit checkpoints, {attachments} stored files");
            foreach (var note in notes)
            {
                await output.WriteLineAsync($"voxora: note: {note}");
            }

            return 0;
        }
        finally
        {
            await archiveFile.DisposeAsync();
            if (!done)
            {
                File.Delete(partial);
            }

            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>The disk backend's files as (storage key, path), skipping the temporary names of writes in progress.</summary>
    private static IEnumerable<(string Key, string Path)> StoredFiles(string root)
    {
        if (!Directory.Exists(root))
        {
            yield break;
        }

        foreach (var path in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.ReparsePoint }).Order(StringComparer.Ordinal))
        {
            var key = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
            if (!key.EndsWith(".tmp", StringComparison.Ordinal) && StorageKeys.IsSafe(key))
            {
                yield return (key, path);
            }
        }
    }

    private static async Task<BackupFile> AddAsync(TarWriter tar, string name, Stream content, DateTimeOffset modified, CancellationToken ct)
    {
        var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(content, ct));
        content.Position = 0;
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = content,
            Mode = OwnerOnlyFile,
            ModificationTime = modified,
        };
        await tar.WriteEntryAsync(entry, ct);
        return new BackupFile(name, content.Length, sha256);
    }

    /// <summary>A new file (never an existing one) that only its owner can read (mode 0600).</summary>
    private static FileStreamOptions NewOwnerOnlyFile()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }

        return options;
    }

    private static string CreateOwnerOnlyFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerOnlyFolder);
        }

        return path;
    }

    // ---------------------------------------------------------------- restore

    private static async Task<int> RestoreAsync(ServerOptions options, string archivePath, TextWriter output, CancellationToken ct)
    {
        if (!File.Exists(archivePath))
        {
            throw new BackupRefusedException($"{archivePath} does not exist");
        }

        var dataDir = Path.GetFullPath(options.DataDir);
        if (WhyNotEmpty(dataDir) is { } dataDirNotEmpty)
        {
            throw new BackupRefusedException($"the data folder {dataDir} is not empty ({dataDirNotEmpty}); restore only into an empty data folder (VOXORA_DATA_DIR)");
        }

        var root = DiskRoot(options);
        if (root is not null && WhyNotEmpty(root) is { } rootNotEmpty)
        {
            throw new BackupRefusedException($"the file storage folder {root} is not empty ({rootNotEmpty})");
        }

        CreateOwnerOnlyFolder(dataDir);
        var staging = CreateOwnerOnlyFolder(Path.Combine(dataDir, ".restore-" + Guid.NewGuid().ToString("N")[..8]));
        try
        {
            var manifest = await ExtractAndVerifyAsync(archivePath, staging, ct);
            var provider = DatabaseCopy.Name(options.Database.ProviderKind);
            if (manifest.Provider != provider)
            {
                throw new BackupRefusedException(
                    $"the archive holds a {manifest.Provider} database and this server is configured for {provider} (VOXORA_DATABASE__PROVIDER); restore it into a server of the same provider");
            }

            var storedFiles = manifest.Files.Where(f => f.Path.StartsWith(FilesPrefix, StringComparison.Ordinal)).ToList();
            if (root is null && storedFiles.Count > 0)
            {
                throw new BackupRefusedException(
                    $"the archive holds {storedFiles.Count} stored files and this server keeps files in S3; restore with VOXORA_STORAGE__BACKEND=disk (then copy the folder to the bucket)");
            }

            var hasKey = manifest.Files.Any(f => f.Path == AuditKeyEntry);
            var keyPath = AuditKeyPath(options);
            if (!hasKey && manifest.AuditKey == "environment" && options.Audit.Key is not { Length: > 0 } && !File.Exists(keyPath))
            {
                // Without it the server would make a new key: two-factor secrets unreadable, the audit log unverifiable.
                throw new BackupRefusedException(
                    "the archive does not hold the audit key (the backed-up server had it in VOXORA_AUDIT__KEY); set VOXORA_AUDIT__KEY or VOXORA_AUDIT__KEY_FILE to that key, then restore");
            }

            var writeKey = hasKey && await CheckAuditKeyTargetAsync(options, keyPath, Path.Combine(staging, AuditKeyEntry), ct);

            if (await DatabaseCopy.WhyNotEmptyAsync(options, ct) is { } databaseNotEmpty)
            {
                throw new BackupRefusedException($"{databaseNotEmpty}; restore only into an empty database");
            }

            // Everything checked: from here on the target is written.
            await DatabaseCopy.RestoreAsync(options, Path.Combine(staging, DatabaseCopy.EntryFor(options.Database.ProviderKind)), ct);
            if (writeKey)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(keyPath)!);
                File.Move(Path.Combine(staging, AuditKeyEntry), keyPath);
            }

            if (manifest.Files.Any(f => f.Path == CheckpointsEntry))
            {
                File.Move(Path.Combine(staging, CheckpointsEntry), Path.Combine(dataDir, AuditCheckpoints.FileName));
            }

            foreach (var file in storedFiles)
            {
                var target = Path.Combine(root!, file.Path[FilesPrefix.Length..].Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Move(Path.Combine(staging, file.Path.Replace('/', Path.DirectorySeparatorChar)), target);
            }

            await output.WriteLineAsync(
                $"voxora: restored the backup of {manifest.CreatedAt:yyyy-MM-dd HH:mm:ss} UTC (Voxora {manifest.VoxoraVersion}, {manifest.Provider}) into {dataDir}: database, audit key {(writeKey ? "restored" : manifest.AuditKey == "included" ? "already in place" : manifest.AuditKey)}, {storedFiles.Count} stored files");
            foreach (var note in manifest.Notes)
            {
                await output.WriteLineAsync($"voxora: note from the backup: {note}");
            }

            return 0;
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    private static string? WhyNotEmpty(string folder)
    {
        if (File.Exists(folder))
        {
            return "it is a file";
        }

        if (!Directory.Exists(folder))
        {
            return null;
        }

        var first = Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal).FirstOrDefault();
        return first is null ? null : $"it holds {Path.GetFileName(first)}";
    }

    /// <summary>
    /// Whether the archived audit key should be written to <paramref name="keyPath"/>. A configured key (or key file)
    /// must be the archived one: two-factor secrets are sealed under it, and the audit log verifies only with it.
    /// </summary>
    private static async Task<bool> CheckAuditKeyTargetAsync(ServerOptions options, string keyPath, string archived, CancellationToken ct)
    {
        var archivedText = await File.ReadAllTextAsync(archived, ct);
        if (!AuditOptions.TryDecodeKey(archivedText, out var archivedKey))
        {
            throw new BackupRefusedException("the archived audit key is not Base64");
        }

        if (options.Audit.Key is { Length: > 0 } configured)
        {
            return AuditOptions.TryDecodeKey(configured, out var configuredKey) && CryptographicOperations.FixedTimeEquals(configuredKey, archivedKey)
                ? false
                : throw new BackupRefusedException(
                    "VOXORA_AUDIT__KEY is not the audit key in the archive: two-factor secrets and the audit log need the archived key; unset VOXORA_AUDIT__KEY (the key is then restored into the data folder) or set it to the archived key");
        }

        if (!File.Exists(keyPath))
        {
            return true;
        }

        return AuditOptions.TryDecodeKey(await File.ReadAllTextAsync(keyPath, ct), out var existing) && CryptographicOperations.FixedTimeEquals(existing, archivedKey)
            ? false
            : throw new BackupRefusedException($"the audit key file {keyPath} exists and is not the archived key; move it away or point VOXORA_AUDIT__KEY_FILE elsewhere");
    }

    /// <summary>
    /// Unpacks the archive into <paramref name="staging"/> and checks it against its manifest: every listed entry there
    /// with its size and SHA-256, nothing else, no entry outside the known folders, no links or devices.
    /// </summary>
    private static async Task<BackupManifest> ExtractAndVerifyAsync(string archivePath, string staging, CancellationToken ct)
    {
        var found = new Dictionary<string, (long Size, string Sha256)>(StringComparer.Ordinal);
        byte[]? manifestBytes = null;
        try
        {
            await using var file = File.OpenRead(archivePath);
            await using var gzip = new GZipStream(file, CompressionMode.Decompress);
            await using var tar = new TarReader(gzip);
            while (await tar.GetNextEntryAsync(copyData: false, ct) is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !IsKnownEntry(entry.Name))
                {
                    throw new InvalidDataException($"unexpected entry '{entry.Name}' ({entry.EntryType})");
                }

                if (found.ContainsKey(entry.Name) || (entry.Name == BackupManifest.FileName && manifestBytes is not null))
                {
                    throw new InvalidDataException($"entry '{entry.Name}' appears twice");
                }

                if (entry.Name == BackupManifest.FileName)
                {
                    using var buffer = new MemoryStream();
                    if (entry.DataStream is not null)
                    {
                        await entry.DataStream.CopyToAsync(buffer, ct);
                    }

                    manifestBytes = buffer.ToArray();
                    continue;
                }

                var target = Path.Combine(staging, entry.Name.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                long size = 0;
                await using (var output = new FileStream(target, NewOwnerOnlyFile()))
                {
                    if (entry.DataStream is not null)
                    {
                        var buffer = new byte[81_920];
                        int read;
                        while ((read = await entry.DataStream.ReadAsync(buffer, ct)) > 0)
                        {
                            hash.AppendData(buffer, 0, read);
                            await output.WriteAsync(buffer.AsMemory(0, read), ct);
                            size += read;
                        }
                    }
                }

                found[entry.Name] = (size, Convert.ToHexStringLower(hash.GetHashAndReset()));
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException or ArgumentException)
        {
            throw new BackupRefusedException($"{archivePath} is damaged or not a Voxora backup: {ex.Message}");
        }

        if (manifestBytes is null)
        {
            throw new BackupRefusedException($"{archivePath} is not a Voxora backup: it has no {BackupManifest.FileName}");
        }

        BackupManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(manifestBytes, BackupJsonContext.Default.BackupManifest);
        }
        catch (JsonException ex)
        {
            throw new BackupRefusedException($"{archivePath} is not a Voxora backup: its {BackupManifest.FileName} cannot be read ({ex.Message})");
        }

        if (manifest is null || manifest.Format != BackupManifest.FormatName)
        {
            throw new BackupRefusedException($"{archivePath} is not a Voxora backup (its manifest is not of format {BackupManifest.FormatName})");
        }

        if (manifest.FormatVersion > BackupManifest.CurrentVersion)
        {
            throw new BackupRefusedException($"{archivePath} is of backup format {manifest.FormatVersion}, newer than this Voxora reads ({BackupManifest.CurrentVersion}); restore it with Voxora {manifest.VoxoraVersion} or newer");
        }

        foreach (var listed in manifest.Files)
        {
            if (!found.Remove(listed.Path, out var actual))
            {
                throw new BackupRefusedException($"{archivePath} is damaged: {listed.Path} is listed in the manifest but missing");
            }

            if (actual.Size != listed.Size || actual.Sha256 != listed.Sha256)
            {
                throw new BackupRefusedException($"{archivePath} is damaged: {listed.Path} does not match its checksum");
            }
        }

        if (found.Count > 0)
        {
            throw new BackupRefusedException($"{archivePath} is damaged: {found.Keys.First()} is not listed in the manifest");
        }

        if (!manifest.Files.Any(f => f.Path.StartsWith("database/", StringComparison.Ordinal)))
        {
            throw new BackupRefusedException($"{archivePath} holds no database");
        }

        return manifest;
    }

    private static bool IsKnownEntry(string name) =>
        name is BackupManifest.FileName or DatabaseCopy.SqliteEntry or DatabaseCopy.PostgresEntry or AuditKeyEntry or CheckpointsEntry
        || (name.StartsWith(FilesPrefix, StringComparison.Ordinal) && StorageKeys.IsSafe(name[FilesPrefix.Length..]));
}
