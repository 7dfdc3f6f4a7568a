using System.Net;
using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests.Notifications;

/// <summary>A server that accepts loopback http push endpoints, with a short batch window, and the local push service stand-in.</summary>
public abstract class PushFixture(Provider provider) : IAsyncLifetime
{
    public const int BatchMilliseconds = 400;

    private TestServer? server;
    private PushServiceStandIn? push;

    public TestServer Server => server ?? throw new InvalidOperationException("Fixture not started.");
    public PushServiceStandIn Push => push ?? throw new InvalidOperationException("Fixture not started.");

    public async Task InitializeAsync()
    {
        push = await PushServiceStandIn.StartAsync();
        server = await TestServer.StartAsync(provider, new Dictionary<string, string?>
        {
            ["PUSH:ALLOW_LOOPBACK_HTTP"] = "true",
            ["PUSH:BATCH_MILLISECONDS"] = BatchMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PUSH:MAX_ATTEMPTS"] = "2",
            ["PUSH:SUBJECT"] = "mailto:ops@voxora.test",
        });
    }

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
        if (push is not null) await push.DisposeAsync();
    }
}

public sealed class SqlitePushFixture() : PushFixture(Provider.Sqlite);

public sealed class PostgresPushFixture() : PushFixture(Provider.Postgres);

/// <summary>
/// Web Push end to end: settings decide, the server encrypts (RFC 8291) and signs (RFC 8292) a push to a push service
/// stand-in, which the test decrypts with the browser's private key. On each database provider.
/// </summary>
public abstract class WebPushTests(PushFixture fixture)
{
    private static readonly TimeSpan Arrives = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan NothingMore = TimeSpan.FromMilliseconds(PushFixture.BatchMilliseconds * 3);

    private TestServer Server => fixture.Server;

    private sealed record Scene(VoxoraClient Owner, User OwnerUser, Community Community, Channel Channel, VoxoraClient Bob, User BobUser, BrowserSubscription Browser) : IDisposable
    {
        public void Dispose()
        {
            Owner.Dispose();
            Bob.Dispose();
            Browser.Dispose();
        }
    }

    /// <summary>An owner, a member (bob) whose browser subscribed to pushes, the community's text channel.</summary>
    private async Task<Scene> SceneAsync()
    {
        var (owner, ownerUser, community) = await Server.NewCommunityAsync("Home");
        var (bob, bobUser) = await Server.NewMemberAsync(owner, community.Id);
        var browser = fixture.Push.NewSubscription();
        await bob.SubscribePushAsync(browser.Request());
        return new Scene(owner, ownerUser, community, community.TextChannel(), bob, bobUser, browser);
    }

    private static async Task<PushPayload> NextPayloadAsync(Scene scene)
    {
        var push = await scene.Browser.NextAsync(Arrives);
        Assert.NotNull(push);
        return scene.Browser.Open(push);
    }

    /// <summary>The next push is for exactly this message: not a batch that also counted messages that should not have notified.</summary>
    private static async Task AssertNextPushIsOnlyAsync(Scene scene, Message message)
    {
        var payload = await NextPayloadAsync(scene);
        Assert.Equal((message.Id, 1), (payload.MessageId, payload.Count));
    }

    /// <summary>
    /// Lets the server decide the message just sent before the test changes settings: the decision runs off the
    /// request, so a setting changed within milliseconds of a message can still apply to it.
    /// </summary>
    private static Task DecidedAsync() => Task.Delay(PushFixture.BatchMilliseconds);

    private static async Task AssertNoPushAsync(Scene scene)
    {
        var push = await scene.Browser.NextAsync(NothingMore);
        Assert.True(push is null, push is null ? null : $"unexpected push: {scene.Browser.Open(push)}");
    }

