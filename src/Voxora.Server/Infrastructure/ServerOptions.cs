using Microsoft.Extensions.Configuration;

namespace Voxora.Server.Infrastructure;

/// <summary>
/// Every setting of the server. Defaults are the embedded ones that make a bare <c>scripts/run.sh</c>
/// work; environment variables prefixed <c>VOXORA_</c> override them (see README.md).
/// </summary>
public sealed class ServerOptions
{
    /// <summary>Folder for the SQLite database and other local state. <c>VOXORA_DATA_DIR</c>.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>This node's number in message Snowflakes (0–1023), unique per node of a cluster. <c>VOXORA_NODE_ID</c>.</summary>
    public int NodeId { get; set; }

    /// <summary>
    /// The public base URL clients use (discovery links, the token issuer). Empty: the first listen address
    /// (see <see cref="PublicOrigin"/>). Never taken from a request. <c>VOXORA_PUBLIC_URL</c>.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>
    /// How long stopping may take (SIGTERM to exit): the drain, then the last writes. <c>VOXORA_SHUTDOWN_SECONDS</c>.
    /// </summary>
    public int ShutdownSeconds { get; set; } = 30;

    /// <summary>One compact log line per HTTP request (off by default: it costs throughput). <c>VOXORA_ACCESS_LOG</c>.</summary>
    public bool AccessLog { get; set; }

    public DatabaseOptions Database { get; set; } = new();
    public AuthOptions Auth { get; set; } = new();
    public RateLimitingOptions RateLimiting { get; set; } = new();
    public NetworkOptions Network { get; set; } = new();
    public GatewayOptions Gateway { get; set; } = new();
    public Features.Voice.VoiceOptions Voice { get; set; } = new();
    public Features.Audit.AuditOptions Audit { get; set; } = new();
    public Cluster.RedisOptions Redis { get; set; } = new();
    public Features.Presence.PresenceOptions Presence { get; set; } = new();
    public Features.Notifications.PushOptions Push { get; set; } = new();
    public Features.Threads.ThreadsOptions Threads { get; set; } = new();
    public Features.Retention.RetentionOptions Retention { get; set; } = new();
    public Features.Attachments.MediaOptions Media { get; set; } = new();
    public Storage.StorageOptions Storage { get; set; } = new();
    public Features.LinkPreviews.LinkPreviewOptions LinkPreviews { get; set; } = new();
    public Metrics.MetricsOptions Metrics { get; set; } = new();
    public Telemetry.TracingOptions Otel { get; set; } = new();
    public Http.HttpOptions Http { get; set; } = new();
    public Features.Pod.PodOptions Pod { get; set; } = new();
    public Features.Passkeys.WebAuthnOptions WebAuthn { get; set; } = new();

    /// <summary>Reads and validates everything; throws <see cref="ConfigurationErrorException"/> naming the bad setting.</summary>
    public static ServerOptions Load(IConfiguration configuration)
    {
        var options = new ServerOptions();
        try
        {
            options.DataDir = configuration["DATA_DIR"] ?? options.DataDir;
            options.NodeId = configuration.GetValue("NODE_ID", options.NodeId);
            options.ShutdownSeconds = configuration.GetValue("SHUTDOWN_SECONDS", options.ShutdownSeconds);
            options.AccessLog = configuration.GetValue("ACCESS_LOG", options.AccessLog);
            options.PublicUrl = configuration["PUBLIC_URL"] is { Length: > 0 } publicUrl ? publicUrl.Trim() : null;
            configuration.GetSection("DATABASE").Bind(options.Database);
            configuration.GetSection("AUTH").Bind(options.Auth);
            configuration.GetSection("RATELIMITING").Bind(options.RateLimiting);
            configuration.GetSection("NETWORK").Bind(options.Network);
            configuration.GetSection("GATEWAY").Bind(options.Gateway);
            configuration.GetSection("VOICE").Bind(options.Voice);
            configuration.GetSection("AUDIT").Bind(options.Audit);
            configuration.GetSection("REDIS").Bind(options.Redis);
            configuration.GetSection("PRESENCE").Bind(options.Presence);
            configuration.GetSection("PUSH").Bind(options.Push);
            configuration.GetSection("THREADS").Bind(options.Threads);
            configuration.GetSection("RETENTION").Bind(options.Retention);
            configuration.GetSection("MEDIA").Bind(options.Media);
            configuration.GetSection("STORAGE").Bind(options.Storage);
            configuration.GetSection("LINK_PREVIEWS").Bind(options.LinkPreviews);
            configuration.GetSection("METRICS").Bind(options.Metrics);
            configuration.GetSection("OTEL").Bind(options.Otel);
            configuration.GetSection("HTTP").Bind(options.Http);
            configuration.GetSection("POD").Bind(options.Pod);
            configuration.GetSection("WEBAUTHN").Bind(options.WebAuthn);
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigurationErrorException(DescribeBindingError(ex.Message));
        }

        var errors = options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new ConfigurationErrorException(string.Join("; ", errors));
        }

