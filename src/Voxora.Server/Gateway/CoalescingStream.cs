using System.Buffers;

namespace Voxora.Server.Gateway;

/// <summary>
/// The upgraded connection's stream under a gateway WebSocket, able to gather several outgoing frames into
/// one write. Between <see cref="BeginBatch"/> and <see cref="EndBatchAsync"/> (the connection's writer
/// draining its queue) writes are appended to a pooled buffer and reach the socket as one write and one
/// flush, instead of one syscall per frame; outside a batch every write goes straight through. A client
/// that fell behind therefore costs fewer syscalls per event, exactly when the server is busiest.
/// </summary>
/// <remarks>
/// The WebSocket may write on its own (a pong, the close frame) while a batch is open; such bytes join the
/// batch in order and leave with it. A lock keeps those writes and the batch's flush from interleaving.
/// An idle connection holds no buffer: it is rented for a batch and returned after its flush.
/// </remarks>
public sealed class CoalescingStream(Stream inner) : Stream
{
    // Past this a batch is written out early, so one batch never holds more than a few frames' worth.
    private const int FlushThreshold = 32 * 1024;

    private readonly SemaphoreSlim writeLock = new(1, 1);
    private byte[]? pending;
    private int pendingLength;
    private bool batching;

    public void BeginBatch() => batching = true;

    /// <summary>Ends the batch and writes out whatever it gathered.</summary>
    public async ValueTask EndBatchAsync(CancellationToken ct)
    {
        await writeLock.WaitAsync(ct);
        try
        {
            batching = false;
            await WritePendingAsync(ct);
        }
        finally
        {
            writeLock.Release();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            if (!batching)
            {
                await WritePendingAsync(cancellationToken);
                await inner.WriteAsync(buffer, cancellationToken);
                return;
            }

            Append(buffer.Span);
            if (pendingLength >= FlushThreshold)
            {
                await WritePendingAsync(cancellationToken);
            }
        }
        finally
        {
            writeLock.Release();
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (pending is null || pending.Length - pendingLength < bytes.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(pendingLength + bytes.Length, 4096));
            if (pending is not null)
            {
                pending.AsSpan(0, pendingLength).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(pending);
            }

            pending = bigger;
        }

        bytes.CopyTo(pending.AsSpan(pendingLength));
        pendingLength += bytes.Length;
    }

    private async ValueTask WritePendingAsync(CancellationToken ct)
    {
        if (pending is null)
        {
            return;
        }

        var buffer = pending;
        var length = pendingLength;
        pending = null;
        pendingLength = 0;
        try
        {
            if (length > 0)
            {
                await inner.WriteAsync(buffer.AsMemory(0, length), ct);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            if (pending is not null)
            {
                ArrayPool<byte>.Shared.Return(pending);
                pending = null;
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        Dispose(false);
        if (pending is not null)
        {
            ArrayPool<byte>.Shared.Return(pending);
            pending = null;
        }

        GC.SuppressFinalize(this);
    }
}
