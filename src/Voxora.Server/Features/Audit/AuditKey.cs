using System.Security.Cryptography;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Audit;

/// <summary>
/// The secret behind the audit log's MACs (HMAC-SHA256). It is read from <c>VOXORA_AUDIT__KEY</c>, from
/// <c>VOXORA_AUDIT__KEY_FILE</c>, or from <c>{DataDir}/audit.key</c>, which is created (mode 0600) when missing.
/// It never touches the database, so database access alone cannot produce an entry that verifies.
/// </summary>
public sealed class AuditKey
{
    public const string DefaultFileName = "audit.key";

    private readonly byte[] key;

    private AuditKey(byte[] key) => this.key = key;

    /// <summary>A key for another purpose (HKDF-SHA256 with <paramref name="purpose"/> as its info), so the audit key itself is used for nothing else.</summary>
    public byte[] Derive(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, info: System.Text.Encoding.UTF8.GetBytes(purpose));

    /// <summary>HMAC-SHA256 of the data under this key, lower-case hex.</summary>
    public string Mac(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(HMACSHA256.HashData(key, data));

    public static AuditKey FromBytes(byte[] key) =>
        key.Length >= AuditOptions.MinKeyBytes ? new AuditKey(key) : throw new ArgumentException("An audit key has at least 32 bytes.", nameof(key));

    /// <summary>Loads (or, at the default path only, creates) the key. Throws <see cref="ConfigurationErrorException"/> when it is unusable.</summary>
    public static AuditKey Load(ServerOptions options, ILogger logger)
    {
        var audit = options.Audit;
        if (audit.Key is { Length: > 0 } configured)
        {
            AuditOptions.TryDecodeKey(configured, out var bytes);
            return new AuditKey(bytes);
        }

        var explicitFile = audit.KeyFile is { Length: > 0 };
        var path = explicitFile ? audit.KeyFile! : Path.Combine(options.DataDir, DefaultFileName);
        if (!File.Exists(path))
        {
            if (explicitFile)
            {
                throw new ConfigurationErrorException($"VOXORA_AUDIT__KEY_FILE names '{path}', which does not exist.");
            }

            Create(path);
            logger.LogWarning("Created the audit log key {Path}. Back it up apart from the database; every node sharing this database needs the same key", path);
        }
        else if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            logger.LogWarning("The audit log key {Path} is readable or writable by others than its owner; chmod 600 it", path);
        }

        var text = File.ReadAllText(path);
        if (!AuditOptions.TryDecodeKey(text, out var key) || key.Length < AuditOptions.MinKeyBytes)
        {
            throw new ConfigurationErrorException($"The audit key file '{path}' must hold Base64 of at least {AuditOptions.MinKeyBytes} bytes.");
        }

        return new AuditKey(key);
    }

    private static void Create(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(path, fileOptions);
        using var writer = new StreamWriter(file);
        writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(AuditOptions.MinKeyBytes)));
        writer.Flush();
        file.Flush(flushToDisk: true);
    }
}
