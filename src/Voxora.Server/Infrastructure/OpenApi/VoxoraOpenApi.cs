using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using Voxora.Protocol;

namespace Voxora.Server.Infrastructure.OpenApi;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c> (issue 17, "one source for the protocol"): a source for anyone's
/// client, linted by <c>redocly lint</c> in the tests (OpenApiDocumentTests) and the input of the web client's generated
/// wire types (web/src/api/generated/). Endpoints say what only they know: a summary (<c>.WithSummary</c>) and the
/// problems that are theirs (<see cref="ProblemResponse{TBuilder}"/>). What follows from an endpoint's metadata is
/// derived here, once, for every operation:
/// <list type="bullet">
/// <item>authorization metadata: the <c>bearer</c> security requirement and <c>401 unauthorized</c>; anonymous
/// operations get an explicit empty security list;</item>
/// <item>rate limiting metadata: <c>429 rate_limited</c>;</item>
/// <item>a route parameter: <c>404 not_found</c>; a request body or query parameters: <c>400 malformed_request</c> (and
/// <c>validation_failed</c> when the handler can answer a validation problem);</item>
/// <item>the operationId, from the handler's type and method (<c>CommunitiesEndpoints.Create</c> is
/// <c>communitiesCreate</c>) unless the endpoint is named.</item>
/// </list>
/// Every problem response is <c>application/problem+json</c> with the <c>Problem</c> schema and lists its codes. Schemas
/// describe the JSON as it is written (<see cref="DescribeWire"/>).
/// </summary>
public static class VoxoraOpenApi
{
    public const string BearerScheme = "bearer";
    private const string ProblemSchema = "Problem";
    private const string ProblemContentType = "application/problem+json";

    /// <summary>What each tag (one per feature) is about; the document's tags are these, in this order.</summary>
    private static readonly (string Name, string Description)[] Tags =
    [
        ("Health", "Liveness and readiness of this node, for orchestrators and load balancers."),
        ("Discovery", "OpenID Connect discovery and the JSON Web Key Set that verifies this pod's access tokens."),
        ("Pod", "What this pod is, its first-run setup, pod roles and pod bans."),
        ("Admin", "Pod administration: settings, dashboard, users and their sessions, communities. Gated by pod permissions."),
        ("Auth", "Registration, sign in, token refresh, sign out and login sessions."),
        ("Two-factor", "TOTP two-factor authentication: enable, confirm, disable, and the second step of a sign in."),
        ("Users", "The signed-in user's own account."),
        ("Avatars", "User avatars and community icons: upload, remove and serve."),
        ("Communities", "Communities: create, read, change, delete; members and leaving."),
        ("Channels", "Channels of a community and their permission overrides."),
        ("Direct messages", "Direct messages and group DMs, DM settings, blocks and profiles."),
        ("Invites", "Community invites: create, list, preview, accept, revoke."),
        ("Messages", "Messages, reactions and link preview embeds in a channel."),
        ("Pins", "Pinned messages of a channel."),
        ("Threads", "Threads started from a message, and membership of them."),
        ("Search", "Full-text search of messages the caller may read."),
        ("Media", "The link preview image proxy."),
        ("Attachments", "File attachments: upload slots, uploads and downloads."),
        ("Typing", "Typing indicators."),
        ("Presence", "Who of a community is online."),
        ("Read states", "What the caller has read, and unread counts."),
        ("Notifications", "Notification preferences and Web Push subscriptions."),
        ("Voice", "Voice: status, ICE servers and voice states."),
        ("Permissions", "The permission catalogue: every community and pod permission with its description."),
        ("Roles", "Community roles, granting them, and the caller's permissions."),
        ("Moderation", "Kicks, bans, timeouts and reports."),
        ("Audit", "The verifiable audit logs of a community and of the pod."),
    ];

