using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Server.Http;
using Meridian.Server.Security;
using Meridian.Storage.Security;
using Meridian.Storage;
using Meridian.Storage.Registry;

namespace Meridian.Server.Apis;

/// <summary>List, get, create, patch and delete for every kind of registry resource, under /api/v1/{kind}.</summary>
internal static class ResourcesApi
{
    public static void MapResources(this IEndpointRouteBuilder app, ServerOptions options)
    {
        foreach (var kind in Kinds.All)
        {
            var group = app.MapGroup($"/api/v1/{kind.Name}").WithTags(kind.Name);
            var filters = string.Join(", ", ResourceFilter.FiltersOf(kind));
            // Service endpoints aim the gateway and the health checker: only admins set them.
            var writers = kind.Name == "services" ? Role.Admin : Role.Operator;

            group.MapGet("/", (HttpContext http, IWorldStore store, TimeProvider time) => List(kind, http, store, time))
                .WithName($"list-{kind.Name}").WithSummary($"List {kind.Name}")
                .WithDescription($"Filters: {filters}. Pages with limit (1-{ListQuery.MaxLimit}, default {ListQuery.DefaultLimit}) and cursor; " +
                                 "the answer is {\"items\": [...], \"next\": URL or null}. With asOf=YYYY-MM-DD, resources that existed on that date with their status then; " +
                                 "without status, asOf shows the footprint in service (Live, Draining); status=any shows all.")
                .Produces(200, typeof(Contracts.Page<>).MakeGenericType(kind.Type)).WithQuery([.. ResourceFilter.FiltersOf(kind), "limit", "cursor"]).Allow(Role.Viewer);

            group.MapGet("/{id}", (string id, HttpContext http, IWorldStore store, TimeProvider time) => Get(kind, id, http, store, time))
                .WithName($"get-{kind.Singular}").WithSummary($"Get one {kind.Singular}; its ETag is its version")
                .Produces(200, kind.Type).ProducesProblem(404).WithQuery("asOf").Allow(Role.Viewer);

            group.MapPost("/", async (HttpContext http, IWorldStore store, TimeProvider time, EndpointPolicy endpoints) =>
                {
                    var body = await RequestBody.ReadObjectAsync(http, options.MaxResourceBodyBytes);
                    var item = ReadNew(kind, body, Today(time));
                    CheckEndpoints(item, endpoints);
                    var result = await store.WriteAsync(Caller.ActorOf(http), RegistryCommands.Create(kind, item), http.RequestAborted);
                    return Written(kind, item.Id, result.Snapshot, http, time, created: true);
                })
                .WithName($"create-{kind.Singular}").WithSummary($"Create a {kind.Singular}")
                .Accepts(kind.Type, "application/json").Produces(201, kind.Type).ProducesProblem(400).ProducesProblem(409).ProducesProblem(422).Allow(writers);

            group.MapPatch("/{id}", async (string id, HttpContext http, IWorldStore store, TimeProvider time, EndpointPolicy endpoints) =>
                {
                    var patch = await RequestBody.ReadObjectAsync(http, options.MaxResourceBodyBytes);
                    var result = await store.WriteAsync(Caller.ActorOf(http),
                        RegistryCommands.Update(kind, id, ETags.IfMatch(http.Request), current => CheckEndpoints(Patched(kind, current, patch), endpoints)), http.RequestAborted);
                    return Written(kind, id, result.Snapshot, http, time, created: false);
                })
                .WithName($"patch-{kind.Singular}").WithSummary($"Change fields of a {kind.Singular} (JSON Merge Patch; If-Match with its ETag)")
                .Accepts<JsonObject>("application/merge-patch+json", "application/json").Produces(200, kind.Type)
                .ProducesProblem(400).ProducesProblem(404).ProducesProblem(412).ProducesProblem(422).Allow(writers);

            group.MapDelete("/{id}", async (string id, HttpContext http, IWorldStore store) =>
                {
                    await store.WriteAsync(Caller.ActorOf(http), RegistryCommands.Delete(kind, id, ETags.IfMatch(http.Request)), http.RequestAborted);
                    return Results.NoContent();
                })
                .WithName($"delete-{kind.Singular}").WithSummary($"Delete a {kind.Singular} that nothing refers to")
                .Produces(204).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).Allow(writers);

            if (kind.HasLifecycle) group.MapTransitions(kind, options);
        }
    }

    private static IResource CheckEndpoints(IResource item, EndpointPolicy policy)
    {
        if (item is Service service && policy.Check(service) is { Count: > 0 } errors) throw RegistryException.Invalid(errors);
        return item;
    }

    internal static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    private static IResult List(ResourceKind kind, HttpContext http, IWorldStore store, TimeProvider time)
    {
        var world = store.Current.World;
        var query = ListQuery.Parse(kind, http.Request.Query, world, Today(time));
        var page = new List<IResource>(Math.Min(query.Limit, 256));
        var more = false;
        foreach (var (item, _) in kind.All(world))
        {
            if (query.After is not null && string.CompareOrdinal(item.Id, query.After) <= 0) continue;
            if (!query.Filter.Matches(item, world)) continue;
            if (page.Count == query.Limit)
            {
                more = true;
                break;
            }
            page.Add(item);
        }
        var body = new JsonObject
        {
            ["items"] = new JsonArray(page.Select(i => (JsonNode)ResourceViews.Of(i, world, query.Filter.ViewDate)).ToArray()),
            ["next"] = more ? NextUrl(http.Request, ListQuery.EncodeCursor(page[^1].Id)) : null,
        };
        return ApiResults.Json(body);
    }

    private static IResult Get(ResourceKind kind, string id, HttpContext http, IWorldStore store, TimeProvider time)
    {
        var world = store.Current.World;
        var item = kind.Find(world, id) ?? throw RegistryException.NotFound(kind.Singular, id);
        var etag = ETags.Of(kind.VersionOf(world, id)!.Value);
        http.Response.Headers.ETag = etag;
        if (http.Request.Headers.IfNoneMatch.ToString() == etag) return Results.StatusCode(304);
        var date = http.Request.Query.TryGetValue("asOf", out var a) ? ResourceFilter.ParseDate("asOf", a.ToString()) : Today(time);
        return ApiResults.Json(ResourceViews.Of(item, world, date));
    }

    internal static IResult Written(ResourceKind kind, string id, WorldSnapshot snapshot, HttpContext http, TimeProvider time, bool created)
    {
        var item = kind.Find(snapshot.World, id)!;
        http.Response.Headers.ETag = ETags.Of(kind.VersionOf(snapshot.World, id)!.Value);
        if (created) http.Response.Headers.Location = $"/api/v1/{kind.Name}/{Uri.EscapeDataString(id)}";
        return ApiResults.Json(ResourceViews.Of(item, snapshot.World, Today(time)), created ? 201 : 200);
    }

    /// <summary>A new resource from a request body. Lifecycle resources may give "status" instead of a history:
    /// it starts their history today.</summary>
    private static IResource ReadNew(ResourceKind kind, JsonObject body, DateOnly today)
    {
        if (kind.HasLifecycle && body["status"] is { } status)
        {
            if (body.ContainsKey("history"))
                throw RegistryException.Malformed(new FieldError("status", "give either status or history, not both"));
            body.Remove("status");
            body["history"] = new JsonArray(new JsonObject { ["status"] = status.DeepClone(), ["on"] = today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) });
        }
        return (IResource)RequestBody.Deserialize(body, kind.Type);
    }

    private static IResource Patched(ResourceKind kind, IResource current, JsonObject patch)
    {
        if (patch.ContainsKey("status"))
            throw RegistryException.Invalid([new FieldError("status", $"is changed through POST /api/v1/{kind.Name}/{current.Id}/transitions")]);
        if (patch.ContainsKey("history"))
            throw RegistryException.Invalid([new FieldError("history", $"grows through POST /api/v1/{kind.Name}/{current.Id}/transitions")]);
        if (patch["id"] is { } newId && (newId.GetValueKind() != JsonValueKind.String || newId.GetValue<string>() != current.Id))
            throw RegistryException.Invalid([new FieldError("id", "cannot change; create a new resource instead")]);
        var merged = MergePatch.Apply(JsonSerializer.SerializeToNode(current, kind.Type, MeridianJson.Options), patch) as JsonObject;
        return (IResource)RequestBody.Deserialize(merged!, kind.Type);
    }

    internal static string NextUrl(HttpRequest request, string cursor)
    {
        var query = request.Query.Where(q => q.Key != "cursor")
            .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
            .Append($"cursor={cursor}");
        return $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}?{string.Join('&', query)}";
    }
}
