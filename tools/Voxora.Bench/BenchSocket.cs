using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Voxora.Bench;

/// <summary>Called for each complete text message, with the Stopwatch timestamp of the read that completed it.</summary>
public delegate void TextMessageHandler(ReadOnlySpan<byte> message, long receivedTimestamp);

/// <summary>
/// The client side of RFC 6455 on a bare <see cref="Socket"/>, just what the load generator needs: the upgrade
/// handshake, masked text frames out, text (whole or fragmented), close, ping and pong frames in. Why not ClientWebSocket: the bench keeps
/// 1,000–19,000 of these on the same two cores as the server it measures, and ClientWebSocket costs two async
/// reads per message and one socket read per frame. Here one socket read takes every frame that has arrived,
/// and an idle connection holds no buffer at all (it waits with a zero-byte read).
/// </summary>
public sealed class BenchSocket : IDisposable
{
    private const int ReadChunk = 8192;
    private const int MaxMessageBytes = 16 * 1024 * 1024;
    private static readonly byte[] AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8.ToArray();

    private readonly Socket socket;
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private byte[]? pending;
    private int pendingCount;
    private int closeSent;

    private BenchSocket(Socket socket, byte[]? pending, int pendingCount)
    {
        this.socket = socket;
        this.pending = pending;
        this.pendingCount = pendingCount;
    }

    /// <summary>The close code the server sent, once it sent one.</summary>
    public int? CloseStatus { get; private set; }

    public string? CloseDescription { get; private set; }

