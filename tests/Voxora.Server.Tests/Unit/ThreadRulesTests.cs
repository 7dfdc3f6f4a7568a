using Voxora.Server.Features.Threads;

namespace Voxora.Server.Tests.Unit;

public sealed class ThreadRulesTests
{
    [Theory]
    [InlineData(3_600, true)]
    [InlineData(86_400, true)]
    [InlineData(259_200, true)]
    [InlineData(604_800, true)]
    [InlineData(0, false)]
    [InlineData(60, false)]
    [InlineData(7_200, false)]
    [InlineData(-3_600, false)]
    public void Auto_archive_takes_only_the_four_durations(int seconds, bool valid) =>
        Assert.Equal(valid, ThreadRules.AutoArchiveError(seconds) is null);

    [Fact]
    public void No_duration_means_the_default() => Assert.Null(ThreadRules.AutoArchiveError(null));

    [Theory]
    [InlineData("  Raid planning  ", "Raid planning")]
    [InlineData("Ünïcode Names Keep Case", "Ünïcode Names Keep Case")]
    public void Names_are_trimmed_and_keep_their_case(string name, string expected)
    {
        Assert.Null(ThreadRules.NameError(name, out var normalized));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    [InlineData("tab\tinside")]
    [InlineData("right-to-left\u202Eoverride")]
    public void Empty_control_and_direction_changing_names_are_refused(string? name) =>
        Assert.NotNull(ThreadRules.NameError(name, out _));

    [Fact]
    public void Names_are_at_most_100_characters()
    {
        Assert.Null(ThreadRules.NameError(new string('a', 100), out _));
        Assert.NotNull(ThreadRules.NameError(new string('a', 101), out _));
    }

    [Fact]
    public void A_thread_is_due_once_inactive_for_its_whole_duration()
    {
        var last = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.False(ThreadRules.IsDue(last, 3_600, last.AddMinutes(59)));
        Assert.True(ThreadRules.IsDue(last, 3_600, last.AddHours(1)));
        Assert.False(ThreadRules.IsDue(last, 86_400, last.AddHours(23)));
    }
}
