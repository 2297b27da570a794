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
using Meridian.Core.Model;
using Yarp.ReverseProxy.Forwarder;

namespace Meridian.Server.Gateway;

/// <summary>The gateway: /gw/{service}/{**rest} is proxied to the endpoint of the region chosen for the client. Where
/// the client is comes from <see cref="ClientLocator"/>: its address, or a trusted proxy's X-Client-* headers; the lat
/// and lon query parameters rank regions. Callers' credentials are not forwarded unless the service asks for them, and
/// connections to loopback, link-local or the server's own address are refused (<see cref="EndpointPolicy"/>). Routes
/// are looked up, not decided, per request (<see cref="GatewayRoutes"/>). A region that fails before the response has
/// started (no connection, a reset, no headers in time) counts against its health, and the request is tried once more
/// on the next region the policy allows when it can be sent again (<see cref="Replayable"/>).</summary>
internal static class GatewayEndpoint
{
    public const string RegionHeader = "X-Meridian-Region";
    public const string RttHeader = "X-Meridian-Rtt-Ms";

    private static HttpMessageInvoker Invoker(EndpointPolicy policy, GatewayOptions options) => new(new SocketsHttpHandler
    {
        ConnectCallback = policy.ConnectAsync,
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = null,
        ConnectTimeout = options.ConnectTimeout,
    });

