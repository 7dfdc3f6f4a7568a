using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Voxora.Client;
using Voxora.Protocol;

namespace Voxora.Server.Tests;

/// <summary>
/// The real thing: <c>dotnet Voxora.Server.dll</c> as its own process, stopped with SIGTERM as an orchestrator
/// stops it. It must tell its gateway clients to reconnect and exit 0 well within the 30 s shutdown budget.
/// </summary>
public sealed partial class DrainProcessTests
{
    [Fact]
    public async Task SIGTERM_tells_gateway_clients_to_reconnect_and_the_process_exits_0_within_30_seconds()
    {
        var dataDir = Directory.CreateTempSubdirectory("voxora-sigterm-").FullName;
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDir,
        };
        psi.ArgumentList.Add(ServerDll());
        psi.Environment["VOXORA_URLS"] = "http://127.0.0.1:0";
        psi.Environment["VOXORA_DATA_DIR"] = dataDir;
        psi.Environment["VOXORA_DATABASE__PROVIDER"] = "sqlite";
        psi.Environment["VOXORA_VOICE__ENABLED"] = "false";
        psi.Environment.Remove("VOXORA_DATABASE__CONNECTIONSTRING");
        psi.Environment.Remove("VOXORA_REDIS__CONFIGURATION");

        using var server = Process.Start(psi)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (RunningAt().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups["url"].Value + "/"));
            }
        };
        server.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.Enqueue(e.Data);
            }
        };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();

        try
        {
            var baseAddress = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using var api = new VoxoraClient(baseAddress);
            var username = "sigterm" + Random.Shared.Next(1000, 9999);
            await api.RegisterAsync(username, "correct horse battery");
            await api.LoginAsync(username, "correct horse battery");
            await using var gateway = await GatewayClient.ConnectAsync(baseAddress);
            await gateway.IdentifyAsync(api.AccessToken!);

            var watch = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            GatewayFrame frame;
            do
            {
                frame = await gateway.ReceiveAsync(TimeSpan.FromSeconds(10));
            }
            while (frame.Op is GatewayOp.HeartbeatAck or GatewayOp.Dispatch);

            Assert.Equal(GatewayOp.Reconnect, frame.Op);
            Assert.Equal(ReconnectReasons.Draining, frame.D!.Value.Deserialize(VoxoraJsonContext.Default.ReconnectPayload)!.Reason);
            var (status, _) = await gateway.Closed.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(GatewayCloseCodes.ServerDraining, (int?)status);

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await server.WaitForExitAsync(deadline.Token);
            Assert.True(server.ExitCode == 0, $"exit code {server.ExitCode}:\n{string.Join('\n', output)}");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"stopping took {watch.Elapsed}");
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
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

    /// <summary>The server build next to this test build (same configuration), as scripts/run.sh would start it.</summary>
    private static string ServerDll()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        for (var dir = testBin; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Voxora.slnx")))
            {
                var dll = Path.Combine(dir.FullName, "src", "Voxora.Server", "bin", configuration, framework, "Voxora.Server.dll");
                Assert.True(File.Exists(dll), $"server build not found at {dll}");
                return dll;
            }
        }

        throw new InvalidOperationException("Voxora.slnx not found above " + testBin.FullName);
    }

    [GeneratedRegex("Voxora is running at (?<url>http://\\S+)")]
    private static partial Regex RunningAt();
}
