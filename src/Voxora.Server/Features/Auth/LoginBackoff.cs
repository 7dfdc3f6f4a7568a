using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Cluster;

namespace Voxora.Server.Features.Auth;

/// <summary>
/// Back-off after wrong passwords, arranged so that nobody else's failures can lock an owner out:
/// <list type="bullet">
/// <item>per (account, client address) pair — a guesser slows only themselves;</item>
/// <item>per client address across accounts — password spraying from one address;</item>
/// <item>per account across all addresses, with a much wider threshold — guessing from many addresses.
/// When it trips it slows logins from addresses the account has not used recently; the caller exempts
/// known addresses (see <c>AuthEndpoints.Login</c>), so the owner's usual devices keep working;</item>
/// <item>per login session for the password change (the caller is already signed in), so strangers'
/// login failures never block it and a stolen access token still cannot guess freely.</item>
/// </list>
/// On one node the counts live in memory (the synchronous methods). On a cluster the <c>…Async</c> methods keep them in
/// Redis, so failures on one node slow the next attempt on every node; while Redis is unreachable they count on this
/// node (docs/security.md).
/// </summary>
public sealed class LoginBackoff(AuthOptions options, TimeProvider clock, SharedLimits? shared) : IDisposable
{
    private readonly BackoffCounters counters = new(clock, options.MaxBackoffSeconds);

    public LoginBackoff(AuthOptions options, TimeProvider clock)
        : this(options, clock, null)
    {
    }

    /// <summary>The wait for a login to <paramref name="account"/> from <paramref name="ip"/> on its own pair and address counts, or null.</summary>
    public TimeSpan? LoginWait(string account, string ip) => Longest(counters.Wait(PairKey(account, ip)), counters.Wait(IpKey(ip)));

    /// <summary>The wait every address not known to the account has once the account-wide threshold tripped, or null.</summary>
    public TimeSpan? AccountWideWait(string account) => counters.Wait(AccountKey(account));

    public void RecordLoginFailure(string account, string ip)
    {
        counters.RecordFailure(PairKey(account, ip), options.AccountFreeFailures);
        counters.RecordFailure(IpKey(ip), options.IpFreeFailures);
        counters.RecordFailure(AccountKey(account), options.AccountWideFreeFailures);
    }

    /// <summary>A correct password clears this pair; the address and the account-wide count stay (others may still be guessing).</summary>
    public void RecordLoginSuccess(string account, string ip) => counters.Forget(PairKey(account, ip));

    /// <summary>The wait before this login session may try its current password again at password change, or null.</summary>
    public TimeSpan? PasswordChangeWait(string sessionId) => counters.Wait(SessionKey(sessionId));

    /// <summary>A wrong current password: counts for the session, and as a guess on the account.</summary>
    public void RecordPasswordChangeFailure(string sessionId, string account)
    {
        counters.RecordFailure(SessionKey(sessionId), options.AccountFreeFailures);
        counters.RecordFailure(AccountKey(account), options.AccountWideFreeFailures);
    }

    public async ValueTask<TimeSpan?> LoginWaitAsync(string account, string ip) =>
        await SharedWaitAsync(PairKey(account, ip), IpKey(ip)) is { Answered: true } answer ? answer.Value : LoginWait(account, ip);

    public async ValueTask<TimeSpan?> AccountWideWaitAsync(string account) =>
        await SharedWaitAsync(AccountKey(account)) is { Answered: true } answer ? answer.Value : AccountWideWait(account);

    public async ValueTask RecordLoginFailureAsync(string account, string ip)
    {
        if (!await SharedFailureAsync(PairKey(account, ip), options.AccountFreeFailures)
            | !await SharedFailureAsync(IpKey(ip), options.IpFreeFailures)
            | !await SharedFailureAsync(AccountKey(account), options.AccountWideFreeFailures))
        {
            RecordLoginFailure(account, ip);
        }
    }

    public async ValueTask RecordLoginSuccessAsync(string account, string ip)
    {
        if (shared is not null && shared.Enabled)
        {
            await shared.ForgetBackoffAsync(PairKey(account, ip));
        }

        RecordLoginSuccess(account, ip);
    }

    public async ValueTask<TimeSpan?> PasswordChangeWaitAsync(string sessionId) =>
        await SharedWaitAsync(SessionKey(sessionId)) is { Answered: true } answer ? answer.Value : PasswordChangeWait(sessionId);

    public async ValueTask RecordPasswordChangeFailureAsync(string sessionId, string account)
    {
        if (!await SharedFailureAsync(SessionKey(sessionId), options.AccountFreeFailures)
            | !await SharedFailureAsync(AccountKey(account), options.AccountWideFreeFailures))
        {
            RecordPasswordChangeFailure(sessionId, account);
        }
    }

    private Task<Shared<TimeSpan?>> SharedWaitAsync(params string[] keys) =>
        shared is not null && shared.Enabled ? shared.BackoffWaitAsync(keys) : Task.FromResult(Shared<TimeSpan?>.Unavailable);

    /// <summary>Counts the failure in Redis; false when it must be counted on this node instead.</summary>
    private async Task<bool> SharedFailureAsync(string key, int free) =>
        shared is not null && shared.Enabled
        && (await shared.RecordBackoffFailureAsync(key, free, options.MaxBackoffSeconds, BackoffCounters.Window + TimeSpan.FromSeconds(options.MaxBackoffSeconds))).Answered;

    private static TimeSpan? Longest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static string AccountKey(string account) => "a:" + account.ToLowerInvariant();

    private static string PairKey(string account, string ip) => "p:" + ip + "|" + account.ToLowerInvariant();

    private static string IpKey(string ip) => "i:" + ip;

    private static string SessionKey(string sessionId) => "s:" + sessionId;

    public void Dispose() => counters.Dispose();
}
