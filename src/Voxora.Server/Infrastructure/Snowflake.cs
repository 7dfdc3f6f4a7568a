using System.Globalization;

namespace Voxora.Server.Infrastructure;

/// <summary>
/// Snowflake ids (messages): 42 bits of milliseconds since <see cref="Epoch"/>, 10 bits of node id,
/// 12 bits of sequence. Ordering by id is ordering by creation time. Sent on the wire as decimal strings.
/// </summary>
public static class Snowflake
{
    public const int NodeBits = 10;
    public const int SequenceBits = 12;
    public const int MaxNodeId = (1 << NodeBits) - 1;
    public const int MaxSequence = (1 << SequenceBits) - 1;
    public const long MaxTimestamp = (1L << 42) - 1;

    public static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static long Compose(long millisecondsSinceEpoch, int nodeId, int sequence) =>
        (millisecondsSinceEpoch << (NodeBits + SequenceBits)) | ((long)nodeId << SequenceBits) | (long)sequence;

    public static long MillisecondsOf(long id) => id >> (NodeBits + SequenceBits);

    public static DateTimeOffset TimeOf(long id) => Epoch.AddMilliseconds(MillisecondsOf(id));

    public static int NodeOf(long id) => (int)((id >> SequenceBits) & MaxNodeId);

    public static int SequenceOf(long id) => (int)(id & MaxSequence);

    /// <summary>The smallest id that could have been made at this time (a cursor for "since time").</summary>
    public static long FirstAt(DateTimeOffset time) => Compose(Math.Max(0, (long)(time - Epoch).TotalMilliseconds), 0, 0);

    public static string Format(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Accepts only plain positive decimal digits (no sign, spaces or exponent).</summary>
    public static bool TryParse(string? text, out long id)
    {
        id = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 19)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;
    }
}

/// <summary>
/// Makes Snowflakes for one node. Ids are strictly increasing within the process, also under
/// concurrency and when the clock steps back: time never goes below the last id's time, and when a
/// millisecond's 4096 sequence numbers run out the generator borrows the next millisecond.
/// </summary>
public sealed class SnowflakeGenerator
{
    private readonly TimeProvider clock;
    private readonly int nodeId;
    private readonly Lock gate = new();
    private long lastMilliseconds = -1;
    private int sequence;

    public SnowflakeGenerator(TimeProvider clock, int nodeId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodeId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(nodeId, Snowflake.MaxNodeId);
        this.clock = clock;
        this.nodeId = nodeId;
    }

    public int NodeId => nodeId;

    public long Next()
    {
        var now = (long)(clock.GetUtcNow() - Snowflake.Epoch).TotalMilliseconds;
        if (now < 0 || now > Snowflake.MaxTimestamp)
        {
            throw new InvalidOperationException("The clock is outside the Snowflake range (2024 to 2163).");
        }

        lock (gate)
        {
            if (now > lastMilliseconds)
            {
                lastMilliseconds = now;
                sequence = 0;
            }
            else if (sequence < Snowflake.MaxSequence)
            {
                // Same millisecond, or the clock stepped back: stay on the last time and count up.
                sequence++;
            }
            else
            {
                lastMilliseconds++;
                sequence = 0;
            }

            return Snowflake.Compose(lastMilliseconds, nodeId, sequence);
        }
    }
}
