using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Meridian.Server.Tests.Security;

/// <summary>Members work inside their tenant; quotas hold under concurrent placements.</summary>
public sealed class TenantTests : ServerTest
{
    private static string Workload(string tenant, string name, int gpus = 0, int replicas = 1, string? model = null) =>
        $$$"""{"tenant":"{{{tenant}}}","name":"{{{name}}}","replicas":{{{replicas}}},"resources":{"vcpu":2,"memoryGiB":4,"gpus":{{{gpus}}}},"constraints":{"regions":["eu-west-1"]{{{(model is null ? "" : $",\"gpuModels\":[\"{model}\"]")}}}}}""";

    [Fact]
    public async Task AMember_NeitherSeesNorTouchesAnotherTenantsWorkloads()
    {
        await Host.TenantAsync("a");
        await Host.TenantAsync("b");
        using var a = Host.Client(await Host.TokenAsync("member", "a"));
        using var b = Host.Client(await Host.TokenAsync("member", "b"));
        var placed = await a.PostAsync("/api/v1/workloads", Problem.Json(Workload("a", "w")));
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var id = (await placed.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

        // b gets "not found" for a's workload, exactly as for one that does not exist: no oracle.
        var missing = await Problem.AssertAsync(await b.GetAsync("/api/v1/workloads/wl-doesnotexist"), HttpStatusCode.NotFound, null);
        var hidden = await Problem.AssertAsync(await b.GetAsync($"/api/v1/workloads/{id}"), HttpStatusCode.NotFound, null);
        Assert.Equal(missing["title"]!.GetValue<string>(), hidden["title"]!.GetValue<string>());
        await Problem.AssertAsync(await b.DeleteAsync($"/api/v1/workloads/{id}"), HttpStatusCode.NotFound, null);
        Assert.Empty((await b.GetFromJsonAsync<JsonObject>("/api/v1/workloads"))!["items"]!.AsArray());
        Assert.Empty((await b.GetFromJsonAsync<JsonObject>("/api/v1/workloads?tenant=a"))!["items"]!.AsArray());
        await Problem.AssertAsync(await b.PostAsync("/api/v1/workloads", Problem.Json(Workload("a", "sneaky"))), HttpStatusCode.Forbidden, "tenant");
        await Problem.AssertAsync(await b.GetAsync("/api/v1/tenants/a"), HttpStatusCode.NotFound, null);
        Assert.Equal(HttpStatusCode.Forbidden, (await b.GetAsync("/api/v1/regions")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync("/api/v1/capacity?region=eu-west-1")).StatusCode);

        // a sees and releases its own, and its usage.
        Assert.Single((await a.GetFromJsonAsync<JsonObject>("/api/v1/workloads"))!["items"]!.AsArray());
        Assert.Equal(2, (await a.GetFromJsonAsync<JsonObject>("/api/v1/tenants/a"))!["usage"]!["vcpu"]!.GetValue<double>());
        Assert.Equal(HttpStatusCode.NoContent, (await a.DeleteAsync($"/api/v1/workloads/{id}")).StatusCode);
    }

    [Fact]
    public async Task SixtyFourConcurrentClients_CannotPassAQuotaTogether()
    {
        await Host.TenantAsync("lab", new JsonObject { ["gpus"] = 8 });
        var token = await Host.TokenAsync("member", "lab");
        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            using var client = Host.Client(token);
            return await client.PostAsync("/api/v1/workloads", Problem.Json(Workload("lab", $"w{i}", gpus: 1)));
        }));
        Assert.Equal(8, results.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in results.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            var problem = await Problem.AssertAsync(refused, HttpStatusCode.UnprocessableEntity, "quota.gpus");
            Assert.Contains("may hold 8 GPUs; it holds 8", problem["detail"]!.GetValue<string>());
        }
        var usage = (await Host.GetJsonAsync("/api/v1/tenants/lab"))["usage"]!;
        Assert.Equal(8, usage["gpus"]!.GetValue<double>());
        Assert.Equal(8, usage["workloads"]!.GetValue<int>());
    }

    [Fact]
    public async Task QuotasOfAGpuModel_AndOfMemory_AreChecked_AndAPatchRaisesThem()
    {
        var model = (await Host.GetJsonAsync("/api/v1/hosts?region=eu-west-1&limit=1000"))["items"]!.AsArray()
            .Select(h => h!["gpuModel"]?.GetValue<string>()).First(m => m is not null)!;
        await Host.TenantAsync("ml", new JsonObject { ["memoryGiB"] = 100, ["gpusByModel"] = new JsonObject { [model] = 1 } });
        var first = await Host.Http.PostAsync("/api/v1/workloads", Problem.Json(Workload("ml", "one", gpus: 1, model: model)));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await Problem.AssertAsync(await Host.Http.PostAsync("/api/v1/workloads", Problem.Json(Workload("ml", "two", gpus: 1, model: model))), HttpStatusCode.UnprocessableEntity, $"quota.gpusByModel.{model}");
        await Problem.AssertAsync(await Host.Http.PostAsync("/api/v1/workloads", Problem.Json(Workload("ml", "big", replicas: 30))), HttpStatusCode.UnprocessableEntity, "quota.memoryGiB");

        var patch = new StringContent(new JsonObject { ["quota"] = new JsonObject { ["gpusByModel"] = new JsonObject { [model] = 2 } } }.ToJsonString(), System.Text.Encoding.UTF8, "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, (await Host.Http.PatchAsync("/api/v1/tenants/ml", patch)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Host.Http.PostAsync("/api/v1/workloads", Problem.Json(Workload("ml", "two", gpus: 1, model: model)))).StatusCode);
        await Problem.AssertAsync(await Host.Http.DeleteAsync("/api/v1/tenants/ml"), HttpStatusCode.Conflict, null);

        var log = (await Host.GetJsonAsync("/api/v1/changes?kind=tenants&id=ml"))["items"]!.AsArray();
        Assert.Equal(["update", "create"], log.Select(c => c!["action"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"id":"Bad Name"}""", "id")]
    [InlineData("""{"id":"ok","quota":{"gpus":-1}}""", "quota.gpus")]
    [InlineData("""{"id":"ok","description":"a\u202Eb"}""", "description")]
    public async Task BadTenants_Are422(string body, string field) =>
        await Problem.AssertAsync(await Host.Http.PostAsync("/api/v1/tenants", Problem.Json(body)), HttpStatusCode.UnprocessableEntity, field);
}
