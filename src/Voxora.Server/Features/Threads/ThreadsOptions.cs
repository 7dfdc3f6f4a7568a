using Microsoft.Extensions.Configuration;

namespace Voxora.Server.Features.Threads;

/// <summary>Thread settings (<c>VOXORA_THREADS__*</c>).</summary>
public sealed class ThreadsOptions
{
    /// <summary>Seconds between two auto-archive sweeps (seed 000 §P2-7: every 5 minutes). <c>VOXORA_THREADS__SWEEP_SECONDS</c>.</summary>
    [ConfigurationKeyName("SWEEP_SECONDS")]
    public double SweepSeconds { get; set; } = 300;

    public TimeSpan SweepPeriod => TimeSpan.FromSeconds(SweepSeconds);

    public IEnumerable<string> Validate()
    {
        if (SweepSeconds is < 0.05 or > 86_400)
        {
            yield return "VOXORA_THREADS__SWEEP_SECONDS must be between 0.05 and 86400.";
        }
    }
}
