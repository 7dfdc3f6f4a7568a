using System.Diagnostics;
using System.Text.Json.Nodes;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// The OpenAPI document the server serves is a source for anyone's client (issue 17): it passes `redocly lint` with the
/// recommended rules, and the copy committed for the web client's generated types (web/src/api/generated/openapi.json)
/// is the one the server serves. The document does not depend on the database provider, so this runs on SQLite only.
/// </summary>
public sealed class OpenApiDocumentTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private static readonly string RepoRoot = FindRepoRoot();

    private async Task<string> ServedDocumentAsync()
    {
        using var client = fixture.Server.NewClient();
        var json = await client.Http.GetStringAsync("openapi/v1.json");
        // Normalised (indented, one trailing newline) so the committed copy diffs readably.
        var text = JsonNode.Parse(json)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
        var dir = Path.Combine(RepoRoot, "artifacts", "openapi");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "v1.json"), text);
        return text;
    }

    [Fact]
    public async Task The_served_document_passes_redocly_lint_with_the_recommended_rules()
    {
        await ServedDocumentAsync();
        var cli = Path.Combine(RepoRoot, "tools", "redocly", "node_modules", "@redocly", "cli", "bin", "cli.js");
        Assert.True(File.Exists(cli), $"Redocly CLI not installed at {cli}: run `npm ci` in tools/redocly (scripts/test.sh does)");

        var (exitCode, output) = await NodeAsync(
            "redocly", cli, "lint", Path.Combine(RepoRoot, "artifacts", "openapi", "v1.json"),
            "--config", Path.Combine(RepoRoot, "tools", "redocly", "redocly.yaml"), "--format", "stylish");
        Assert.True(exitCode == 0, $"redocly lint found errors in the served OpenAPI document (artifacts/openapi/v1.json):\n{output}");
    }

    [Fact]
    public async Task The_committed_copy_for_the_web_client_is_the_served_document()
    {
        var served = await ServedDocumentAsync();
        var committedPath = Path.Combine(RepoRoot, "web", "src", "api", "generated", "openapi.json");
        if (Environment.GetEnvironmentVariable("VOXORA_OPENAPI_UPDATE") == "1")
        {
            await File.WriteAllTextAsync(committedPath, served);
        }

        Assert.True(File.Exists(committedPath), $"{committedPath} is missing: run scripts/openapi-types.sh");
        var committed = (await File.ReadAllTextAsync(committedPath)).ReplaceLineEndings("\n");
        Assert.True(
            committed == served,
            "web/src/api/generated/openapi.json differs from the document the server serves (artifacts/openapi/v1.json): "
            + "run scripts/openapi-types.sh and commit the result");
    }

    [Fact]
    public async Task The_committed_web_client_types_are_generated_from_the_served_document()
    {
        await ServedDocumentAsync();
        var cli = Path.Combine(RepoRoot, "tools", "openapi-typescript", "node_modules", "openapi-typescript", "bin", "cli.js");
        Assert.True(File.Exists(cli), $"openapi-typescript not installed at {cli}: run `npm ci` in tools/openapi-typescript (scripts/test.sh does)");
        var generatedPath = Path.Combine(RepoRoot, "artifacts", "openapi", "schema.ts");
        var (exitCode, output) = await NodeAsync(
            "openapi-typescript", cli, Path.Combine(RepoRoot, "artifacts", "openapi", "v1.json"), "--output", generatedPath);
        Assert.True(exitCode == 0, $"openapi-typescript failed on the served document:\n{output}");

        var generated = (await File.ReadAllTextAsync(generatedPath)).ReplaceLineEndings("\n");
        var committedPath = Path.Combine(RepoRoot, "web", "src", "api", "generated", "schema.ts");
        if (Environment.GetEnvironmentVariable("VOXORA_OPENAPI_UPDATE") == "1")
        {
            await File.WriteAllTextAsync(committedPath, generated);
        }

        Assert.True(File.Exists(committedPath), $"{committedPath} is missing: run scripts/openapi-types.sh");
        Assert.True(
            (await File.ReadAllTextAsync(committedPath)).ReplaceLineEndings("\n") == generated,
            "web/src/api/generated/schema.ts differs from what openapi-typescript makes of the served document "
            + "(artifacts/openapi/schema.ts): run scripts/openapi-types.sh and commit the result");
    }

    /// <summary>Runs a pinned npm tool of tools/<paramref name="tool"/> with node; its exit code and output.</summary>
    private static async Task<(int ExitCode, string Output)> NodeAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Path.Combine(RepoRoot, "tools", tool),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Voxora.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Voxora.slnx) not found above " + AppContext.BaseDirectory);
    }
}
