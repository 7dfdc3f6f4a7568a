using Microsoft.AspNetCore.Http.HttpResults;
using Voxora.Protocol;
using Voxora.Server.Features.Auth;
using Voxora.Server.Features.Communities;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server.Features.Voice;

/// <summary>
/// Voice REST surface: availability, ICE servers, who is in voice, and moderators' mute/deafen/move/disconnect.
/// Joining and signaling happen over the gateway.
/// </summary>
public static class VoiceEndpoints
{
    public static IServiceCollection AddVoice(this IServiceCollection services, VoiceOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<TurnCredentials>();
        services.AddSingleton<JanusSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<JanusSupervisor>());
        services.AddSingleton<IVoiceMedia, JanusVoiceMedia>();
        services.AddSingleton<VoiceService>();
        services.AddSingleton<Gateway.IGatewayOpHandler, VoiceGatewayOps>();
        services.AddHostedService<VoiceStartup>();
        return services;
    }

    public static RouteGroupBuilder MapVoiceEndpoints(this RouteGroupBuilder api)
    {
        var voice = api.MapGroup("/voice").WithTags("Voice").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        voice.MapGet("/status", GetStatus).WithSummary("Whether voice is enabled on this pod");
        voice.MapPost("/ice-servers", GetIceServers).WithSummary("STUN/TURN servers and short-lived TURN credentials for a voice connection");

        var states = api.MapGroup("/communities/{communityId}/voice-states").WithTags("Voice").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        states.MapGet("", ListStates).WithSummary("Who is in which voice channel of a community").ProducesForbidden();
        states.MapPatch("/{userId}", Moderate).WithSummary("Server-mute, server-deafen or move a member in voice (MUTE_MEMBERS, DEAFEN_MEMBERS, MOVE_MEMBERS)").ProducesForbidden();
        return api;
    }

    private static Ok<VoiceStatus> GetStatus(JanusSupervisor supervisor) => TypedResults.Ok(supervisor.Status);

    private static Ok<IceServersResponse> GetIceServers(HttpContext http, TurnCredentials turn) =>
        TypedResults.Ok(turn.For(http.User.UserId()));

    private static async Task<Results<Ok<List<VoiceState>>, ProblemHttpResult>> ListStates(
        string communityId, HttpContext http, CommunityAccess access, VoiceService voice, CancellationToken ct)
    {
        var userId = http.User.UserId();
        var membership = await access.MembershipAsync(communityId, userId, ct);
        if (membership is null)
        {
            return Problems.NotFound("Community");
        }

        return TypedResults.Ok(voice.VisibleStates(userId, [membership.Community.Id]));
    }

    private static async Task<Results<Ok<VoiceState>, ProblemHttpResult, ValidationProblem>> Moderate(
        string communityId, string userId, ModerateVoiceStateRequest? request, HttpContext http, CommunityAccess access, VoiceService voice, CancellationToken ct)
    {
        var actorId = http.User.UserId();
        var membership = await access.MembershipAsync(communityId, actorId, ct);
        if (membership is null)
        {
            return Problems.NotFound("Community");
        }

        if (request is null || (request.ServerMute is null && request.ServerDeaf is null && !request.ChannelIdGiven))
        {
            return Problems.Validation("body", "Give server_mute, server_deaf or channel_id (null disconnects).");
        }

        if (!Ids.IsWellFormed(userId, Ids.User))
        {
            return Problems.Of(StatusCodes.Status404NotFound, ProblemCodes.UnknownVoiceState, "Not found", "That member is not in a voice channel of this community.");
        }

        if (request.ChannelId is { } channelId && !Ids.IsWellFormed(channelId, Ids.Channel))
        {
            return Problems.Validation("channel_id", "Not a channel id.");
        }

        var outcome = await voice.ModerateAsync(actorId, membership.Community.Id, userId, request, ct);
        return outcome.State is { } state
            ? TypedResults.Ok(state)
            : Problems.Of(outcome.Status, outcome.Code!, outcome.Status switch { 403 => "Forbidden", 404 => "Not found", 409 => "Conflict", 503 => "Service unavailable", _ => "Bad request" }, outcome.Detail);
    }
}

/// <summary>
/// Drops the <c>voice_sessions</c> rows of this node at start-up (left by a crash) and at shutdown; in a cluster, runs
/// the node's voice liveness and the sweep of dead nodes' members meanwhile.
/// </summary>
internal sealed class VoiceStartup(VoiceService voice) : IHostedService
{
    private readonly CancellationTokenSource stopping = new();
    private Task clusterDuties = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await voice.ClearStaleSessionsAsync(cancellationToken);
        clusterDuties = Task.Run(() => voice.RunClusterDutiesAsync(stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        await clusterDuties;
        await voice.LeaveClusterAsync();
        await voice.ClearStaleSessionsAsync(cancellationToken);
        stopping.Dispose();
    }
}
