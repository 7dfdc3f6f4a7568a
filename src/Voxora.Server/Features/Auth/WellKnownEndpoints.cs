using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using Voxora.Server.Infrastructure;

namespace Voxora.Server.Features.Auth;

/// <summary>OIDC discovery and the JWKS, so any resource server (a pod, a bot gateway) can verify our tokens.</summary>
public static class WellKnownEndpoints
{
    public static IEndpointRouteBuilder MapWellKnownEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/.well-known").WithTags("Discovery").RequireRateLimiting(RateLimits.Anonymous);

        group.MapGet("/jwks.json", (SigningKeyStore keys) =>
        {
            var jwks = new JsonArray(keys.PublicJwks().Select(k => (JsonNode)new JsonObject
            {
                ["kty"] = k.Kty,
                ["kid"] = k.Kid,
                ["use"] = k.Use,
                ["alg"] = k.Alg,
                ["crv"] = k.Crv,
                ["x"] = k.X,
                ["y"] = k.Y,
            }).ToArray());
            return TypedResults.Json(new JsonObject { ["keys"] = jwks });
        })
            .WithName("wellKnownJwks").WithSummary("The JSON Web Key Set that verifies this pod's access tokens");

        // Built from the configured public origin, never from the request's Host header.
        group.MapGet("/openid-configuration", (PublicOrigin origin) =>
        {
            var self = origin.Url;
            return TypedResults.Json(new JsonObject
            {
                ["issuer"] = origin.Issuer,
                ["jwks_uri"] = self + "/.well-known/jwks.json",
                ["token_endpoint"] = self + "/api/v1/auth/login",
                ["response_types_supported"] = new JsonArray("token"),
                ["subject_types_supported"] = new JsonArray("public"),
                ["id_token_signing_alg_values_supported"] = new JsonArray(SecurityAlgorithms.EcdsaSha256),
                ["token_endpoint_auth_methods_supported"] = new JsonArray("none"),
                ["claims_supported"] = new JsonArray("sub", "sid", "iss", "aud", "exp", "iat"),
            });
        })
            .WithName("wellKnownOpenIdConfiguration").WithSummary("OpenID Connect discovery: issuer, JWKS and token endpoint");
        return app;
    }
}