        return options;
    }

    /// <summary>Rewrites the binder's message in terms of the environment variable a person would set.</summary>
    internal static string DescribeBindingError(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, "value '(?<value>.*)' at '(?<path>[^']+)' to type '(?:System\\.)?(?<type>[^']+)'");
        if (!match.Success)
        {
            return message;
        }

        var variable = "VOXORA_" + match.Groups["path"].Value.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant();
        var expected = match.Groups["type"].Value switch
        {
            "Int32" => "a whole number",
            "Boolean" => "true or false",
            var other => "a " + other,
        };
        return $"{variable} must be {expected}, not '{match.Groups["value"].Value}'.";
    }

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir))
        {
            yield return "VOXORA_DATA_DIR must not be empty.";
        }

        if (NodeId is < 0 or > Snowflake.MaxNodeId)
        {
            yield return $"VOXORA_NODE_ID must be between 0 and {Snowflake.MaxNodeId}, not {NodeId}.";
        }

        if (ShutdownSeconds is < 5 or > 300)
        {
            yield return $"VOXORA_SHUTDOWN_SECONDS must be between 5 and 300, not {ShutdownSeconds}.";
        }

        if (PublicUrl is { Length: > 0 } && PublicOrigin.Invalid(PublicUrl) is { } publicUrlError)
        {
            yield return publicUrlError;
        }

        foreach (var error in Database.Validate()) yield return error;
        foreach (var error in Auth.Validate()) yield return error;
        foreach (var error in RateLimiting.Validate()) yield return error;
        foreach (var error in Network.Validate()) yield return error;
        foreach (var error in Gateway.Validate()) yield return error;
        foreach (var error in Voice.Validate()) yield return error;
        foreach (var error in Audit.Validate()) yield return error;
        foreach (var error in Redis.Validate(Database.ProviderKind)) yield return error;
        foreach (var error in Voice.ValidateCluster(Redis.Enabled)) yield return error;
        foreach (var error in Presence.Validate()) yield return error;
        foreach (var error in Threads.Validate()) yield return error;
        foreach (var error in Retention.Validate()) yield return error;
        foreach (var error in Push.Validate()) yield return error;
        foreach (var error in Media.Validate()) yield return error;
        foreach (var error in Storage.Validate()) yield return error;
        foreach (var error in LinkPreviews.Validate()) yield return error;
        foreach (var error in Metrics.Validate()) yield return error;
        foreach (var error in Otel.Validate()) yield return error;
        foreach (var error in Http.Validate()) yield return error;
        foreach (var error in Pod.Validate()) yield return error;
        foreach (var error in WebAuthn.Validate()) yield return error;
    }
}

public sealed class ConfigurationErrorException(string message) : Exception(message);

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>SQLite's <c>PRAGMA synchronous</c> levels Voxora accepts (OFF is never offered: it can corrupt the file).</summary>
public enum SqliteSynchronousMode
{
    Full,
    Normal,
    Extra,
}

