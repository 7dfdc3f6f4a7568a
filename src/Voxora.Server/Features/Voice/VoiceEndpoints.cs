using Microsoft.AspNetCore.Http.HttpResults;
using Voxora.Protocol;
using Voxora.Server.Features.Auth;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Voice;

/// <summary>Voice REST surface: availability and ICE servers. Joining and signaling happen over the gateway.</summary>
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
        return services;
    }

    public static RouteGroupBuilder MapVoiceEndpoints(this RouteGroupBuilder api)
    {
        var voice = api.MapGroup("/voice").WithTags("Voice").RequireAuthorization().RequireRateLimiting(RateLimits.User);
        voice.MapGet("/status", GetStatus);
        voice.MapPost("/ice-servers", GetIceServers);
        return api;
    }

    private static Ok<VoiceStatus> GetStatus(JanusSupervisor supervisor) => TypedResults.Ok(supervisor.Status);

    private static Ok<IceServersResponse> GetIceServers(HttpContext http, TurnCredentials turn) =>
        TypedResults.Ok(turn.For(http.User.UserId()));
}
