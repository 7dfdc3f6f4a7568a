using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Voxora.Server.Infrastructure;

/// <summary>
/// Turns every failure into a problem document: bad requests keep their 4xx status (malformed JSON is
/// 400, an oversize body 413, a wrong content type 415), anything unexpected is a 500 without details.
/// </summary>
public static class ErrorHandling
{
    public static IServiceCollection AddVoxoraProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Extensions.TryAdd("code", Problems.CodeForStatus(status));
            context.ProblemDetails.Extensions.Remove("exception");
            context.ProblemDetails.Extensions["request_id"] = context.HttpContext.TraceIdentifier;
            context.ProblemDetails.Extensions.Remove("traceId");
        });

    public static IApplicationBuilder UseVoxoraErrorHandling(this IApplicationBuilder app) =>
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                _ => StatusCodes.Status500InternalServerError,
            },
            ExceptionHandler = async context =>
            {
                var feature = context.Features.Get<IExceptionHandlerFeature>();
                var status = context.Response.StatusCode;
                var detail = feature?.Error is BadHttpRequestException bad && status < 500
                    ? SafeDetail(bad, status)
                    : "An unexpected error occurred. It has been logged.";
                var writer = context.RequestServices.GetRequiredService<IProblemDetailsService>();
                await writer.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = status,
                        Title = status >= 500 ? "Internal error" : "Bad request",
                        Detail = detail,
                        Type = Problems.TypeFor(Problems.CodeForStatus(status)),
                    },
                });
            },
        });

    private static string SafeDetail(BadHttpRequestException exception, int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "The request body is larger than the limit for this endpoint.",
        StatusCodes.Status415UnsupportedMediaType => "The request body must be JSON (Content-Type: application/json).",
        _ when exception.InnerException is System.Text.Json.JsonException => "The request body is not valid JSON for this endpoint.",
        _ => exception.Message,
    };
}
