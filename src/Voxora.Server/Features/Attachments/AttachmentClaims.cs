using Microsoft.EntityFrameworkCore;
using Voxora.Protocol;
using Voxora.Server.Data;

namespace Voxora.Server.Features.Attachments;

/// <summary>Sending a message with attachments: the checks of the ids, and claiming the uploads for the message.</summary>
public static class AttachmentClaims
{
    /// <summary>Null when the list is acceptable: at most 10, each a well-formed attachment id, none twice.</summary>
    public static string? ListError(IReadOnlyList<string>? ids)
    {
        if (ids is null || ids.Count == 0)
        {
            return null;
        }

        if (ids.Count > MediaRules.MaxPerMessage)
        {
            return $"A message can carry at most {MediaRules.MaxPerMessage} attachments.";
        }

        if (ids.Any(id => !Infrastructure.Ids.IsWellFormed(id, AttachmentsEndpoints.IdPrefix)))
        {
            return "Every attachment must be an attachment id (att_…).";
        }

        return ids.Distinct(StringComparer.Ordinal).Count() == ids.Count ? null : "Attachments must not repeat.";
    }

    public const string ClaimError = "Each attachment must be one you uploaded to this channel and have not sent yet.";

    /// <summary>
    /// Attaches the uploads to <paramref name="messageId"/> in the given order: each must be uploaded, the sender's, for this
    /// channel and not yet attached. All or none: when one fails, those already claimed are given back and false is returned.
    /// </summary>
    public static async Task<bool> ClaimAsync(VoxoraDbContext db, IReadOnlyList<string> ids, string userId, string channelId, long messageId, CancellationToken ct)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            var id = ids[i];
            var position = i;
            var claimed = await db.Attachments
                .Where(a => a.Id == id && a.UploaderId == userId && a.ChannelId == channelId && a.Status == AttachmentStatus.Uploaded && a.MessageId == null)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.Status, AttachmentStatus.Attached)
                    .SetProperty(a => a.MessageId, messageId)
                    .SetProperty(a => a.Position, position), CancellationToken.None);
            if (claimed == 0)
            {
                await ReleaseAsync(db, messageId);
                return false;
            }
        }

        return true;
    }

    /// <summary>Gives a message's claimed uploads back (the message was not saved after all).</summary>
    public static Task ReleaseAsync(VoxoraDbContext db, long messageId) =>
        db.Attachments.Where(a => a.MessageId == messageId && a.Status == AttachmentStatus.Attached)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Status, AttachmentStatus.Uploaded)
                .SetProperty(a => a.MessageId, (long?)null)
                .SetProperty(a => a.Position, 0), CancellationToken.None);

    /// <summary>The attachments of one message in their order, with fresh links.</summary>
    public static async Task<List<Attachment>> OfMessageAsync(VoxoraDbContext db, MediaLinks links, long messageId, CancellationToken ct) =>
        (await links.OfMessagesAsync(db, [messageId], ct)).GetValueOrDefault(messageId) ?? [];
}
