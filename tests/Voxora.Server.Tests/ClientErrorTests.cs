using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests;

/// <summary>
/// Client mistakes are the client's (security review, issue 12 finding 10): every route that takes a body
/// answers an empty, malformed, wrongly typed or wrongly labelled body with one of the project's own
/// problem documents (a stable <c>code</c>, never the framework's wording), and nothing a client sends
/// is logged at Error. Duplicates racing a unique index are 409 problems, not server errors.
/// </summary>
public abstract class ClientErrorTests(Provider provider)
{
    /// <summary>Keeps every log entry at Warning and above, with whether it carried an exception.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string Category, string Message, Exception? Exception)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Warning)
                {
                    owner.Entries.Enqueue((logLevel, category, formatter(state, exception), exception));
                }
            }
        }
    }

    private static readonly Dictionary<string, string?> LogEverything = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware"] = "Information",
    };

    private static async Task<(TestServer Server, CapturingLoggerProvider Logs)> StartAsync(Provider provider)
    {
        var logs = new CapturingLoggerProvider();
        var server = await TestServer.StartAsync(provider, LogEverything, services: s => s.AddSingleton<ILoggerProvider>(logs));
        return (server, logs);
    }

    private static void AssertNoErrorLogged(CapturingLoggerProvider logs, string context)
    {
        var errors = logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, $"{context}: logged at Error: " + string.Join(" | ", errors.Select(e => $"{e.Category}: {e.Message} {e.Exception?.GetType().Name}")));
    }

    private static async Task AssertProjectProblemAsync(HttpResponseMessage response, string what)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status is >= 400 and < 500, $"{what}: expected a 4xx, got {status} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        var code = problem.RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
        var knownCodes = typeof(ProblemCodes).GetFields().Select(f => (string?)f.GetValue(null)).ToHashSet();
        Assert.True(code is not null && knownCodes.Contains(code), $"{what}: code {code} is not a project problem code ({body})");
        Assert.DoesNotContain("implicit", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("parameter \"", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Microsoft.", body, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", body, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> SendAsync(Voxora.Client.VoxoraClient client, HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", client.AccessToken);
        return client.Http.SendAsync(request);
    }

    [Fact]
    public async Task Every_route_with_a_body_answers_bad_bodies_with_a_project_problem_and_logs_no_error()
    {
        var (server, logs) = await StartAsync(provider);
        await using var _s = server;
        var (owner, ownerUser, _) = await server.NewUserAsync("owner");
        var (member, memberUser, _) = await server.NewUserAsync("member");
        using var _o = owner;
        using var _m = member;
        var community = await owner.CreateCommunityAsync("errors");
        var invite = await owner.CreateInviteAsync(community.Id);
        await member.AcceptInviteAsync(invite.Code);
        var channel = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("walk", ChannelTypes.Text));
        var message = await owner.SendMessageAsync(channel.Id, "hello");

        var routeValues = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["communityId"] = community.Id,
            ["channelId"] = channel.Id,
            ["messageId"] = message.Id,
            ["userId"] = memberUser.Id,
            ["code"] = invite.Code,
            ["roleId"] = community.Id,
            ["targetType"] = "role",
            ["targetId"] = community.Id,
            ["emoji"] = "%F0%9F%91%8D",
            ["sessionId"] = "ses_unknown",
            ["reportId"] = "rep_unknown",
            ["passkeyId"] = "pk_unknown",
        };

        var endpoints = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAcceptsMetadata>() is { RequestType: not null })
            .ToList();
        Assert.True(endpoints.Count >= 20, $"only {endpoints.Count} routes with a body were found");

        var cases = new (string Name, Func<HttpContent> Body, bool SkipWhenBodyOptional)[]
        {
            ("empty body", () => new StringContent("", Encoding.UTF8, "application/json"), true),
            ("no body at all", () => new ByteArrayContent([]), true),
            ("malformed JSON", () => new StringContent("{\"name\": ", Encoding.UTF8, "application/json"), false),
            ("an array", () => new StringContent("[1,2,3]", Encoding.UTF8, "application/json"), false),
            ("a string", () => new StringContent("\"text\"", Encoding.UTF8, "application/json"), false),
            ("null", () => new StringContent("null", Encoding.UTF8, "application/json"), true),
            ("wrong content type", () => new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded"), false),
        };

        var checkedRequests = 0;
        foreach (var endpoint in endpoints)
        {
            var accepts = endpoint.Metadata.GetMetadata<IAcceptsMetadata>()!;
            var method = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.FirstOrDefault() ?? "POST";
            var path = endpoint.RoutePattern.RawText!.TrimStart('/');
            foreach (var parameter in endpoint.RoutePattern.Parameters)
            {
                Assert.True(routeValues.TryGetValue(parameter.Name, out var value), $"no value for route parameter {parameter.Name} in {path}");
                path = path.Replace("{" + parameter.Name + "}", value, StringComparison.Ordinal);
            }

            foreach (var (name, body, skipWhenOptional) in cases)
            {
                if (skipWhenOptional && accepts.IsOptional)
                {
                    continue;
                }

                // The member, not the owner: nothing the walk might let through can change the community.
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body() };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", member.AccessToken);
                using var response = await member.Http.SendAsync(request);
                await AssertProjectProblemAsync(response, $"{method} {endpoint.RoutePattern.RawText} with {name}");
                checkedRequests++;
            }
        }

        Assert.True(checkedRequests > 100, $"only {checkedRequests} requests were checked");
        AssertNoErrorLogged(logs, "bad bodies");
        _ = ownerUser;
    }

    [Fact]
    public async Task The_empty_body_problem_uses_the_projects_words_not_the_frameworks()
    {
        var (server, logs) = await StartAsync(provider);
        await using var _s = server;
        var (client, _, _) = await server.NewUserAsync("words");
        using var _c = client;
        using var response = await SendAsync(client, HttpMethod.Post, "api/v1/communities", new StringContent("", Encoding.UTF8, "application/json"));
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.MalformedRequest, response);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("needs a JSON request body", body, StringComparison.Ordinal);
        Assert.DoesNotContain("inferred", body, StringComparison.OrdinalIgnoreCase);
        AssertNoErrorLogged(logs, "empty body");
    }

    [Fact]
    public async Task Concurrent_duplicates_are_answered_as_conflicts_and_log_no_error()
    {
        var (server, logs) = await StartAsync(provider);
        await using var _s = server;

        // The same username registered eight times at once: one wins, the rest are told it is taken.
        var name = "dup" + Guid.NewGuid().ToString("N")[..8];
        var clients = Enumerable.Range(0, 8).Select(_ => server.NewClient()).ToList();
        var registrations = await Task.WhenAll(clients.Select(c =>
            c.Http.PostAsync("api/v1/auth/register", new StringContent($$"""{"username":"{{name}}","password":"correct horse battery"}""", Encoding.UTF8, "application/json"))));
        Assert.Equal(1, registrations.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in registrations.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.UsernameTaken, refused);
        }

        // The same reaction added eight times at once, and the same invite accepted eight times at once.
        var (owner, _, _) = await server.NewUserAsync("dupowner");
        var (joiner, _, _) = await server.NewUserAsync("dupjoiner");
        using var _o = owner;
        using var _j = joiner;
        var community = await owner.CreateCommunityAsync("dups");
        var channel = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("walk", ChannelTypes.Text));
        var message = await owner.SendMessageAsync(channel.Id, "react to me");
        var reactions = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            SendAsync(owner, HttpMethod.Put, $"api/v1/channels/{channel.Id}/messages/{message.Id}/reactions/%F0%9F%91%8D/@me")));
        Assert.All(reactions, r => Assert.True((int)r.StatusCode is >= 200 and < 300 or 409, $"reaction: {(int)r.StatusCode}"));

        var invite = await owner.CreateInviteAsync(community.Id);
        var accepts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SendAsync(joiner, HttpMethod.Post, $"api/v1/invites/{invite.Code}/accept")));
        Assert.All(accepts, r => Assert.True((int)r.StatusCode is >= 200 and < 300 or 409, $"accept: {(int)r.StatusCode}"));
        Assert.Equal(2, (await owner.GetMembersAsync(community.Id)).Count);

        foreach (var response in registrations.Concat(reactions).Concat(accepts))
        {
            response.Dispose();
        }

        foreach (var client in clients)
        {
            client.Dispose();
        }

        AssertNoErrorLogged(logs, "duplicates");
    }
}

public sealed class ClientErrorTestsOnSqlite() : ClientErrorTests(Provider.Sqlite);

public sealed class ClientErrorTestsOnPostgres() : ClientErrorTests(Provider.Postgres);
