using System.Text.Json;
using System.Text.RegularExpressions;
using Voxora.Client;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// deploy/grafana/voxora.json and deploy/prometheus/alerts.yml name only metrics a live server serves at <c>/metrics</c>
/// (after some traffic, on PostgreSQL, in a cluster, with voice on), so a renamed metric cannot leave a silent panel or
/// an alert that never fires. <c>up</c> is Prometheus's own and is not looked for.
/// </summary>
public sealed partial class MonitoringFilesTests
{
    private static readonly string RepoRoot = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Voxora.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Voxora.slnx not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\b(?:voxora|microsoft_aspnetcore|npgsql|process|dotnet)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^\s*expr:\s*(\|)?\s*(.*)$")]
    private static partial Regex ExprLine();

    /// <summary>Every PromQL expression of the dashboard's panels.</summary>
    private static List<string> DashboardExpressions()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot, "deploy", "grafana", "voxora.json")));
        return dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString()!)
            .ToList();
    }

    /// <summary>Every rule's expression (one line, or a block scalar: the more indented lines after <c>expr: |</c>).</summary>
    private static List<string> AlertExpressions()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoRoot, "deploy", "prometheus", "alerts.yml"));
        var expressions = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var match = ExprLine().Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }

            if (!match.Groups[1].Success)
            {
                expressions.Add(match.Groups[2].Value);
                continue;
            }

            var indent = lines[i].Length - lines[i].TrimStart().Length;
            var block = new List<string>();
            while (i + 1 < lines.Length && (lines[i + 1].Trim().Length == 0 || lines[i + 1].Length - lines[i + 1].TrimStart().Length > indent))
            {
                block.Add(lines[++i].Trim());
            }

            expressions.Add(string.Join(' ', block));
        }

        return expressions;
    }

    [Fact]
    public void The_dashboard_and_the_rules_cover_what_operators_watch()
    {
        var dashboard = string.Join('\n', DashboardExpressions());
        foreach (var needed in new[]
                 {
                     "http_server_request_duration_bucket", "voxora_node_gateway_sessions", "voxora_gateway_dispatches", "close_code=\"4011\"",
                     "voxora_messages_writer_batch_size", "npgsql_db_client_operation_duration", "rate_limiting_requests", "voxora_auth_login_failures",
                     "voxora_node_voice_participants", "voxora_node_voice_rooms", "voxora_node_janus_up", "voxora_node_redis_up", "process_cpu_seconds_total",
                     "dotnet_collection_count_total",
                 })
        {
            Assert.Contains(needed, dashboard, StringComparison.Ordinal);
        }

        var alerts = File.ReadAllText(Path.Combine(RepoRoot, "deploy", "prometheus", "alerts.yml"));
        foreach (var alert in new[] { "VoxoraNodeDown", "VoxoraHighErrorRate", "VoxoraHighLatencyP99", "VoxoraSlowConsumers", "VoxoraJanusDown", "VoxoraDiskLow" })
        {
            Assert.Contains($"alert: {alert}", alerts, StringComparison.Ordinal);
        }

        Assert.Equal(8, AlertExpressions().Count);
    }

    [Fact]
    public async Task Every_metric_the_dashboard_and_the_rules_name_is_in_a_live_scrape()
    {
        var settings = new Dictionary<string, string?>
        {
            ["REDIS:CONFIGURATION"] = ClusterNodes.RedisConfiguration,
            ["REDIS:PREFIX"] = "vxt" + Guid.NewGuid().ToString("N")[..10],
            ["VOICE:ENABLED"] = "true",
            // A Janus server that is not there: janus_up 0 and its room count are still reported.
            ["VOICE:JANUS_URL"] = "ws://127.0.0.1:9/",
        };
        await using var server = await TestServer.StartAsync(Provider.Postgres, settings);

        // Traffic: requests, a message (writer batch, dispatch), a failed login, a gateway connection the server closes.
        var (owner, _, community) = await server.NewCommunityAsync();
        using var _o = owner;
        await owner.SendMessageAsync(community.TextChannel().Id, "measured");
        using var stranger = server.NewClient();
        await Assert.ThrowsAsync<VoxoraApiException>(() => stranger.LoginAsync("nobody-" + Guid.NewGuid().ToString("N")[..8], "wrong password!"));
        await using (var gateway = await GatewayClient.ConnectAsync(server.BaseAddress))
        {
            await gateway.SendRawAsync("not json"u8.ToArray());
            await gateway.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        }

        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var scrape = await http.GetStringAsync("/metrics");
        var served = scrape.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line[..line.IndexOfAny(['{', ' '])])
            .ToHashSet(StringComparer.Ordinal);

        var referenced = DashboardExpressions().Concat(AlertExpressions())
            .SelectMany(e => MetricName().Matches(e).Select(m => m.Value))
            .ToHashSet(StringComparer.Ordinal);
        Assert.True(referenced.Count >= 20, string.Join(", ", referenced));
        var missing = referenced.Where(name => !served.Contains(name)).Order().ToList();
        Assert.True(missing.Count == 0, $"named in deploy/ but not served at /metrics: {string.Join(", ", missing)}");
    }
}