public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>. <c>VOXORA_DATABASE__PROVIDER</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>
    /// Provider connection string. For SQLite the default is <c>Data Source={DataDir}/voxora.db</c>;
    /// PostgreSQL requires one. <c>VOXORA_DATABASE__CONNECTIONSTRING</c>.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// SQLite's <c>synchronous</c> setting: <c>full</c> (default: a commit answered 2xx survives power loss and an
    /// OS crash), <c>normal</c> (faster; in WAL mode the last commits can be lost on power loss or an OS crash, not on a
    /// process crash) or <c>extra</c>. Ignored on PostgreSQL. <c>VOXORA_DATABASE__SQLITE_SYNCHRONOUS</c>.
    /// </summary>
    [ConfigurationKeyName("SQLITE_SYNCHRONOUS")]
    public string SqliteSynchronous { get; set; } = "full";

    public SqliteSynchronousMode SqliteSynchronousMode => SqliteSynchronous.Trim().ToLowerInvariant() switch
    {
        "normal" => SqliteSynchronousMode.Normal,
        "extra" => SqliteSynchronousMode.Extra,
        _ => SqliteSynchronousMode.Full,
    };

    public DatabaseProvider ProviderKind => Provider.Trim().ToLowerInvariant() switch
    {
        "postgres" or "postgresql" or "npgsql" => DatabaseProvider.Postgres,
        _ => DatabaseProvider.Sqlite,
    };

    public IEnumerable<string> Validate()
    {
        var normalized = Provider.Trim().ToLowerInvariant();
        if (normalized is not ("sqlite" or "postgres" or "postgresql" or "npgsql"))
        {
            yield return $"VOXORA_DATABASE__PROVIDER must be 'sqlite' or 'postgres', not '{Provider}'.";
        }
        else if (ProviderKind == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return "VOXORA_DATABASE__CONNECTIONSTRING is required when VOXORA_DATABASE__PROVIDER is 'postgres'.";
        }

        if (SqliteSynchronous.Trim().ToLowerInvariant() is not ("full" or "normal" or "extra"))
        {
            yield return $"VOXORA_DATABASE__SQLITE_SYNCHRONOUS must be 'full', 'normal' or 'extra', not '{SqliteSynchronous}'.";
        }
    }
}

public sealed class AuthOptions
{
    /// <summary>Lifetime of access tokens in seconds; at most 900 (security baseline). <c>VOXORA_AUTH__ACCESS_TOKEN_SECONDS</c>.</summary>
    [ConfigurationKeyName("ACCESS_TOKEN_SECONDS")]
    public int AccessTokenSeconds { get; set; } = 900;

    /// <summary>A session ends when its refresh token goes unused this long. <c>VOXORA_AUTH__REFRESH_TOKEN_DAYS</c>.</summary>
    [ConfigurationKeyName("REFRESH_TOKEN_DAYS")]
    public int RefreshTokenDays { get; set; } = 30;

    /// <summary>
    /// The <c>iss</c> of tokens this server issues, and the only issuer the API accepts.
    /// Empty means this server's public URL (<c>VOXORA_PUBLIC_URL</c>), never a request's Host. <c>VOXORA_AUTH__ISSUER</c>.
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>Argon2id memory in KiB (OWASP minimum 19456). <c>VOXORA_AUTH__ARGON2_MEMORY_KIB</c>.</summary>
    [ConfigurationKeyName("ARGON2_MEMORY_KIB")]
    public int Argon2MemoryKib { get; set; } = 19_456;

    /// <summary>Argon2id passes (OWASP minimum 2 at 19 MiB). <c>VOXORA_AUTH__ARGON2_ITERATIONS</c>.</summary>
    [ConfigurationKeyName("ARGON2_ITERATIONS")]
    public int Argon2Iterations { get; set; } = 2;

    /// <summary>Argon2id lanes. <c>VOXORA_AUTH__ARGON2_PARALLELISM</c>.</summary>
    [ConfigurationKeyName("ARGON2_PARALLELISM")]
    public int Argon2Parallelism { get; set; } = 1;

    /// <summary>
    /// Failed logins per account from one client address (and wrong current passwords per session at
    /// password change) before back-off starts. <c>VOXORA_AUTH__ACCOUNT_FREE_FAILURES</c>.
    /// </summary>
    [ConfigurationKeyName("ACCOUNT_FREE_FAILURES")]
    public int AccountFreeFailures { get; set; } = 5;

    /// <summary>Failed logins per client address before back-off starts. <c>VOXORA_AUTH__IP_FREE_FAILURES</c>.</summary>
    [ConfigurationKeyName("IP_FREE_FAILURES")]
    public int IpFreeFailures { get; set; } = 30;

    /// <summary>
    /// Failed logins per account across all addresses before logins from addresses the account has not
    /// used recently back off too. <c>VOXORA_AUTH__ACCOUNT_WIDE_FREE_FAILURES</c>.
    /// </summary>
    [ConfigurationKeyName("ACCOUNT_WIDE_FREE_FAILURES")]
    public int AccountWideFreeFailures { get; set; } = 100;

