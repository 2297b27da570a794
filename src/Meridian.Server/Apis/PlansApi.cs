using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Core.Geo;
using Meridian.Core.Latency;
using Meridian.Core.Model;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Planning.Expansion;
using Meridian.Planning.Instances;
using Meridian.Server.Http;
using Meridian.Server.Security;
using Meridian.Storage.Security;
using Meridian.Server.Planning;
using Meridian.Storage;

using Meridian.Server.Apis.Contracts;

namespace Meridian.Server.Apis;

/// <summary>POST /api/v1/plans starts an expansion or closure plan as a background job; GET follows its progress and
/// reads its result.</summary>
internal static class PlansApi
{
    /// <summary>The body of POST /api/v1/plans. Fields that do not apply to the kind are refused.</summary>
    public sealed record PlanBody(
        string Kind,
        int? Add = null,
        string? Region = null,
        double? SloMs = null,
        string? Objective = null,
        OwnershipChoice? Ownership = null,
        string? Boundary = null,
        Residency? Residency = null,
        DateOnly? Date = null,
        long? CandidateMinPopulation = null,
        IReadOnlyList<CandidateSite>? Candidates = null,
        double? TimeLimitSeconds = null,
        double? CellDegrees = null,
        Dictionary<string, double>? CountryWeights = null,
        bool? Greedy = null,
        PlanningCosts? Costs = null);

    public static void MapPlans(this IEndpointRouteBuilder app, ServerOptions options)
    {
        var group = app.MapGroup("/api/v1/plans").WithTags("planning");

        group.MapPost("/", async (HttpContext http, IWorldStore store, PlanJobs jobs, LatencyModel latency, TimeProvider time) =>
            {
                var node = await RequestBody.ReadObjectAsync(http, options.MaxResourceBodyBytes);
                var body = (PlanBody)RequestBody.Deserialize(node, typeof(PlanBody));
                var world = store.Current.World;
                var today = ResourcesApi.Today(time);
                Func<IProgress<PlanProgress>, CancellationToken, JsonNode> work = body.Kind switch
                {
                    "expansion" => Work(Expansion(body, world, today), latency),
                    "closure" => Work(Closure(body, world, today), latency),
                    _ => throw RegistryException.Malformed(new FieldError("kind", $"'{body.Kind}' is not a kind of plan; use expansion or closure")),
                };
                var job = jobs.Start(body.Kind, node, work);
                http.Response.Headers.Location = $"/api/v1/plans/{job.Id}";
                return ApiResults.Json(PlanView.Of(job), 202);
            })
            .WithName("start-plan").WithSummary("Start a plan: where to open next (expansion) or what closing a region costs (closure)")
            .WithDescription("Body: {kind: expansion|closure, add (expansion: new sites), region (closure), sloMs (default 50), objective: coverage|latency, " +
                             "ownership: Either|Owned|Colocation, boundary, residency: Strict|Global, date (default today), candidateMinPopulation, " +
                             "candidates: [{name, country, location: {latitude, longitude}}], timeLimitSeconds, greedy, costs: {owned: {fixedCost, capacityPeople, unitCostPerMillion}, colocation: {...}}, cellDegrees, countryWeights: {DE: 2}}. " +
                             "202 with the plan and a Location to poll; 400/422 naming the field, before any work starts.")
            .Accepts<PlanBody>("application/json").Produces<PlanView>(202).ProducesProblem(400).ProducesProblem(422).Allow(Role.Operator);

        group.MapGet("/", (HttpContext http, PlanJobs jobs) =>
            {
                var q = http.Request.Query;
                foreach (var key in q.Keys)
                {
                    if (key is not ("status" or "limit" or "cursor")) throw Problems.BadQuery(key, "is not a filter of plans; use status, limit, cursor");
                }
                PlanState? state = q["status"].ToString() is { Length: > 0 } s
                    ? Enum.TryParse<PlanState>(s, ignoreCase: true, out var v) ? v : throw Problems.BadQuery("status", "is queued, running, succeeded, failed or cancelled")
                    : null;
                var limit = q["limit"].ToString() is { Length: > 0 } l ? ListQuery.ParseLimit(l) : ListQuery.DefaultLimit;
                var after = q["cursor"].ToString() is { Length: > 0 } c ? c : null;
                var all = jobs.All.Where(j => (state is null || j.State == state) && (after is null || string.CompareOrdinal(j.Id, after) > 0)).ToArray();
                var page = all.Take(limit).ToArray();
                return ApiResults.Json(new Page<PlanView>([.. page.Select(j => PlanView.Of(j, withResult: false))],
                    all.Length > limit ? ResourcesApi.NextUrl(http.Request, page[^1].Id) : null));
            })
            .WithName("list-plans").WithSummary("List plans, newest last, without their results (filter: status; pages with limit and cursor)")
            .Produces<Page<PlanView>>().WithQuery("status", "limit", "cursor").Allow(Role.Viewer);

        group.MapGet("/{id}", (string id, PlanJobs jobs) => ApiResults.Json(PlanView.Of(jobs.Find(id) ?? throw RegistryException.NotFound("plan", id))))
            .WithName("get-plan").WithSummary("A plan: status, stage and progress (0 to 1), and its result once it has succeeded").Produces<PlanView>().ProducesProblem(404).Allow(Role.Viewer);

        group.MapDelete("/{id}", (string id, PlanJobs jobs) => jobs.Remove(id) ? Results.NoContent() : throw RegistryException.NotFound("plan", id))
            .WithName("delete-plan").WithSummary("Cancel a plan that is queued or running, and forget it").Produces(204).ProducesProblem(404).Allow(Role.Operator);
    }

