namespace Voxora.Server.Infrastructure.Cluster;

public static class ClusterMessageExtensions
{
    /// <summary>
    /// True for a message this node published itself. Caches apply their own changes at once, before publishing, so
    /// they skip their own message when the bus brings it back.
    /// </summary>
    public static bool IsFrom(this ClusterMessage message, ClusterBus bus) =>
        string.Equals(message.OriginNode, bus.NodeName, StringComparison.Ordinal);
}
