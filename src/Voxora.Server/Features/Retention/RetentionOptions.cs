using Microsoft.Extensions.Configuration;

namespace Voxora.Server.Features.Retention;

/// <summary>Message retention sweeper settings (<c>VOXORA_RETENTION__*</c>).</summary>
public sealed class RetentionOptions
{
    /// <summary>Seconds between two retention sweeps (default an hour). <c>VOXORA_RETENTION__SWEEP_SECONDS</c>.</summary>
    [ConfigurationKeyName("SWEEP_SECONDS")]
    public double SweepSeconds { get; set; } = 3600;

    /// <summary>Messages deleted per statement (each its own short transaction). <c>VOXORA_RETENTION__BATCH</c>.</summary>
    [ConfigurationKeyName("BATCH")]
    public int Batch { get; set; } = 500;

    public TimeSpan SweepPeriod => TimeSpan.FromSeconds(SweepSeconds);

    public IEnumerable<string> Validate()
    {
        if (SweepSeconds is < 1 or > 86_400)
        {
            yield return "VOXORA_RETENTION__SWEEP_SECONDS must be between 1 and 86400.";
        }

        if (Batch is < 1 or > 5000)
        {
            yield return "VOXORA_RETENTION__BATCH must be between 1 and 5000.";
        }
    }
}
