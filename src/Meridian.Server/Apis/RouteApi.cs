using System.Text.Json.Nodes;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Server.Http;
using Meridian.Server.Security;
using Meridian.Storage.Health;
using Meridian.Server.Hosting;
using Meridian.Storage.Security;
using Meridian.Server.Steering;
using Meridian.Steering.Health;
using Meridian.Steering.Routing;
using Meridian.Storage;

using System.Text.Json;
using Meridian.Server.Apis.Contracts;

namespace Meridian.Server.Apis;

/// <summary>GET /api/v1/route: which region serves a client; /api/v1/health: endpoint health and operator overrides.</summary>
internal static class RouteApi
{
    public static void MapSteering(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/route", (HttpContext http, RouterCache routers, HealthBoard health, ClientLocator locator) =>
            {
                var q = http.Request.Query;
                foreach (var key in q.Keys)
                {
                    if (key is not ("service" or "lat" or "lon" or "country" or "policy")) throw Problems.BadQuery(key, "is not a parameter of route; use service, lat, lon, country, policy");
                }
                var router = routers.Current;
                var service = ServiceOf(router, q["service"].ToString());
                var (client, source) = locator.Locate(http, q["lat"], q["lon"], q["country"]);
                var policy = PolicyOf(q["policy"].ToString());
                var decision = router.Route(service, client, policy, health);
                if (!decision.Routed) return Unroutable(decision, http);
                return ApiResults.Json(RouteView.Of(decision, client.Country, source));
            })
            .WithTags("steering").WithName("route")
            .WithSummary("The region that serves a client for a service: lowest estimated RTT among the live, healthy regions the residency policy allows")
            .WithDescription("Parameters: service, lat, lon, country (ISO alpha-2), policy (strict|preferred|global; default: the service's). " +
                             "The country is taken from the caller's address unless the caller is an operator or admin (then country is honoured) " +
                             "or a trusted proxy sets X-Client-Country; countrySource in the answer says which. 503 with the exclusions when no region may serve.")
            .Produces<RouteView>().ProducesProblem(400).ProducesProblem(503).WithQuery("service", "lat", "lon", "country", "policy").Allow(Role.Viewer);

        app.MapGet("/api/v1/health", (HealthBoard health) =>
                ApiResults.Json(new Page<EndpointHealth>(health.Snapshot(), null)))
            .WithTags("steering").WithName("list-health").WithSummary("Health of every (service, region) that has been checked, failed or set by an operator").Produces<Page<EndpointHealth>>()
            .Allow(Role.Viewer);

        app.MapPut("/api/v1/health/{service}/{region}", async (string service, string region, HttpContext http, HealthBoard health, IWorldStore store, HealthOverrideStore overrides, ServerOptions options, TimeProvider time) =>
            {
                var world = store.Current.World;
                if (!world.Services.Contains(service)) throw RegistryException.NotFound("service", service);
                if (!world.Regions.Contains(region)) throw RegistryException.NotFound("region", region);
                var body = await RequestBody.ReadObjectAsync(http, options.MaxResourceBodyBytes);
                var request = (HealthRequest)RequestBody.Deserialize(body, typeof(HealthRequest));
                var actor = Caller.ActorOf(http);
                var before = health.Snapshot().FirstOrDefault(h => h.Service == service && h.Region == region);
                health.SetOperator(service, region, request.State);
                var entry = health.Snapshot().First(h => h.Service == service && h.Region == region);
                try
                {
                    // In the database for every replica, and in the change log: overrides move users between regions.
                    overrides.Set(new HealthOverride(service, region, HealthOverrides.Name(request.State)), actor, time.GetUtcNow(), before, entry);
                }
                catch
                {
                    health.SetOperator(service, region, before?.Operator ?? OperatorState.Auto);
                    throw;
                }
                return ApiResults.Json(entry);
            })
            .WithTags("steering").WithName("set-health")
            .WithSummary("Mark a region's service Down or Up by hand, or give it back to the checks (Auto)")
            .Accepts<HealthRequest>("application/json").Produces<EndpointHealth>().ProducesProblem(400).ProducesProblem(404).Allow(Role.Operator);
    }

    public sealed record HealthRequest(OperatorState State);

    internal static string ServiceOf(RegionRouter router, string service)
    {
        if (string.IsNullOrWhiteSpace(service)) throw Problems.BadQuery("service", "is required, such as qwen3-max");
        return router.KnowsService(service) ? service : throw Problems.BadQuery("service", $"no service '{service}'");
    }

    internal static Residency? PolicyOf(string policy) =>
        string.IsNullOrWhiteSpace(policy) ? null : ResourceFilter.ParseEnum<Residency>("policy", policy);

    internal static IResult Unroutable(RouteDecision decision, HttpContext http)
    {
        var body = Problems.Body(503, decision.Problem!, [new FieldError("service", decision.Problem!)], http);
        body["policy"] = decision.Policy.ToString().ToLowerInvariant();
        body["exclusions"] = JsonSerializer.SerializeToNode(RouteView.ExclusionsOf(decision), MeridianJson.Options);
        return Results.Text(body.ToJsonString(MeridianJson.Options), "application/problem+json", statusCode: 503);
    }
}
