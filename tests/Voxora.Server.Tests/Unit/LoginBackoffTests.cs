using Voxora.Server.Features.Auth;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Tests.Unit;

public sealed class LoginBackoffTests
{
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static (LoginBackoff Backoff, ManualClock Clock) Create(int pairFree = 5, int ipFree = 30, int accountWideFree = 100)
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new AuthOptions { AccountFreeFailures = pairFree, IpFreeFailures = ipFree, AccountWideFreeFailures = accountWideFree };
        return (new LoginBackoff(options, clock), clock);
    }

    [Fact]
    public void Failures_back_off_the_pair_not_the_account_from_elsewhere()
    {
        var (backoff, _) = Create();
        using var _b = backoff;
        for (var i = 0; i < 6; i++)
        {
            Assert.Null(backoff.LoginWait("alice", "10.0.0.1"));
            backoff.RecordLoginFailure("Alice", "10.0.0.1");
        }

        Assert.Equal(TimeSpan.FromSeconds(1), backoff.LoginWait("alice", "10.0.0.1"));
        Assert.Null(backoff.LoginWait("alice", "10.0.0.2"));
        Assert.Null(backoff.AccountWideWait("alice"));
        Assert.Null(backoff.PasswordChangeWait("ses_owner"));
    }

    [Fact]
    public void The_wait_doubles_up_to_the_maximum_and_ends()
    {
        var (backoff, clock) = Create(pairFree: 1);
        using var _b = backoff;
        backoff.RecordLoginFailure("bob", "ip");
        Assert.Null(backoff.LoginWait("bob", "ip"));
        backoff.RecordLoginFailure("bob", "ip");
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.LoginWait("bob", "ip"));
        backoff.RecordLoginFailure("bob", "ip");
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.LoginWait("bob", "ip"));
        for (var i = 0; i < 20; i++)
        {
            backoff.RecordLoginFailure("bob", "ip");
        }

        Assert.Equal(TimeSpan.FromSeconds(900), backoff.LoginWait("bob", "ip"));
        clock.Now += TimeSpan.FromSeconds(901);
        Assert.Null(backoff.LoginWait("bob", "ip"));
    }

    [Fact]
    public void A_success_clears_only_its_own_pair()
    {
        var (backoff, _) = Create(pairFree: 1, accountWideFree: 2);
        using var _b = backoff;
        for (var i = 0; i < 2; i++)
        {
            backoff.RecordLoginFailure("carol", "a");
            backoff.RecordLoginFailure("carol", "b");
        }

        backoff.RecordLoginSuccess("carol", "a");
        Assert.Null(backoff.LoginWait("carol", "a"));
        Assert.NotNull(backoff.LoginWait("carol", "b"));
        Assert.NotNull(backoff.AccountWideWait("carol"));
    }

    [Fact]
    public void Many_addresses_trip_the_account_wide_threshold()
    {
        var (backoff, _) = Create(accountWideFree: 10);
        using var _b = backoff;
        for (var a = 0; a < 10; a++)
        {
            backoff.RecordLoginFailure("dave", "10.0.0." + a);
        }

        Assert.Null(backoff.AccountWideWait("dave"));
        backoff.RecordLoginFailure("dave", "10.0.1.1");
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.AccountWideWait("dave"));
        Assert.Null(backoff.LoginWait("dave", "10.0.2.2"));  // no pair or address limit applies…
        Assert.Null(backoff.AccountWideWait("erin"));        // …and other accounts are untouched
    }

    [Fact]
    public void An_address_spraying_many_accounts_backs_off()
    {
        var (backoff, _) = Create(ipFree: 3);
        using var _b = backoff;
        for (var i = 0; i < 4; i++)
        {
            backoff.RecordLoginFailure("user" + i, "10.9.9.9");
        }

        Assert.NotNull(backoff.LoginWait("someone-else", "10.9.9.9"));
        Assert.Null(backoff.LoginWait("someone-else", "10.9.9.8"));
    }

    [Fact]
    public void Password_change_counts_per_session_and_ignores_login_failures()
    {
        var (backoff, _) = Create(pairFree: 2, accountWideFree: 3);
        using var _b = backoff;
        for (var i = 0; i < 10; i++)
        {
            backoff.RecordLoginFailure("frank", "10.0.0." + i);
        }

        Assert.Null(backoff.PasswordChangeWait("ses_frank"));
        for (var i = 0; i < 3; i++)
        {
            backoff.RecordPasswordChangeFailure("ses_frank", "frank");
        }

        Assert.NotNull(backoff.PasswordChangeWait("ses_frank"));
        Assert.Null(backoff.PasswordChangeWait("ses_other"));
    }
}
