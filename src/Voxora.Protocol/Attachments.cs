using System.Text.Json.Serialization;

namespace Voxora.Protocol;

/// <summary>
/// A file sent with a message. <c>url</c> (and <c>thumbnail_url</c>, for images) are signed and expire (see docs/protocol.md
/// "Attachments"): every message read hands out fresh ones. <c>thumbnail_url</c>, <c>width</c> and <c>height</c> are null
/// unless the file is an image. <c>size_bytes</c> is the size of the stored file (images are stored with their metadata
/// stripped, so it can differ from what was declared).
/// </summary>
public sealed record Attachment(
    string Id,
    string Filename,
    string ContentType,
    long SizeBytes,
    string Url,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ThumbnailUrl,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Width,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Height);

/// <summary><c>POST /channels/{id}/attachments</c>: announce a file before uploading it.</summary>
public sealed record CreateAttachmentRequest(string? Filename, string? ContentType, long? SizeBytes);

/// <summary>
/// The answer to <see cref="CreateAttachmentRequest"/>: <c>PUT</c> the file's bytes to <c>upload_url</c> (with the same
/// Bearer token) before <c>expires_at</c>, then send a message naming <c>attachment_id</c>.
/// </summary>
public sealed record AttachmentUpload(string AttachmentId, string UploadUrl, string UploadMethod, DateTimeOffset ExpiresAt);
