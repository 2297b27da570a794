using System.Text.Json.Nodes;
using Meridian.Core.Registry;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Placement.Model;
using Meridian.Server.Apis.Contracts;
using Meridian.Server.Http;
using Meridian.Server.Security;
using Meridian.Storage.Security;
using Meridian.Storage;
using Meridian.Storage.Ledger;

namespace Meridian.Server.Apis;

/// <summary>Placement through the API: workloads, capacity, and draining a facility.</summary>
internal static class WorkloadsApi
{
    public static void MapWorkloads(this IEndpointRouteBuilder app, ServerOptions options)
    {
        var group = app.MapGroup("/api/v1/workloads").WithTags("workloads");

        group.MapPost("/", async (HttpContext http, AllocationLedger ledger) =>
            {
                var body = await RequestBody.ReadObjectAsync(http, options.MaxResourceBodyBytes);
                var spec = (WorkloadSpec)RequestBody.Deserialize(body, typeof(WorkloadSpec));
                var caller = Caller.Of(http);
                if (caller.Role == Role.Member && spec.Tenant != caller.Tenant)
                    throw new RegistryException(ProblemKind.Forbidden, $"a member of tenant '{caller.Tenant}' places workloads only in it", [new("tenant", $"is not '{caller.Tenant}'")]);
                var workload = await Telemetry.Placements.PlaceAsync(ledger, spec, Caller.ActorOf(http), http);
                http.Response.Headers.Location = $"/api/v1/workloads/{workload.Id}";
                return ApiResults.Json(WorkloadView.Of(workload), 201);
            })
            .WithName("place-workload").WithSummary("Place every replica of a workload, or none")
            .WithDescription("Body: {tenant, name, replicas, resources: {vcpu, memoryGiB, gpus, gpuShare}, constraints: {regions, countries, boundary, " +
                             "spread: {minZones, maxSkew}, distinctHosts, ownership, gpuModels}, strategy: Spread|Pack|Fragmentation (default Fragmentation with GPUs, Spread without)}. 201 with the allocations; " +
                             "422 naming the constraint that cannot be met, how much is missing and where (field resources when Fragmentation's whole-GPU reserve keeps what would fit).")
            .Accepts<WorkloadSpec>("application/json").Produces<WorkloadView>(201).ProducesProblem(400).ProducesProblem(409).ProducesProblem(422)
            .Allow(Role.Member, Role.Admin);

        group.MapGet("/", async (HttpContext http, AllocationLedger ledger) =>
            {
                var q = http.Request.Query;
                foreach (var key in q.Keys)
                {
                    if (key is not ("tenant" or "limit" or "cursor")) throw Problems.BadQuery(key, "is not a filter of workloads; use tenant, limit, cursor");
                }
                var limit = q["limit"].ToString() is { Length: > 0 } l ? ListQuery.ParseLimit(l) : ListQuery.DefaultLimit;
                var after = q["cursor"].ToString() is { Length: > 0 } c ? c : null;
                var tenant = q["tenant"].ToString() is { Length: > 0 } t ? t : null;
                var member = Caller.Of(http) is { Role: Role.Member } m ? m.Tenant : null;
                var all = (await ledger.ListAsync(http.RequestAborted))
                    .Where(w => (tenant is null || w.Spec.Tenant == tenant) && (member is null || w.Spec.Tenant == member) && (after is null || string.CompareOrdinal(w.Id, after) > 0)).ToArray();
                var page = all.Take(limit).ToArray();
                return ApiResults.Json(new Page<WorkloadView>([.. page.Select(WorkloadView.Of)],
                    all.Length > limit ? ResourcesApi.NextUrl(http.Request, page[^1].Id) : null));
            })
            .WithName("list-workloads").WithSummary("List workloads (filter: tenant; pages with limit and cursor); a member sees only its tenant's")
            .Produces<Page<WorkloadView>>().WithQuery("tenant", "limit", "cursor").Allow(Role.Viewer, Role.Member);

        group.MapGet("/{id}", async (string id, AllocationLedger ledger, HttpContext http) =>
            {
                var w = Visible(await ledger.GetAsync(id, http.RequestAborted), http) ?? throw RegistryException.NotFound("workload", id);
                return ApiResults.Json(WorkloadView.Of(w));
            })
            .WithName("get-workload").WithSummary("Get a workload and its allocations").Produces<WorkloadView>().ProducesProblem(404).Allow(Role.Viewer, Role.Member);

        group.MapDelete("/{id}", async (string id, AllocationLedger ledger, HttpContext http) =>
                Visible(await ledger.GetAsync(id, http.RequestAborted), http) is not null && await ledger.ReleaseAsync(id, Caller.ActorOf(http), http.RequestAborted)
                    ? Results.NoContent() : throw RegistryException.NotFound("workload", id))
            .WithName("delete-workload").WithSummary("Release a workload's capacity").Produces(204).ProducesProblem(404).Allow(Role.Member, Role.Admin);

        app.MapGet("/api/v1/capacity", async (HttpContext http, AllocationLedger ledger, IWorldStore store) =>
            {
                var q = http.Request.Query;
                foreach (var key in q.Keys)
                {
                    if (key is not ("region" or "zone" or "boundary" or "hosts")) throw Problems.BadQuery(key, "is not a filter of capacity; use region, zone, boundary, hosts");
                }
                var world = store.Current.World;
                var region = q["region"].ToString() is { Length: > 0 } r ? (world.Regions.Contains(r) ? r : throw Problems.BadQuery("region", $"no region '{r}'")) : null;
                var zone = q["zone"].ToString() is { Length: > 0 } z ? (world.Zones.Contains(z) ? z : throw Problems.BadQuery("zone", $"no zone '{z}'")) : null;
                var boundary = q["boundary"].ToString() is { Length: > 0 } b
                    ? world.Boundaries.Find(b) ?? throw Problems.BadQuery("boundary", $"no data boundary '{b}'") : null;
                var withHosts = q["hosts"].ToString() is { Length: > 0 } h && (bool.TryParse(h, out var v) ? v : throw Problems.BadQuery("hosts", "is true or false"));
                var report = await ledger.CapacityAsync(host =>
                    (region is null || host.Spec.RegionId == region) && (zone is null || host.Spec.ZoneId == zone) &&
                    (boundary is null || boundary.Contains(host.Spec.Country)), withHosts, http.RequestAborted);
                return ApiResults.Json(CapacityView.Of(report));
            })
            .WithTags("workloads").WithName("capacity")
            .WithSummary("Allocatable, used and free vCPU, memory and GPUs of the hosts in service, per region and zone (hosts=true: per host too)")
            .Produces<CapacityView>().WithQuery("region", "zone", "boundary", "hosts").Allow(Role.Viewer, Role.Member);

        app.MapPost("/api/v1/facilities/{id}/drain", async (string id, HttpContext http, AllocationLedger ledger, IWorldStore store) =>
            {
                var apply = http.Request.Query["apply"].ToString() is { Length: > 0 } a && (bool.TryParse(a, out var v) ? v : throw Problems.BadQuery("apply", "is true or false"));
                var (plan, remaining) = await ledger.DrainFacilityAsync(id, apply, Caller.ActorOf(http), http.RequestAborted);
                var status = Core.Lifecycle.LifecycleRules.Current(store.Current.World.Facilities.Find(id)!.History)!.Value.ToString();
                return ApiResults.Json(DrainView.Of(plan, apply, status, remaining));
            })
            .WithTags("facilities").WithName("drain-facility")
            .WithSummary("Plan moving a facility's replicas under their original constraints, changing nothing; apply=true marks it Draining and moves them")
            .WithDescription("The answer lists the moves, the replicas that cannot move with the reason, and how many replicas remain on the facility. " +
                             "A facility can be moved to Closed only when none remain.")
            .Produces<DrainView>().ProducesProblem(404).WithQuery("apply").Allow(Role.Operator);
    }

    /// <summary>The workload if the caller may see it: a member sees only its tenant's; others are "not found", not
    /// "forbidden", so ids of other tenants' workloads cannot be probed.</summary>
    private static Workload? Visible(Workload? w, HttpContext http) =>
        w is not null && Caller.Of(http) is { Role: Role.Member } m && w.Spec.Tenant != m.Tenant ? null : w;

    public static IResult Refused(PlacementRefusedException e, HttpContext http)
    {
        var p = e.Problem;
        var field = p.Constraint switch
        {
            "residency" => "constraints",
            "spread" => "constraints.spread",
            "reserve" => "resources",
            _ => p.Constraint,
        };
        var body = Problems.Body(StatusCodes.Status422UnprocessableEntity, p.Message, [new FieldError(field, p.Message)], http);
        if (p.ZoneCapacity is { } zones)
            body["zoneCapacity"] = new JsonObject(zones.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        return Results.Text(body.ToJsonString(MeridianJson.Options), "application/problem+json", statusCode: 422);
    }
}
