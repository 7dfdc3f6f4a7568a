using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Tests.Unit;

public sealed class GatewayAdmissionTests
{
    [Fact]
    public void Keyed_buckets_refuse_past_the_minute_say_how_long_to_wait_and_forget_refilled_keys()
    {
        var buckets = new KeyedTokenBuckets(perMinute: 2);
        Assert.True(buckets.TryTake("a", 0, out _));
        Assert.True(buckets.TryTake("a", 0, out _));
        Assert.False(buckets.TryTake("a", 0, out var wait));
        Assert.Equal(30_000, wait.TotalMilliseconds, precision: 0);
        Assert.True(buckets.TryTake("b", 0, out _));

        Assert.True(buckets.TryTake("a", 30_000, out _));
        buckets.Prune(30_000);
        Assert.Equal(1, buckets.Count); // "b" has refilled and is forgotten; "a" has not.
        buckets.Prune(120_000);
        Assert.Equal(0, buckets.Count);
    }

    [Fact]
    public void Connections_are_counted_per_address_and_per_user_and_released()
    {
        var admission = new GatewayAdmission(new GatewayOptions { MaxConnectionsPerAddress = 2, MaxConnectionsPerUser = 1, UpgradesPerMinutePerAddress = 100 });
        Assert.Equal(UpgradeVerdict.Admitted, admission.TryOpen("10.0.0.1", 0, out _));
        Assert.Equal(UpgradeVerdict.Admitted, admission.TryOpen("10.0.0.1", 0, out _));
        Assert.Equal(UpgradeVerdict.TooManyConnections, admission.TryOpen("10.0.0.1", 0, out var retry));
        Assert.Equal(GatewayAdmission.ConnectionCapRetryAfter, retry);
        Assert.Equal(UpgradeVerdict.Admitted, admission.TryOpen("10.0.0.2", 0, out _));
        admission.Closed("10.0.0.1");
        Assert.Equal(UpgradeVerdict.Admitted, admission.TryOpen("10.0.0.1", 0, out _));

        Assert.True(admission.TryAdmitUser("usr_a", replacesOpenConnection: false));
        Assert.False(admission.TryAdmitUser("usr_a", replacesOpenConnection: false));
        Assert.True(admission.TryAdmitUser("usr_a", replacesOpenConnection: true));
        admission.UserConnectionClosed("usr_a");
        admission.UserConnectionClosed("usr_a");
        Assert.Equal(0, admission.ConnectionsOf("usr_a"));
        Assert.True(admission.TryAdmitUser("usr_a", replacesOpenConnection: false));
    }

    [Fact]
    public void Upgrades_per_address_are_rate_limited()
    {
        var admission = new GatewayAdmission(new GatewayOptions { UpgradesPerMinutePerAddress = 1 });
        Assert.Equal(UpgradeVerdict.Admitted, admission.TryOpen("10.0.0.1", 0, out _));
        admission.Closed("10.0.0.1");
        Assert.Equal(UpgradeVerdict.RateLimited, admission.TryOpen("10.0.0.1", 0, out var retry));
        Assert.True(retry > TimeSpan.Zero);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1_000_001)]
    public void Gateway_caps_outside_1_to_1000000_are_configuration_errors(int value)
    {
        var options = new GatewayOptions { MaxConnectionsPerUser = value, MaxResumableSessionsPerUser = value };
        var errors = options.Validate().ToList();
        Assert.Contains(errors, e => e.Contains("VOXORA_GATEWAY__MAX_CONNECTIONS_PER_USER", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("VOXORA_GATEWAY__MAX_RESUMABLE_SESSIONS_PER_USER", StringComparison.Ordinal));
        Assert.Empty(new GatewayOptions().Validate());
    }
}
