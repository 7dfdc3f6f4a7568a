using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Voxora.Server.Tests.Infrastructure;

/// <summary>
/// The throwaway S3-compatible server scripts/test.sh starts (s3rver on loopback, <c>VOXORA_TEST_S3</c>): each test server
/// gets a fresh bucket of its own. Like Redis and PostgreSQL, it is required: without the variable these tests fail and say why.
/// </summary>
public static class S3Buckets
{
    public const string Variable = "VOXORA_TEST_S3";

    /// <summary>s3rver's fixed credentials; it checks the signatures made with them.</summary>
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    public static string Endpoint =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"The S3 storage tests need {Variable} (the URL of an S3-compatible server). Run them through scripts/test.sh, which starts a throwaway s3rver.");

    public static AmazonS3Client NewClient() => new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
    {
        ServiceURL = Endpoint,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    /// <summary>Creates a bucket and returns the server settings that store files in it.</summary>
    public static async Task<Dictionary<string, string?>> NewBucketSettingsAsync()
    {
        var bucket = "vxt-" + Guid.NewGuid().ToString("N")[..16];
        using (var client = NewClient())
        {
            await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
        }

        return new Dictionary<string, string?>
        {
            ["STORAGE:BACKEND"] = "s3",
            ["STORAGE:S3:ENDPOINT"] = Endpoint,
            ["STORAGE:S3:BUCKET"] = bucket,
            ["STORAGE:S3:REGION"] = "us-east-1",
            ["STORAGE:S3:ACCESS_KEY"] = AccessKey,
            ["STORAGE:S3:SECRET_KEY"] = SecretKey,
            ["STORAGE:S3:PATH_STYLE"] = "true",
        };
    }
}
