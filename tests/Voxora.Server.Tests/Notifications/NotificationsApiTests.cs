using System.Net;
using System.Text;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests.Notifications;

/// <summary>Notification settings and push subscription endpoints: round trips and every unhappy path, on each provider.</summary>
public abstract class NotificationsApiTests(ServerFixture fixture)
{
    private const string UnknownCommunity = "com_01ARZ3NDEKTSV4RRFFQ69G5FAV";
    private const string UnknownChannel = "ch_01ARZ3NDEKTSV4RRFFQ69G5FAV";
    private const string ValidKey = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    private const string ValidAuth = "BTBZMqHH6r4Tts7J_aSIgg";

    private TestServer Server => fixture.Server;

    private static CreatePushSubscriptionRequest Subscription(string? endpoint = null) =>
        new(endpoint ?? $"https://push.example/{Guid.NewGuid():N}", new PushSubscriptionKeys(ValidKey, ValidAuth));

    [Fact]
    public async Task Settings_start_at_the_defaults_and_round_trip()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel();

        var defaults = await owner.GetNotificationSettingsAsync();
        Assert.Empty(defaults.Communities);
        Assert.Empty(defaults.Channels);
        Assert.False(defaults.ShowPreviews);

        var until = DateTimeOffset.UtcNow.AddMinutes(15);
        var set = await owner.SetCommunityNotificationSettingsAsync(community.Id, new UpdateCommunityNotificationSettingsRequest("all", until, true));
        Assert.Equal(("all", true), (set.Level, set.SuppressEveryone));
        await owner.SetChannelNotificationSettingsAsync(channel.Id, new UpdateChannelNotificationSettingsRequest("nothing"));
        await owner.UpdateNotificationPreferencesAsync(new UpdateNotificationPreferencesRequest(ShowPreviews: true));

        var stored = await owner.GetNotificationSettingsAsync();
        var communitySettings = Assert.Single(stored.Communities);
        Assert.Equal((community.Id, "all", true), (communitySettings.CommunityId, communitySettings.Level, communitySettings.SuppressEveryone));
        Assert.Equal(until.ToUnixTimeMilliseconds(), communitySettings.MutedUntil!.Value.ToUnixTimeMilliseconds(), 1.0);
        var channelSettings = Assert.Single(stored.Channels);
        Assert.Equal((channel.Id, community.Id, "nothing", (DateTimeOffset?)null), (channelSettings.ChannelId, channelSettings.CommunityId, channelSettings.Level, channelSettings.MutedUntil));
        Assert.True(stored.ShowPreviews);

