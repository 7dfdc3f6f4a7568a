using System.Net;
using System.Net.Http.Json;
using Voxora.Client;
using Voxora.Protocol;

namespace Voxora.Server.Tests.Infrastructure;

public static class Expect
{
    /// <summary>Runs the call, asserts it failed with this status and problem code, and returns the error.</summary>
    public static async Task<VoxoraApiException> Problem(HttpStatusCode status, string code, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<VoxoraApiException>(call);
        Assert.Equal(status, error.Status);
        Assert.Equal(code, error.Code);
        return error;
    }

    /// <summary>Asserts a raw response is a problem document with this status and code.</summary>
    public static async Task<Problem> Problem(HttpStatusCode status, string code, HttpResponseMessage response)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync(VoxoraJsonContext.Default.Problem);
        Assert.NotNull(problem);
        Assert.Equal(code, problem.Code);
        Assert.Equal((int)status, problem.Status);
        return problem;
    }
}