    /// <summary>The gateway is its own branch at the front of the pipeline: proxied requests skip the API's middleware and
    /// endpoint routing, which cost more than the proxying itself.</summary>
    public static void UseGateway(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<ServerOptions>().Gateway;
        var gateway = new Gateway(
            app.Services.GetRequiredService<IHttpForwarder>(),
            Invoker(app.Services.GetRequiredService<EndpointPolicy>(), options),
            new ForwarderRequestConfig { ActivityTimeout = options.ActivityTimeout },
            options,
            app.Services.GetRequiredService<GatewayRouteCache>(),
            app.Services.GetRequiredService<HealthBoard>(),
            app.Services.GetRequiredService<ClientLocator>(),
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Meridian.Gateway"));
        app.Map("/gw", branch => branch.Run(gateway.HandleAsync));
    }

    private sealed class Gateway(IHttpForwarder forwarder, HttpMessageInvoker invoker, ForwarderRequestConfig config, GatewayOptions options,
        GatewayRouteCache cache, HealthBoard health, ClientLocator locator, ILogger log)
    {
        public async Task HandleAsync(HttpContext http)
        {
            var started = Stopwatch.GetTimestamp();
            var served = new Served();
            try
            {
                var routes = cache.Current;
                var requested = ServiceName(http.Request.Path.Value);
                if (!routes.TryGet(requested, out var service))
                {
                    served.Outcome = "unknown_service";
                    var name = requested.ToString();
                    await Problems.Result(404, $"no service '{name}'", [new("service", $"no service '{name}'")], http).ExecuteAsync(http);
                    return;
                }
                served.Service = service.Service;
                await ProxyAsync(http, routes, service, served);
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
        }

        /// <summary>The branch's path is /{service}/{rest}.</summary>
        private static ReadOnlySpan<char> ServiceName(string? path)
        {
            if (path is not { Length: > 1 }) return [];
            var slash = path.IndexOf('/', 1);
            return slash < 0 ? path.AsSpan(1) : path.AsSpan(1, slash - 1);
        }

        private async Task ProxyAsync(HttpContext http, GatewayRoutes routes, ServiceRoutes service, Served served)
        {
            var q = http.Request.Query;
            var policy = RouteApi.PolicyOf(q["policy"].ToString());
            string? lat = q["lat"], lon = q["lon"], country = q["country"];
            if (!locator.TryLocate(http, lat, lon, country, out var client))
            {
                // Something is missing or wrong: the full path says what, naming the field.
                var (location, _) = locator.Locate(http, lat, lon, country);
                client = new ClientPoint(location.Country, location.Point.Latitude, location.Point.Longitude);
            }
            var targets = service.Targets(client, policy);
            if (targets.Length == 0)
            {
                served.Outcome = "unroutable";
                var where = new ClientLocation(new GeoPoint(client.Latitude, client.Longitude), client.Country);
                await RouteApi.Unroutable(routes.Router.Route(service.Service, where, policy, health), http).ExecuteAsync(http);
                return;
            }
            string? firstFailure = null;
            // One attempt, and one retry on the next region the policy allows when the request can be sent again.
            for (var attempt = 0; attempt < 2 && attempt < targets.Length; attempt++)
            {
                var target = targets[attempt];
                served.Region = target.Region;
                if (target.Endpoint is null)
                {
                    if (firstFailure is not null) break;
                    served.Outcome = "no_endpoint";
                    await Problems.Result(503, $"{service.Service} is routed to {target.Region}, which has no endpoint configured",
                        [new("service", $"set endpoints.{target.Region} on service {service.Service}")], http).ExecuteAsync(http);
                    return;
                }
                var (error, failure, retryable) = await AttemptAsync(http, target);
                if (error == ForwarderError.None)
                {
                    var ok = http.Response.StatusCode < 500;
                    served.Outcome = ok ? "ok" : "backend_error";
                    health.ReportPassive(service.Service, target.Region, ok, ok ? null : $"HTTP {http.Response.StatusCode}");
                    return;
                }
                if (failure is null)
                {
                    // The client went away: that says nothing about the region.
                    served.Outcome = "client_gone";
                    return;
                }
                health.ReportPassive(service.Service, target.Region, false, failure);
                served.Outcome = "unreachable";
                // A response under way (a stream's first bytes) is never replayed.
                if (http.Response.HasStarted) return;
                firstFailure = firstFailure is null ? $"{target.Region}: {failure}" : $"{firstFailure}; {target.Region}: {failure}";
                if (!retryable) break;
                if (attempt + 1 < targets.Length) OperatorEvents.FailedOver(log, service.Service, target.Region, failure);
                http.Response.Clear();
            }
            if (!http.Response.HasStarted)
            {
                http.Response.Clear();
                await Problems.Result(502, $"no region the policy allows could serve {service.Service}: {firstFailure}", [], http).ExecuteAsync(http);
            }
        }

        /// <summary>Sends the request to one region. The failure is null when the request succeeded or the client went
        /// away; retryable says whether the request may go to another region.</summary>
        private async Task<(ForwarderError Error, string? Failure, bool Retryable)> AttemptAsync(HttpContext http, GatewayTarget target)
        {
            using var deadline = new HeadersDeadline(options.ResponseHeadersTimeout);
            http.Features.Set(deadline);
            ForwarderError error;
            try
            {
                error = await forwarder.SendAsync(http, target.Endpoint!, invoker, config, target.Transformer, deadline.Token);
            }
            finally
            {
                http.Features.Set<HeadersDeadline>(null);
            }
            if (error == ForwarderError.None) return (error, null, false);
            var exception = http.Features.Get<IForwarderErrorFeature>()?.Exception;
            if (deadline.Expired)
                return (error, $"no response headers within {options.ResponseHeadersTimeout.TotalSeconds:0.###} s", Replayable(http, sentNothing: false));
            if (!BackendFault(error)) return (error, null, false);
            return (error, exception?.Message ?? error.ToString(), Replayable(http, SentNothing(exception)));
        }
    }

    /// <summary>True when the request can go to another region: nothing of it reached the first (no connection), or it is
    /// idempotent and has no body (the body, once read, cannot be sent again).</summary>
    private static bool Replayable(HttpContext http, bool sentNothing)
    {
        if (sentNothing) return true;
        var method = http.Request.Method;
        var idempotent = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method)
                         || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);
        return idempotent && http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody != true;
    }

    /// <summary>The connection was never made (refused, unresolvable, TLS failed, connect timeout): the backend saw nothing.</summary>
    private static bool SentNothing(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError })
                return true;
        }
        return false;
    }

    private static bool BackendFault(ForwarderError error) => error is ForwarderError.Request or ForwarderError.RequestTimedOut
        or ForwarderError.RequestBodyDestination or ForwarderError.ResponseBodyDestination or ForwarderError.ResponseHeaders;

    /// <summary>What a gateway request was, for its metrics: the service (a known one, or "(unknown)"), the region that
    /// served or failed it, and the outcome.</summary>
    private sealed class Served
    {
        public string Service = "(unknown)"; // a label never takes a value a client chose
        public string Region = "";
        public string Outcome = "unroutable";

        public void Record(TimeSpan elapsed)
        {
            var tags = new TagList { { "service", Service }, { "region", Region }, { "outcome", Outcome } };
            MeridianMetrics.GatewayRequests.Add(1, tags);
            MeridianMetrics.GatewayDuration.Record(elapsed.TotalSeconds, tags);
        }
    }
}
