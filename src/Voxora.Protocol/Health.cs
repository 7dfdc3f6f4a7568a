namespace Voxora.Protocol;

public sealed record HealthReport(string Status, IReadOnlyDictionary<string, string>? Checks = null);
