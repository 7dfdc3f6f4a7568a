using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;

namespace Voxora.Bench;

/// <summary>
/// The server under test: one or several nodes the tool started (child processes on free loopback ports, each with a
/// fresh data folder, rate limits off; several share one PostgreSQL database and one Redis), or a running one given by
/// URL. Knows where its database is, for seeding.
/// </summary>
public sealed class BenchTarget : IAsyncDisposable
{
    private readonly List<ServerNode> started = [];
    private ThrowawayPostgres? throwawayPg;
    private ThrowawayRedis? throwawayRedis;
    private string? pgAdmin;
    private string? pgDatabase;
    private bool keepData;

    private BenchTarget(IReadOnlyList<Uri> nodeAddresses, string provider)
    {
        NodeAddresses = nodeAddresses;
        Provider = provider;
    }

    /// <summary>The first node: where the bench registers its users and runs the single-node scenarios.</summary>
    public Uri BaseAddress => NodeAddresses[0];

    /// <summary>Every node, the first one first.</summary>
    public IReadOnlyList<Uri> NodeAddresses { get; }

    public string Provider { get; }

    /// <summary>The first node's process id, if known.</summary>
    public int? ServerPid => ServerPids.Count > 0 ? ServerPids[0] : null;

    /// <summary>Process ids of every node whose id is known.</summary>
    public IReadOnlyList<int> ServerPids { get; private set; } = [];

    public string? SqliteFile { get; private set; }
    public string? PgConnectionString { get; private set; }

    /// <summary>The Redis the nodes share (StackExchange.Redis configuration string), or null (in-process bus).</summary>
    public string? RedisConfiguration { get; private set; }

    /// <summary>The Redis server's process id when the tool started it (its CPU is part of what the bus costs).</summary>
    public int? RedisPid => throwawayRedis?.Pid;

    /// <summary>Runtime switch the tool sets for itself (Program.cs) and keeps from the server it starts.</summary>
    public const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>The first node's log.</summary>
    public string? LogFile => started.Count > 0 ? started[0].LogFile : null;

    /// <summary>A server somebody else runs (the tests' in-process server, or --url).</summary>
    public static BenchTarget Existing(Uri baseAddress, string provider, int? pid, string? sqliteFile, string? pgConnectionString) =>
        new([baseAddress], provider) { ServerPids = pid is { } p ? [p] : [], SqliteFile = sqliteFile, PgConnectionString = pgConnectionString };

    public static async Task<BenchTarget> FromOptionsAsync(BenchOptions o, CancellationToken ct)
    {
        if (o.Url is not null)
        {
            var existing = Existing(o.Url, o.SeedPg is not null ? "postgres" : o.Provider, o.ServerPid, o.SeedSqliteFile, o.SeedPg);
            await WaitReadyAsync(o.Url, null, requireRedis: false, TimeSpan.FromSeconds(10), ct);
            return existing;
        }

        return await StartAsync(o, ct);
    }

    /// <summary>
    /// Starts <c>--nodes</c> × <c>dotnet Voxora.Server.dll</c>, each with a fresh data folder, and waits for each one's
    /// /health/ready. Clustered (several nodes, or <c>--redis</c>), they share the PostgreSQL database, the Redis and its
    /// key prefix, the audit key and the public URL (the token issuer: a token from one node is valid on all, as behind a
    /// load balancer), and each has its own <c>VOXORA_NODE_ID</c>.
    /// </summary>
    public static async Task<BenchTarget> StartAsync(BenchOptions o, CancellationToken ct)
    {
        var dll = o.ServerDll ?? FindServerDll();
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Server build not found at {dll}. Build it first: dotnet build Voxora.slnx -c Release (or pass --server-dll).");
        }

        var ports = new List<int>();
        while (ports.Count < o.Nodes)
        {
            var port = FreePort();
            if (!ports.Contains(port))
            {
                ports.Add(port);
            }
        }

