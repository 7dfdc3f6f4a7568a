using Voxora.Client;
using Voxora.Protocol;
using Voxora.Server.Tests.Infrastructure;

namespace Voxora.Server.Tests.Notifications;

/// <summary>
/// A push subscription belongs to the login session that created it: ending that session (log out, revoke it from
/// another session, a password change ending the other sessions, a pod ban ending them all) deletes it, so a browser
/// that was signed out stops getting pushes; the subscriptions of the sessions that go on are kept. On each provider.
/// </summary>
public abstract class PushSessionTests(PushFixture fixture)
{
    private static readonly TimeSpan Arrives = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan NothingMore = TimeSpan.FromMilliseconds(PushFixture.BatchMilliseconds * 3);
    private const string Password = "correct horse battery";

    private TestServer Server => fixture.Server;

    /// <summary>An owner with a community, and bob, a member signed in on two browsers (two sessions), each subscribed.</summary>
    private async Task<(VoxoraClient Owner, Channel Channel, User Bob, VoxoraClient Laptop, BrowserSubscription LaptopPush, VoxoraClient Phone, BrowserSubscription PhonePush)> SceneAsync()
    {
        var (owner, _, community) = await Server.NewCommunityAsync("Sessions");
        var (laptop, bob) = await Server.NewMemberAsync(owner, community.Id);
        var phone = Server.NewClient();
        await phone.LoginAsync(bob.Username, Password);
        var laptopPush = fixture.Push.NewSubscription();
        var phonePush = fixture.Push.NewSubscription();
        await laptop.SubscribePushAsync(laptopPush.Request());
        await phone.SubscribePushAsync(phonePush.Request());
        return (owner, community.TextChannel(), bob, laptop, laptopPush, phone, phonePush);
    }

    private static async Task AssertPushedAsync(BrowserSubscription browser, Message message)
    {
        var push = await browser.NextAsync(Arrives);
        Assert.NotNull(push);
        Assert.Equal(message.Id, browser.Open(push).MessageId);
    }

    private static async Task AssertNoPushAsync(BrowserSubscription browser)
    {
        var push = await browser.NextAsync(NothingMore);
        Assert.True(push is null, push is null ? null : $"unexpected push: {browser.Open(push)}");
    }

    private static async Task<HashSet<string>> EndpointsAsync(VoxoraClient client) =>
        (await client.GetPushSubscriptionsAsync()).Select(s => s.Endpoint).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public async Task Logging_out_deletes_the_push_subscription_of_that_browser_only()
    {
        var (owner, channel, bob, laptop, laptopPush, phone, phonePush) = await SceneAsync();
        using var _o = owner;
        using var _l = laptop;
        using var _p = phone;
        using var _lp = laptopPush;
        using var _pp = phonePush;

        await laptop.LogoutAsync();

        Assert.Equal([phonePush.Request().Endpoint!], await EndpointsAsync(phone));
        var mention = await owner.SendMessageAsync(channel.Id, $"<@{bob.Id}> still there?");
        await AssertPushedAsync(phonePush, mention);
        await AssertNoPushAsync(laptopPush);
    }

    [Fact]
    public async Task Revoking_a_session_from_another_deletes_its_push_subscriptions()
    {
        var (owner, channel, bob, laptop, laptopPush, phone, phonePush) = await SceneAsync();
        using var _o = owner;
        using var _l = laptop;
        using var _p = phone;
        using var _lp = laptopPush;
        using var _pp = phonePush;
        var laptopSession = (await laptop.GetSessionsAsync()).Single(s => s.Current).Id;

        await phone.RevokeSessionAsync(laptopSession);

        Assert.Equal([phonePush.Request().Endpoint!], await EndpointsAsync(phone));
        var mention = await owner.SendMessageAsync(channel.Id, $"<@{bob.Id}> lost your laptop?");
        await AssertPushedAsync(phonePush, mention);
        await AssertNoPushAsync(laptopPush);
    }

    [Fact]
    public async Task A_password_change_deletes_the_push_subscriptions_of_the_sessions_it_ends_and_keeps_its_own()
    {
        var (owner, channel, bob, laptop, laptopPush, phone, phonePush) = await SceneAsync();
        using var _o = owner;
        using var _l = laptop;
        using var _p = phone;
        using var _lp = laptopPush;
        using var _pp = phonePush;

        await laptop.ChangePasswordAsync(Password, "an entirely new passphrase");

        Assert.Equal([laptopPush.Request().Endpoint!], await EndpointsAsync(laptop));
        var mention = await owner.SendMessageAsync(channel.Id, $"<@{bob.Id}> new password?");
        await AssertPushedAsync(laptopPush, mention);
        await AssertNoPushAsync(phonePush);
    }

    [Fact]
    public async Task A_browser_subscribing_again_from_a_new_session_belongs_to_that_session()
    {
        var (owner, channel, bob, laptop, laptopPush, phone, phonePush) = await SceneAsync();
        using var _o = owner;
        using var _l = laptop;
        using var _p = phone;
        using var _lp = laptopPush;
        using var _pp = phonePush;
        // The laptop signs in again (a new session) and its browser subscribes again with the same endpoint.
        using var laptopAgain = Server.NewClient();
        await laptopAgain.LoginAsync(bob.Username, Password);
        await laptopAgain.SubscribePushAsync(laptopPush.Request());

        // Ending the old session leaves the subscription alone: it belongs to the new one now.
        await laptop.LogoutAsync();
        Assert.Contains(laptopPush.Request().Endpoint!, await EndpointsAsync(laptopAgain));
        var mention = await owner.SendMessageAsync(channel.Id, $"<@{bob.Id}> welcome back");
        await AssertPushedAsync(laptopPush, mention);

        await laptopAgain.LogoutAsync();
        Assert.Equal([phonePush.Request().Endpoint!], await EndpointsAsync(phone));
    }
}

public sealed class PushSessionTestsOnSqlite(SqlitePushFixture fixture) : PushSessionTests(fixture), IClassFixture<SqlitePushFixture>;

public sealed class PushSessionTestsOnPostgres(PostgresPushFixture fixture) : PushSessionTests(fixture), IClassFixture<PostgresPushFixture>;
