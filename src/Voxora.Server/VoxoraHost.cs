using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.IdentityModel.Tokens;
using Voxora.Protocol;
using Voxora.Server.Data;
using Voxora.Server.Features.Audit;
using Voxora.Server.Features.Auth;
using Voxora.Server.Gateway;
using Voxora.Server.Features.Channels;
using Voxora.Server.Features.Communities;
using Voxora.Server.Features.DirectMessages;
using Voxora.Server.Features.Health;
using Voxora.Server.Features.Invites;
using Voxora.Server.Features.Messages;
using Voxora.Server.Features.Moderation;
using Voxora.Server.Features.Permissions;
using Voxora.Server.Features.Pins;
using Voxora.Server.Features.Pod;
using Voxora.Server.Features.Roles;
using Voxora.Server.Features.Search;
using Voxora.Server.Features.Users;
using Voxora.Server.Infrastructure;
using Voxora.Server.Infrastructure.Cluster;
using Voxora.Server.Infrastructure.Events;
using Voxora.Server.Infrastructure.Http;
using Voxora.Server.Infrastructure.OpenApi;

namespace Voxora.Server;

/// <summary>
/// The composition root: options, services, middleware and endpoint groups. <c>Program.cs</c>, the
/// tests and the bench tool all start the server through here.
/// </summary>
public static class VoxoraHost
{
    public const string DefaultUrl = "http://127.0.0.1:8080";
    public const long JsonBodyLimitBytes = 1024 * 1024;

    public static Task<int> RunAsync(string[] args) => RunAsync(args, overrides: null, Console.Out, Console.Error, CancellationToken.None);

    /// <summary>
    /// The executable: serves, or runs one of its commands (<c>backup</c>, <c>restore</c>, <c>search rebuild</c>) and exits.
    /// <paramref name="overrides"/> and the writers let the tests run it exactly as the executable does.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, IReadOnlyDictionary<string, string?>? overrides, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        // Before the host is built: backup and restore must not migrate, create keys or join a cluster, and restore
        // needs the data folder and database still empty.
        if (Features.Backup.BackupCommand.IsRequested(args))
        {
            return await Features.Backup.BackupCommand.RunAsync(args, () => LoadOptions(overrides), TimeProvider.System, output, error, cancellationToken);
        }

        WebApplication app;
        try
        {
            app = await CreateAsync(args, overrides, cancellationToken);
        }
        catch (ConfigurationErrorException ex)
        {
            await error.WriteLineAsync($"voxora: configuration error: {ex.Message}");
            return 2;
        }
        catch (DatabaseUnavailableException ex)
        {
            await error.WriteLineAsync($"voxora: {ex.Message}");
            return 3;
        }

        if (Features.Search.SearchIndexCommand.IsRequested(args))
        {
            await using (app)
            {
                return await Features.Search.SearchIndexCommand.RunAsync(app.Services, output, cancellationToken);
            }
        }

        await app.StartAsync();
        foreach (var url in app.Urls)
        {
            await output.WriteLineAsync($"Voxora is running at {url}");
        }