        var addresses = ports.Select(p => new Uri($"http://127.0.0.1:{p}/")).ToList();
        var target = new BenchTarget(addresses, o.Provider) { keepData = o.KeepData };
        try
        {
            var env = new Dictionary<string, string>
            {
                ["VOXORA_RATELIMITING__ENABLED"] = "false",
                // The scenarios hold up to ~19,000 connections of one or few users from 127.0.0.x and run resume
                // storms: lift the gateway's per-user and per-address abuse caps (docs/benchmarks.md).
                ["VOXORA_GATEWAY__MAX_CONNECTIONS_PER_USER"] = "1000000",
                ["VOXORA_GATEWAY__MAX_CONNECTIONS_PER_ADDRESS"] = "1000000",
                ["VOXORA_GATEWAY__UPGRADES_PER_MINUTE_PER_ADDRESS"] = "1000000",
                ["VOXORA_GATEWAY__IDENTIFIES_PER_MINUTE_PER_USER"] = "1000000",
                ["VOXORA_GATEWAY__IDENTIFIES_PER_MINUTE_PER_ADDRESS"] = "1000000",
                ["VOXORA_GATEWAY__MAX_RESUMABLE_SESSIONS_PER_USER"] = "1000000",
                ["VOXORA_DATABASE__PROVIDER"] = o.Provider,
            };
            if (o.ServerLogLevel.Length > 0)
            {
                env["VOXORA_Logging__LogLevel__Default"] = o.ServerLogLevel;
            }

            if (o.Provider == "postgres")
            {
                if (o.Pg is null)
                {
                    target.throwawayPg = await ThrowawayPostgres.StartAsync(ct);
                    target.pgAdmin = target.throwawayPg.AdminConnectionString;
                }
                else
                {
                    target.pgAdmin = o.Pg;
                }

                target.pgDatabase = "voxora_bench_" + Guid.NewGuid().ToString("N")[..12];
                await using (var admin = new NpgsqlConnection(target.pgAdmin))
                {
                    await admin.OpenAsync(ct);
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{target.pgDatabase}\"", admin);
                    await create.ExecuteNonQueryAsync(ct);
                }

                target.PgConnectionString = new NpgsqlConnectionStringBuilder(target.pgAdmin) { Database = target.pgDatabase }.ConnectionString;
                env["VOXORA_DATABASE__CONNECTIONSTRING"] = target.PgConnectionString;
            }

            if (o.Clustered)
            {
                if (o.Redis is null or BenchOptions.RedisThrowaway)
                {
                    target.throwawayRedis = await ThrowawayRedis.StartAsync(ct);
                    target.RedisConfiguration = target.throwawayRedis.Configuration;
                }
                else
                {
                    target.RedisConfiguration = o.Redis;
                }

                env["VOXORA_REDIS__CONFIGURATION"] = target.RedisConfiguration;
                // Its own prefix, so a shared Redis (the tests', another bench run) never mixes clusters.
                env["VOXORA_REDIS__PREFIX"] = "vxbench" + Guid.NewGuid().ToString("N")[..10];
                env["VOXORA_AUDIT__KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
                env["VOXORA_PUBLIC_URL"] = addresses[0].ToString().TrimEnd('/');
            }

            foreach (var (k, v) in o.ServerEnv)
            {
                env[k] = v;
            }

            // One after another: the first applies the migrations and creates the signing key the others load.
            for (var i = 0; i < addresses.Count; i++)
            {
                var nodeEnv = new Dictionary<string, string>(env)
                {
                    ["VOXORA_URLS"] = $"http://127.0.0.1:{ports[i]}",
                };
                if (o.Clustered && !o.ServerEnv.Any(kv => kv.Key == "VOXORA_NODE_ID"))
                {
                    nodeEnv["VOXORA_NODE_ID"] = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                var node = ServerNode.Start(dll, nodeEnv, target.started);
                target.ServerPids = [.. target.started.Select(n => n.Pid)];
                if (i == 0 && o.Provider != "postgres")
                {
                    target.SqliteFile = Path.Combine(node.DataDir, "voxora.db");
                }

                // Generous: on a busy machine the first node's migrations of a fresh PostgreSQL database were seen to take over 60 s.
                await WaitReadyAsync(addresses[i], node, o.Clustered, TimeSpan.FromSeconds(180), ct);
            }

            return target;
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits for /health/ready to answer 200, and with <paramref name="requireRedis"/> to report Redis "ok": a node answers
    /// 200 "degraded" while its Redis is unreachable, and a bench run on a node off the bus would measure nothing useful.
    /// </summary>
    private static async Task WaitReadyAsync(Uri baseAddress, ServerNode? node, bool requireRedis, TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (node is { HasExited: true })
            {
                throw new InvalidOperationException($"The server at {baseAddress} exited with code {node.ExitCode} during start-up; log: {node.LogFile}\n{node.Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("health/ready", UriKind.Relative), ct);
                if (response.StatusCode == HttpStatusCode.OK && (!requireRedis || RedisOk(await response.Content.ReadAsStringAsync(ct))))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"{baseAddress}health/ready did not answer 200 within {timeout.TotalSeconds} s\n{node?.Tail()}");
            }

            await Task.Delay(200, ct);
        }
    }

    private static bool RedisOk(string health)
    {
        try
        {
            using var doc = JsonDocument.Parse(health);
            return doc.RootElement.TryGetProperty("checks", out var checks)
                && checks.TryGetProperty("redis", out var redis)
                && redis.ValueKind == JsonValueKind.String
                && redis.GetString() == "ok";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The Release server build, found by walking up from the tool to the repository root.</summary>
    public static string FindServerDll()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Voxora.slnx")))
                {
                    return Path.Combine(dir.FullName, "src", "Voxora.Server", "bin", "Release", "net10.0", "Voxora.Server.dll");
                }
            }
        }

        return Path.GetFullPath("src/Voxora.Server/bin/Release/net10.0/Voxora.Server.dll");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in started)
        {
            await node.StopAsync();
        }