    /// <summary>
    /// An address is known to an account (exempt from the account-wide back-off) when one of its login
    /// sessions was used from there within this many days. <c>VOXORA_AUTH__KNOWN_ADDRESS_DAYS</c>.
    /// </summary>
    [ConfigurationKeyName("KNOWN_ADDRESS_DAYS")]
    public int KnownAddressDays { get; set; } = 30;

    /// <summary>Longest back-off in seconds. <c>VOXORA_AUTH__MAX_BACKOFF_SECONDS</c>.</summary>
    [ConfigurationKeyName("MAX_BACKOFF_SECONDS")]
    public int MaxBackoffSeconds { get; set; } = 900;

    public IEnumerable<string> Validate()
    {
        if (AccessTokenSeconds is < 30 or > 900)
            yield return $"VOXORA_AUTH__ACCESS_TOKEN_SECONDS must be between 30 and 900, not {AccessTokenSeconds}.";
        if (RefreshTokenDays is < 1 or > 365)
            yield return $"VOXORA_AUTH__REFRESH_TOKEN_DAYS must be between 1 and 365, not {RefreshTokenDays}.";
        if (Issuer is { Length: > 0 } && !Uri.TryCreate(Issuer, UriKind.Absolute, out _))
            yield return $"VOXORA_AUTH__ISSUER must be an absolute URL, not '{Issuer}'.";
        if (Argon2MemoryKib is < 19_456 or > 1_048_576)
            yield return $"VOXORA_AUTH__ARGON2_MEMORY_KIB must be between 19456 (OWASP minimum) and 1048576, not {Argon2MemoryKib}.";
        if (Argon2Iterations is < 2 or > 20)
            yield return $"VOXORA_AUTH__ARGON2_ITERATIONS must be between 2 and 20, not {Argon2Iterations}.";
        if (Argon2Parallelism is < 1 or > 16)
            yield return $"VOXORA_AUTH__ARGON2_PARALLELISM must be between 1 and 16, not {Argon2Parallelism}.";
        if (AccountFreeFailures is < 1 or > 100)
            yield return $"VOXORA_AUTH__ACCOUNT_FREE_FAILURES must be between 1 and 100, not {AccountFreeFailures}.";
        if (IpFreeFailures is < 1 or > 10_000)
            yield return $"VOXORA_AUTH__IP_FREE_FAILURES must be between 1 and 10000, not {IpFreeFailures}.";
        if (AccountWideFreeFailures is < 1 or > 100_000)
            yield return $"VOXORA_AUTH__ACCOUNT_WIDE_FREE_FAILURES must be between 1 and 100000, not {AccountWideFreeFailures}.";
        if (KnownAddressDays is < 1 or > 365)
            yield return $"VOXORA_AUTH__KNOWN_ADDRESS_DAYS must be between 1 and 365, not {KnownAddressDays}.";
        if (MaxBackoffSeconds is < 1 or > 86_400)
            yield return $"VOXORA_AUTH__MAX_BACKOFF_SECONDS must be between 1 and 86400, not {MaxBackoffSeconds}.";
    }
}

public sealed class RateLimitingOptions
{
    /// <summary>Master switch; <c>false</c> only for benchmarks (a warning is logged). <c>VOXORA_RATELIMITING__ENABLED</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests per minute per client address on anonymous routes. <c>VOXORA_RATELIMITING__ANONYMOUS_PER_MINUTE</c>.</summary>
    [ConfigurationKeyName("ANONYMOUS_PER_MINUTE")]
    public int AnonymousPerMinute { get; set; } = 60;

    /// <summary>Requests per minute per client address on register, login and refresh. <c>VOXORA_RATELIMITING__AUTH_PER_MINUTE</c>.</summary>
    [ConfigurationKeyName("AUTH_PER_MINUTE")]
    public int AuthPerMinute { get; set; } = 30;

    /// <summary>Requests per minute per signed-in user. <c>VOXORA_RATELIMITING__USER_PER_MINUTE</c>.</summary>
    [ConfigurationKeyName("USER_PER_MINUTE")]
    public int UserPerMinute { get; set; } = 600;

