using Microsoft.Extensions.Configuration;

namespace Voxora.Server.Features.Audit;

/// <summary>
/// Where the audit log's MAC key comes from. The key must not live in the database: whoever can write the
/// database but does not hold the key cannot forge an entry. Every node sharing one database needs the same key.
/// </summary>
public sealed class AuditOptions
{
    /// <summary>Base64 of at least 32 random bytes. Wins over the key file. <c>VOXORA_AUDIT__KEY</c>.</summary>
    public string? Key { get; set; }

    /// <summary>
    /// A file holding the key (Base64). Unset: <c>{DataDir}/audit.key</c>, created with mode 0600 on first start.
    /// Set: the file must exist (a node must never start with a key of its own). <c>VOXORA_AUDIT__KEY_FILE</c>.
    /// </summary>
    [ConfigurationKeyName("KEY_FILE")]
    public string? KeyFile { get; set; }

    public const int MinKeyBytes = 32;

    public IEnumerable<string> Validate()
    {
        if (Key is { Length: > 0 } key && (!TryDecodeKey(key, out var bytes) || bytes.Length < MinKeyBytes))
        {
            yield return $"VOXORA_AUDIT__KEY must be Base64 of at least {MinKeyBytes} bytes (e.g. `openssl rand -base64 32`).";
        }

        if (Key is { Length: > 0 } && KeyFile is { Length: > 0 })
        {
            yield return "Set VOXORA_AUDIT__KEY or VOXORA_AUDIT__KEY_FILE, not both.";
        }
    }

    public static bool TryDecodeKey(string text, out byte[] key)
    {
        key = [];
        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(text.Trim(), buffer, out var written))
        {
            return false;
        }

        key = buffer[..written];
        return true;
    }
}
