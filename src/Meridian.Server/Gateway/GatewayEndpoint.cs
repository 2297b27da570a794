using System.Net;
using Meridian.Server.Apis;
using Meridian.Server.Http;
using Meridian.Server.Steering;
using Meridian.Steering.Health;
using Meridian.Steering.Routing;
using Meridian.Storage;
using Yarp.ReverseProxy.Forwarder;

namespace Meridian.Server.Gateway;

/// <summary>The gateway: /gw/{service}/{**rest} is proxied to the endpoint of the region chosen for the client. The client's
/// location comes from the X-Client-Lat, X-Client-Lon and X-Client-Country headers a trusted edge sets (or the lat, lon and
/// country query parameters). A failed attempt (no connection) counts against the region's health and, for idempotent
/// requests, moves on to the next region the policy allows.</summary>
internal static class GatewayEndpoint
{
    public const string RegionHeader = "X-Meridian-Region";
    public const string RttHeader = "X-Meridian-Rtt-Ms";

    private static readonly HttpMessageInvoker Invoker = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = null,
        ConnectTimeout = TimeSpan.FromSeconds(2),
    });

    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromSeconds(100) };

    public static void MapGateway(this IEndpointRouteBuilder app)
    {
        app.Map("/gw/{service}/{**rest}", HandleAsync).ExcludeFromDescription();
    }

    private static async Task HandleAsync(HttpContext http, string service, string? rest, IHttpForwarder forwarder, RouterCache routers, HealthBoard health, IWorldStore store)
    {
        var router = routers.Current;
        if (!router.KnowsService(service))
        {
            await Problems.Result(404, $"no service '{service}'", [new("service", $"no service '{service}'")], http).ExecuteAsync(http);
            return;
        }
        var q = http.Request.Query;
        var h = http.Request.Headers;
        var client = ClientLocations.Parse(First(h["X-Client-Lat"], q["lat"]), First(h["X-Client-Lon"], q["lon"]), First(h["X-Client-Country"], q["country"]));
        var policy = RouteApi.PolicyOf(q["policy"].ToString());
        var endpoints = store.Current.World.Services.Find(service)?.Endpoints ?? new Dictionary<string, string>();
        var idempotent = HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method);
        var tried = new TriedRegions(health);
        var failures = new List<string>();
        for (var attempt = 0; attempt < (idempotent ? 3 : 1); attempt++)
        {
            // Each attempt routes again without the regions that failed, so the policy decides where to fail over.
            var decision = router.Route(service, client, policy, tried);
            if (!decision.Routed)
            {
                if (failures.Count == 0) await RouteApi.Unroutable(decision, http).ExecuteAsync(http);
                break;
            }
            var choice = decision.Choice!;
            if (!endpoints.TryGetValue(choice.Region, out var endpoint))
            {
                await Problems.Result(503, $"{service} is routed to {choice.Region}, which has no endpoint configured",
                    [new("service", $"set endpoints.{choice.Region} on service {service}")], http).ExecuteAsync(http);
                return;
            }
            var error = await forwarder.SendAsync(http, endpoint, Invoker, RequestConfig, new GatewayTransformer(rest ?? "", choice.Region, choice.RttMs));
            if (error == ForwarderError.None)
            {
                health.ReportPassive(service, choice.Region, http.Response.StatusCode < 500, $"HTTP {http.Response.StatusCode}");
                return;
            }
            var message = http.Features.Get<IForwarderErrorFeature>()?.Exception?.Message ?? error.ToString();
            health.ReportPassive(service, choice.Region, false, message);
            failures.Add($"{choice.Region}: {message}");
            if (http.Response.HasStarted) return;
            tried.Add(choice.Region);
            http.Response.Clear();
        }
        if (!http.Response.HasStarted && failures.Count > 0)
            await Problems.Result(502, $"no region the policy allows could serve {service}: {string.Join("; ", failures)}", [], http).ExecuteAsync(http);
    }

    /// <summary>Health as the board says, except the regions this request already failed on.</summary>
    private sealed class TriedRegions(IRegionHealth inner) : IRegionHealth
    {
        private readonly HashSet<string> _failed = new(StringComparer.Ordinal);

        public void Add(string region) => _failed.Add(region);

        public string? Unhealthy(string service, string region) =>
            _failed.Contains(region) ? "did not answer this request" : inner.Unhealthy(service, region);
    }

    private static string? First(string? a, string? b) => string.IsNullOrEmpty(a) ? b : a;
}
