namespace Voxora.Server.Infrastructure;

public static class ClockExtensions
{
    /// <summary>
    /// Now, cut to whole milliseconds: the precision SQLite stores (unix ms) and below PostgreSQL's, so a
    /// timestamp returned when something is created equals the one read back later.
    /// </summary>
    public static DateTimeOffset StoredUtcNow(this TimeProvider clock) =>
        DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds());
}
