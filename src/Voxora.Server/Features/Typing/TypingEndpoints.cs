using Microsoft.AspNetCore.Http.HttpResults;
using Voxora.Protocol;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.Roles;
using Voxora.Server.Gateway;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Typing;

/// <summary>
/// Typing indicators (seed 000 §P2-2): <c>POST /api/v1/channels/{id}/typing</c> and the gateway command
/// <c>{op: 0, t: "TYPING", d: {channel_id}}</c>, both announced as TYPING_START to the channel's other viewers.
/// </summary>
public static class TypingEndpoints
{
    public static IServiceCollection AddTyping(this IServiceCollection services)
    {
        services.AddSingleton<TypingThrottle>();
        services.AddSingleton<TypingService>();
        services.AddSingleton<IGatewayCommandHandler, TypingGatewayCommands>();
        services.AddSingleton<TypingGateway>();
        services.AddDomainEventHandler<TypingStarted, TypingGateway>();
        return services;
    }

    public static RouteGroupBuilder MapTypingEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/channels/{channelId}/typing", Start).WithSummary("Tell a channel that the caller is typing").ProducesForbidden().WithTags("Typing").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        return api;
    }

    /// <summary>204 whether announced or throttled: a client cannot tell (and need not care) which.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Start(
        string channelId, HttpContext http, CommunityAccess access, TypingService typing, CancellationToken ct) =>
        await typing.StartAsync(access, http.User.UserId(), channelId, ct) switch
        {
            TypingOutcome.Started or TypingOutcome.Throttled => TypedResults.NoContent(),
            TypingOutcome.NotText => Problems.Of(StatusCodes.Status400BadRequest, ProblemCodes.WrongChannelType, "Not a text channel",
                "Typing is only announced in text channels."),
            TypingOutcome.CannotSend => RolesEndpoints.Missing("SEND_MESSAGES"),
            TypingOutcome.CannotMessageUser => DirectMessages.DirectMessagesEndpoints.CannotMessage(),
            _ => Problems.NotFound("Channel"),
        };
}

/// <summary>
/// The gateway's TYPING command. A payload without a string <c>channel_id</c> closes 4002 like any malformed op; a
/// channel the user may not type in is ignored (no dispatch, the connection stays open): the channel may have been
/// deleted or hidden a moment ago, which is no client bug.
/// </summary>
public sealed class TypingGatewayCommands(IServiceScopeFactory scopes, TypingService typing) : IGatewayCommandHandler
{
    public IReadOnlyList<string> Commands { get; } = [GatewayCommands.Typing];

    public bool RequiresSession => true;

    public async ValueTask HandleAsync(GatewayOpContext context, GatewayFrame frame, CancellationToken ct)
    {
        var command = context.DecodeOrClose(frame, VoxoraJsonContext.Default.TypingCommand, "TYPING needs d: {channel_id}");
        if (command is null)
        {
            return;
        }

        if (command.ChannelId is not { } channelId)
        {
            context.Connection.Abort(GatewayCloseCodes.DecodeError, "TYPING needs d: {channel_id}");
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        await typing.StartAsync(scope.ServiceProvider.GetRequiredService<CommunityAccess>(), context.IdentifiedSession.UserId, channelId, ct);
    }
}
