using System.Net.Http.Headers;
using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>Uploads: announce a file, PUT its bytes, send a message naming it; read files through their signed links.</summary>
public sealed partial class VoxoraClient
{
    public Task<AttachmentUpload> CreateAttachmentAsync(string channelId, string? filename, string? contentType, long? sizeBytes, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/channels/{Id(channelId)}/attachments", new CreateAttachmentRequest(filename, contentType, sizeBytes),
            Json.CreateAttachmentRequest, Json.AttachmentUpload, ct);

    /// <summary>PUTs the bytes to the upload URL (with this client's token) and returns the stored attachment.</summary>
    public async Task<Attachment> UploadAttachmentAsync(string uploadUrl, HttpContent content, CancellationToken ct = default)
    {
        using var request = NewRequest(HttpMethod.Put, uploadUrl, authenticated: true);
        request.Content = content;
        return await ReadAsync(request, Json.Attachment, ct);
    }

    public Task<Attachment> UploadAttachmentAsync(string uploadUrl, byte[] bytes, CancellationToken ct = default) =>
        UploadAttachmentAsync(uploadUrl, new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, ct);

    /// <summary>Announces and uploads one file in one go.</summary>
    public async Task<Attachment> UploadFileAsync(string channelId, string filename, string contentType, byte[] bytes, CancellationToken ct = default)
    {
        var upload = await CreateAttachmentAsync(channelId, filename, contentType, bytes.Length, ct);
        return await UploadAttachmentAsync(upload.UploadUrl, bytes, ct);
    }

    /// <summary>Posts a message carrying these attachments (the content may be empty).</summary>
    public Task<Message> SendMessageWithAttachmentsAsync(string channelId, string? content, IReadOnlyList<string> attachmentIds, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, $"api/v1/channels/{Id(channelId)}/messages", new CreateMessageRequest(content, Attachments: attachmentIds),
            Json.CreateMessageRequest, Json.Message, ct);
}