    private static Func<IProgress<PlanProgress>, CancellationToken, JsonNode> Work<T>(PreparedPlan<T> plan, LatencyModel latency) =>
        (progress, ct) => JsonSerializer.SerializeToNode(plan.Run(latency, progress, ct), MeridianJson.Options)!;

    private static PreparedPlan<ExpansionPlan> Expansion(PlanBody b, Core.Registry.World world, DateOnly today)
    {
        if (b.Region is not null) throw RegistryException.Malformed(new FieldError("region", "is for closure plans; an expansion adds sites"));
        if (b.Add is not { } add) throw RegistryException.Malformed(new FieldError("add", "is required: how many new sites to open"));
        if (b.Objective is not (null or "coverage" or "latency")) throw RegistryException.Malformed(new FieldError("objective", "is coverage or latency"));
        var defaults = new ExpansionRequest(add);
        var request = Shared(defaults with
        {
            MaximiseCoverage = b.Objective != "latency",
            Ownership = b.Ownership ?? defaults.Ownership,
            CandidateMinPopulation = b.CandidateMinPopulation ?? defaults.CandidateMinPopulation,
            Candidates = b.Candidates,
            Greedy = b.Greedy ?? defaults.Greedy,
            Costs = b.Costs ?? defaults.Costs,
            TimeLimit = b.TimeLimitSeconds is { } t ? TimeLimits.FromSeconds(t, "timeLimitSeconds") : defaults.TimeLimit,
        }, b, today);
        return ExpansionPlanner.Prepare(world, request);
    }

    private static PreparedPlan<ClosureReport> Closure(PlanBody b, Core.Registry.World world, DateOnly today)
    {
        foreach (var (field, set) in new[] { ("add", b.Add is not null), ("objective", b.Objective is not null), ("ownership", b.Ownership is not null),
                     ("candidateMinPopulation", b.CandidateMinPopulation is not null), ("candidates", b.Candidates is not null), ("timeLimitSeconds", b.TimeLimitSeconds is not null),
                     ("greedy", b.Greedy is not null), ("costs", b.Costs is not null) })
        {
            if (set) throw RegistryException.Malformed(new FieldError(field, "is for expansion plans, not closure"));
        }
        if (string.IsNullOrWhiteSpace(b.Region)) throw RegistryException.Malformed(new FieldError("region", "is required: the region to close"));
        return ClosurePlanner.Prepare(world, Shared(new ClosureRequest(b.Region), b, today));
    }

    /// <summary>The fields both kinds share; what the body leaves out keeps the request's default.</summary>
    private static T Shared<T>(T request, PlanBody b, DateOnly today) where T : PlanRequest => request with
    {
        Date = b.Date ?? today,
        SloMs = b.SloMs ?? request.SloMs,
        Boundary = b.Boundary,
        Residency = b.Residency is Residency.Preferred ? throw new PlanningInputException("residency", "plans take Strict or Global")
            : b.Residency ?? request.Residency,
        CellDegrees = b.CellDegrees ?? request.CellDegrees,
        CountryWeights = b.CountryWeights,
    };
}