    [Fact]
    public async Task A_mention_reaches_an_offline_member_encrypted_for_their_browser_and_signed_with_the_servers_VAPID_key()
    {
        using var scene = await SceneAsync();
        var vapid = await scene.Bob.GetVapidPublicKeyAsync();

        var sent = await scene.Owner.SendMessageAsync(scene.Channel.Id, $"<@{scene.BobUser.Id}> lunch?");

        var push = await scene.Browser.NextAsync(Arrives);
        Assert.NotNull(push);
        Assert.Equal("aes128gcm", push.ContentEncoding);
        Assert.True(int.Parse(push.Ttl!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        var claims = VapidCheck.Verify(push.Authorization, vapid.PublicKey);
        Assert.Equal(fixture.Push.Origin, claims.Audience);
        Assert.Equal("mailto:ops@voxora.test", claims.Subject);
        Assert.InRange(claims.Expires, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(24));

        var payload = scene.Browser.Open(push);
        Assert.Equal(sent.Id, payload.MessageId);
        Assert.Equal(scene.Community.Id, payload.CommunityId);
        Assert.Equal(scene.Channel.Id, payload.ChannelId);
        Assert.Equal($"/app/{scene.Community.Id}/{scene.Channel.Id}", payload.Url);
        Assert.Equal(1, payload.Count);
        // A channel every member can view: the text is shown.
        Assert.Equal($"{scene.OwnerUser.Username} in #{scene.Channel.Name}", payload.Title);
        Assert.Equal(sent.Content, payload.Body);
    }

    [Fact]
    public async Task By_default_only_mentions_push_and_the_author_gets_none()
    {
        using var scene = await SceneAsync();
        var ownerBrowser = fixture.Push.NewSubscription();
        await scene.Owner.SubscribePushAsync(ownerBrowser.Request());

        await scene.Owner.SendMessageAsync(scene.Channel.Id, "just chatting");
        var mention = await scene.Owner.SendMessageAsync(scene.Channel.Id, $"<@{scene.BobUser.Id}> look");

        await AssertNextPushIsOnlyAsync(scene, mention);
        await AssertNoPushAsync(scene);
        Assert.Null(await ownerBrowser.NextAsync(NothingMore));
    }

    [Fact]
    public async Task All_pushes_every_message_nothing_pushes_none_and_a_channel_setting_wins()
    {
        using var scene = await SceneAsync();
        await scene.Bob.SetCommunityNotificationSettingsAsync(scene.Community.Id, new UpdateCommunityNotificationSettingsRequest(NotificationLevels.All));
        var plain = await scene.Owner.SendMessageAsync(scene.Channel.Id, "anyone around");
        await AssertNextPushIsOnlyAsync(scene, plain);

        await scene.Bob.SetCommunityNotificationSettingsAsync(scene.Community.Id, new UpdateCommunityNotificationSettingsRequest(NotificationLevels.Nothing));
        await scene.Owner.SendMessageAsync(scene.Channel.Id, $"<@{scene.BobUser.Id}> you there?");
        await DecidedAsync();
        await scene.Bob.SetChannelNotificationSettingsAsync(scene.Channel.Id, new UpdateChannelNotificationSettingsRequest(NotificationLevels.All));
        var loud = await scene.Owner.SendMessageAsync(scene.Channel.Id, "channel says all");

        await AssertNextPushIsOnlyAsync(scene, loud);
        await AssertNoPushAsync(scene);
    }

    [Fact]
    public async Task A_muted_community_or_channel_pushes_nothing_until_unmuted()
    {
        using var scene = await SceneAsync();
        var hour = DateTimeOffset.UtcNow.AddHours(1);
        await scene.Bob.SetCommunityNotificationSettingsAsync(scene.Community.Id, new UpdateCommunityNotificationSettingsRequest(NotificationLevels.All, hour));
        await scene.Owner.SendMessageAsync(scene.Channel.Id, $"<@{scene.BobUser.Id}> muted community");
        await DecidedAsync();
        await scene.Bob.SetCommunityNotificationSettingsAsync(scene.Community.Id, new UpdateCommunityNotificationSettingsRequest(NotificationLevels.All));
        await scene.Bob.SetChannelNotificationSettingsAsync(scene.Channel.Id, new UpdateChannelNotificationSettingsRequest(MutedUntil: hour));
        await scene.Owner.SendMessageAsync(scene.Channel.Id, $"<@{scene.BobUser.Id}> muted channel");
        await DecidedAsync();
        await scene.Bob.SetChannelNotificationSettingsAsync(scene.Channel.Id, new UpdateChannelNotificationSettingsRequest());
        var after = await scene.Owner.SendMessageAsync(scene.Channel.Id, "unmuted");

        await AssertNextPushIsOnlyAsync(scene, after);
        await AssertNoPushAsync(scene);
    }

    [Fact]
    public async Task Suppressing_everyone_silences_everyone_and_here_but_not_a_direct_mention()
    {
        using var scene = await SceneAsync();
        var everyone = await scene.Owner.SendMessageAsync(scene.Channel.Id, "@everyone meeting");
        await AssertNextPushIsOnlyAsync(scene, everyone);

        await scene.Bob.SetCommunityNotificationSettingsAsync(scene.Community.Id, new UpdateCommunityNotificationSettingsRequest(SuppressEveryone: true));
        await scene.Owner.SendMessageAsync(scene.Channel.Id, "@everyone again");
        await scene.Owner.SendMessageAsync(scene.Channel.Id, "@here too");
        var direct = await scene.Owner.SendMessageAsync(scene.Channel.Id, $"<@{scene.BobUser.Id}> just you");

        await AssertNextPushIsOnlyAsync(scene, direct);
        await AssertNoPushAsync(scene);
    }

    [Fact]
    public async Task Nobody_with_a_live_gateway_connection_gets_a_push()
    {
        using var scene = await SceneAsync();
        var connected = await GatewayPeople.ConnectAsync(Server, scene.Bob, scene.BobUser);
        await scene.Owner.SendMessageAsync(scene.Channel.Id, $"<@{scene.BobUser.Id}> while online");
        await AssertNoPushAsync(scene);

        await connected.Gateway.DisposeAsync();
        await Task.Delay(300);
        var offline = await scene.Owner.SendMessageAsync(scene.Channel.Id, $"<@{scene.BobUser.Id}> now offline");
        await AssertNextPushIsOnlyAsync(scene, offline);
    }

    [Fact]
    public async Task Do_not_disturb_holds_pushes_through_the_grace_after_the_last_connection()
    {
        using var scene = await SceneAsync();
        var gateway = await GatewayClient.ConnectAsync(Server.BaseAddress);
        await gateway.IdentifyAsync(scene.Bob.AccessToken!, presence: PresenceStatuses.Dnd);
        await gateway.DisposeAsync();
        await Task.Delay(300);

        await scene.Owner.SendMessageAsync(scene.Channel.Id, $"<@{scene.BobUser.Id}> do not disturb");
        await AssertNoPushAsync(scene);
    }

    [Fact]
    public async Task Messages_close_together_become_one_push_that_counts_them_and_quotes_none()
    {
        using var scene = await SceneAsync();
        await scene.Bob.SetCommunityNotificationSettingsAsync(scene.Community.Id, new UpdateCommunityNotificationSettingsRequest(NotificationLevels.All));

        await scene.Owner.SendMessageAsync(scene.Channel.Id, "one");
        await scene.Owner.SendMessageAsync(scene.Channel.Id, "two");
        var last = await scene.Owner.SendMessageAsync(scene.Channel.Id, "three");

        var payload = await NextPayloadAsync(scene);
        Assert.Equal(3, payload.Count);
        Assert.Equal(last.Id, payload.MessageId);
        Assert.Equal($"3 new messages in #{scene.Channel.Name}", payload.Body);
        Assert.DoesNotContain("three", payload.Body, StringComparison.Ordinal);
        await AssertNoPushAsync(scene);
    }

    [Fact]
    public async Task A_burst_from_several_authors_in_two_communities_pushes_each_mention_to_its_member_and_none_to_an_author()
    {
        // Sent at once, these reach the decider together and are decided in one batch per community.
        using var scene = await SceneAsync();
        var (awayOwner, _, away) = await Server.NewCommunityAsync("Away");
        using var awayOwnerClient = awayOwner;
        await scene.Bob.AcceptInviteAsync((await awayOwner.CreateInviteAsync(away.Id)).Code);
        var (carol, _) = await Server.NewMemberAsync(scene.Owner, scene.Community.Id);
        using var carolClient = carol;
        using var carolBrowser = fixture.Push.NewSubscription();
        await carol.SubscribePushAsync(carolBrowser.Request());
        var awayChannel = away.TextChannel();
        var bobMention = $"<@{scene.BobUser.Id}>";

        await Task.WhenAll(
            Enumerable.Range(0, 3).Select(i => scene.Owner.SendMessageAsync(scene.Channel.Id, $"{bobMention} home {i}"))
                .Concat(Enumerable.Range(0, 2).Select(i => carol.SendMessageAsync(scene.Channel.Id, $"{bobMention} from carol {i}")))
                .Concat(Enumerable.Range(0, 4).Select(i => scene.Owner.SendMessageAsync(scene.Channel.Id, $"nobody {i}")))
                .Concat(Enumerable.Range(0, 2).Select(i => awayOwner.SendMessageAsync(awayChannel.Id, $"{bobMention} away {i}")))
                .Concat(Enumerable.Range(0, 2).Select(i => scene.Bob.SendMessageAsync(scene.Channel.Id, $"{bobMention} talking to myself {i}"))));

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        while (await scene.Browser.NextAsync(Arrives) is { } push)
        {
            var payload = scene.Browser.Open(push);
            counts[payload.ChannelId!] = counts.GetValueOrDefault(payload.ChannelId!) + payload.Count;
            if (counts.Values.Sum() == 7)
            {
                break;
            }
        }

        Assert.Equal(5, counts.GetValueOrDefault(scene.Channel.Id));
        Assert.Equal(2, counts.GetValueOrDefault(awayChannel.Id));
        await AssertNoPushAsync(scene);
        // Carol was mentioned by nobody and her own messages do not notify her.
        Assert.Null(await carolBrowser.NextAsync(NothingMore));
    }

    [Fact]
    public async Task Someone_who_joins_and_subscribes_just_after_a_message_gets_the_next_mention()
    {
        // The decider remembers who in a community holds a subscription for a moment; a join or a subscription on this
        // node must count at once, not after that moment.
        using var scene = await SceneAsync();
        var first = await scene.Owner.SendMessageAsync(scene.Channel.Id, $"<@{scene.BobUser.Id}> first");
        await AssertNextPushIsOnlyAsync(scene, first);

        var (dana, danaUser) = await Server.NewMemberAsync(scene.Owner, scene.Community.Id);
        using var danaClient = dana;
        using var danaBrowser = fixture.Push.NewSubscription();
        await dana.SubscribePushAsync(danaBrowser.Request());
        var mention = await scene.Owner.SendMessageAsync(scene.Channel.Id, $"<@{danaUser.Id}> welcome");

        var push = await danaBrowser.NextAsync(Arrives);
        Assert.NotNull(push);
        Assert.Equal(mention.Id, danaBrowser.Open(push).MessageId);
    }

    [Fact]
    public async Task A_private_channel_push_says_only_new_message_unless_previews_are_on_and_hidden_channels_push_nobody()
    {
        using var scene = await SceneAsync();
        var (carol, carolUser) = await Server.NewMemberAsync(scene.Owner, scene.Community.Id);
        using var _c = carol;
        var carolBrowser = fixture.Push.NewSubscription();
        await carol.SubscribePushAsync(carolBrowser.Request());
        await carol.SetCommunityNotificationSettingsAsync(scene.Community.Id, new UpdateCommunityNotificationSettingsRequest(NotificationLevels.All));

        var secret = await scene.Owner.CreateChannelAsync(scene.Community.Id, new CreateChannelRequest("secret"));
        await scene.Owner.SetOverrideAsync(secret.Id, "role", (await scene.Owner.GetRolesAsync(scene.Community.Id)).Single(r => r.Name == "@everyone").Id, 0, Permission.ViewChannel);
        await scene.Owner.SetOverrideAsync(secret.Id, "user", scene.BobUser.Id, Permission.ViewChannel, 0);

        var first = await scene.Owner.SendMessageAsync(secret.Id, $"<@{scene.BobUser.Id}> <@{carolUser.Id}> the plan is ready");
        var hidden = await NextPayloadAsync(scene);
        Assert.Equal(first.Id, hidden.MessageId);
        Assert.Equal("Home", hidden.Title);
        Assert.Equal("New message in #secret", hidden.Body);
        Assert.DoesNotContain("plan", hidden.Title + hidden.Body, StringComparison.Ordinal);

        await scene.Bob.UpdateNotificationPreferencesAsync(new UpdateNotificationPreferencesRequest(ShowPreviews: true));
        var second = await scene.Owner.SendMessageAsync(secret.Id, $"<@{scene.BobUser.Id}> details inside");
        var shown = await NextPayloadAsync(scene);
        Assert.Equal(second.Id, shown.MessageId);
        Assert.Equal(second.Content, shown.Body);

        // Carol cannot view #secret: mentioned and set to all, she gets nothing from it.
        Assert.Null(await carolBrowser.NextAsync(NothingMore));
        carolBrowser.Dispose();
    }

    [Fact]
    public async Task A_push_service_answering_404_or_410_removes_the_subscription()
    {
        using var scene = await SceneAsync();
        var second = fixture.Push.NewSubscription();
        await scene.Bob.SubscribePushAsync(second.Request());
        fixture.Push.Answer(scene.Browser, 410);
        fixture.Push.Answer(second, 404);

        await scene.Owner.SendMessageAsync(scene.Channel.Id, $"<@{scene.BobUser.Id}> hello?");
        Assert.NotNull(await scene.Browser.NextAsync(Arrives));
        Assert.NotNull(await second.NextAsync(Arrives));

        await Poll.UntilAsync(async () => (await scene.Bob.GetPushSubscriptionsAsync()).Count == 0, "both expired subscriptions are removed");
        second.Dispose();
    }

    [Fact]
    public async Task Other_failures_are_retried_a_bounded_number_of_times_and_the_subscription_is_kept()
    {
        using var scene = await SceneAsync();
        fixture.Push.Answer(scene.Browser, 500);

        await scene.Owner.SendMessageAsync(scene.Channel.Id, $"<@{scene.BobUser.Id}> failing");
        Assert.NotNull(await scene.Browser.NextAsync(Arrives));
        Assert.NotNull(await scene.Browser.NextAsync(Arrives));
        Assert.Null(await scene.Browser.NextAsync(TimeSpan.FromSeconds(2)));
        Assert.Single(await scene.Bob.GetPushSubscriptionsAsync());
    }

    [Fact]
    public async Task Subscribing_the_same_browser_again_keeps_one_subscription_with_the_new_keys()
    {
        using var scene = await SceneAsync();
        var again = await scene.Bob.SubscribePushAsync(scene.Browser.Request());
        var listed = Assert.Single(await scene.Bob.GetPushSubscriptionsAsync());
        Assert.Equal(listed.Id, again.Id);
        Assert.Equal(scene.Browser.Endpoint, listed.Endpoint);

        await scene.Bob.UnsubscribePushAsync(listed.Id);
        Assert.Empty(await scene.Bob.GetPushSubscriptionsAsync());
        await scene.Owner.SendMessageAsync(scene.Channel.Id, $"<@{scene.BobUser.Id}> gone");
        await AssertNoPushAsync(scene);
        await Expect.Problem(HttpStatusCode.NotFound, ProblemCodes.NotFound, () => scene.Bob.UnsubscribePushAsync(listed.Id));
    }
}

public sealed class WebPushTestsOnSqlite(SqlitePushFixture fixture) : WebPushTests(fixture), IClassFixture<SqlitePushFixture>;

public sealed class WebPushTestsOnPostgres(PostgresPushFixture fixture) : WebPushTests(fixture), IClassFixture<PostgresPushFixture>;

public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(100);
        }
    }
}
