using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Voxora.Bench;

/// <summary>
/// The server under test: one the tool started (a child process on a free loopback port, fresh data
/// folder, rate limits off), or a running one given by URL. Knows where its database is, for seeding.
/// </summary>
public sealed class BenchTarget : IAsyncDisposable
{
    private Process? child;
    private StreamWriter? childLog;
    private ThrowawayPostgres? throwawayPg;
    private string? pgAdmin;
    private string? pgDatabase;
    private string? dataDir;
    private bool keepData;

    private BenchTarget(Uri baseAddress, string provider)
    {
        BaseAddress = baseAddress;
        Provider = provider;
    }

    public Uri BaseAddress { get; }
    public string Provider { get; }
    public int? ServerPid { get; private set; }
    public string? SqliteFile { get; private set; }
    public string? PgConnectionString { get; private set; }

    /// <summary>Runtime switch the tool sets for itself (Program.cs) and keeps from the server it starts.</summary>
    public const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    public string? LogFile { get; private set; }

    /// <summary>A server somebody else runs (the tests' in-process server, or --url).</summary>
    public static BenchTarget Existing(Uri baseAddress, string provider, int? pid, string? sqliteFile, string? pgConnectionString) =>
        new(baseAddress, provider) { ServerPid = pid, SqliteFile = sqliteFile, PgConnectionString = pgConnectionString };

    public static async Task<BenchTarget> FromOptionsAsync(BenchOptions o, CancellationToken ct)
    {
        if (o.Url is not null)
        {
            var existing = Existing(o.Url, o.SeedPg is not null ? "postgres" : o.Provider, o.ServerPid, o.SeedSqliteFile, o.SeedPg);
            await existing.WaitReadyAsync(TimeSpan.FromSeconds(10), ct);
            return existing;
        }

        return await StartAsync(o, ct);
    }

    /// <summary>Starts <c>dotnet Voxora.Server.dll</c> with a fresh data folder and waits for /health/ready.</summary>
    public static async Task<BenchTarget> StartAsync(BenchOptions o, CancellationToken ct)
    {
        var dll = o.ServerDll ?? FindServerDll();
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Server build not found at {dll}. Build it first: dotnet build Voxora.slnx -c Release (or pass --server-dll).");
        }

        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var target = new BenchTarget(baseAddress, o.Provider) { keepData = o.KeepData };
        try
        {
            target.dataDir = Directory.CreateTempSubdirectory("voxora-bench-").FullName;
            var env = new Dictionary<string, string>
            {
                ["VOXORA_URLS"] = $"http://127.0.0.1:{port}",
                ["VOXORA_DATA_DIR"] = target.dataDir,
                ["VOXORA_RATELIMITING__ENABLED"] = "false",
                // The scenarios hold up to ~19,000 connections of one or few users from 127.0.0.x and run resume
                // storms: lift the gateway's per-user and per-address abuse caps (docs/benchmarks.md).
                ["VOXORA_GATEWAY__MAX_CONNECTIONS_PER_USER"] = "1000000",
                ["VOXORA_GATEWAY__MAX_CONNECTIONS_PER_ADDRESS"] = "1000000",
                ["VOXORA_GATEWAY__UPGRADES_PER_MINUTE_PER_ADDRESS"] = "1000000",
                ["VOXORA_GATEWAY__IDENTIFIES_PER_MINUTE_PER_USER"] = "1000000",
                ["VOXORA_GATEWAY__IDENTIFIES_PER_MINUTE_PER_ADDRESS"] = "1000000",
                ["VOXORA_GATEWAY__MAX_RESUMABLE_SESSIONS_PER_USER"] = "1000000",
                ["VOXORA_Logging__LogLevel__Default"] = o.ServerLogLevel,
                ["VOXORA_DATABASE__PROVIDER"] = o.Provider,
            };
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
            else
            {
                target.SqliteFile = Path.Combine(target.dataDir, "voxora.db");
            }

            foreach (var (k, v) in o.ServerEnv)
            {
                env[k] = v;
            }

            var psi = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetDirectoryName(dll)!,
            };
            psi.ArgumentList.Add(dll);
            psi.Environment.Remove(InlineSocketCompletions);
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }

            target.LogFile = Path.Combine(target.dataDir, "server.log");
            target.childLog = new StreamWriter(target.LogFile) { AutoFlush = true };
            var log = target.childLog;
            target.child = Process.Start(psi) ?? throw new InvalidOperationException("could not start dotnet");
            target.child.OutputDataReceived += (_, e) => WriteLog(log, e.Data);
            target.child.ErrorDataReceived += (_, e) => WriteLog(log, e.Data);
            target.child.BeginOutputReadLine();
            target.child.BeginErrorReadLine();
            target.ServerPid = target.child.Id;
            await target.WaitReadyAsync(TimeSpan.FromSeconds(90), ct);
            return target;
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    private static void WriteLog(StreamWriter log, string? line)
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

    private async Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (child is { HasExited: true })
            {
                throw new InvalidOperationException($"The server exited with code {child.ExitCode} during start-up; log: {LogFile}\n{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("health/ready", UriKind.Relative), ct);
                if (response.StatusCode == HttpStatusCode.OK)
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
                throw new TimeoutException($"{BaseAddress}health/ready did not answer 200 within {timeout.TotalSeconds} s\n{Tail()}");
            }

            await Task.Delay(200, ct);
        }
    }

    private string Tail()
    {
        if (LogFile is null || !File.Exists(LogFile))
        {
            return "";
        }

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
        if (child is not null)
        {
            try
            {
                if (!child.HasExited)
                {
                    child.Kill(entireProcessTree: true);
                    await child.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
            }

            child.Dispose();
            child = null;
        }

        if (childLog is not null)
        {
            lock (childLog)
            {
                childLog.Dispose();
            }
        }

        if (pgDatabase is not null && pgAdmin is not null && throwawayPg is null)
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

        if (dataDir is not null && !keepData)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
            }
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