    public static IServiceCollection AddVoxoraOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                DescribeDocument(document);
                return Task.CompletedTask;
            });
            options.AddSchemaTransformer((schema, context, _) =>
            {
                DescribeWire(schema, context);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                DescribeOperation(operation, context);
                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>
    /// This endpoint can answer <paramref name="status"/> with these problem <paramref name="codes"/> (in addition to what
    /// <see cref="VoxoraOpenApi"/> derives from its metadata). On a group it applies to every endpoint of the group.
    /// </summary>
    public static TBuilder ProblemResponse<TBuilder>(this TBuilder builder, int status, params string[] codes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProblemResponseMetadata(status, codes));

    /// <summary>403 forbidden: the caller lacks a permission this endpoint checks (or is below the target in the hierarchy).</summary>
    public static TBuilder ProducesForbidden<TBuilder>(this TBuilder builder, params string[] moreCodes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.ProblemResponse(StatusCodes.Status403Forbidden, [ProblemCodes.Forbidden, .. moreCodes]);

    private static void DescribeDocument(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Voxora",
            Version = "v1",
            Description = "The HTTP API of a Voxora pod. Errors are RFC 9457 problem documents (application/problem+json) whose "
                + "`code` is stable; clients branch on it. Signed-in operations take the access token from "
                + "`POST /api/v1/auth/login` as `Authorization: Bearer <token>`. Live events come over the gateway "
                + "(`GET /gateway`, a WebSocket), which this document does not describe.",
            License = new OpenApiLicense { Name = "Apache-2.0", Identifier = "Apache-2.0" },
        };

        // Relative: the pod that serves this document (the framework would put the request's origin here, which differs
        // per host and would make the committed copy drift).
        document.Servers = [new OpenApiServer { Url = "/", Description = "The pod that serves this document" }];

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The access token from `POST /api/v1/auth/login` (or register, refresh, setup), as `Authorization: Bearer <token>`.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        // Every 400 is described with the Problem schema below (its `errors` are the validation errors).
        document.Components.Schemas.Remove("HttpValidationProblemDetails");
        document.Components.Schemas[ProblemSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An RFC 9457 problem document. `code` is the stable machine-readable reason.",
            Required = new HashSet<string> { "code" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A URI naming the problem type (from its code)." },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "English, for people; clients show their own text per code." },
                ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The stable reason, e.g. `validation_failed`, `not_found`, `rate_limited`." },
                ["request_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request's id, as in the server's logs." },
                ["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "With `validation_failed`: the invalid fields and what is wrong with each.",
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
            },
        };

        var described = Tags.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var used = document.Paths.Values
            .SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
            .SelectMany(o => o.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(t => t.Name)
            .Where(n => n is not null)
            .ToHashSet(StringComparer.Ordinal);
        var tags = new HashSet<OpenApiTag>();
        foreach (var (name, description) in Tags.Where(t => used.Contains(t.Name)))
        {
            tags.Add(new OpenApiTag { Name = name, Description = description });
        }

        foreach (var name in used.Where(n => !described.Contains(n!)).Order(StringComparer.Ordinal))
        {
            tags.Add(new OpenApiTag { Name = name });
        }

        document.Tags = tags;
    }

    /// <summary>
    /// The schemas as the server writes them: numbers as JSON numbers (the web defaults also read them from strings,
    /// which the framework documents as <c>integer | string</c>), and a null field left out
    /// (<c>JsonIgnoreCondition.WhenWritingNull</c>), so a nullable property is never required; permission bit sets are
    /// decimal strings (<see cref="PermissionBitsConverter"/>), which the framework cannot see through the converter.
    /// </summary>
    private static void DescribeWire(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        if (context.JsonPropertyInfo?.CustomConverter is PermissionBitsConverter or NullablePermissionBitsConverter)
        {
            schema.Type = context.JsonPropertyInfo.CustomConverter is NullablePermissionBitsConverter
                ? JsonSchemaType.String | JsonSchemaType.Null
                : JsonSchemaType.String;
            schema.Format = null;
            schema.Pattern = "^[0-9]+$";
            schema.Description ??= "A permission bit set, as a decimal string (docs/permissions.md).";
        }

        if (schema.Type is { } type && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0 && (type & JsonSchemaType.String) != 0)
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        if (schema.Required is { Count: > 0 } required && schema.Properties is { } properties)
        {
            foreach (var (name, property) in properties)
            {
                if (IsNullable(property))
                {
                    required.Remove(name);
                }
            }
        }
    }

    private static bool IsNullable(IOpenApiSchema schema) =>
        (schema.Type is { } type && (type & JsonSchemaType.Null) != 0)
        || schema.OneOf?.Any(s => s.Type == JsonSchemaType.Null) == true
        || schema.AnyOf?.Any(s => s.Type == JsonSchemaType.Null) == true;

    private static void DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var document = context.Document;

        if (operation.OperationId is null && metadata.OfType<MethodInfo>().FirstOrDefault() is { } method
            && !method.Name.Contains('<', StringComparison.Ordinal) && method.DeclaringType is { } type && !type.Name.Contains('<', StringComparison.Ordinal))
        {
            var feature = type.Name.EndsWith("Endpoints", StringComparison.Ordinal) ? type.Name[..^"Endpoints".Length] : type.Name;
            operation.OperationId = char.ToLowerInvariant(feature[0]) + feature[1..] + method.Name;
        }

        var problems = new SortedDictionary<int, SortedSet<string>>();
        void Add(int status, params string[] codes)
        {
            if (!problems.TryGetValue(status, out var set))
            {
                problems[status] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.UnionWith(codes);
        }

        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var signedIn = !anonymous && metadata.OfType<IAuthorizeData>().Any();
        if (signedIn)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
            Add(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthorized);
        }
        else
        {
            // Explicitly none: this operation takes no token.
            operation.Security = [];
        }

        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
        {
            Add(StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited);
        }

        var parameters = description.ParameterDescriptions;
        if (parameters.Any(p => p.Source.Id == "Path"))
        {
            Add(StatusCodes.Status404NotFound, ProblemCodes.NotFound);
        }

        if (parameters.Any(p => p.Source.Id is "Body" or "Query" or "Form") || operation.RequestBody is not null)
        {
            Add(StatusCodes.Status400BadRequest, ProblemCodes.MalformedRequest);
        }

        // The framework adds a 400 when the handler can answer a ValidationProblem (Results<..., ValidationProblem>).
        if (operation.Responses?.ContainsKey("400") == true)
        {
            Add(StatusCodes.Status400BadRequest, ProblemCodes.ValidationFailed);
        }

        foreach (var declared in metadata.OfType<ProblemResponseMetadata>())
        {
            Add(declared.Status, declared.Codes);
        }

        operation.Responses ??= new OpenApiResponses();
        foreach (var (status, codes) in problems)
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = $"{ReasonFor(status)}. Problem codes: {string.Join(", ", codes.Select(c => $"`{c}`"))}.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [ProblemContentType] = new OpenApiMediaType
                    {
                        Schema = new OpenApiSchemaReference(ProblemSchema, document),
                        Example = codes.Count == 1 ? ExampleFor(status, codes.Min!) : null,
                    },
                },
            };
        }
    }

    private static JsonNode ExampleFor(int status, string code) =>
        new JsonObject { ["type"] = Problems.TypeFor(code), ["title"] = ReasonFor(status), ["status"] = status, ["code"] = code };

    private static string ReasonFor(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        410 => "Gone",
        413 => "Payload too large",
        415 => "Unsupported media type",
        429 => "Too many requests",
        502 => "Bad gateway",
        503 => "Service unavailable",
        _ => "Error",
    };
}

/// <summary>A problem status and codes an endpoint can answer (<see cref="VoxoraOpenApi.ProblemResponse{TBuilder}"/>).</summary>
public sealed record ProblemResponseMetadata(int Status, string[] Codes);