        if (pgDatabase is not null && pgAdmin is not null && throwawayPg is null && keepData)
        {
            Console.Error.WriteLine($"[bench] kept PostgreSQL database {pgDatabase} (--keep-data)");
        }
        else if (pgDatabase is not null && pgAdmin is not null && throwawayPg is null)
        {
            try
            {
                NpgsqlConnection.ClearAllPools();
                await using var admin = new NpgsqlConnection(pgAdmin);
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{pgDatabase}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }
            catch (NpgsqlException)
            {
            }
        }

        if (throwawayPg is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await throwawayPg.DisposeAsync();
            throwawayPg = null;
        }

        if (throwawayRedis is not null)
        {
            await throwawayRedis.DisposeAsync();
            throwawayRedis = null;
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var node in started)
        {
            if (!keepData)
            {
                node.DeleteData();
            }
        }

        started.Clear();
    }
}

/// <summary>One server process the tool started: its data folder (with its log) and the process.</summary>
internal sealed class ServerNode
{
    private readonly Process process;
    private readonly StreamWriter log;

    private ServerNode(Process process, StreamWriter log, string dataDir, string logFile)
    {
        this.process = process;
        this.log = log;
        DataDir = dataDir;
        LogFile = logFile;
    }

    public string DataDir { get; }
    public string LogFile { get; }
    public int Pid => process.Id;
    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;

    /// <summary>Starts the server with a fresh data folder and <paramref name="env"/>; adds it to <paramref name="into"/> at once, so it is stopped whatever happens next.</summary>
    public static ServerNode Start(string dll, IReadOnlyDictionary<string, string> env, List<ServerNode> into)
    {
        var dataDir = Directory.CreateTempSubdirectory("voxora-bench-").FullName;
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        psi.ArgumentList.Add(dll);
        psi.Environment.Remove(BenchTarget.InlineSocketCompletions);
        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }

