using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Voxora.Protocol;

namespace Voxora.Server.Infrastructure;

/// <summary>
/// Turns every failure into a problem document. A client's mistake (a missing or malformed body, a wrong
/// content type, an oversize body, a duplicate that lost a race to a unique index) keeps its 4xx status
/// with the project's own <c>code</c> and wording (never the framework's message), and is logged at
/// Information without a stack trace. Anything else is a 500 without details, logged at Error.
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
            StatusCodeSelector = exception => ClientErrorOf(exception)?.Status ?? StatusCodes.Status500InternalServerError,
            // A client's mistake is not a server error: it is logged below at Information, without the stack trace.
            SuppressDiagnosticsCallback = context => ClientErrorOf(context.Exception) is not null,
            ExceptionHandler = async context =>
            {
                var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                var clientError = exception is null ? null : ClientErrorOf(exception);
                if (clientError is { } error)
                {
                    var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ErrorHandling));
                    logger.LogInformation("Client error {Status} {Code} on {Method} {Path}: {Exception}",
                        error.Status, error.Code, context.Request.Method, context.Request.Path.Value, exception!.GetType().Name);
                }

                var status = clientError?.Status ?? StatusCodes.Status500InternalServerError;
                context.Response.StatusCode = status;
                var code = clientError?.Code ?? ProblemCodes.Internal;
                var writer = context.RequestServices.GetRequiredService<IProblemDetailsService>();
                await writer.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = status,
                        Title = clientError?.Title ?? "Internal error",
                        Detail = clientError?.Detail ?? "An unexpected error occurred. It has been logged.",
                        Type = Problems.TypeFor(code),
                        Extensions = { ["code"] = code },
                    },
                });
            },
        });

    /// <summary>The problem a client's mistake deserves, or null when the exception is the server's fault.</summary>
    internal static ClientError? ClientErrorOf(Exception exception) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new(StatusCodes.Status413PayloadTooLarge, ProblemCodes.PayloadTooLarge, "Payload too large", "The request body is larger than the limit for this endpoint."),
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
            new(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.UnsupportedMediaType, "Unsupported media type", "The request body must be JSON (Content-Type: application/json)."),
        BadHttpRequestException { InnerException: JsonException } =>
            new(StatusCodes.Status400BadRequest, ProblemCodes.MalformedRequest, "Bad request", "The request body is not valid JSON for this endpoint."),
        BadHttpRequestException bad when bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase) =>
            new(StatusCodes.Status400BadRequest, ProblemCodes.MalformedRequest, "Bad request", "This endpoint needs a JSON request body."),
        BadHttpRequestException { StatusCode: < 500 } =>
            new(StatusCodes.Status400BadRequest, ProblemCodes.MalformedRequest, "Bad request", "A parameter of the request is missing or has an invalid value."),
        DbUpdateException update when IsUniqueViolation(update) =>
            new(StatusCodes.Status409Conflict, ProblemCodes.Conflict, "Conflict", "The request conflicts with a concurrent change (it already exists). Reload and retry."),
        _ => null,
    };

    /// <summary>A duplicate key rejected by the database: two requests raced to create the same row.</summary>
    internal static bool IsUniqueViolation(DbUpdateException exception) => exception.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    internal readonly record struct ClientError(int Status, string Code, string Title, string Detail);
}
