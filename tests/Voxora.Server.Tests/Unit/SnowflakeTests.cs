using System.Collections.Concurrent;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Tests.Unit;

public sealed class SnowflakeTests
{
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void An_id_decodes_to_its_time_node_and_sequence()
    {
        var time = new DateTimeOffset(2026, 11, 24, 6, 30, 15, 123, TimeSpan.Zero);
        var generator = new SnowflakeGenerator(new ManualClock(time), nodeId: 37);
        var first = generator.Next();
        var second = generator.Next();

        Assert.Equal(time, Snowflake.TimeOf(first));
        Assert.Equal(37, Snowflake.NodeOf(first));
        Assert.Equal(0, Snowflake.SequenceOf(first));
        Assert.Equal(1, Snowflake.SequenceOf(second));
        Assert.Equal((long)(time - Snowflake.Epoch).TotalMilliseconds, Snowflake.MillisecondsOf(first));
        Assert.True(first > 0);
    }

    [Fact]
    public void Ids_are_strictly_increasing_under_parallel_generation()
    {
        var generator = new SnowflakeGenerator(TimeProvider.System, nodeId: 1);
        var perThread = new ConcurrentBag<long[]>();
        Parallel.For(0, 8, _ =>
        {
            var ids = new long[20_000];
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = generator.Next();
            }

            perThread.Add(ids);
        });

        // Each thread saw increasing ids, and no id was handed out twice.
        foreach (var ids in perThread)
        {
            for (var i = 1; i < ids.Length; i++)
            {
                Assert.True(ids[i] > ids[i - 1]);
            }
        }

        var all = perThread.SelectMany(ids => ids).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void Ids_keep_increasing_when_the_clock_steps_back_or_a_millisecond_runs_out()
    {
        var clock = new ManualClock(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var generator = new SnowflakeGenerator(clock, nodeId: 0);
        var last = generator.Next();
        clock.Now = clock.Now.AddSeconds(-10);
        for (var i = 0; i < 10_000; i++)
        {
            // More than 4096 ids in one (frozen) millisecond: the generator borrows the next one.
            var next = generator.Next();
            Assert.True(next > last);
            last = next;
        }

        clock.Now = clock.Now.AddSeconds(20);
        Assert.True(generator.Next() > last);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1024)]
    public void Node_ids_outside_ten_bits_are_refused(int nodeId) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SnowflakeGenerator(TimeProvider.System, nodeId));

    [Theory]
    [InlineData("1", true)]
    [InlineData("123456789012345678", true)]
    [InlineData("9223372036854775807", true)]
    [InlineData("9223372036854775808", false)]
    [InlineData("0", false)]
    [InlineData("-5", false)]
    [InlineData("+5", false)]
    [InlineData(" 5", false)]
    [InlineData("1e5", false)]
    [InlineData("abc", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Parsing_accepts_only_positive_decimal_strings(string? text, bool valid) =>
        Assert.Equal(valid, Snowflake.TryParse(text, out _));
}