        // Back to the defaults: nothing stored; a mute that already ended is no mute.
        await owner.SetCommunityNotificationSettingsAsync(community.Id, new UpdateCommunityNotificationSettingsRequest("mentions", DateTimeOffset.UtcNow.AddMinutes(-1)));
        await owner.SetChannelNotificationSettingsAsync(channel.Id, new UpdateChannelNotificationSettingsRequest("inherit"));
        var reset = await owner.GetNotificationSettingsAsync();
        Assert.Empty(reset.Communities);
        Assert.Empty(reset.Channels);
    }

    [Fact]
    public async Task Leaving_a_community_forgets_its_settings()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (member, _) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        await member.SetCommunityNotificationSettingsAsync(community.Id, new UpdateCommunityNotificationSettingsRequest("all"));
        await member.SetChannelNotificationSettingsAsync(community.TextChannel().Id, new UpdateChannelNotificationSettingsRequest("nothing"));

        await member.LeaveCommunityAsync(community.Id);

        var after = await member.GetNotificationSettingsAsync();
        Assert.Empty(after.Communities);
        Assert.Empty(after.Channels);
    }

    [Fact]
    public async Task Communities_and_channels_the_caller_cannot_see_are_404_and_nothing_is_stored()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var (outsider, _, _) = await Server.NewUserAsync("out");
        using var _x = outsider;
        var (member, memberUser) = await Server.NewMemberAsync(owner, community.Id);
        using var _m = member;
        var hidden = await owner.CreateChannelAsync(community.Id, new CreateChannelRequest("hidden"));
        await owner.SetOverrideAsync(hidden.Id, "user", memberUser.Id, 0, Permission.ViewChannel);

        var request = new UpdateCommunityNotificationSettingsRequest("all");
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => outsider.SetCommunityNotificationSettingsAsync(community.Id, request));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => outsider.SetCommunityNotificationSettingsAsync(UnknownCommunity, request));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => outsider.SetCommunityNotificationSettingsAsync("not-an-id", request));
        var channelRequest = new UpdateChannelNotificationSettingsRequest("all");
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => outsider.SetChannelNotificationSettingsAsync(community.TextChannel().Id, channelRequest));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.SetChannelNotificationSettingsAsync(hidden.Id, channelRequest));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.SetChannelNotificationSettingsAsync(UnknownChannel, channelRequest));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => member.SetChannelNotificationSettingsAsync("ch_bad", channelRequest));

        Assert.Empty((await outsider.GetNotificationSettingsAsync()).Communities);
        Assert.Empty((await member.GetNotificationSettingsAsync()).Channels);
    }

    [Fact]
    public async Task Invalid_settings_are_400_with_the_field_and_nothing_is_stored()
    {
        var (owner, _, community) = await Server.NewCommunityAsync();
        using var _o = owner;
        var channel = community.TextChannel();

        var level = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => owner.SetCommunityNotificationSettingsAsync(community.Id, new UpdateCommunityNotificationSettingsRequest("inherit")));
        Assert.Contains("level", level.Problem!.Errors!.Keys);
        var mute = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => owner.SetCommunityNotificationSettingsAsync(community.Id, new UpdateCommunityNotificationSettingsRequest("all", DateTimeOffset.UtcNow.AddYears(2))));
        Assert.Contains("muted_until", mute.Problem!.Errors!.Keys);
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => owner.SetChannelNotificationSettingsAsync(channel.Id, new UpdateChannelNotificationSettingsRequest("loud")));

        using var malformed = new HttpRequestMessage(HttpMethod.Put, $"api/v1/channels/{channel.Id}/notification-settings")
        {
            Content = new StringContent("{\"level\": ", Encoding.UTF8, "application/json"),
        };
        malformed.Headers.Authorization = new("Bearer", owner.AccessToken);
        await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.MalformedRequest, await owner.Http.SendAsync(malformed));

        using var oversize = new HttpRequestMessage(HttpMethod.Put, $"api/v1/communities/{community.Id}/notification-settings")
        {
            Content = new StringContent("{\"level\": \"" + new string('a', 2 * 1024 * 1024) + "\"}", Encoding.UTF8, "application/json"),
        };
        oversize.Headers.Authorization = new("Bearer", owner.AccessToken);
        // As large uploads do: the server answers 413 before the body is sent (see HttpSurfaceTests).
        oversize.Headers.ExpectContinue = true;
        await Expect.Problem(HttpStatusCode.RequestEntityTooLarge, ProblemCodes.PayloadTooLarge, await owner.Http.SendAsync(oversize));

        var stored = await owner.GetNotificationSettingsAsync();
        Assert.Empty(stored.Communities);
        Assert.Empty(stored.Channels);
    }

    [Theory]
    [InlineData("GET", "api/v1/users/@me/notification-settings")]
    [InlineData("PATCH", "api/v1/users/@me/notification-settings")]
    [InlineData("PUT", "api/v1/communities/com_01ARZ3NDEKTSV4RRFFQ69G5FAV/notification-settings")]
    [InlineData("PUT", "api/v1/channels/ch_01ARZ3NDEKTSV4RRFFQ69G5FAV/notification-settings")]
    [InlineData("GET", "api/v1/push/vapid-public-key")]
    [InlineData("GET", "api/v1/users/@me/push-subscriptions")]
    [InlineData("POST", "api/v1/users/@me/push-subscriptions")]
    [InlineData("DELETE", "api/v1/users/@me/push-subscriptions/psh_01ARZ3NDEKTSV4RRFFQ69G5FAV")]
    public async Task Every_endpoint_needs_a_signed_in_user(string method, string path)
    {
        using var client = Server.NewClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        await Expect.Problem(HttpStatusCode.Unauthorized, ProblemCodes.Unauthorized, await client.Http.SendAsync(request));
    }

    [Fact]
    public async Task The_VAPID_public_key_is_an_uncompressed_P256_point_and_stays_the_same()
    {
        var (client, _, _) = await Server.NewUserAsync();
        using var _c = client;
        var key = await client.GetVapidPublicKeyAsync();
        var bytes = WebPushDecryptor.FromBase64Url(key.PublicKey);
        Assert.Equal(65, bytes.Length);
        Assert.Equal(0x04, bytes[0]);
        Assert.Equal(key, await client.GetVapidPublicKeyAsync());
    }

    [Theory]
    [InlineData("http://push.example/x", ValidKey, ValidAuth, "endpoint")]
    [InlineData("http://127.0.0.1:9/push/x", ValidKey, ValidAuth, "endpoint")]
    [InlineData(null, ValidKey, ValidAuth, "endpoint")]
    [InlineData("https://push.example/x", "BCVxsr7N", ValidAuth, "keys.p256dh")]
    [InlineData("https://push.example/x", null, ValidAuth, "keys.p256dh")]
    [InlineData("https://push.example/x", ValidKey, "short", "keys.auth")]
    [InlineData("https://push.example/x", ValidKey, null, "keys.auth")]
    public async Task Invalid_subscriptions_are_400_naming_the_field(string? endpoint, string? p256dh, string? auth, string field)
    {
        var (client, _, _) = await Server.NewUserAsync();
        using var _c = client;
        var error = await Expect.Problem(HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed,
            () => client.SubscribePushAsync(new CreatePushSubscriptionRequest(endpoint, new PushSubscriptionKeys(p256dh, auth))));
        Assert.Contains(field, error.Problem!.Errors!.Keys);
        Assert.Empty(await client.GetPushSubscriptionsAsync());
    }

    [Fact]
    public async Task A_user_has_a_bounded_number_of_subscriptions_and_removes_only_their_own()
    {
        var (client, _, _) = await Server.NewUserAsync();
        using var _c = client;
        var (other, _, _) = await Server.NewUserAsync();
        using var _x = other;
        for (var i = 0; i < 10; i++)
        {
            await client.SubscribePushAsync(Subscription());
        }

        await Expect.Problem(HttpStatusCode.Conflict, ProblemCodes.TooManyPushSubscriptions, () => client.SubscribePushAsync(Subscription()));
        var mine = await client.GetPushSubscriptionsAsync();
        Assert.Equal(10, mine.Count);

        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => other.UnsubscribePushAsync(mine[0].Id));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => client.UnsubscribePushAsync("psh_01ARZ3NDEKTSV4RRFFQ69G5FAV"));
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => client.UnsubscribePushAsync("nonsense"));
        Assert.Equal(10, (await client.GetPushSubscriptionsAsync()).Count);

        await client.UnsubscribePushAsync(mine[0].Id);
        Assert.Equal(9, (await client.GetPushSubscriptionsAsync()).Count);
    }

    [Fact]
    public async Task A_browser_subscribed_by_someone_else_now_delivers_to_the_new_user()
    {
        var (first, _, _) = await Server.NewUserAsync();
        using var _f = first;
        var (second, _, _) = await Server.NewUserAsync();
        using var _s = second;
        var endpoint = $"https://push.example/{Guid.NewGuid():N}";
        await first.SubscribePushAsync(Subscription(endpoint));

        await second.SubscribePushAsync(Subscription(endpoint));

        Assert.Empty(await first.GetPushSubscriptionsAsync());
        Assert.Equal(endpoint, Assert.Single(await second.GetPushSubscriptionsAsync()).Endpoint);
    }
}

public sealed class NotificationsApiTestsOnSqlite(SqliteServerFixture fixture) : NotificationsApiTests(fixture), IClassFixture<SqliteServerFixture>;

public sealed class NotificationsApiTestsOnPostgres(PostgresServerFixture fixture) : NotificationsApiTests(fixture), IClassFixture<PostgresServerFixture>;
