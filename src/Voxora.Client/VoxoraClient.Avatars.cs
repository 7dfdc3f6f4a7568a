using System.Net.Http.Headers;
using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>Avatars and community icons: the picture is the request body; the answer is the user or community with its new URL.</summary>
public sealed partial class VoxoraClient
{
    public Task<User> SetAvatarAsync(byte[] picture, string contentType, CancellationToken ct = default) =>
        SetAvatarAsync(Picture(picture, contentType), ct);

    public async Task<User> SetAvatarAsync(HttpContent content, CancellationToken ct = default)
    {
        using var request = NewRequest(HttpMethod.Put, "api/v1/users/@me/avatar", authenticated: true);
        request.Content = content;
        Announce(request);
        return await ReadAsync(request, Json.User, ct);
    }

    public async Task<User> RemoveAvatarAsync(CancellationToken ct = default)
    {
        using var request = NewRequest(HttpMethod.Delete, "api/v1/users/@me/avatar", authenticated: true);
        return await ReadAsync(request, Json.User, ct);
    }

    public async Task<Community> SetCommunityIconAsync(string communityId, byte[] picture, string contentType, CancellationToken ct = default)
    {
        using var request = NewRequest(HttpMethod.Put, $"api/v1/communities/{Id(communityId)}/icon", authenticated: true);
        request.Content = Picture(picture, contentType);
        Announce(request);
        return await ReadAsync(request, Json.Community, ct);
    }

    public async Task<Community> RemoveCommunityIconAsync(string communityId, CancellationToken ct = default)
    {
        using var request = NewRequest(HttpMethod.Delete, $"api/v1/communities/{Id(communityId)}/icon", authenticated: true);
        return await ReadAsync(request, Json.Community, ct);
    }

    /// <summary>"Expect: 100-continue": a picture the server refuses from its headers (too large, wrong type) is never sent.</summary>
    private static void Announce(HttpRequestMessage request) => request.Headers.ExpectContinue = true;

    private static ByteArrayContent Picture(byte[] picture, string contentType) =>
        new(picture) { Headers = { ContentType = new MediaTypeHeaderValue(contentType) } };
}
