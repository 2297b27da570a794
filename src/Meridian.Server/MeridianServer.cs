using Meridian.Core.Latency;
using Meridian.Server.Apis;
using Meridian.Server.Gateway;
using Meridian.Server.Steering;
using Meridian.Steering.Health;
using Meridian.Server.Hosting;
using Meridian.Server.Http;
using Meridian.Server.Pages;
using Meridian.Server.Security;
using Meridian.Storage.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.HttpOverrides;
using Meridian.Storage;
using Meridian.Storage.Ledger;
using Meridian.Storage.Worlds;

namespace Meridian.Server;

/// <summary>Builds the Meridian HTTP server: the REST API under /api/v1, OpenAPI, the first page and health.</summary>
public static class MeridianServer
{
    public static async Task<WebApplication> BuildAsync(ServerOptions options, string[]? args = null, TimeProvider? time = null, IConfiguration? configuration = null)
    {
        ServerConfiguration.ThrowIfInvalid(options);
        var store = await WorldStore.OpenAsync(options.DatabasePath, options.SeedDemoWorld ? () => DemoWorld.Load() : null, time);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args ?? [], ApplicationName = typeof(MeridianServer).Assembly.GetName().Name });
        // The options arrive bound (ServerConfiguration); the configuration still carries "Logging".
        if (configuration is not null) builder.Configuration.AddConfiguration(configuration);
        var security = options.Security;
        var tokens = new TokenStore(store, TokenKey.LoadOrCreate(security.TokenKeyFile ?? TokenKey.DefaultPath(options.DatabasePath)), time);
        var adminTokenFile = await FirstAdminToken.EnsureAsync(tokens, security.AdminTokenFile ?? FirstAdminToken.DefaultPath(options.DatabasePath));
        builder.WebHost.UseUrls(options.Urls);
        // Under systemd (Type=notify, docs/deploy.md) the unit turns active once Kestrel listens and stopping is graceful;
        // elsewhere this does nothing.
        builder.Host.UseSystemd();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxImportBodyBytes + 1;
            // Kestrel answers what it cannot parse with an empty body; its limits sit above Meridian's own
            // (RequestGuard), so an over-long target or header block gets problem details instead.
            k.Limits.MaxRequestLineSize = 4 * RequestGuard.MaxTargetBytes;
            k.Limits.MaxRequestHeadersTotalSize = 2 * RequestGuard.MaxHeaderBytes;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // YARP logs every proxied request at Information: far too costly for the gateway's hot path.
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        // Authentication brings data protection, which warns on every first start that its key ring (in ~/.aspnet) is not
        // encrypted. Nothing here protects data with it: tokens are Meridian's own keyed hashes and there are no cookies.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        // The authentication handler logs every refused token at Information: a flood of bad tokens would flood the log.
        // RefusalLog records refusals instead, at most one per address a minute.
        builder.Logging.AddFilter(typeof(TokenAuthentication).FullName, LogLevel.Warning);
        // A failed start (a port in use) is thrown to the caller, which says it in one line; the host's own Error log of it
        // is a stack trace. Critical stays: a faulted background service that stops the host is still logged.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        // Logs go to standard error, so `meridian ... --json` output on standard output stays clean.
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<IWorldStore>(store);
        builder.Services.AddSingleton(store);
        // Each process scans its zones from its own place, so replicas do not all claim the same hosts.
        var placement = options.Placement.ScanSeed == 0 ? options.Placement with { ScanSeed = Random.Shared.Next(1, int.MaxValue) } : options.Placement;
        var ledger = new AllocationLedger(store, time, placement) { MaxBatch = Math.Max(1, options.PlacementBatch) };
        builder.Services.AddSingleton(ledger);
        builder.Services.AddSingleton(security);
        builder.Services.AddSingleton(tokens);
        builder.Services.AddSingleton(new StartupNotes(adminTokenFile));
        builder.Services.AddSingleton<RefusalLog>();
        builder.Services.AddSingleton<EndpointPolicy>();
        builder.Services.AddSingleton<IpCountries>();
        builder.Services.AddSingleton<ClientLocator>();
        Authentication.Configure(builder.Services, security);
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var network in ClientLocator.TrustedNetworks(security.TrustedProxies)) o.KnownIPNetworks.Add(network);
        });
        if (security.CorsOrigins.Count > 0)
            builder.Services.AddCors(o => o.AddDefaultPolicy(p => p.WithOrigins([.. security.CorsOrigins]).AllowAnyMethod().WithHeaders("Authorization", "Content-Type", "If-Match").WithExposedHeaders("ETag", "Location")));
        builder.Services.AddSingleton(time ?? TimeProvider.System);
        builder.Services.AddHostedService<CatchUp>();
        builder.Services.AddSingleton(options.Changes);
        builder.Services.AddSingleton<ChangeWatch>();
        builder.Services.AddSingleton<Telemetry.ServerGauges>();
        Telemetry.Observability.Configure(builder, options.Telemetry);
        builder.Services.AddHostedService<ChangeCompaction>();
        var healthOptions = options.Health;
        builder.Services.AddSingleton(new LatencyModel(options.Latency));
        var healthBoard = new HealthBoard(healthOptions, time);
        var overrides = new Meridian.Storage.Health.HealthOverrideStore(store);
        HealthOverrides.Follow(overrides, healthBoard);
        builder.Services.AddSingleton(healthBoard);
        builder.Services.AddSingleton(overrides);
        builder.Services.AddSingleton<RouterCache>();
        builder.Services.AddSingleton<Gateway.GatewayRouteCache>();
        builder.Services.AddSingleton(new Meridian.Storage.Plans.PlanStore(store));
        builder.Services.AddSingleton<Planning.PlanJobs>();
        // Probes connect only where the endpoint policy allows, and do not follow redirects somewhere else.
        builder.Services.AddHttpClient("health").ConfigurePrimaryHttpMessageHandler(services =>
            new SocketsHttpHandler { ConnectCallback = services.GetRequiredService<EndpointPolicy>().ConnectAsync, AllowAutoRedirect = false, UseProxy = false });
        builder.Services.AddHostedService<ActiveHealthChecker>();
        builder.Services.AddHttpForwarder();
        builder.Services.AddRateLimiter(o => ApiLimits.Configure(o, options));
        // Typed answers and the OpenAPI schemas use Meridian's one JSON shape (camelCase, enums by name, strict numbers).
        builder.Services.ConfigureHttpJsonOptions(o => Meridian.Core.Serialization.MeridianJson.Configure(o.SerializerOptions));
        builder.Services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((doc, _, _) =>
            {
                doc.Info.Title = "Meridian";
                doc.Info.Description = "The control plane of a multi-region cloud: regions, zones, facilities, hosts, data boundaries and services.";
                return Task.CompletedTask;
            });
            o.AddOperationTransformer(QueryParameterExtensions.Document);
            o.AddSchemaTransformer(Apis.Contracts.ApiSchemas.Complete);
            o.AddDocumentTransformer(Authentication.DocumentScheme);
            o.AddOperationTransformer(Authentication.DocumentRoles);
        });

        var app = builder.Build();
        // The connection's own address, before a trusted proxy's X-Forwarded-For replaces it.
        app.Use((http, next) =>
        {
            http.Items[ClientLocator.PeerItem] = http.Connection.RemoteIpAddress;
            return next(http);
        });
        app.UseForwardedHeaders();
        app.UseGateway();
        app.UseMiddleware<ProblemMiddleware>();
        app.UseStatusCodePages(async ctx =>
        {
            // Routing misses (404, 405) get problem details too.
            var http = ctx.HttpContext;
            if (http.Response.ContentLength is null && string.IsNullOrEmpty(http.Response.ContentType))
                await Problems.Result(http.Response.StatusCode, $"{http.Request.Method} {http.Request.Path} is not served here", [], http).ExecuteAsync(http);
        });
        app.UseRouting();
        app.UseMiddleware<RequestGuard>();
        // Swagger UI is static files; it asks for a token (Authorize) before it calls the API.
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint("/openapi/v1.json", "Meridian v1");
            o.RoutePrefix = "swagger";
            o.DocumentTitle = "Meridian API";
        });
        if (security.CorsOrigins.Count > 0) app.UseCors();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        // The API's description is public (Meridian is open source); what it describes is not.
        app.MapOpenApi().AllowAnonymous();
        app.MapGet("/healthz", (IWorldStore s) => TypedResults.Ok(new Apis.Contracts.Liveness("ok", s.Current.Generation)))
            .WithTags("health").WithSummary("Liveness and the world generation this process serves").AllowAnonymous();
        app.MapGet("/readyz", Readiness.CheckAsync)
            .WithTags("health").WithSummary("Readiness for a load balancer: the database answers, the world is loaded and this replica has caught up with the change log")
            .Produces<Apis.Contracts.ReadinessView>().ProducesProblem(503)
            .AllowAnonymous();
        Telemetry.Observability.MapMetrics(app, options.Telemetry);
        app.MapHomePage("/footprint");
        if (ConsoleFiles.Available) app.MapConsole();
        else app.MapHomePage("/");
        app.MapResources(options);
        app.MapChanges();
        app.MapWorld(options);
        app.MapWorkloads(options);
        app.MapSteering();
        app.MapPlans(options);
        app.MapTokens(options);
        app.MapTenants(options);
        app.Lifetime.ApplicationStarted.Register(() => app.Services.GetRequiredService<EndpointPolicy>().Listening(app.Urls));
        app.Lifetime.ApplicationStopping.Register(() => app.Services.GetRequiredService<Planning.PlanJobs>().Release());
        var healthLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Meridian.Health");
        healthBoard.Transitioned += (service, region, reason) => Telemetry.OperatorEvents.HealthChanged(healthLog, service, region, reason);
        var gauges = app.Services.GetRequiredService<Telemetry.ServerGauges>();
        app.Lifetime.ApplicationStarted.Register(gauges.Start);
        app.Lifetime.ApplicationStopping.Register(gauges.Dispose);
        app.Lifetime.ApplicationStopped.Register(store.Dispose);
        return app;
    }
}
