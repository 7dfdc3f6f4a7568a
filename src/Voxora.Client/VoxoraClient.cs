using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>
/// A small typed client for the Voxora REST API, used by the tests and the bench tool so the wire
/// format is exercised exactly as third-party clients see it. Holds one user's tokens.
/// </summary>
public sealed partial class VoxoraClient : IDisposable
{
    private readonly bool ownsHttp;

    public VoxoraClient(Uri baseAddress, HttpMessageHandler? handler = null)
    {
        Http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        Http.BaseAddress = baseAddress;
        ownsHttp = true;
    }

    public VoxoraClient(HttpClient http)
    {
        Http = http;
        ownsHttp = false;
    }

    /// <summary>The underlying client, for requests this class has no method for (e.g. deliberately malformed ones).</summary>
    public HttpClient Http { get; }

    public string? AccessToken { get; set; }
    public string? RefreshToken { get; set; }

    private static VoxoraJsonContext Json => VoxoraJsonContext.Default;

    // ---- auth ----

    public Task<User> RegisterAsync(string username, string password, string? email = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/auth/register", new RegisterRequest(username, password, email), Json.RegisterRequest, Json.User, ct, authenticated: false);

    /// <summary>Logs in and keeps the tokens for later calls. For an account with two-factor sign-in use <see cref="StartLoginAsync"/>.</summary>
    public async Task<TokenResponse> LoginAsync(string login, string password, CancellationToken ct = default) =>
        (await StartLoginAsync(login, password, ct)).Tokens
        ?? throw new InvalidOperationException("This account has two-factor sign-in on: use StartLoginAsync and VerifyMfaAsync.");

    /// <summary>Spends the held refresh token (or the given one) and keeps the new pair.</summary>
    public async Task<TokenResponse> RefreshAsync(string? refreshToken = null, CancellationToken ct = default)
    {
        var tokens = await SendAsync(HttpMethod.Post, "api/v1/auth/refresh", new RefreshRequest(refreshToken ?? RefreshToken), Json.RefreshRequest, Json.TokenResponse, ct, authenticated: false);
        Remember(tokens);
        return tokens;
    }

    public Task LogoutAsync(CancellationToken ct = default) => SendAsync(HttpMethod.Post, "api/v1/auth/logout", ct);

    public Task<List<SessionInfo>> GetSessionsAsync(CancellationToken ct = default) =>
        GetAsync("api/v1/auth/sessions", Json.ListSessionInfo, ct);

    public Task RevokeSessionAsync(string sessionId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/auth/sessions/{Uri.EscapeDataString(sessionId)}", ct);

    // ---- users ----

    public Task<User> GetMeAsync(CancellationToken ct = default) => GetAsync("api/v1/users/@me", Json.User, ct);

    public Task<User> UpdateMeAsync(string? displayName, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Patch, "api/v1/users/@me", new UpdateMeRequest(displayName), Json.UpdateMeRequest, Json.User, ct);

    public Task ChangePasswordAsync(string currentPassword, string newPassword, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/users/@me/password", new ChangePasswordRequest(currentPassword, newPassword), Json.ChangePasswordRequest, ct);

    // ---- plumbing ----

    private void Remember(TokenResponse tokens)
    {
        AccessToken = tokens.AccessToken;
        RefreshToken = tokens.RefreshToken;
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string path, bool authenticated)
    {
        var request = new HttpRequestMessage(method, path);
        if (authenticated && AccessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AccessToken);
        }

        return request;
    }

    public async Task<TResponse> GetAsync<TResponse>(string path, JsonTypeInfo<TResponse> responseType, CancellationToken ct = default)
    {
        using var request = NewRequest(HttpMethod.Get, path, authenticated: true);
        return await ReadAsync(request, responseType, ct);
    }

    public async Task<TResponse> SendAsync<TRequest, TResponse>(
        HttpMethod method, string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType,
        CancellationToken ct = default, bool authenticated = true)
    {
        using var request = NewRequest(method, path, authenticated);
        request.Content = JsonContent.Create(body, requestType);
        return await ReadAsync(request, responseType, ct);
    }

    public async Task SendAsync<TRequest>(
        HttpMethod method, string path, TRequest body, JsonTypeInfo<TRequest> requestType, CancellationToken ct = default)
    {
        using var request = NewRequest(method, path, authenticated: true);
        request.Content = JsonContent.Create(body, requestType);
        using var response = await Http.SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
    }

    public async Task SendAsync(HttpMethod method, string path, CancellationToken ct = default)
    {
        using var request = NewRequest(method, path, authenticated: true);
        using var response = await Http.SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
    }

    private async Task<TResponse> ReadAsync<TResponse>(HttpRequestMessage request, JsonTypeInfo<TResponse> responseType, CancellationToken ct)
    {
        using var response = await Http.SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(responseType, ct)
            ?? throw new VoxoraApiException(response.StatusCode, null, null);
    }

    /// <summary>Throws <see cref="VoxoraApiException"/> with the parsed problem for any non-2xx answer.</summary>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct = default)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        Problem? problem = null;
        if (response.Content.Headers.ContentLength is not 0)
        {
            try
            {
                problem = await response.Content.ReadFromJsonAsync(Json.Problem, ct);
            }
            catch (JsonException)
            {
                // Not a problem document; the status alone will have to do.
            }
        }

        var retryAfter = response.Headers.RetryAfter?.Delta is { } delta
            ? ((int)delta.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : null;
        throw new VoxoraApiException(response.StatusCode, problem, retryAfter);
    }

    public void Dispose()
    {
        if (ownsHttp)
        {
            Http.Dispose();
        }
    }
}
