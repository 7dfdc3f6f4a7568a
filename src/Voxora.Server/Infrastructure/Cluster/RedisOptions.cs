using Microsoft.Extensions.Configuration;

namespace Voxora.Server.Infrastructure.Cluster;

/// <summary>
/// Joining a cluster of Voxora nodes. Empty <see cref="Configuration"/>: one node with an in-process bus (the default).
/// </summary>
public sealed class RedisOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string (e.g. <c>redis:6379,password=…</c>). Set: this node joins the cluster
    /// that shares this Redis and the PostgreSQL database. <c>VOXORA_REDIS__CONFIGURATION</c>.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// Prefix of every Redis key and channel this cluster uses, so several clusters (or test runs) can share one Redis.
    /// <c>VOXORA_REDIS__PREFIX</c>.
    /// </summary>
    public string Prefix { get; set; } = "voxora";

    public bool Enabled => !string.IsNullOrWhiteSpace(Configuration);

    public IEnumerable<string> Validate(DatabaseProvider provider)
    {
        if (Enabled && provider != DatabaseProvider.Postgres)
        {
            yield return "VOXORA_REDIS__CONFIGURATION is set, but several nodes cannot share a SQLite database: " +
                "set VOXORA_DATABASE__PROVIDER=postgres, or unset VOXORA_REDIS__CONFIGURATION to run one node.";
        }

        if (string.IsNullOrWhiteSpace(Prefix) || Prefix.Any(c => char.IsWhiteSpace(c) || c == ':'))
        {
            yield return $"VOXORA_REDIS__PREFIX must be a non-empty word without spaces or ':', not '{Prefix}'.";
        }

        if (Enabled)
        {
            string? error = null;
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(Configuration!);
            }
            catch (ArgumentException ex)
            {
                error = ex.Message;
            }

            if (error is not null)
            {
                yield return $"VOXORA_REDIS__CONFIGURATION is not a valid StackExchange.Redis configuration string: {error}";
            }
        }
    }
}
