using NetVips;

namespace Voxora.Server.Features.Attachments;

/// <summary>What became of an uploaded image: the stored original and its thumbnail (files beside the upload), and its size.</summary>
public sealed record ProcessedImage(string OriginalPath, string ThumbnailPath, int Width, int Height);

/// <summary>
/// Images with libvips (NetVips): the stored original is the upload decoded and saved again in its own format with all
/// metadata dropped but the colour profile (EXIF and its GPS position, XMP, IPTC, comments), turned upright by its EXIF
/// orientation first; the thumbnail is at most 400×400, WebP. Animated GIF and WebP keep their frames (the thumbnail shows the
/// first). At most one image per core is processed at a time; the work runs off the request threads.
/// </summary>
public sealed class ImageProcessor
{
    public const int ThumbnailMax = 400;

    private readonly SemaphoreSlim slots = new(Math.Max(1, Environment.ProcessorCount));
    private readonly long maxPixels;

    public ImageProcessor(MediaOptions options)
    {
        maxPixels = options.MaxImagePixels;
        // No operation cache: every upload is a new file, and cached images would hold memory and open files.
        Cache.Max = 0;
        Cache.MaxFiles = 0;
    }

    /// <summary>The result, or null when the file is not a decodable image of <paramref name="contentType"/> (refused as a mismatch).</summary>
    /// <exception cref="ImageTooLargeException">It has more pixels than <see cref="MediaOptions.MaxImagePixels"/>.</exception>
    public async Task<ProcessedImage?> ProcessAsync(string uploadPath, string contentType, CancellationToken ct)
    {
        await slots.WaitAsync(ct);
        try
        {
            return await Task.Run(() => Process(uploadPath, contentType), ct);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>
    /// The image at <paramref name="path"/> as a <paramref name="size"/>×<paramref name="size"/> WebP (the centre of the upright
    /// image, scaled; the first frame of an animation; no metadata), or null when it is not a decodable image.
    /// </summary>
    /// <exception cref="ImageTooLargeException">It has more pixels than <see cref="MediaOptions.MaxImagePixels"/>.</exception>
    public async Task<byte[]?> SquareAsync(string path, int size, CancellationToken ct)
    {
        await slots.WaitAsync(ct);
        try
        {
            return await Task.Run(() => Square(path, size), ct);
        }
        finally
        {
            slots.Release();
        }
    }

    private byte[]? Square(string path, int size)
    {
        try
        {
            using (var header = Image.NewFromFile(path, failOn: Enums.FailOn.Error))
            {
                if ((long)header.Width * header.Height > maxPixels)
                {
                    throw new ImageTooLargeException();
                }
            }

            // thumbnail turns the image upright by its EXIF orientation before cropping.
            using var square = Image.Thumbnail(path, size, height: size, size: Enums.Size.Both, crop: Enums.Interesting.Centre);
            return square.WebpsaveBuffer(q: 85, keep: Enums.ForeignKeep.None);
        }
        catch (VipsException)
        {
            return null;
        }
    }

    private ProcessedImage? Process(string uploadPath, string contentType)
    {
        var original = uploadPath + ".stored";
        var thumbnail = uploadPath + ".thumb.webp";
        var animated = contentType is "image/gif" or "image/webp";
        try
        {
            // The header first: refuse decompression bombs before decoding a pixel.
            using (var header = Image.NewFromFile(uploadPath, failOn: Enums.FailOn.Error))
            {
                if ((long)header.Width * header.Height > maxPixels)
                {
                    throw new ImageTooLargeException();
                }
            }

            int width, height;
            var options = animated ? new VOption { { "n", -1 } } : null;
            using (var loaded = Image.NewFromFile(uploadPath, failOn: Enums.FailOn.Error, kwargs: options))
            {
                var pages = loaded.Contains("n-pages") ? (int)loaded.Get("n-pages") : 1;
                if ((long)loaded.Width * loaded.Height > maxPixels * Math.Max(1, Math.Min(pages, 1000)))
                {
                    throw new ImageTooLargeException();
                }

                using var upright = pages > 1 ? loaded.Copy() : loaded.Autorot();
                width = upright.Width;
                height = pages > 1 && upright.Contains("page-height") ? (int)upright.Get("page-height") : upright.Height;
                const Enums.ForeignKeep keep = Enums.ForeignKeep.Icc;
                switch (contentType)
                {
                    case "image/jpeg":
                        upright.Jpegsave(original, q: 90, keep: keep);
                        break;
                    case "image/png":
                        upright.Pngsave(original, keep: keep);
                        break;
                    case "image/gif":
                        upright.Gifsave(original, keep: keep);
                        break;
                    default:
                        upright.Webpsave(original, q: 90, keep: keep);
                        break;
                }
            }

            using (var small = Image.Thumbnail(original, ThumbnailMax, height: ThumbnailMax, size: Enums.Size.Down))
            {
                small.Webpsave(thumbnail, q: 80, keep: Enums.ForeignKeep.None);
            }

            return new ProcessedImage(original, thumbnail, width, height);
        }
        catch (VipsException)
        {
            File.Delete(original);
            File.Delete(thumbnail);
            return null;
        }
    }
}

public sealed class ImageTooLargeException() : Exception("The image has too many pixels.");