    /// <summary>
    /// Message searches per minute per signed-in user (they cost far more than a page of history, so they have their own
    /// budget instead of the user one). <c>VOXORA_RATELIMITING__SEARCH_PER_MINUTE</c>.
    /// </summary>
    [ConfigurationKeyName("SEARCH_PER_MINUTE")]
    public int SearchPerMinute { get; set; } = 60;

    public IEnumerable<string> Validate()
    {
        if (AnonymousPerMinute < 1)
            yield return $"VOXORA_RATELIMITING__ANONYMOUS_PER_MINUTE must be at least 1, not {AnonymousPerMinute}.";
        if (AuthPerMinute < 1)
            yield return $"VOXORA_RATELIMITING__AUTH_PER_MINUTE must be at least 1, not {AuthPerMinute}.";
        if (UserPerMinute < 1)
            yield return $"VOXORA_RATELIMITING__USER_PER_MINUTE must be at least 1, not {UserPerMinute}.";
        if (SearchPerMinute < 1)
            yield return $"VOXORA_RATELIMITING__SEARCH_PER_MINUTE must be at least 1, not {SearchPerMinute}.";
    }
}

public sealed class NetworkOptions
{
    /// <summary>
    /// Addresses of reverse proxies whose X-Forwarded-For is believed, comma separated.
    /// Empty: the socket's peer address is the client. <c>VOXORA_NETWORK__TRUSTED_PROXIES</c>.
    /// </summary>
    [ConfigurationKeyName("TRUSTED_PROXIES")]
    public string? TrustedProxies { get; set; }

    public IReadOnlyList<System.Net.IPAddress> TrustedProxyAddresses =>
        (TrustedProxies ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(System.Net.IPAddress.Parse)
            .ToList();

    public IEnumerable<string> Validate()
    {
        foreach (var entry in (TrustedProxies ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!System.Net.IPAddress.TryParse(entry, out _))
                yield return $"VOXORA_NETWORK__TRUSTED_PROXIES holds '{entry}', which is not an IP address.";
        }
    }
}

/// <summary>Real-time gateway limits (seed 001 security baseline). Lower values only make tests fast.</summary>
public sealed class GatewayOptions
{
    /// <summary>Largest inbound frame or message, in bytes. Never above 64 KiB.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>How often clients must heartbeat, in ms; a connection silent for 1.5× this is closed. <c>VOXORA_GATEWAY__HEARTBEAT_INTERVAL_MS</c>.</summary>
    [ConfigurationKeyName("HEARTBEAT_INTERVAL_MS")]
    public int HeartbeatIntervalMs { get; set; } = 41_250;

    /// <summary>How long a disconnected session stays resumable. <c>VOXORA_GATEWAY__RESUME_WINDOW_SECONDS</c>.</summary>
    [ConfigurationKeyName("RESUME_WINDOW_SECONDS")]
    public int ResumeWindowSeconds { get; set; } = 300;

    /// <summary>Events kept per session for RESUME. <c>VOXORA_GATEWAY__REPLAY_BUFFER_SIZE</c>.</summary>
    [ConfigurationKeyName("REPLAY_BUFFER_SIZE")]
    public int ReplayBufferSize { get; set; } = 1000;

    /// <summary>Queued outbound events per connection before the slow consumer is closed. <c>VOXORA_GATEWAY__OUTBOUND_QUEUE</c>.</summary>
    [ConfigurationKeyName("OUTBOUND_QUEUE")]
    public int OutboundQueue { get; set; } = 256;

    /// <summary>Inbound events allowed per 10 seconds per connection (also the burst size). <c>VOXORA_GATEWAY__INBOUND_PER_10S</c>.</summary>
    [ConfigurationKeyName("INBOUND_PER_10S")]
    public int InboundPer10Seconds { get; set; } = 20;

    /// <summary>Seconds a new connection has to IDENTIFY or RESUME. <c>VOXORA_GATEWAY__IDENTIFY_TIMEOUT_SECONDS</c>.</summary>
    [ConfigurationKeyName("IDENTIFY_TIMEOUT_SECONDS")]
    public int IdentifyTimeoutSeconds { get; set; } = 20;

    /// <summary>Identified connections one user may hold at once (phone, desktop, a few tabs). <c>VOXORA_GATEWAY__MAX_CONNECTIONS_PER_USER</c>.</summary>
    [ConfigurationKeyName("MAX_CONNECTIONS_PER_USER")]
    public int MaxConnectionsPerUser { get; set; } = 10;

