using System.Globalization;
using System.Text;

namespace Voxora.Server.Features.Voice;

/// <summary>Per-start secrets and the port of a local Janus.</summary>
public sealed record JanusLaunch(string Folder, int WsPort, string ApiSecret, string AdminSecret, string RoomAdminKey)
{
    public string ConfigFile => Path.Combine(Folder, "janus.jcfg");
    public string LogFile => Path.Combine(Folder, "janus.log");
    public Uri Url => new($"ws://127.0.0.1:{WsPort.ToString(CultureInfo.InvariantCulture)}/");
}

/// <summary>
/// Writes the configuration folder of a local Janus: <c>janus.jcfg</c>, the WebSocket transport bound to
/// 127.0.0.1, the VideoRoom plugin, and plugin/transport folders holding links to only those two libraries,
/// so nothing else (HTTP transport, SIP, streaming…) is ever loaded.
/// </summary>
public static class JanusConfig
{
    public const string VideoRoomLibrary = "libjanus_videoroom.so";
    public const string WebSocketsLibrary = "libjanus_websockets.so";

    /// <summary>The folder holding <c>plugins/</c> and <c>transports/</c>, or null with what was searched.</summary>
    public static string? FindLibDir(string? configured, string binary, out string searched)
    {
        var candidates = new List<string>();
        if (configured is { Length: > 0 })
        {
            candidates.Add(configured);
        }
        else
        {
            var binDir = Path.GetDirectoryName(binary);
            if (binDir is { Length: > 0 })
            {
                candidates.Add(Path.GetFullPath(Path.Combine(binDir, "..", "lib", "janus")));
            }

            if (Directory.Exists("/usr/lib"))
            {
                // Debian: /usr/lib/<multiarch triplet>/janus
                candidates.AddRange(Directory.EnumerateDirectories("/usr/lib").Select(d => Path.Combine(d, "janus")).Order(StringComparer.Ordinal));
            }

            candidates.AddRange(["/usr/lib/janus", "/usr/local/lib/janus", "/opt/janus/lib/janus"]);
        }

        searched = string.Join(", ", candidates.Distinct(StringComparer.Ordinal));
        return candidates.FirstOrDefault(d =>
            File.Exists(Path.Combine(d, "plugins", VideoRoomLibrary)) && File.Exists(Path.Combine(d, "transports", WebSocketsLibrary)));
    }

    /// <summary>The executable: a path as given, or the first match on PATH.</summary>
    public static string? FindBinary(string configured)
    {
        if (configured.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(configured) ? Path.GetFullPath(configured) : null;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, configured);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return File.Exists("/usr/bin/" + configured) ? "/usr/bin/" + configured : null;
    }

    /// <summary>(Re)creates the folder's generated files. Secrets and the port are the caller's.</summary>
    public static void Write(JanusLaunch launch, string libDir, VoiceOptions options)
    {
        Directory.CreateDirectory(launch.Folder);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(launch.Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        LinkOnly(Path.Combine(launch.Folder, "plugins"), Path.Combine(libDir, "plugins", VideoRoomLibrary));
        LinkOnly(Path.Combine(launch.Folder, "transports"), Path.Combine(libDir, "transports", WebSocketsLibrary));
        Directory.CreateDirectory(Path.Combine(launch.Folder, "empty"));

        WriteSecret(launch.ConfigFile, Core(launch, options));
        WriteSecret(Path.Combine(launch.Folder, "janus.transport.websockets.jcfg"), WebSockets(launch));
        WriteSecret(Path.Combine(launch.Folder, "janus.plugin.videoroom.jcfg"), VideoRoomPlugin(launch));
    }

    public static string Core(JanusLaunch launch, VoiceOptions options)
    {
        var nat = new StringBuilder();
        nat.Append(CultureInfo.InvariantCulture, $"  ice_ignore_list = {Quote(options.IceIgnoreList)}\n");
        if (options.IceEnforceList is { Length: > 0 } enforce)
            nat.Append(CultureInfo.InvariantCulture, $"  ice_enforce_list = {Quote(enforce)}\n");
        if (options.Nat11 is { Length: > 0 } nat11)
            nat.Append(CultureInfo.InvariantCulture, $"  nat_1_1_mapping = {Quote(nat11)}\n");
        if (options.JanusStun is { Length: > 0 } stun)
        {
            var parts = stun.Split(':', 2);
            nat.Append(CultureInfo.InvariantCulture, $"  stun_server = {Quote(parts[0])}\n");
            nat.Append(CultureInfo.InvariantCulture, $"  stun_port = {(parts.Length > 1 ? parts[1] : "3478")}\n");
        }

        // Half-trickle: Janus puts its own candidates in its SDP, so one answer/offer carries everything.
        nat.Append("  full_trickle = false\n");
        nat.Append("  ignore_mdns = true\n");

        var f = launch.Folder;
        return $$"""
            # Generated by Voxora at every start; edits are lost. See docs/voice.md.
            general: {
              configs_folder = {{Quote(f)}}
              plugins_folder = {{Quote(Path.Combine(f, "plugins"))}}
              transports_folder = {{Quote(Path.Combine(f, "transports"))}}
              events_folder = {{Quote(Path.Combine(f, "empty"))}}
              loggers_folder = {{Quote(Path.Combine(f, "empty"))}}
              log_to_stdout = false
              log_to_file = {{Quote(launch.LogFile)}}
              debug_level = 4
              debug_timestamps = true
              debug_colors = false
              api_secret = {{Quote(launch.ApiSecret)}}
              admin_secret = {{Quote(launch.AdminSecret)}}
              session_timeout = 60
              server_name = "voxora"
              protected_folders = ["/bin", "/boot", "/dev", "/etc", "/lib", "/proc", "/sbin", "/sys", "/usr", "/var"]
            }
            certificates: {
            }
            media: {
              rtp_port_range = "{{options.RtpPortMin.ToString(CultureInfo.InvariantCulture)}}-{{options.RtpPortMax.ToString(CultureInfo.InvariantCulture)}}"
            }
            nat: {
            {{nat.ToString().TrimEnd('\n')}}
            }
            plugins: {
            }
            transports: {
            }
            events: {
              broadcast = false
            }

            """;
    }

    public static string WebSockets(JanusLaunch launch) => $$"""
        general: {
          json = "compact"
          ws = true
          ws_port = {{launch.WsPort.ToString(CultureInfo.InvariantCulture)}}
          ws_ip = "127.0.0.1"
          wss = false
        }
        admin: {
          admin_ws = false
          admin_wss = false
        }

        """;

    public static string VideoRoomPlugin(JanusLaunch launch) => $$"""
        general: {
          admin_key = {{Quote(launch.RoomAdminKey)}}
          events = false
        }

        """;

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static void LinkOnly(string folder, string target)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        File.CreateSymbolicLink(Path.Combine(folder, Path.GetFileName(target)), target);
    }

    private static void WriteSecret(string path, string content)
    {
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
