using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Voxora.Protocol;

namespace Voxora.Server.Infrastructure;

/// <summary>RFC 9457 problem responses, each with the stable <c>code</c> clients branch on.</summary>
public static class Problems
{
    public static ProblemHttpResult Of(int status, string code, string title, string? detail = null) =>
        TypedResults.Problem(new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Type = TypeFor(code),
            Extensions = { ["code"] = code },
        });

    public static ValidationProblem Validation(IDictionary<string, string[]> errors, string? detail = null) =>
        TypedResults.ValidationProblem(
            errors,
            detail: detail ?? "One or more fields are invalid.",
            title: "Validation failed",
            type: TypeFor(ProblemCodes.ValidationFailed),
            extensions: new Dictionary<string, object?> { ["code"] = ProblemCodes.ValidationFailed });

    public static ValidationProblem Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult NotFound(string what) =>
        Of(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "Not found", $"{what} was not found.");

    public static ProblemHttpResult Unauthorized(string code, string detail) =>
        Of(StatusCodes.Status401Unauthorized, code, "Unauthorized", detail);

    /// <summary>The code for a bare status (404 from routing, 401 from the bearer handler …).</summary>
    public static string CodeForStatus(int status) => status switch
    {
        400 => ProblemCodes.MalformedRequest,
        401 => ProblemCodes.Unauthorized,
        403 => ProblemCodes.Forbidden,
        404 => ProblemCodes.NotFound,
        405 => ProblemCodes.MethodNotAllowed,
        413 => ProblemCodes.PayloadTooLarge,
        415 => ProblemCodes.UnsupportedMediaType,
        429 => ProblemCodes.RateLimited,
        _ when status >= 500 => ProblemCodes.Internal,
        _ => "error",
    };

    public static string TypeFor(string code) => "https://voxora.dev/problems/" + code.Replace('_', '-');
}
