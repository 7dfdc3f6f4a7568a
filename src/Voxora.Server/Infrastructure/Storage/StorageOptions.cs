using Microsoft.Extensions.Configuration;

namespace Voxora.Server.Infrastructure.Storage;

/// <summary>Where uploaded files live (<c>VOXORA_STORAGE__*</c>): the local disk (default) or an S3-compatible store.</summary>
public sealed class StorageOptions
{
    /// <summary><c>disk</c> (files under <c>{DATA_DIR}/attachments</c>) or <c>s3</c>. <c>VOXORA_STORAGE__BACKEND</c>.</summary>
    [ConfigurationKeyName("BACKEND")]
    public string Backend { get; set; } = "disk";

    /// <summary>Folder of the disk backend; empty: <c>{DATA_DIR}/attachments</c>. <c>VOXORA_STORAGE__DISK_PATH</c>.</summary>
    [ConfigurationKeyName("DISK_PATH")]
    public string? DiskPath { get; set; }

    public S3StorageOptions S3 { get; set; } = new();

    public bool IsS3 => string.Equals(Backend, "s3", StringComparison.OrdinalIgnoreCase);

    public IEnumerable<string> Validate()
    {
        if (!IsS3 && !string.Equals(Backend, "disk", StringComparison.OrdinalIgnoreCase))
        {
            yield return $"VOXORA_STORAGE__BACKEND must be disk or s3, not '{Backend}'.";
        }

        if (IsS3)
        {
            if (string.IsNullOrWhiteSpace(S3.Bucket))
            {
                yield return "VOXORA_STORAGE__S3__BUCKET is required with VOXORA_STORAGE__BACKEND=s3.";
            }

            if (S3.Endpoint is { Length: > 0 } endpoint && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            {
                yield return $"VOXORA_STORAGE__S3__ENDPOINT must be an http(s) URL, not '{endpoint}'.";
            }

            if (string.IsNullOrEmpty(S3.AccessKey) != string.IsNullOrEmpty(S3.SecretKey))
            {
                yield return "VOXORA_STORAGE__S3__ACCESS_KEY and VOXORA_STORAGE__S3__SECRET_KEY go together.";
            }
        }
    }
}

/// <summary>An S3-compatible bucket (AWS, MinIO, Garage, Ceph …).</summary>
public sealed class S3StorageOptions
{
    /// <summary>The service URL, e.g. <c>http://minio:9000</c>; empty for AWS itself (by region). <c>VOXORA_STORAGE__S3__ENDPOINT</c>.</summary>
    [ConfigurationKeyName("ENDPOINT")]
    public string? Endpoint { get; set; }

    [ConfigurationKeyName("BUCKET")]
    public string? Bucket { get; set; }

    [ConfigurationKeyName("REGION")]
    public string Region { get; set; } = "us-east-1";

    /// <summary>Empty: the SDK's default credential chain (environment, instance role …).</summary>
    [ConfigurationKeyName("ACCESS_KEY")]
    public string? AccessKey { get; set; }

    [ConfigurationKeyName("SECRET_KEY")]
    public string? SecretKey { get; set; }

    /// <summary>Path-style addressing (<c>endpoint/bucket/key</c>), which most self-hosted stores need. <c>VOXORA_STORAGE__S3__PATH_STYLE</c>.</summary>
    [ConfigurationKeyName("PATH_STYLE")]
    public bool PathStyle { get; set; } = true;

    /// <summary>Key prefix inside the bucket (default <c>attachments/</c>). <c>VOXORA_STORAGE__S3__PREFIX</c>.</summary>
    [ConfigurationKeyName("PREFIX")]
    public string Prefix { get; set; } = "attachments/";
}
