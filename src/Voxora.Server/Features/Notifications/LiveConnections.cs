using Voxora.Server.Gateway;

namespace Voxora.Server.Features.Notifications;

/// <summary>Does a person have a live gateway connection (then the app, not a push, tells them)?</summary>
public sealed class LiveConnections(GatewayHub hub)
{
    public bool IsConnectedAnywhere(string userId) => hub.Sessions.Any(s => s.UserId == userId && s.IsAttached);
}
