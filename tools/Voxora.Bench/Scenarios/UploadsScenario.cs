using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Voxora.Client;

namespace Voxora.Bench.Scenarios;

/// <summary>
/// <c>uploads</c>: C files of <c>--upload-mib</c> MiB (a PDF header then pseudo-random bytes, so no image processing and
/// nothing compressible) announced, then PUT all at once from streams generated on the fly (the bench holds no file in
/// memory either) → wall time, MiB/s, and the server's RSS before/peak/after: the upload path must stream, so the peak may
/// grow by buffers, not by C × the file size. Every upload is checked (200, stored size).
/// </summary>
public static class UploadsScenario
{
    public static async Task<ScenarioResult> RunAsync(BenchWorld world, BenchOptions o, CancellationToken ct)
    {
        await world.RefreshIfOldAsync(ct);
        var result = new ScenarioResult("uploads", world.Target.Provider);
        var size = (long)o.UploadMiB * 1024 * 1024;
        var count = Math.Max(1, o.Concurrency);
        result.Parameters["concurrency"] = count.ToString(CultureInfo.InvariantCulture);
        result.Parameters["upload_mib"] = o.UploadMiB.ToString(CultureInfo.InvariantCulture);

        var client = world.Owner.Client;
        var channelId = world.Channel.Id;
        var uploads = new List<Protocol.AttachmentUpload>();
        for (var i = 0; i < count; i++)
        {
            uploads.Add(await client.CreateAttachmentAsync(channelId, $"bench-{i}.pdf", "application/pdf", size, ct));
        }

        await using var watch = new ResourceWatch(world.Target);
        var rssBefore = watch.RssStart ?? 0;
        var started = Stopwatch.GetTimestamp();
        var outcomes = await Task.WhenAll(uploads.Select(async (upload, i) =>
        {
            try
            {
                var content = new StreamContent(new GeneratedStream(size, i), 256 * 1024);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
                content.Headers.ContentLength = size;
                var stored = await client.UploadAttachmentAsync(upload.UploadUrl, content, ct);
                return stored.SizeBytes == size ? null : $"stored {stored.SizeBytes} bytes, not {size}";
            }
            catch (VoxoraApiException e)
            {
                return $"{(int)e.Status} {e.Code}";
            }
            catch (HttpRequestException e)
            {
                return e.Message;
            }
        }));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await watch.FinishAsync(result, count, "upload");
        foreach (var failure in outcomes.Where(f => f is not null).Distinct())
        {
            result.Failures.Add(failure!);
        }

        result.Add("uploads_ok", outcomes.Count(f => f is null));
        result.Add("wall_s", seconds);
        result.Add("mib_per_s", count * (double)o.UploadMiB / seconds);
        result.Add("server_rss_growth_mb", result.Get("server_rss_peak_mb") - rssBefore / 1048576.0);
        result.Add("uploaded_mib_total", count * (double)o.UploadMiB);
        return result;
    }

    /// <summary>"%PDF-1.7\n" then <c>length</c> − 9 pseudo-random bytes, produced as they are read.</summary>
    private sealed class GeneratedStream(long length, int seed) : Stream
    {
        private readonly Random random = new(seed);
        private long position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var take = (int)Math.Min(buffer.Length, length - position);
            if (take <= 0)
            {
                return 0;
            }

            var span = buffer[..take];
            random.NextBytes(span);
            ReadOnlySpan<byte> header = "%PDF-1.7\n"u8;
            for (var i = 0; i < take && position + i < header.Length; i++)
            {
                span[i] = header[(int)(position + i)];
            }

            position += take;
            return take;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