        if (!env.ContainsKey("VOXORA_DATA_DIR"))
        {
            psi.Environment["VOXORA_DATA_DIR"] = dataDir;
        }
        var logFile = Path.Combine(dataDir, "server.log");
        var log = new StreamWriter(logFile) { AutoFlush = true };
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
        }
        catch
        {
            log.Dispose();
            throw;
        }

        var node = new ServerNode(process, log, dataDir, logFile);
        into.Add(node);
        process.OutputDataReceived += (_, e) => node.WriteLog(e.Data);
        process.ErrorDataReceived += (_, e) => node.WriteLog(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    private void WriteLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public string Tail()
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var lines = reader.ReadToEnd().Split('\n');
            return string.Join('\n', lines.TakeLast(20));
        }
        catch (IOException)
        {
            return "";
        }
    }

    public async Task StopAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
        }

        process.Dispose();
        lock (log)
        {
            log.Dispose();
        }
    }

    public void DeleteData()
    {
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// A redis-server in a temporary folder on a free loopback port, started like scripts/lib.sh's start_throwaway_redis
/// (no persistence) but as a child process of the tool, stopped and deleted afterwards.
/// </summary>
public sealed class ThrowawayRedis : IAsyncDisposable
{
    private readonly Process process;
    private readonly string root;

    private ThrowawayRedis(Process process, string root, int port)
    {
        this.process = process;
        this.root = root;
        Port = port;
    }

    public int Port { get; }
    public int Pid => process.Id;
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<ThrowawayRedis> StartAsync(CancellationToken ct)
    {
        var root = Directory.CreateTempSubdirectory("voxora-bench-redis.").FullName;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var port = BenchTarget.FreePort();
            var psi = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
            foreach (var a in new[] { "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", root, "--save", "", "--appendonly", "no", "--logfile", Path.Combine(root, "redis.log") })
            {
                psi.ArgumentList.Add(a);
            }

            Process process;
            try
            {
                process = Process.Start(psi) ?? throw new InvalidOperationException("could not start redis-server");
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                Directory.Delete(root, recursive: true);
                throw new InvalidOperationException("redis-server not found (apt-get install redis-server), or pass --redis HOST:PORT.", ex);
            }

            var watch = Stopwatch.StartNew();
            while (!process.HasExited && watch.Elapsed < TimeSpan.FromSeconds(10))
            {
                if (await PingAsync(port, ct))
                {
                    Console.Error.WriteLine($"[bench] throwaway Redis up on 127.0.0.1:{port} ({root})");
                    return new ThrowawayRedis(process, root, port);
                }

                await Task.Delay(100, ct);
            }

            if (!process.HasExited)
            {
                process.Kill();
            }

            process.Dispose();
        }

        var log = Path.Combine(root, "redis.log");
        throw new InvalidOperationException($"could not start redis-server: {(File.Exists(log) ? await File.ReadAllTextAsync(log, ct) : "no log")}");
    }

    private static async Task<bool> PingAsync(int port, CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, ct);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), ct);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, ct).AsTask().WaitAsync(TimeSpan.FromSeconds(2), ct);
            return read >= 5 && buffer.AsSpan(0, 5).SequenceEqual("+PONG"u8);
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
        }

        process.Dispose();
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// A PostgreSQL in a temporary folder on a free loopback port, started like scripts/lib.sh's
/// start_throwaway_postgres (initdb with trust auth; fsync, synchronous_commit and full_page_writes off;
/// run as the 'postgres' user when we are root), stopped with -m immediate and deleted afterwards.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly string root;
    private readonly string bin;

    private ThrowawayPostgres(string root, string bin, int port)
    {
        this.root = root;
        this.bin = bin;
        Port = port;
    }

    public int Port { get; }
    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Maximum Pool Size=200";

    private static bool IsRoot => Environment.UserName == "root";

    public static async Task<ThrowawayPostgres> StartAsync(CancellationToken ct)
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderBy(d => d.Length).ThenBy(d => d, StringComparer.Ordinal)
                .LastOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql), or pass --pg.");
        }

        var root = Directory.CreateDirectory(Path.Combine("/tmp", "voxora-bench-pg." + Guid.NewGuid().ToString("N")[..8])).FullName;
        Directory.CreateDirectory(Path.Combine(root, "sock"));
        if (IsRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", root], ct);
        }

        await RunAsPgAsync(Path.Combine(bin, "initdb"), ["-D", Path.Combine(root, "data"), "--auth=trust", "-U", "postgres", "--encoding=UTF8", "--locale=C"], ct);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var port = BenchTarget.FreePort();
            var options = $"-c listen_addresses=127.0.0.1 -p {port} -k {root}/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
            try
            {
                await RunAsPgAsync(Path.Combine(bin, "pg_ctl"), ["-w", "-t", "60", "-D", Path.Combine(root, "data"), "-l", Path.Combine(root, "data", "log"), "start", "-o", options], ct);
                Console.Error.WriteLine($"[bench] throwaway PostgreSQL up on 127.0.0.1:{port} ({root})");
                return new ThrowawayPostgres(root, bin, port);
            }
            catch (InvalidOperationException) when (attempt < 4)
            {
            }
        }

        throw new InvalidOperationException("could not start PostgreSQL");
    }

    private static Task RunAsPgAsync(string file, IReadOnlyList<string> args, CancellationToken ct) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", file, .. args], ct) : RunAsync(file, args, ct);

    private static async Task RunAsync(string file, IReadOnlyList<string> args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {await stdout}{await stderr}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsPgAsync(Path.Combine(bin, "pg_ctl"), ["-w", "-D", Path.Combine(root, "data"), "-m", "immediate", "stop"], CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
        }

        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
