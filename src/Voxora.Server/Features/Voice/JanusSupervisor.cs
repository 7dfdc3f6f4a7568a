using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Voxora.Protocol;

namespace Voxora.Server.Features.Voice;

/// <summary>One Janus server: the local child process or one external URL.</summary>
public sealed class JanusNode(string name)
{
    private int rooms;

    public string Name { get; } = name;

    /// <summary>The live connection, or null while the node is down.</summary>
    public JanusClient? Client { get; internal set; }

    /// <summary>The server-wide session on this node; plugin handles live in it.</summary>
    public JanusSession? Session { get; internal set; }

    /// <summary>VideoRoom <c>admin_key</c> needed to create rooms on this node.</summary>
    public string? RoomAdminKey { get; internal set; }

    /// <summary>Bumped each time the node comes (back) up; rooms of an older generation no longer exist.</summary>
    public int Generation { get; internal set; }

    /// <summary>The child process id (local node only).</summary>
    public int? ProcessId { get; internal set; }

    public bool IsUp => Client is { Closed.IsCompleted: false } && Session is not null;
    public int RoomCount => Volatile.Read(ref rooms);
    public void RoomCreated() => Interlocked.Increment(ref rooms);
    public void RoomDestroyed() => Interlocked.Decrement(ref rooms);
    internal void ResetRooms() => Volatile.Write(ref rooms, 0);
}

public sealed class JanusNodeUpEventArgs(JanusNode node) : EventArgs
{
    public JanusNode Node { get; } = node;
    public int Generation { get; } = node.Generation;
}

