using Voxora.Protocol;

namespace Voxora.Client;

/// <summary>Notification settings and Web Push subscriptions.</summary>
public sealed partial class VoxoraClient
{
    public Task<NotificationSettings> GetNotificationSettingsAsync(CancellationToken ct = default) =>
        GetAsync("api/v1/users/@me/notification-settings", Json.NotificationSettings, ct);

    public Task<NotificationSettings> UpdateNotificationPreferencesAsync(UpdateNotificationPreferencesRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Patch, "api/v1/users/@me/notification-settings", request, Json.UpdateNotificationPreferencesRequest, Json.NotificationSettings, ct);

    public Task<CommunityNotificationSettings> SetCommunityNotificationSettingsAsync(string communityId, UpdateCommunityNotificationSettingsRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"api/v1/communities/{Id(communityId)}/notification-settings", request,
            Json.UpdateCommunityNotificationSettingsRequest, Json.CommunityNotificationSettings, ct);

    public Task<ChannelNotificationSettings> SetChannelNotificationSettingsAsync(string channelId, UpdateChannelNotificationSettingsRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"api/v1/channels/{Id(channelId)}/notification-settings", request,
            Json.UpdateChannelNotificationSettingsRequest, Json.ChannelNotificationSettings, ct);

    public Task<VapidPublicKey> GetVapidPublicKeyAsync(CancellationToken ct = default) =>
        GetAsync("api/v1/push/vapid-public-key", Json.VapidPublicKey, ct);

    public Task<PushSubscription> SubscribePushAsync(CreatePushSubscriptionRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/v1/users/@me/push-subscriptions", request, Json.CreatePushSubscriptionRequest, Json.PushSubscription, ct);

    public Task<List<PushSubscription>> GetPushSubscriptionsAsync(CancellationToken ct = default) =>
        GetAsync("api/v1/users/@me/push-subscriptions", Json.ListPushSubscription, ct);

    public Task UnsubscribePushAsync(string subscriptionId, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, $"api/v1/users/@me/push-subscriptions/{Id(subscriptionId)}", ct);
}
