using Microsoft.Extensions.Configuration;

namespace Voxora.Server.Features.Attachments;

/// <summary>Upload limits and media links (<c>VOXORA_MEDIA__*</c>).</summary>
public sealed class MediaOptions
{
    /// <summary>Largest file one upload may be, in bytes (25 MiB). <c>VOXORA_MEDIA__MAX_UPLOAD_BYTES</c>.</summary>
    [ConfigurationKeyName("MAX_UPLOAD_BYTES")]
    public long MaxUploadBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>Total bytes of the files one user may have stored (1 GiB). <c>VOXORA_MEDIA__USER_QUOTA_BYTES</c>.</summary>
    [ConfigurationKeyName("USER_QUOTA_BYTES")]
    public long UserQuotaBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>How long an upload URL stays valid (10 minutes). <c>VOXORA_MEDIA__UPLOAD_URL_SECONDS</c>.</summary>
    [ConfigurationKeyName("UPLOAD_URL_SECONDS")]
    public int UploadUrlSeconds { get; set; } = 600;

    /// <summary>How long a signed media URL stays valid at least (24 hours; rounded up to the next hour). <c>VOXORA_MEDIA__URL_SECONDS</c>.</summary>
    [ConfigurationKeyName("URL_SECONDS")]
    public int UrlSeconds { get; set; } = 86_400;

    /// <summary>Uploads never sent with a message are deleted this long after they were announced (1 hour). <c>VOXORA_MEDIA__ORPHAN_SECONDS</c>.</summary>
    [ConfigurationKeyName("ORPHAN_SECONDS")]
    public double OrphanSeconds { get; set; } = 3600;

    /// <summary>Seconds between two sweeps for orphans (5 minutes). <c>VOXORA_MEDIA__SWEEP_SECONDS</c>.</summary>
    [ConfigurationKeyName("SWEEP_SECONDS")]
    public double SweepSeconds { get; set; } = 300;

    /// <summary>Images with more pixels than this are refused (decompression bombs; 100 megapixels). <c>VOXORA_MEDIA__MAX_IMAGE_PIXELS</c>.</summary>
    [ConfigurationKeyName("MAX_IMAGE_PIXELS")]
    public long MaxImagePixels { get; set; } = 100_000_000;

    /// <summary>Largest picture accepted as an avatar or community icon, in bytes (8 MiB). <c>VOXORA_MEDIA__MAX_AVATAR_BYTES</c>.</summary>
    [ConfigurationKeyName("MAX_AVATAR_BYTES")]
    public long MaxAvatarBytes { get; set; } = 8L * 1024 * 1024;

    public TimeSpan UploadWindow => TimeSpan.FromSeconds(UploadUrlSeconds);
    public TimeSpan OrphanAge => TimeSpan.FromSeconds(OrphanSeconds);
    public TimeSpan SweepPeriod => TimeSpan.FromSeconds(SweepSeconds);

    public IEnumerable<string> Validate()
    {
        if (MaxUploadBytes is < 1 or > 4L * 1024 * 1024 * 1024)
        {
            yield return "VOXORA_MEDIA__MAX_UPLOAD_BYTES must be between 1 and 4294967296.";
        }

        if (UserQuotaBytes < 1)
        {
            yield return "VOXORA_MEDIA__USER_QUOTA_BYTES must be at least 1.";
        }

        if (UploadUrlSeconds is < 1 or > 86_400)
        {
            yield return "VOXORA_MEDIA__UPLOAD_URL_SECONDS must be between 1 and 86400.";
        }

        if (UrlSeconds is < 60 or > 7 * 86_400)
        {
            yield return "VOXORA_MEDIA__URL_SECONDS must be between 60 and 604800.";
        }

        if (OrphanSeconds is < 0 or > 30 * 86_400)
        {
            yield return "VOXORA_MEDIA__ORPHAN_SECONDS must be between 0 and 2592000.";
        }

        if (SweepSeconds is < 0.05 or > 86_400)
        {
            yield return "VOXORA_MEDIA__SWEEP_SECONDS must be between 0.05 and 86400.";
        }

        if (MaxAvatarBytes is < 1 or > 100L * 1024 * 1024)
        {
            yield return "VOXORA_MEDIA__MAX_AVATAR_BYTES must be between 1 and 104857600.";
        }

        if (MaxImagePixels < 1)
        {
            yield return "VOXORA_MEDIA__MAX_IMAGE_PIXELS must be at least 1.";
        }
    }
}