    /// <summary>Open gateway connections from one client address (high enough for a school behind one NAT). <c>VOXORA_GATEWAY__MAX_CONNECTIONS_PER_ADDRESS</c>.</summary>
    [ConfigurationKeyName("MAX_CONNECTIONS_PER_ADDRESS")]
    public int MaxConnectionsPerAddress { get; set; } = 200;

    /// <summary>WebSocket upgrades per minute from one client address (also the burst). <c>VOXORA_GATEWAY__UPGRADES_PER_MINUTE_PER_ADDRESS</c>.</summary>
    [ConfigurationKeyName("UPGRADES_PER_MINUTE_PER_ADDRESS")]
    public int UpgradesPerMinutePerAddress { get; set; } = 300;

    /// <summary>IDENTIFY and RESUME attempts per minute by one user (also the burst). <c>VOXORA_GATEWAY__IDENTIFIES_PER_MINUTE_PER_USER</c>.</summary>
    [ConfigurationKeyName("IDENTIFIES_PER_MINUTE_PER_USER")]
    public int IdentifiesPerMinutePerUser { get; set; } = 30;

    /// <summary>IDENTIFY and RESUME attempts per minute from one client address (also the burst). <c>VOXORA_GATEWAY__IDENTIFIES_PER_MINUTE_PER_ADDRESS</c>.</summary>
    [ConfigurationKeyName("IDENTIFIES_PER_MINUTE_PER_ADDRESS")]
    public int IdentifiesPerMinutePerAddress { get; set; } = 300;

    /// <summary>Disconnected, still resumable sessions kept per user; beyond it the oldest is forgotten. <c>VOXORA_GATEWAY__MAX_RESUMABLE_SESSIONS_PER_USER</c>.</summary>
    [ConfigurationKeyName("MAX_RESUMABLE_SESSIONS_PER_USER")]
    public int MaxResumableSessionsPerUser { get; set; } = 10;

    public IEnumerable<string> Validate()
    {
        foreach (var (name, value) in new[]
        {
            ("MAX_CONNECTIONS_PER_USER", MaxConnectionsPerUser),
            ("MAX_CONNECTIONS_PER_ADDRESS", MaxConnectionsPerAddress),
            ("UPGRADES_PER_MINUTE_PER_ADDRESS", UpgradesPerMinutePerAddress),
            ("IDENTIFIES_PER_MINUTE_PER_USER", IdentifiesPerMinutePerUser),
            ("IDENTIFIES_PER_MINUTE_PER_ADDRESS", IdentifiesPerMinutePerAddress),
            ("MAX_RESUMABLE_SESSIONS_PER_USER", MaxResumableSessionsPerUser),
        })
        {
            if (value is < 1 or > 1_000_000)
                yield return $"VOXORA_GATEWAY__{name} must be between 1 and 1000000, not {value}.";
        }

        if (HeartbeatIntervalMs is < 100 or > 300_000)
            yield return $"VOXORA_GATEWAY__HEARTBEAT_INTERVAL_MS must be between 100 and 300000, not {HeartbeatIntervalMs}.";
        if (ResumeWindowSeconds is < 1 or > 3600)
            yield return $"VOXORA_GATEWAY__RESUME_WINDOW_SECONDS must be between 1 and 3600, not {ResumeWindowSeconds}.";
        if (ReplayBufferSize is < 1 or > 100_000)
            yield return $"VOXORA_GATEWAY__REPLAY_BUFFER_SIZE must be between 1 and 100000, not {ReplayBufferSize}.";
        if (OutboundQueue is < 1 or > 256)
            yield return $"VOXORA_GATEWAY__OUTBOUND_QUEUE must be between 1 and 256 (security baseline), not {OutboundQueue}.";
        if (InboundPer10Seconds is < 1 or > 1000)
            yield return $"VOXORA_GATEWAY__INBOUND_PER_10S must be between 1 and 1000, not {InboundPer10Seconds}.";
        if (IdentifyTimeoutSeconds is < 1 or > 300)
            yield return $"VOXORA_GATEWAY__IDENTIFY_TIMEOUT_SECONDS must be between 1 and 300, not {IdentifyTimeoutSeconds}.";
    }
}