    /// <summary>TCP connect (from <paramref name="local"/> when given), then the HTTP/1.1 upgrade.</summary>
    public static async Task<BenchSocket> ConnectAsync(Uri uri, IPAddress? local, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (local is not null)
            {
                socket.Bind(new IPEndPoint(local, 0));
            }

            await socket.ConnectAsync(uri.Host, uri.Port, ct);
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                          $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await SendAllAsync(socket, Encoding.ASCII.GetBytes(request), ct);

            // Read the response head; whatever follows it (HELLO usually comes in the same segment) is kept.
            var buffer = new byte[4096];
            var count = 0;
            int headEnd;
            while ((headEnd = buffer.AsSpan(0, count).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (count == buffer.Length)
                {
                    throw new IOException("WebSocket upgrade response head is larger than 4 KiB");
                }

                var n = await socket.ReceiveAsync(buffer.AsMemory(count), SocketFlags.None, ct);
                if (n == 0)
                {
                    throw new IOException("connection closed during the WebSocket upgrade");
                }

                count += n;
            }

            CheckUpgradeResponse(Encoding.ASCII.GetString(buffer, 0, headEnd), key);
            var rest = count - headEnd - 4;
            byte[]? leftover = null;
            if (rest > 0)
            {
                leftover = ArrayPool<byte>.Shared.Rent(Math.Max(ReadChunk, rest));
                buffer.AsSpan(headEnd + 4, rest).CopyTo(leftover);
            }

            return new BenchSocket(socket, leftover, rest);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void CheckUpgradeResponse(string head, string key)
    {
        var lines = head.Split("\r\n");
        if (!lines[0].StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            throw new IOException($"WebSocket upgrade refused: {lines[0]}");
        }

        var expected = Convert.ToBase64String(SHA1.HashData([.. Encoding.ASCII.GetBytes(key), .. AcceptGuid]));
        var accept = lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2 && p[0].Trim().Equals("Sec-WebSocket-Accept", StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim())
            .FirstOrDefault();
        if (accept != expected)
        {
            throw new IOException("WebSocket upgrade answered with a wrong or missing Sec-WebSocket-Accept");
        }
    }

    /// <summary>
    /// Reads until the server closes (returns) or the socket fails (throws). Every complete text message goes to
    /// <paramref name="onText"/>; pings are answered; a close frame is answered and ends the loop.
    /// </summary>
    public async Task ReceiveAsync(TextMessageHandler onText)
    {
        var buffer = pending;
        var count = pendingCount;
        pending = null;
        ArrayBufferWriter<byte>? fragments = null; // a text message arriving in several frames
        try
        {
            var at = Stopwatch.GetTimestamp();
            while (true)
            {
                // Take every complete frame that is already here.
                var start = 0;
                while (buffer is not null && TryTakeFrame(buffer.AsSpan(start, count - start), out var frame, out var used))
                {
                    start += used;
                    switch (frame.Opcode)
                    {
                        case 1 when frame.Fin:
                            onText(frame.Payload, at);
                            break;
                        case 1:
                            fragments = new ArrayBufferWriter<byte>();
                            fragments.Write(frame.Payload);
                            break;
                        case 0 when fragments is not null:
                            if (fragments.WrittenCount + frame.Payload.Length > MaxMessageBytes)
                            {
                                throw new IOException("message over 16 MiB");
                            }

                            fragments.Write(frame.Payload);
                            if (frame.Fin)
                            {
                                onText(fragments.WrittenSpan, at);
                                fragments = null;
                            }

                            break;
                        case 8:
                            ReadClose(frame.Payload);
                            await SendCloseAsync(CloseStatus ?? 1000, null);
                            return;
                        case 9:
                            await SendFrameAsync(10, frame.Payload.ToArray());
                            break;
                        case 10:
                            break;
                        default:
                            // The gateway sends text only; binary or a stray continuation is a protocol error here.
                            throw new IOException($"unexpected WebSocket opcode {frame.Opcode}");
                    }
                }

                // Keep an unfinished frame at the front; give the buffer back when nothing is left in it.
                count -= start;
                if (buffer is not null && count > 0 && start > 0)
                {
                    buffer.AsSpan(start, count).CopyTo(buffer);
                }
                else if (buffer is not null && count == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }

                if (buffer is null)
                {
                    await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                    buffer = ArrayPool<byte>.Shared.Rent(ReadChunk);
                }
                else if (count == buffer.Length)
                {
                    if (buffer.Length >= MaxMessageBytes + 14)
                    {
                        throw new IOException("frame over 16 MiB");
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, count).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var n = await socket.ReceiveAsync(buffer.AsMemory(count), SocketFlags.None);
                if (n == 0)
                {
                    throw new IOException("connection closed without a close frame");
                }

                at = Stopwatch.GetTimestamp();
                count += n;
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private readonly ref struct InFrame(bool fin, int opcode, ReadOnlySpan<byte> payload)
    {
        public bool Fin { get; } = fin;
        public int Opcode { get; } = opcode;
        public ReadOnlySpan<byte> Payload { get; } = payload;
    }

    private static bool TryTakeFrame(ReadOnlySpan<byte> data, out InFrame frame, out int used)
    {
        frame = default;
        used = 0;
        if (data.Length < 2)
        {
            return false;
        }

        if ((data[1] & 0x80) != 0)
        {
            throw new IOException("the server sent a masked frame");
        }

        long length = data[1] & 0x7F;
        var header = 2;
        if (length == 126)
        {
            if (data.Length < 4)
            {
                return false;
            }

            length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            header = 4;
        }
        else if (length == 127)
        {
            if (data.Length < 10)
            {
                return false;
            }

            length = BinaryPrimitives.ReadInt64BigEndian(data[2..]);
            header = 10;
        }

        if (length is < 0 or > MaxMessageBytes)
        {
            throw new IOException($"frame length {length} out of range");
        }

        if (data.Length < header + length)
        {
            return false;
        }

        used = header + (int)length;
        frame = new InFrame((data[0] & 0x80) != 0, data[0] & 0x0F, data.Slice(header, (int)length));
        return true;
    }

    private void ReadClose(ReadOnlySpan<byte> payload)
    {
        CloseStatus = payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 1005;
        CloseDescription = payload.Length > 2 ? Encoding.UTF8.GetString(payload[2..]) : null;
    }

    /// <summary>Sends one complete text message.</summary>
    public Task SendTextAsync(ReadOnlyMemory<byte> message) => SendFrameAsync(1, message);

    /// <summary>Starts the closing handshake; the receive loop ends when the server answers.</summary>
    public Task SendCloseAsync(int code, string? reason)
    {
        if (Interlocked.Exchange(ref closeSent, 1) == 1)
        {
            return Task.CompletedTask;
        }

        var reasonBytes = Encoding.UTF8.GetBytes(reason ?? "");
        var payload = new byte[2 + reasonBytes.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        reasonBytes.CopyTo(payload, 2);
        return SendFrameAsync(8, payload);
    }

    private async Task SendFrameAsync(int opcode, ReadOnlyMemory<byte> payload)
    {
        var header = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        var frame = ArrayPool<byte>.Shared.Rent(header + 4 + payload.Length);
        try
        {
            frame[0] = (byte)(0x80 | opcode);
            if (header == 2)
            {
                frame[1] = (byte)(0x80 | payload.Length);
            }
            else if (header == 4)
            {
                frame[1] = 0x80 | 126;
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
            }
            else
            {
                frame[1] = 0x80 | 127;
                BinaryPrimitives.WriteInt64BigEndian(frame.AsSpan(2), payload.Length);
            }

            // Client frames must be masked (RFC 6455 §5.3); the key only has to be unpredictable to the network path.
            var mask = frame.AsSpan(header, 4);
            Random.Shared.NextBytes(mask);
            var body = frame.AsSpan(header + 4, payload.Length);
            payload.Span.CopyTo(body);
            for (var i = 0; i < body.Length; i++)
            {
                body[i] ^= mask[i & 3];
            }

            await sendLock.WaitAsync();
            try
            {
                await SendAllAsync(socket, frame.AsMemory(0, header + 4 + payload.Length), CancellationToken.None);
            }
            finally
            {
                sendLock.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        while (!data.IsEmpty)
        {
            var n = await socket.SendAsync(data, SocketFlags.None, ct);
            data = data[n..];
        }
    }

    /// <summary>Drops the TCP connection without a closing handshake.</summary>
    public void Abort() => socket.Dispose();

    public void Dispose() => Abort();
}
