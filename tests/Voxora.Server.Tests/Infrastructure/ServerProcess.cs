using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Voxora.Server.Tests.Infrastructure;

/// <summary>
/// A real <c>dotnet Voxora.Server.dll</c> process on a free loopback port, configured through <c>VOXORA_</c>
/// environment variables (the test defaults of <see cref="TestServer.DefaultSettings"/> plus the caller's), for what
/// only a separate process shows: <c>kill -9</c>. Its output is kept (the last lines) to explain a failure.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly Queue<string> output = new();
    private readonly string dataDir;
    private readonly bool ownsDataDir;

    private ServerProcess(Process process, Uri baseAddress, string dataDir, bool ownsDataDir)
    {
        this.process = process;
        BaseAddress = baseAddress;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
    }

    public Uri BaseAddress { get; }

    /// <summary>The last lines the process wrote (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return string.Join('\n', output);
            }
        }
    }

    /// <summary>Starts a PostgreSQL node with <paramref name="settings"/> (configuration keys, e.g. <c>REDIS:PREFIX</c>) and waits until it is ready.</summary>
    public static Task<ServerProcess> StartAsync(string connectionString, IReadOnlyDictionary<string, string?> settings) =>
        StartAsync(Provider.Postgres, connectionString, settings, dataDir: null);

    /// <summary>
    /// Starts a node of <paramref name="provider"/>. With <paramref name="dataDir"/> it runs on that folder and leaves it
    /// behind (a restart on the same data); without, on a fresh folder removed when disposed.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(Provider provider, string connectionString, IReadOnlyDictionary<string, string?> settings, string? dataDir)
    {
        var port = FreePort();
        var ownsDataDir = dataDir is null;
        dataDir ??= Directory.CreateTempSubdirectory("voxora-node-").FullName;
        var all = TestServer.DefaultSettings(provider, dataDir, connectionString);
        all["URLS"] = $"http://127.0.0.1:{port}";
        all["VOICE:ENABLED"] = "false";
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Voxora.Server.dll")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = dataDir,
        };
        foreach (var (key, value) in all)
        {
            var name = key.Replace(":", "__", StringComparison.Ordinal);
            start.Environment[key.StartsWith("Logging:", StringComparison.Ordinal) ? name : "VOXORA_" + name] = value;
        }

        var node = new ServerProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}/"), dataDir, ownsDataDir);
        node.process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        node.process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        node.process.BeginOutputReadLine();
        node.process.BeginErrorReadLine();
        try
        {
            await node.WaitReadyAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    /// <summary><c>kill -9</c>: no drain, no goodbye to its clients, whatever is only in its memory is gone.</summary>
    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {process.ExitCode}:\n{Output}");
            }

            try
            {
                if ((await http.GetAsync("health/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Busy starting.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The server was not ready within {timeout}:\n{Output}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Enqueue(line);
            while (output.Count > 200)
            {
                output.Dequeue();
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        if (!ownsDataDir)
        {
            return;
        }

        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the OS temp cleaner will get it.
        }
    }
}
