namespace Voxora.Server.Infrastructure.Storage;

/// <summary>
/// Where uploaded files are kept: <see cref="DiskFileStorage"/> (default) or <see cref="S3FileStorage"/>. Keys are
/// server-made (<c>att_…/original</c>), never from a client. Every node of a cluster must reach the same store (a shared
/// bucket, or a shared folder), because any node may serve any file.
/// </summary>
public interface IFileStorage
{
    /// <summary>Stores <paramref name="length"/> bytes read from <paramref name="content"/> under <paramref name="key"/>, replacing what was there.</summary>
    Task PutAsync(string key, Stream content, long length, string contentType, CancellationToken ct);

    /// <summary>
    /// Opens the stored file for reading, from <paramref name="offset"/> for <paramref name="length"/> bytes (null: to the
    /// end). Null when there is no such file.
    /// </summary>
    Task<Stream?> OpenReadAsync(string key, long offset, long? length, CancellationToken ct);

    /// <summary>Deletes the file; nothing happens when it is not there.</summary>
    Task DeleteAsync(string key, CancellationToken ct);

    Task<bool> ExistsAsync(string key, CancellationToken ct);
}

/// <summary>The keys of an attachment's files.</summary>
public static class StorageKeys
{
    public static string Original(string attachmentId) => attachmentId + "/original";

    public static string Thumbnail(string attachmentId) => attachmentId + "/thumbnail.webp";

    /// <summary>Keys are made by the server from ids: letters, digits, '_', '-', '.' and '/', no "..".</summary>
    public static bool IsSafe(string key) =>
        key.Length is > 0 and <= 200
        && !key.Contains("..", StringComparison.Ordinal)
        && !key.StartsWith('/')
        && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/');
}
