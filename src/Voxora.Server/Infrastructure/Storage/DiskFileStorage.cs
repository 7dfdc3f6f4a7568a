namespace Voxora.Server.Infrastructure.Storage;

/// <summary>
/// Files on the local disk under one folder (<c>{DATA_DIR}/attachments</c> by default): <c>att_…/original</c> and
/// <c>att_…/thumbnail.webp</c>. A file is written to a temporary name beside it and renamed, so readers never see half of one.
/// </summary>
public sealed class DiskFileStorage(string root) : IFileStorage
{
    public string Root { get; } = Path.GetFullPath(root);

    private string PathOf(string key)
    {
        if (!StorageKeys.IsSafe(key))
        {
            throw new ArgumentException($"Unsafe storage key '{key}'.", nameof(key));
        }

        return Path.Combine(Root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    public async Task PutAsync(string key, Stream content, long length, string contentType, CancellationToken ct)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81_920, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(file, ct);
                if (file.Length != length)
                {
                    throw new IOException($"Expected {length} bytes for '{key}', got {file.Length}.");
                }
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public Task<Stream?> OpenReadAsync(string key, long offset, long? length, CancellationToken ct)
    {
        var path = PathOf(key);
        if (!File.Exists(path))
        {
            return Task.FromResult<Stream?>(null);
        }

        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81_920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }

        file.Seek(offset, SeekOrigin.Begin);
        return Task.FromResult<Stream?>(length is { } take ? new BoundedStream(file, take) : file);
    }

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        var path = PathOf(key);
        var folder = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(folder))
        {
            return Task.CompletedTask;
        }

        File.Delete(path);
        try
        {
            // The attachment's folder goes with its last file.
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any() && Path.GetFullPath(folder) != Root)
            {
                Directory.Delete(folder);
            }
        }
        catch (IOException)
        {
            // Another file was just written into it.
        }

        return Task.CompletedTask;
    }

    public Task<bool> ExistsAsync(string key, CancellationToken ct) => Task.FromResult(File.Exists(PathOf(key)));
}

/// <summary>Reads at most a given number of bytes of an inner stream (an HTTP range of a file), and disposes it.</summary>
public sealed class BoundedStream(Stream inner, long count) : Stream
{
    private readonly long length = count;
    private long remaining = count;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => length - remaining;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (remaining <= 0)
        {
            return 0;
        }

        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, remaining)]);
        remaining -= read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (remaining <= 0)
        {
            return 0;
        }

        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, remaining)], cancellationToken);
        remaining -= read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
