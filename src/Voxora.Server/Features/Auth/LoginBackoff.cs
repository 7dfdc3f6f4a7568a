using Voxora.Server.Infrastructure;

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
/// Counts are per node (docs/security.md).
/// </summary>
public sealed class LoginBackoff(AuthOptions options, TimeProvider clock) : IDisposable
{
    private readonly BackoffCounters counters = new(clock, options.MaxBackoffSeconds);

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

    private static TimeSpan? Longest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static string AccountKey(string account) => "a:" + account.ToLowerInvariant();

    private static string PairKey(string account, string ip) => "p:" + ip + "|" + account.ToLowerInvariant();

    private static string IpKey(string ip) => "i:" + ip;

    private static string SessionKey(string sessionId) => "s:" + sessionId;

    public void Dispose() => counters.Dispose();
}
