namespace Voxora.Protocol;

/// <summary>An RFC 9457 problem document as Voxora sends it: always with a stable <c>code</c>.</summary>
public sealed record Problem(
    string? Type,
    string? Title,
    int? Status,
    string? Detail,
    string? Code,
    IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>The stable <c>code</c> values of problem responses. Clients branch on these, never on titles.</summary>
public static class ProblemCodes
{
    public const string ValidationFailed = "validation_failed";
    public const string MalformedRequest = "malformed_request";
    public const string PayloadTooLarge = "payload_too_large";
    public const string Unauthorized = "unauthorized";
    public const string InvalidCredentials = "invalid_credentials";
    public const string InvalidRefreshToken = "invalid_refresh_token";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string UsernameTaken = "username_taken";
    public const string RateLimited = "rate_limited";
    public const string TooManyConnections = "too_many_connections";
    public const string Conflict = "conflict";
    public const string LoginBackoff = "login_backoff";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string Internal = "internal_error";
    public const string OwnerCannotLeave = "owner_cannot_leave";
    public const string InviteNotFound = "invite_not_found";
    public const string InviteExpired = "invite_expired";
    public const string InviteExhausted = "invite_exhausted";
    public const string InviteRevoked = "invite_revoked";
    public const string WrongChannelType = "wrong_channel_type";
    public const string TooManyReactions = "too_many_reactions";

    /// <summary>400: the channel already has the most pins allowed (50).</summary>
    public const string TooManyPins = "too_many_pins";

    /// <summary>400: a system message (one the server wrote, like "alice pinned a message") cannot be edited or pinned.</summary>
    public const string SystemMessage = "system_message";
    public const string RoleHierarchy = "role_hierarchy";
    public const string BannedFromCommunity = "banned_from_community";
    public const string PodBanned = "pod_banned";

    /// <summary>403: this pod takes no new accounts (registration mode <c>closed</c>).</summary>
    public const string RegistrationClosed = "registration_closed";

    /// <summary>403: this pod takes new accounts only with a community invite (<c>invite_code</c>; registration mode <c>invite</c>).</summary>
    public const string RegistrationInviteOnly = "registration_invite_only";

    /// <summary>409: the pod is already set up (it has accounts), so <c>POST /api/v1/pod/setup</c> is closed.</summary>
    public const string SetupCompleted = "setup_completed";
    public const string AlreadyReported = "already_reported";
    public const string ReportAlreadyDecided = "report_already_decided";
    public const string UnknownVoiceState = "unknown_voice_state";

    /// <summary>503: in a cluster, the node holding the member's voice connection did not answer a moderator's action.</summary>
    public const string VoiceNodeUnreachable = "voice_node_unreachable";

    public const string Draining = "draining";

    /// <summary>504: the server did not finish the request within its request timeout (VOXORA_HTTP__REQUEST_TIMEOUT_SECONDS).</summary>
    public const string RequestTimeout = "request_timeout";

    /// <summary>409: the message already has a thread (one thread per message).</summary>
    public const string ThreadAlreadyExists = "thread_already_exists";

    /// <summary>403: the thread is archived, so it is read-only (a new message from someone allowed to post unarchives it).</summary>
    public const string ThreadArchived = "thread_archived";

    /// <summary>409: the user already has the most Web Push subscriptions allowed; remove one first.</summary>
    public const string TooManyPushSubscriptions = "too_many_push_subscriptions";

    /// <summary>
    /// 403: this person cannot be sent a direct message (they turned DMs from community members off, or one of you
    /// blocked the other, or you share no community); deliberately one answer for all of these.
    /// </summary>
    public const string CannotMessageUser = "cannot_message_user";

    /// <summary>400: a group direct message would have more than 10 people (the creator included).</summary>
    public const string TooManyRecipients = "too_many_recipients";

    /// <summary>413: the file is larger than the pod's per-file limit (<c>VOXORA_MEDIA__MAX_UPLOAD_BYTES</c>), or an image has too many pixels.</summary>
    public const string FileTooLarge = "file_too_large";

    /// <summary>413: the upload would take the user over their storage quota (<c>VOXORA_MEDIA__USER_QUOTA_BYTES</c>).</summary>
    public const string QuotaExceeded = "quota_exceeded";

    /// <summary>415: this content type may not be uploaded (not on the allowlist; e.g. HTML or SVG).</summary>
    public const string FileTypeNotAllowed = "file_type_not_allowed";

    /// <summary>415: the uploaded bytes are not what the declared content type says (an HTML page called cat.png).</summary>
    public const string FileContentMismatch = "file_content_mismatch";

    /// <summary>400: more or fewer bytes arrived than the attachment declared in <c>size_bytes</c>. Nothing was stored.</summary>
    public const string UploadSizeMismatch = "upload_size_mismatch";

    /// <summary>410: the upload URL expired (10 minutes after the attachment was announced); announce it again.</summary>
    public const string UploadExpired = "upload_expired";

    /// <summary>409: this attachment was already uploaded (or an upload of it is running).</summary>
    public const string AlreadyUploaded = "already_uploaded";

    /// <summary>403: the media link is expired, tampered with or not for this file.</summary>
    public const string InvalidMediaLink = "invalid_media_link";

    /// <summary>401: the <c>mfa_token</c> is unknown, expired (5 minutes), already used, or dead after 5 attempts. Sign in again.</summary>
    public const string InvalidMfaToken = "invalid_mfa_token";

    /// <summary>401 at sign-in, 403 when signed in: the code or backup code is wrong, expired, or was already used.</summary>
    public const string InvalidMfaCode = "invalid_mfa_code";

    /// <summary>409: two-factor sign-in is already on; disable it before enrolling again.</summary>
    public const string MfaAlreadyEnabled = "mfa_already_enabled";

    /// <summary>409: two-factor sign-in is off, so there is nothing to disable.</summary>
    public const string MfaNotEnabled = "mfa_not_enabled";

    /// <summary>409: there is no pending enrolment to confirm; call enable first.</summary>
    public const string MfaNotPending = "mfa_not_pending";

    /// <summary>
    /// 400 when registering, 401 when signing in: the WebAuthn challenge in the response is unknown, expired (2 minutes)
    /// or was already used. Start the ceremony again.
    /// </summary>
    public const string WebAuthnChallengeInvalid = "webauthn_challenge_invalid";

    /// <summary>
    /// 400 when registering, 401 when signing in: the authenticator's response did not verify (wrong origin or relying
    /// party, bad signature, user not verified, a signature counter that went backwards, unknown passkey).
    /// </summary>
    public const string PasskeyRejected = "passkey_rejected";

    /// <summary>409: this credential is already registered (to this or another account).</summary>
    public const string PasskeyAlreadyRegistered = "passkey_already_registered";

    /// <summary>
    /// 400: the search query would cost too much to run (only exclusions, more than 10 terms or 5 exclusions, a prefix
    /// shorter than 2 characters, paging past 1,000 hits) or asks for nothing at all. It was not run; narrow it.
    /// </summary>
    public const string QueryTooExpensive = "query_too_expensive";
}
