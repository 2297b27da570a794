using System.Text.Json;
using System.Text.Json.Nodes;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Server.Apis.Contracts;
using Meridian.Server.Http;
using Meridian.Server.Security;
using Meridian.Storage.Ledger;
using Meridian.Storage.Security;

namespace Meridian.Server.Apis;

/// <summary>/api/v1/tenants: tenants with quotas (admins write; viewers read; a member reads its own) and their usage.</summary>
internal static class TenantsApi
{
    public static void MapTenants(this IEndpointRouteBuilder app, ServerOptions options)
    {
        var group = app.MapGroup("/api/v1/tenants").WithTags("tenants");

        group.MapPost("/", async (HttpContext http, AllocationLedger ledger) =>
            {
                var tenant = (Tenant)RequestBody.Deserialize(await RequestBody.ReadObjectAsync(http, options.MaxResourceBodyBytes), typeof(Tenant));
                var view = await ledger.CreateTenantAsync(tenant, Caller.ActorOf(http), http.RequestAborted);
                http.Response.Headers.Location = $"/api/v1/tenants/{tenant.Id}";
                return Written(view, http, 201);
            })
            .WithName("create-tenant").WithSummary("Create a tenant, with quotas (vcpu, memoryGiB, gpus, gpusByModel); a quota left out is unlimited")
            .Accepts<Tenant>("application/json").Produces<TenantView>(201).ProducesProblem(400).ProducesProblem(409).ProducesProblem(422)
            .Allow(Role.Admin);

        group.MapGet("/", async (HttpContext http, AllocationLedger ledger) =>
            {
                var limit = http.Request.Query["limit"].ToString() is { Length: > 0 } l ? ListQuery.ParseLimit(l) : ListQuery.DefaultLimit;
                var after = http.Request.Query["cursor"].ToString() is { Length: > 0 } c ? c : null;
                var all = (await ledger.ListTenantsAsync(http.RequestAborted)).Where(t => after is null || string.CompareOrdinal(t.Tenant.Id, after) > 0).ToArray();
                var page = all.Take(limit).ToArray();
                return ApiResults.Json(new Page<TenantView>([.. page.Select(TenantView.Of)],
                    all.Length > limit ? ResourcesApi.NextUrl(http.Request, page[^1].Tenant.Id) : null));
            })
            .WithName("list-tenants").WithSummary("List tenants with their quotas and usage (pages with limit and cursor)")
            .Produces<Page<TenantView>>().WithQuery("limit", "cursor").Allow(Role.Viewer);

        group.MapGet("/{id}", async (string id, HttpContext http, AllocationLedger ledger) =>
            {
                var caller = Caller.Of(http);
                // A member sees only its own tenant; any other is "not found", not "forbidden", so names do not leak.
                if (caller.Role == Role.Member && caller.Tenant != id) throw RegistryException.NotFound("tenant", id);
                var view = await ledger.GetTenantAsync(id, http.RequestAborted) ?? throw RegistryException.NotFound("tenant", id);
                return Written(view, http, 200);
            })
            .WithName("get-tenant").WithSummary("A tenant: its quotas and what its workloads hold (usage)").Produces<TenantView>().ProducesProblem(404)
            .Allow(Role.Viewer, Role.Member);

        group.MapPatch("/{id}", async (string id, HttpContext http, AllocationLedger ledger) =>
            {
                var patch = await RequestBody.ReadObjectAsync(http, options.MaxResourceBodyBytes);
                var view = await ledger.UpdateTenantAsync(id, ETags.IfMatch(http.Request), current =>
                {
                    var merged = MergePatch.Apply(JsonSerializer.SerializeToNode(current, MeridianJson.Options), patch) as JsonObject;
                    return (Tenant)RequestBody.Deserialize(merged!, typeof(Tenant));
                }, Caller.ActorOf(http), http.RequestAborted);
                return Written(view, http, 200);
            })
            .WithName("patch-tenant").WithSummary("Change a tenant's description or quotas (JSON Merge Patch; null removes a quota; If-Match with its ETag)")
            .Accepts<JsonObject>("application/merge-patch+json", "application/json").Produces<TenantView>()
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(412).ProducesProblem(422).Allow(Role.Admin);

        group.MapDelete("/{id}", async (string id, HttpContext http, AllocationLedger ledger) =>
                await ledger.DeleteTenantAsync(id, ETags.IfMatch(http.Request), Caller.ActorOf(http), http.RequestAborted) ? Results.NoContent() : throw RegistryException.NotFound("tenant", id))
            .WithName("delete-tenant").WithSummary("Delete a tenant that has no workloads and no usable member tokens")
            .Produces(204).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).Allow(Role.Admin);
    }

    private static IResult Written(AllocationLedger.TenantView view, HttpContext http, int status)
    {
        http.Response.Headers.ETag = ETags.Of(view.Version);
        return ApiResults.Json(TenantView.Of(view), status);
    }


}
