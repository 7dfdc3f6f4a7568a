using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Voxora.Bench;

/// <summary>What one run of a scenario measured: named figures, correctness failures, optional steps (knee search).</summary>
public sealed class ScenarioResult(string scenario, string provider)
{
    public string Scenario { get; } = scenario;
    public string Provider { get; } = provider;
    public Dictionary<string, string> Parameters { get; } = [];
    public List<KeyValuePair<string, double>> Metrics { get; } = [];

    /// <summary>Correctness problems (lost or duplicated events, READY missing, wrong pages …). Empty = correct.</summary>
    public List<string> Failures { get; } = [];

    public List<string> Notes { get; } = [];

    /// <summary>Sub-results (one per offered rate in a knee search).</summary>
    public List<ScenarioResult> Steps { get; } = [];

    public bool Ok => Failures.Count == 0 && Steps.All(s => s.Ok || s.Parameters.ContainsKey("knee_probe"));

    public void Add(string name, double value)
    {
        var i = Metrics.FindIndex(m => m.Key == name);
        if (i >= 0)
        {
            Metrics[i] = new(name, value);
        }
        else
        {
            Metrics.Add(new(name, value));
        }
    }

    public double Get(string name) => Metrics.First(m => m.Key == name).Value;

    public double? TryGet(string name) => Metrics.FindIndex(m => m.Key == name) is var i and >= 0 ? Metrics[i].Value : null;

    public void AddLatency(string prefix, Histogram h)
    {
        Add(prefix + "_p50_ms", h.PercentileMs(0.50));
        Add(prefix + "_p95_ms", h.PercentileMs(0.95));
        Add(prefix + "_p99_ms", h.PercentileMs(0.99));
        Add(prefix + "_max_ms", h.MaxMs);
    }

    public JsonObject ToJson()
    {
        var metrics = new JsonObject();
        foreach (var (k, v) in Metrics)
        {
            metrics[k] = double.IsFinite(v) ? JsonValue.Create(Math.Round(v, 3)) : null;
        }

        var parameters = new JsonObject();
        foreach (var (k, v) in Parameters)
        {
            parameters[k] = v;
        }

        var json = new JsonObject
        {
            ["scenario"] = Scenario,
            ["provider"] = Provider,
            ["ok"] = Ok,
            ["parameters"] = parameters,
            ["metrics"] = metrics,
            ["failures"] = new JsonArray(Failures.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray()),
            ["notes"] = new JsonArray(Notes.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray()),
        };
        if (Steps.Count > 0)
        {
            json["steps"] = new JsonArray(Steps.Select(s => (JsonNode?)s.ToJson()).ToArray());
        }

        return json;
    }

    internal static string Format(double v) =>
        !double.IsFinite(v) ? "–"
        : Math.Abs(v) >= 100 || v == Math.Floor(v) ? v.ToString("0", CultureInfo.InvariantCulture)
        : v.ToString("0.##", CultureInfo.InvariantCulture);
}

/// <summary>Markdown tables and the JSON file.</summary>
public static class Report
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>One column per run (and a median column when there are several runs).</summary>
    public static string Markdown(IReadOnlyList<ScenarioResult> runs)
    {
        var first = runs[0];
        var sb = new StringBuilder();
        sb.Append("### ").Append(first.Scenario).Append(" (").Append(first.Provider).Append(")\n\n");
        sb.Append(string.Join(", ", first.Parameters.Select(p => $"{p.Key}={p.Value}"))).Append("\n\n");
        var names = runs.SelectMany(r => r.Metrics.Select(m => m.Key)).Distinct().ToList();
        sb.Append("| metric |");
        if (runs.Count > 1)
        {
            sb.Append(" median |");
        }

        for (var i = 0; i < runs.Count; i++)
        {
            sb.Append(" run ").Append(i + 1).Append(" |");
        }

        sb.Append('\n').Append("|---|").Append(string.Concat(Enumerable.Repeat("---:|", runs.Count + (runs.Count > 1 ? 1 : 0)))).Append('\n');
        foreach (var name in names)
        {
            sb.Append("| ").Append(name).Append(" |");
            if (runs.Count > 1)
            {
                sb.Append(' ').Append(ScenarioResult.Format(Median(runs, name))).Append(" |");
            }

            foreach (var run in runs)
            {
                sb.Append(' ').Append(run.TryGet(name) is { } v ? ScenarioResult.Format(v) : "–").Append(" |");
            }

            sb.Append('\n');
        }

        foreach (var run in runs.Where(r => r.Steps.Count > 0))
        {
            sb.Append("\nSteps:\n\n| offered/s | achieved/s | deliveries/s | p50 ms | p99 ms | max ms | lost | dup | pass |\n|---:|---:|---:|---:|---:|---:|---:|---:|:---:|\n");
            foreach (var s in run.Steps)
            {
                sb.Append(CultureInfo.InvariantCulture, $"| {F(s, "offered_rate")} | {F(s, "achieved_rate")} | {F(s, "deliveries_per_s")} | {F(s, "delivery_p50_ms")} | {F(s, "delivery_p99_ms")} | {F(s, "delivery_max_ms")} | {F(s, "lost")} | {F(s, "duplicated")} | {(s.TryGet("pass") == 1 ? "yes" : "no")} |\n");
            }
        }

        foreach (var run in runs)
        {
            foreach (var f in run.Failures)
            {
                sb.Append("\n**FAILURE**: ").Append(f);
            }

            foreach (var n in run.Notes.Distinct())
            {
                sb.Append("\nnote: ").Append(n);
            }
        }

        return sb.Append('\n').ToString();
    }

    private static string F(ScenarioResult r, string name) => r.TryGet(name) is { } v ? ScenarioResult.Format(v) : "–";

    public static double Median(IReadOnlyList<ScenarioResult> runs, string name)
    {
        var values = runs.Select(r => r.TryGet(name)).Where(v => v is not null).Select(v => v!.Value).Order().ToList();
        if (values.Count == 0)
        {
            return double.NaN;
        }

        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    public static async Task WriteJsonAsync(string path, IReadOnlyList<ScenarioResult> runs, JsonObject environment)
    {
        var medians = new JsonObject();
        foreach (var name in runs.SelectMany(r => r.Metrics.Select(m => m.Key)).Distinct())
        {
            var m = Median(runs, name);
            medians[name] = double.IsFinite(m) ? JsonValue.Create(Math.Round(m, 3)) : null;
        }

        var json = new JsonObject
        {
            ["environment"] = environment,
            ["median"] = medians,
            ["runs"] = new JsonArray(runs.Select(r => (JsonNode?)r.ToJson()).ToArray()),
        };
        await File.WriteAllTextAsync(path, json.ToJsonString(Indented));
    }
}