/// <summary>
/// Keeps voice's Janus servers usable. Local mode (default): writes a fresh config folder under
/// <c>{data}/janus</c>, starts <c>janus</c> as a child process with random secrets and a free loopback port,
/// waits for <c>info</c>, and restarts it with exponential back-off whenever it exits or stops answering.
/// External mode (<c>VOXORA_VOICE__JANUS_URL</c>): connects to each URL and reconnects the same way.
/// Each time a node comes up <see cref="NodeUp"/> fires; after a restart Janus has lost every room and
/// PeerConnection, so the voice layer recreates rooms and asks clients to reconnect.
/// </summary>
public sealed class JanusSupervisor(VoiceOptions options, Infrastructure.ServerOptions server, TimeProvider clock, ILogger<JanusSupervisor> logger)
    : BackgroundService
{
    private static readonly TimeSpan HealthyRunResetsBackoff = TimeSpan.FromSeconds(60);
    private readonly List<JanusNode> nodes = [];
    private volatile VoiceStatus status = new(false, "voice is starting");

    /// <summary>Raised (on a pool thread) every time a node becomes usable, including the first time.</summary>
    public event EventHandler<JanusNodeUpEventArgs>? NodeUp;

    public VoiceStatus Status => status;
    public IReadOnlyList<JanusNode> Nodes => nodes;
    public TimeSpan RequestTimeout => TimeSpan.FromSeconds(options.RequestTimeoutSeconds);

    /// <summary>The live node with the fewest rooms, or null when voice is unavailable.</summary>
    public JanusNode? PickNodeForNewRoom() => nodes.Where(n => n.IsUp).MinBy(n => n.RoomCount);

    /// <summary>Waits until some node is up (tests, and the first join after start).</summary>
    public async Task<JanusNode> WaitForNodeAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = clock.GetUtcNow() + timeout;
        while (true)
        {
            if (PickNodeForNewRoom() is { } node)
            {
                return node;
            }

            if (clock.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"no Janus became available within {timeout.TotalSeconds:0} s: {status.Reason}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), clock, ct);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Enabled)
        {
            status = new VoiceStatus(false, "voice is disabled (VOXORA_VOICE__ENABLED=false)");
            return;
        }

        if (options.UsesExternalJanus)
        {
            var loops = options.JanusUrls.Select(url =>
            {
                var node = new JanusNode(url.ToString());
                nodes.Add(node);
                return SuperviseExternalAsync(node, url, stoppingToken);
            }).ToList();
            await Task.WhenAll(loops);
            return;
        }

        var binary = JanusConfig.FindBinary(options.JanusBinary);
        if (binary is null)
        {
            status = new VoiceStatus(false,
                $"Janus is not installed: '{options.JanusBinary}' was not found (install the Debian package 'janus', or set VOXORA_VOICE__JANUS_URL)");
            logger.LogWarning("Voice unavailable: {Reason}", status.Reason);
            return;
        }

        var libDir = JanusConfig.FindLibDir(options.JanusLibDir, binary, out var searched);
        if (libDir is null)
        {
            status = new VoiceStatus(false,
                $"Janus's VideoRoom plugin and WebSocket transport were not found (searched {searched}); set VOXORA_VOICE__JANUS_LIB_DIR");
            logger.LogWarning("Voice unavailable: {Reason}", status.Reason);
            return;
        }

        var local = new JanusNode("local");
        nodes.Add(local);
        await SuperviseLocalAsync(local, binary, libDir, stoppingToken);
    }

    private async Task SuperviseLocalAsync(JanusNode node, string binary, string libDir, CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetFullPath(server.DataDir), "janus");
        var pidFile = Path.Combine(folder, "janus.pid");
        KillStaleChild(pidFile, folder);
        var delay = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            var started = clock.GetTimestamp();
            Process? process = null;
            try
            {
                var launch = new JanusLaunch(folder, FreeLoopbackPort(), Secret(), Secret(), Secret());
                JanusConfig.Write(launch, libDir, options);
                RotateLog(launch.LogFile);
                process = StartJanus(binary, launch);
                File.WriteAllText(pidFile, process.Id.ToString(CultureInfo.InvariantCulture));
                node.ProcessId = process.Id;
                await ConnectAsync(node, launch.Url, launch.ApiSecret, launch.RoomAdminKey, process, ct);
                logger.LogInformation("Janus is up (pid {Pid}, {Url}, generation {Generation}); log: {Log}",
                    process.Id, launch.Url, node.Generation, launch.LogFile);

                var exited = process.WaitForExitAsync(ct);
                var finished = await Task.WhenAny(exited, node.Client!.Closed);
                if (finished == exited && process.HasExited)
                {
                    logger.LogError("Janus exited with code {Code}; restarting (see {Log})", process.ExitCode, launch.LogFile);
                }
                else if (!ct.IsCancellationRequested)
                {
                    logger.LogError("Lost the connection to Janus (pid {Pid}); restarting it", process.Id);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Shutting down.
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Janus did not start; retrying in {Delay}", delay);
                status = new VoiceStatus(false, "Janus did not start: " + ex.Message);
            }
            finally
            {
                await TakeDownAsync(node);
                StopProcess(process);
                node.ProcessId = null;
                TryDelete(pidFile);
            }

            if (ct.IsCancellationRequested)
            {
                break;
            }

            if (status.Available || clock.GetElapsedTime(started) > HealthyRunResetsBackoff)
            {
                delay = TimeSpan.FromSeconds(1);
            }

            status = new VoiceStatus(false, "Janus is restarting");
            try
            {
                await Task.Delay(delay, clock, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, options.MaxRestartDelaySeconds));
        }
    }

    private async Task SuperviseExternalAsync(JanusNode node, Uri url, CancellationToken ct)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            var started = clock.GetTimestamp();
            try
            {
                await ConnectAsync(node, url, options.JanusApiSecret, options.JanusAdminKey, process: null, ct);
                logger.LogInformation("Connected to Janus at {Url} (generation {Generation})", url, node.Generation);
                await node.Client!.Closed.WaitAsync(ct);
                logger.LogError("Lost the connection to Janus at {Url}; reconnecting", url);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Shutting down.
            }
            catch (Exception ex)
            {
                logger.LogWarning("Janus at {Url} is not reachable: {Error}; retrying in {Delay}", url, ex.Message, delay);
            }
            finally
            {
                await TakeDownAsync(node);
            }

            UpdateStatusFromNodes();
            if (clock.GetElapsedTime(started) > HealthyRunResetsBackoff)
            {
                delay = TimeSpan.FromSeconds(1);
            }

            try
            {
                await Task.Delay(delay, clock, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, options.MaxRestartDelaySeconds));
        }
    }

    /// <summary>Connects (retrying while a fresh Janus is still starting), checks <c>info</c>, opens the server's session.</summary>
    private async Task ConnectAsync(JanusNode node, Uri url, string? apiSecret, string? adminKey, Process? process, CancellationToken ct)
    {
        var deadline = clock.GetUtcNow() + TimeSpan.FromSeconds(Math.Max(15, options.RequestTimeoutSeconds));
        JanusClient? client = null;
        while (client is null)
        {
            if (process is { HasExited: true })
            {
                throw new InvalidOperationException($"janus exited with code {process.ExitCode} while starting");
            }

            try
            {
                client = await JanusClient.ConnectAsync(url, apiSecret, RequestTimeout, clock, logger, ct);
            }
            catch (System.Net.WebSockets.WebSocketException) when (process is not null && clock.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), clock, ct);
            }
        }

        try
        {
            var info = await client.InfoAsync(ct);
            if (info["plugins"]?[VideoRoom.Plugin] is null)
            {
                throw new InvalidOperationException($"Janus at {url} has no VideoRoom plugin");
            }

            node.Session = await client.CreateSessionAsync(ct);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }

        node.Client = client;
        node.RoomAdminKey = adminKey;
        node.ResetRooms();
        node.Generation++;
        UpdateStatusFromNodes();
        try
        {
            NodeUp?.Invoke(this, new JanusNodeUpEventArgs(node));
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "A NodeUp handler failed");
        }
    }

    private async Task TakeDownAsync(JanusNode node)
    {
        var client = node.Client;
        var session = node.Session;
        node.Client = null;
        node.Session = null;
        UpdateStatusFromNodes();
        if (session is not null)
        {
            await session.DisposeAsync();
        }

        if (client is not null)
        {
            await client.DisposeAsync();
        }
    }

    private void UpdateStatusFromNodes()
    {
        var up = nodes.Count(n => n.IsUp);
        status = up > 0
            ? new VoiceStatus(true)
            : new VoiceStatus(false, options.UsesExternalJanus ? "no configured Janus server is reachable" : "Janus is not running");
    }

    private Process StartJanus(string binary, JanusLaunch launch)
    {
        var info = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = launch.Folder,
        };
        info.ArgumentList.Add("--config=" + launch.ConfigFile);
        info.ArgumentList.Add("--configs-folder=" + launch.Folder);
        info.ArgumentList.Add("--disable-stdout");
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {binary}");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 })
                logger.LogDebug("janus: {Line}", e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 })
                logger.LogWarning("janus: {Line}", e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void StopProcess(Process? process)
    {
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            logger.LogWarning("Could not stop Janus: {Error}", ex.Message);
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <summary>A Janus left behind by a crashed Voxora still holds ports; stop it if (and only if) it runs our config.</summary>
    private void KillStaleChild(string pidFile, string folder)
    {
        try
        {
            if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile), CultureInfo.InvariantCulture, out var pid))
            {
                return;
            }

            var cmdline = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline";
            if (File.Exists(cmdline) && File.ReadAllText(cmdline).Contains(Path.Combine(folder, "janus.jcfg"), StringComparison.Ordinal))
            {
                logger.LogWarning("Stopping Janus pid {Pid} left over from an earlier run", pid);
                using var stale = Process.GetProcessById(pid);
                stale.Kill();
                stale.WaitForExit(5000);
            }
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not check for a stale Janus: {Error}", ex.Message);
        }
    }

    private static void RotateLog(string logFile)
    {
        if (File.Exists(logFile))
        {
            File.Move(logFile, logFile + ".1", overwrite: true);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private static string Secret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var node in nodes)
        {
            await TakeDownAsync(node);
        }
    }
}
