using System.Net;
using Meridian.Core.Validation;
using Meridian.Server.Apis;
using System.Diagnostics;
using Meridian.Server.Http;
using Meridian.Server.Telemetry;
using Meridian.Server.Security;
using Meridian.Server.Steering;
using Meridian.Steering.Health;
using Meridian.Steering.Routing;
using Meridian.Storage;
using Yarp.ReverseProxy.Forwarder;

namespace Meridian.Server.Gateway;

/// <summary>The gateway: /gw/{service}/{**rest} is proxied to the endpoint of the region chosen for the client. Where
/// the client is comes from <see cref="ClientLocator"/>: its address, or a trusted proxy's X-Client-* headers; the lat
/// and lon query parameters rank regions. Callers' credentials are not forwarded unless the service asks for them, and
/// connections to loopback, link-local or the server's own address are refused (<see cref="EndpointPolicy"/>). A failed
/// attempt (no connection) counts against the region's health and, for idempotent requests, moves on to the next
/// region the policy allows.</summary>
internal static class GatewayEndpoint
{
    public const string RegionHeader = "X-Meridian-Region";
    public const string RttHeader = "X-Meridian-Rtt-Ms";

    private static HttpMessageInvoker Invoker(EndpointPolicy policy) => new(new SocketsHttpHandler
    {
        ConnectCallback = policy.ConnectAsync,
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = null,
        ConnectTimeout = TimeSpan.FromSeconds(2),
    });

    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromSeconds(100) };

    /// <summary>The gateway is its own branch at the front of the pipeline: proxied requests skip the API's middleware and
    /// endpoint routing, which cost more than the proxying itself.</summary>
    public static void UseGateway(this WebApplication app)
    {
        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        var routers = app.Services.GetRequiredService<RouterCache>();
        var health = app.Services.GetRequiredService<HealthBoard>();
        var store = app.Services.GetRequiredService<IWorldStore>();
        var locator = app.Services.GetRequiredService<ClientLocator>();
        var invoker = Invoker(app.Services.GetRequiredService<EndpointPolicy>());
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Meridian.Gateway");
        app.Map("/gw", branch => branch.Run(async http =>
        {
            var path = http.Request.Path.Value ?? "";
            var slash = path.IndexOf('/', 1);
            var service = slash < 0 ? path.TrimStart('/') : path[1..slash];
            var rest = slash < 0 ? "" : path[(slash + 1)..];
            var started = Stopwatch.GetTimestamp();
            var served = new Served(service);
            try
            {
                await HandleAsync(http, service, rest, forwarder, invoker, routers, health, store, locator, served, log);
            }
            catch (RegistryException e) when (!http.Response.HasStarted)
            {
                served.Outcome = "refused";
                await Problems.From(e, http).ExecuteAsync(http);
            }
            finally
            {
                served.Record(Stopwatch.GetElapsedTime(started));
            }
        }));
    }

    private static async Task HandleAsync(HttpContext http, string service, string? rest, IHttpForwarder forwarder, HttpMessageInvoker invoker,
        RouterCache routers, HealthBoard health, IWorldStore store, ClientLocator locator, Served served, ILogger log)
    {
        var router = routers.Current;
        if (!router.KnowsService(service))
        {
            served.Service = "(unknown)"; // a label never takes a value a client chose
            served.Outcome = "unknown_service";
            await Problems.Result(404, $"no service '{service}'", [new("service", $"no service '{service}'")], http).ExecuteAsync(http);
            return;
        }
        var q = http.Request.Query;
        var (client, _) = locator.Locate(http, q["lat"], q["lon"], q["country"]);
        var policy = RouteApi.PolicyOf(q["policy"].ToString());
        var definition = store.Current.World.Services.Find(service);
        var endpoints = definition?.Endpoints ?? new Dictionary<string, string>();
        var idempotent = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method);
        var tried = new TriedRegions(health);
        var failures = new List<string>();
        var attempts = idempotent ? 3 : 1;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            // Each attempt routes again without the regions that failed, so the policy decides where to fail over.
            var decision = router.Route(service, client, policy, tried);
            if (!decision.Routed)
            {
                if (failures.Count == 0)
                {
                    served.Outcome = "unroutable";
                    await RouteApi.Unroutable(decision, http).ExecuteAsync(http);
                }
                break;
            }
            var choice = decision.Choice!;
            served.Region = choice.Region;
            if (!endpoints.TryGetValue(choice.Region, out var endpoint))
            {
                served.Outcome = "no_endpoint";
                await Problems.Result(503, $"{service} is routed to {choice.Region}, which has no endpoint configured",
                    [new("service", $"set endpoints.{choice.Region} on service {service}")], http).ExecuteAsync(http);
                return;
            }
            var error = await forwarder.SendAsync(http, endpoint, invoker, RequestConfig, new GatewayTransformer(rest ?? "", choice.Region, choice.RttMs, definition?.ForwardCredentials == true));
            if (error == ForwarderError.None)
            {
                served.Outcome = http.Response.StatusCode < 500 ? "ok" : "backend_error";
                health.ReportPassive(service, choice.Region, http.Response.StatusCode < 500, $"HTTP {http.Response.StatusCode}");
                return;
            }
            // A client that goes away (canceled or broken request or response) says nothing about the region.
            if (!BackendFault(error))
            {
                served.Outcome = "client_gone";
                return;
            }
            var message = http.Features.Get<IForwarderErrorFeature>()?.Exception?.Message ?? error.ToString();
            health.ReportPassive(service, choice.Region, false, message);
            failures.Add($"{choice.Region}: {message}");
            served.Outcome = "unreachable";
            if (http.Response.HasStarted) return;
            tried.Add(choice.Region);
            if (attempt + 1 < attempts) OperatorEvents.FailedOver(log, service, choice.Region, message);
            http.Response.Clear();
        }
        if (!http.Response.HasStarted && failures.Count > 0)
            await Problems.Result(502, $"no region the policy allows could serve {service}: {string.Join("; ", failures)}", [], http).ExecuteAsync(http);
    }

    private static bool BackendFault(ForwarderError error) => error is ForwarderError.Request or ForwarderError.RequestTimedOut
        or ForwarderError.RequestBodyDestination or ForwarderError.ResponseBodyDestination or ForwarderError.ResponseHeaders;

    /// <summary>What a gateway request was, for its metrics: the service (a known one, or "(unknown)"), the region that
    /// served or failed it, and the outcome.</summary>
    private sealed class Served(string service)
    {
        public string Service = service;
        public string Region = "";
        public string Outcome = "unroutable";

        public void Record(TimeSpan elapsed)
        {
            var tags = new TagList { { "service", Service }, { "region", Region }, { "outcome", Outcome } };
            MeridianMetrics.GatewayRequests.Add(1, tags);
            MeridianMetrics.GatewayDuration.Record(elapsed.TotalSeconds, tags);
        }
    }

    /// <summary>Health as the board says, except the regions this request already failed on.</summary>
    private sealed class TriedRegions(IRegionHealth inner) : IRegionHealth
    {
        private readonly HashSet<string> _failed = new(StringComparer.Ordinal);

        public void Add(string region) => _failed.Add(region);

        public string? Unhealthy(string service, string region) =>
            _failed.Contains(region) ? "did not answer this request" : inner.Unhealthy(service, region);
    }
}