        await output.WriteLineAsync($"Public URL (discovery, token issuer): {app.Services.GetRequiredService<PublicOrigin>().Url} (set VOXORA_PUBLIC_URL to change it)");

        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }

    /// <summary>The settings exactly as <see cref="CreateAsync"/> reads them, without building the host.</summary>
    private static ServerOptions LoadOptions(IReadOnlyDictionary<string, string?>? overrides) =>
        ServerOptions.Load(CreateBuilder([], overrides).Configuration);

    private static WebApplicationBuilder CreateBuilder(string[] args, IReadOnlyDictionary<string, string?>? overrides)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddEnvironmentVariables("VOXORA_");
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        return builder;
    }

    /// <summary>Builds the app, applies migrations and loads signing keys. The caller starts it.</summary>
    /// <param name="overrides">Settings that win over everything else (used by tests and the bench tool).</param>
    public static async Task<WebApplication> CreateAsync(
        string[] args, IReadOnlyDictionary<string, string?>? overrides = null, CancellationToken cancellationToken = default,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = CreateBuilder(args, overrides);
        var options = ServerOptions.Load(builder.Configuration);
        if (string.IsNullOrWhiteSpace(builder.Configuration["URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        ConfigureLogging(builder);
        ConfigureServices(builder, options);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        ConfigurePipeline(app, options);
        MapEndpoints(app);

        if (!options.RateLimiting.Enabled)
        {
            app.Logger.LogWarning("Rate limiting is DISABLED (VOXORA_RATELIMITING__ENABLED=false). Only do this for benchmarks.");
        }

        try
        {
            await DatabaseSetup.MigrateAsync(app.Services, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new DatabaseUnavailableException(
                $"cannot open the {options.Database.ProviderKind} database: {ex.GetBaseException().Message}", ex);
        }

        // Subscribed before the node serves anything, so no cross-node event published after start-up is missed.
        app.Services.GetRequiredService<ClusterBus>();
        await app.Services.GetRequiredService<NodeIdLease>().AcquireAsync(cancellationToken);
        // The caches and the hub subscribe to their invalidations on the bus when they are built: build them now.
        app.Services.GetRequiredService<PermissionChanges>();
        app.Services.GetRequiredService<SessionValidator>();
        app.Services.GetRequiredService<PodPermissions>();
        // Answers other nodes' RESUMEs of this node's sessions from the start, before any client connects here.
        app.Services.GetRequiredService<GatewayHandover>();
        await app.Services.GetRequiredService<SigningKeyStore>().InitializeAsync(cancellationToken);
        await app.Services.GetRequiredService<AuditLog>().InitializeAsync(cancellationToken);
        await app.Services.GetRequiredService<Features.Notifications.VapidKeys>().InitializeAsync(cancellationToken);
        await app.Services.GetRequiredService<Features.Attachments.MediaLinks>().InitializeAsync(cancellationToken);
        return app;
    }

    private static void ConfigureLogging(WebApplicationBuilder builder)
    {
        // First source, so that anything configured (environment, appsettings, overrides) wins over these.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = LoggingDefaults.Levels });
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(json =>
        {
            json.IncludeScopes = true;
            json.UseUtcTimestamp = true;
            json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.Warning);
    }

    private static void ConfigureServices(WebApplicationBuilder builder, ServerOptions options)
    {
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(options.Auth);
        services.AddSingleton(options.Database);
        services.AddSingleton(options.RateLimiting);
        services.AddSingleton(options.Pod);
        services.AddSingleton(new NodeStart(TimeProvider.System.GetUtcNow()));
        services.AddSingleton(TimeProvider.System);
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownSeconds));

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = JsonBodyLimitBytes;
            HttpLimits.Configure(kestrel.Limits, options.Http);
            kestrel.AddServerHeader = false;
        });
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, VoxoraJsonContext.Default);
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DictionaryKeyPolicy = null;
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });

        services.AddVoxoraProblemDetails();
        services.AddVoxoraDatabase(options);
        services.AddVoxoraRateLimits(options.RateLimiting);
        services.AddVoxoraRequestTimeouts(options.Http);
        services.AddVoxoraOpenApi();

        services.AddSingleton<PasswordHasher>();
        services.AddSingleton<SigningKeyStore>();
        services.AddSingleton<PublicOrigin>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<SessionValidator>();
        services.AddSingleton<CachingTokenHandler>();
        services.AddSingleton<LoginBackoff>();
        services.AddScoped<SessionStore>();
        Features.TwoFactor.TwoFactorEndpoints.AddTwoFactor(services);
        Features.Passkeys.PasskeysEndpoints.AddPasskeys(services, options.WebAuthn);
        services.AddSingleton(sp => new SnowflakeGenerator(sp.GetRequiredService<TimeProvider>(), options.NodeId));
        services.AddScoped<CommunityAccess>();
        services.AddScoped<DirectChannelStore>();
        services.AddScoped<MessageStore>();
        services.AddScoped<SearchStore>();
        SearchVocabulary.AddTo(services);
        services.AddScoped<Features.ReadStates.ReadStateStore>();
        services.AddSingleton<MessageWriter>();
        services.AddSingleton<NonceRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<MessageWriter>());
        services.AddSingleton<CommunityLanes>();
        services.AddSingleton<PermissionCache>();
        services.AddSingleton<MemberDirectory>();
        services.AddSingleton<PermissionChanges>();
        services.AddSingleton<PodPermissions>();
        services.AddSingleton(sp => AuditKey.Load(options, sp.GetRequiredService<ILoggerFactory>().CreateLogger<AuditKey>()));
        services.AddSingleton<AuditCheckpoints>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton(options.Gateway);
        services.AddSingleton<ClusterConnection>();
        services.AddSingleton<ClusterBus>();
        services.AddSingleton<NodeIdLease>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeIdLease>());
        services.AddSingleton<SharedLimits>();
        services.AddSingleton<GatewayHub>();
        services.AddSingleton<GatewayHandover>();
        services.AddSingleton<GatewayAdmission>();
        services.AddSingleton<GatewayOpRegistry>();
        services.AddSingleton<GatewayServer>();
        services.AddSingleton<GatewaySweeper>();
        services.AddSingleton<GatewayConnectionCount>();
        services.AddHostedService(sp => sp.GetRequiredService<GatewayConnectionCount>());
        services.AddHostedService(sp => sp.GetRequiredService<GatewaySweeper>());
        services.AddSingleton<NodeDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeDrain>());
        Features.Voice.VoiceEndpoints.AddVoice(services, options.Voice);
        Features.Typing.TypingEndpoints.AddTyping(services);
        Features.Presence.PresenceEndpoints.AddPresence(services, options.Presence, options.Redis.Enabled);

        // Domain events: subscribers of one event run in this order (caches first, so nothing reads a removed membership).
        Infrastructure.Metrics.MetricsEndpoint.AddMetrics(services, options.Metrics);
        Infrastructure.Telemetry.Tracing.AddTracing(services, options);
        services.AddSingleton<DomainEvents>();
        services.AddSingleton<MemberRemovedGateway>();
        services.AddDomainEventHandler<CommunityMemberRemoved, PermissionChanges>();
        services.AddDomainEventHandler<CommunityMemberRemoved, MemberRemovedGateway>();
        services.AddDomainEventHandler<CommunityMemberRemoved, Features.Voice.VoiceService>();
        services.AddSingleton<ModerationAudit>();
        services.AddDomainEventHandler<CommunityMemberRemoved, ModerationAudit>();
        services.AddSingleton<CommunityGateway>();
        services.AddDomainEventHandler<CommunityMemberAdded, CommunityGateway>();
        services.AddDomainEventHandler<CommunityMemberAdded, Features.Presence.PresenceService>();
        services.AddDomainEventHandler<CommunityDeleted, PermissionChanges>();
        services.AddDomainEventHandler<CommunityDeleted, CommunityGateway>();
        services.AddDomainEventHandler<CommunityDeleted, Features.Voice.VoiceService>();
        services.AddSingleton<CommunityAudit>();
        services.AddDomainEventHandler<CommunityDeleted, CommunityAudit>();
        services.AddSingleton<Features.Users.UserGateway>();
        services.AddDomainEventHandler<Features.Users.UserUpdated, Features.Users.UserGateway>();
        AddFeatureEventSubscribers(services);
        // After the features' subscribers: a thread's activity is announced after the message that caused it.
        Features.Threads.ThreadsEndpoints.AddThreads(services, options.Threads);
        Features.Retention.MessageRetentionSweeper.AddRetention(services, options.Retention);
        Features.Notifications.NotificationsEndpoints.AddNotifications(services, options.Push);
        Features.Attachments.AttachmentsEndpoints.AddAttachments(services, options);
        // After the gateway's subscribers: readers hear of a delete first, then its files go.
        services.AddDomainEventHandler<MessageRemoved, Features.Attachments.AttachmentRemoval>();
        services.AddDomainEventHandler<MessagesBulkDeleted, Features.Attachments.AttachmentRemoval>();
        services.AddSingleton<Features.Avatars.CommunityIconRemoval>();
        services.AddDomainEventHandler<CommunityDeleted, Features.Avatars.CommunityIconRemoval>();
        services.AddDomainEventHandler<MessagesPurged, Features.Attachments.AttachmentRemoval>();
        // Last: previews are fetched after everything else heard of the message.
        Features.LinkPreviews.LinkPreviewsEndpoints.AddLinkPreviews(services, options.LinkPreviews);

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKeyStore, SessionValidator, CachingTokenHandler, PublicOrigin>((jwt, keys, sessions, tokens, origin) => ConfigureBearer(jwt, keys, sessions, tokens, origin));
        services.AddAuthorization();

        if (options.Network.TrustedProxyAddresses.Count > 0)
        {
            services.Configure<ForwardedHeadersOptions>(forwarded =>
            {
                forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                forwarded.KnownProxies.Clear();
                forwarded.KnownIPNetworks.Clear();
                foreach (var proxy in options.Network.TrustedProxyAddresses)
                {
                    forwarded.KnownProxies.Add(proxy);
                }
            });
        }
    }

    /// <summary>
    /// The subscribers of the features' domain events, each event's in the order they run: caches first (a permission
    /// change is applied before anything is filtered with it), then the gateway, then voice, then the audit log.
    /// </summary>
    private static void AddFeatureEventSubscribers(IServiceCollection services)
    {
        services.AddSingleton<MessagesGateway>();
        services.AddSingleton<MessagesAudit>();
        services.AddDomainEventHandler<MessageCreated, MessagesGateway>();
        services.AddDomainEventHandler<MessageUpdated, MessagesGateway>();
        services.AddDomainEventHandler<MessageRemoved, MessagesGateway>();
        services.AddDomainEventHandler<MessageRemoved, MessagesAudit>();
        services.AddDomainEventHandler<MessagesBulkDeleted, MessagesGateway>();
        services.AddDomainEventHandler<MessagesBulkDeleted, MessagesAudit>();
        services.AddDomainEventHandler<MessagesPurged, MessagesGateway>();
        services.AddDomainEventHandler<ReactionAdded, MessagesGateway>();
        services.AddDomainEventHandler<ReactionRemoved, MessagesGateway>();
        services.AddSingleton<PinsGateway>();
        services.AddSingleton<PinsAudit>();
        services.AddDomainEventHandler<MessagePinned, PinsGateway>();
        services.AddDomainEventHandler<MessagePinned, PinsAudit>();
        services.AddDomainEventHandler<MessageUnpinned, PinsGateway>();
        services.AddDomainEventHandler<MessageUnpinned, PinsAudit>();

        services.AddSingleton<RolesGateway>();
        services.AddPermissionsChange<RoleCreated, RolesGateway>();
        services.AddPermissionsChange<RoleUpdated, RolesGateway>();
        services.AddPermissionsChange<RoleDeleted, RolesGateway>();
        services.AddPermissionsChange<MemberRolesChanged, RolesGateway>();
        services.AddSingleton<RolesAudit>();
        services.AddDomainEventHandler<RoleCreated, RolesAudit>();
        services.AddDomainEventHandler<RoleUpdated, RolesAudit>();
        services.AddDomainEventHandler<RoleDeleted, RolesAudit>();
        services.AddDomainEventHandler<MemberRolesChanged, RolesAudit>();
        services.AddSingleton<ChannelsGateway>();
        services.AddPermissionsChange<ChannelCreated, ChannelsGateway>();
        services.AddPermissionsChange<ChannelUpdated, ChannelsGateway>();
        services.AddPermissionsChange<ChannelDeleted, ChannelsGateway>();
        services.AddPermissionsChange<ChannelOverridesChanged, ChannelsGateway>();
        services.AddSingleton<ChannelsAudit>();
        services.AddSingleton<DirectMessagesGateway>();
        services.AddDomainEventHandler<DirectChannelCreated, DirectMessagesGateway>();
        services.AddDomainEventHandler<DirectChannelUpdated, DirectMessagesGateway>();
        services.AddDomainEventHandler<DirectRecipientAdded, DirectMessagesGateway>();
        services.AddDomainEventHandler<DirectRecipientRemoved, DirectMessagesGateway>();
        services.AddDomainEventHandler<ChannelCreated, ChannelsAudit>();
        services.AddDomainEventHandler<ChannelUpdated, ChannelsAudit>();
        services.AddDomainEventHandler<ChannelDeleted, ChannelsAudit>();
        services.AddDomainEventHandler<ChannelOverridesChanged, ChannelsAudit>();
        services.AddSingleton<ModerationGateway>();
        services.AddPermissionsChange<MemberTimeoutChanged, ModerationGateway>();
        services.AddDomainEventHandler<MemberTimeoutChanged, ModerationAudit>();
        services.AddDomainEventHandler<MemberBanned, ModerationAudit>();
        services.AddDomainEventHandler<MemberUnbanned, ModerationAudit>();
        services.AddDomainEventHandler<PermissionsChanged, Features.Voice.VoiceService>();

        services.AddDomainEventHandler<CommunityUpdated, CommunityGateway>();
        services.AddDomainEventHandler<CommunityUpdated, CommunityAudit>();
        services.AddDomainEventHandler<ReportDecided, ModerationGateway>();
        services.AddDomainEventHandler<ReportFiled, ModerationGateway>();
        services.AddDomainEventHandler<ReportDecided, ModerationAudit>();
        services.AddSingleton<InvitesGateway>();
        services.AddDomainEventHandler<InviteCreated, InvitesGateway>();
        services.AddDomainEventHandler<InviteRevoked, InvitesGateway>();
        services.AddSingleton<InvitesAudit>();
        services.AddDomainEventHandler<InviteCreated, InvitesAudit>();
        services.AddDomainEventHandler<InviteRevoked, InvitesAudit>();

        // The pod's changes have only the audit log to tell (PodPermissions is invalidated by the endpoint before).
        services.AddSingleton<PodAudit>();
        services.AddDomainEventHandler<PodRoleCreated, PodAudit>();
        services.AddDomainEventHandler<PodRoleUpdated, PodAudit>();
        services.AddDomainEventHandler<PodRoleDeleted, PodAudit>();
        services.AddDomainEventHandler<PodMemberRolesChanged, PodAudit>();
        services.AddDomainEventHandler<PodMemberBanned, PodAudit>();
        services.AddDomainEventHandler<PodMemberUnbanned, PodAudit>();
        services.AddDomainEventHandler<PodSetupCompleted, PodAudit>();
        services.AddDomainEventHandler<PodSettingsUpdated, PodAudit>();
        services.AddDomainEventHandler<PodSessionsEnded, PodAudit>();
        services.AddSingleton<Features.ReadStates.ReadStatesGateway>();
        services.AddDomainEventHandler<Features.ReadStates.ChannelsRead, Features.ReadStates.ReadStatesGateway>();
    }


    /// <summary>
    /// Access tokens are checked against the issuer's published keys and, for sessions this server
    /// issued, against the session table so revocation is immediate. The issuer must always be exactly
    /// this server's configured one (<see cref="PublicOrigin.Issuer"/>).
    /// </summary>
    private static void ConfigureBearer(JwtBearerOptions jwt, SigningKeyStore keys, SessionValidator sessions, CachingTokenHandler tokens, PublicOrigin origin)
    {
        // One shared handler that remembers validated tokens (the gateway's IDENTIFY/RESUME uses it too).
        jwt.TokenHandlers.Clear();
        jwt.TokenHandlers.Add(tokens);
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            // Compared on each validation rather than captured here: with port 0 the issuer is known only once listening.
            IssuerValidator = (issuer, _, _) => string.Equals(issuer, origin.Issuer, StringComparison.Ordinal)
                ? issuer
                : throw new SecurityTokenInvalidIssuerException("The token was not issued by this server.") { InvalidIssuer = issuer },
            ValidAudience = AccessTokens.Audience,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ClockSkew = TimeSpan.FromSeconds(30),
            NameClaimType = "sub",
            IssuerSigningKeyResolver = (_, _, kid, _) =>
                keys.All.Where(k => kid is null || k.KeyId == kid),
        };
        jwt.Events = new JwtBearerEvents
        {
            OnTokenValidated = async context =>
            {
                var sessionId = context.Principal?.FindFirst(AccessTokens.SessionClaim)?.Value;
                if (sessionId is null || !await sessions.IsActiveAsync(sessionId, context.HttpContext.RequestAborted))
                {
                    context.Fail("The session behind this token has ended.");
                }
            },
        };
    }

    private static void ConfigurePipeline(WebApplication app, ServerOptions options)
    {
        if (options.Network.TrustedProxyAddresses.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        // After the forwarded headers (it judges the real client address), before logging, limits and authentication.
        Infrastructure.Metrics.MetricsEndpoint.MapMetrics(app, options.Metrics);

        if (options.AccessLog)
        {
            app.UseMiddleware<AccessLogMiddleware>();
        }

        app.UseVoxoraErrorHandling();
        app.UseStatusCodePages();
        app.UseVoxoraSecurityHeaders();
        app.UseVoxoraDrain();
        app.UseVoxoraWebClient();
        app.UseAuthentication();

        // Between the two: the limiter knows who a valid token belongs to (per-user limits), and requests
        // with invalid or missing tokens are counted per address before authorization answers them 401.
        app.UseRateLimiter();
        app.UseAuthorization();
        // Inside the error handling: a request stopped by its timeout is answered 504 request_timeout, not 500.
        app.UseRequestTimeouts();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapWellKnownEndpoints();
        app.MapGateway();
        app.MapOpenApi().RequireRateLimiting(RateLimits.Anonymous);

        var api = app.MapGroup("/api/v1");
        api.MapAuthEndpoints();
        Features.Voice.VoiceEndpoints.MapVoiceEndpoints(api);
        Features.Presence.PresenceEndpoints.MapPresenceEndpoints(api);
        api.MapUsersEndpoints();
        Features.TwoFactor.TwoFactorEndpoints.MapTwoFactorEndpoints(api);
        Features.Passkeys.PasskeysEndpoints.MapPasskeysEndpoints(api);
        Features.Avatars.AvatarsEndpoints.MapAvatarsEndpoints(api);
        api.MapCommunitiesEndpoints();
        api.MapChannelsEndpoints();
        api.MapDirectMessagesEndpoints();
        api.MapInvitesEndpoints();
        api.MapMessagesEndpoints();
        api.MapReactionsEndpoints();
        api.MapPinsEndpoints();
        api.MapSearchEndpoints();
        Features.LinkPreviews.LinkPreviewsEndpoints.MapLinkPreviewsEndpoints(api);
        Features.Typing.TypingEndpoints.MapTypingEndpoints(api);
        api.MapPermissionsEndpoints();
        api.MapRolesEndpoints();
        api.MapOverridesEndpoints();
        api.MapModerationEndpoints();
        api.MapReportsEndpoints();
        api.MapAuditEndpoints();
        api.MapPodEndpoints();
        api.MapAdminEndpoints();
        Features.ReadStates.ReadStatesEndpoints.MapReadStatesEndpoints(api);
        Features.Threads.ThreadsEndpoints.MapThreadsEndpoints(api);
        Features.Notifications.NotificationsEndpoints.MapNotificationsEndpoints(api);
        Features.Attachments.AttachmentsEndpoints.MapAttachmentsEndpoints(api);
    }
}

public sealed class DatabaseUnavailableException(string message, Exception inner) : Exception(message, inner);
