using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Meridian.Server.Tests.Apis;

/// <summary>The registry cannot take capacity from replicas that hold it (OpenStack Placement's "inventory in use"):
/// 409 naming the workloads, and nothing written.</summary>
public sealed class CapacityGuardTests : ServerTest
{
    private async Task<(string Workload, string HostId, int[] GpuIndexes)> PlaceAsync(int gpus = 2, string name = "qwen")
    {
        var response = await Host.Http.PostAsync("/api/v1/workloads", Problem.Json(
            $$"""{"tenant":"acme","name":"{{name}}","replicas":1,"resources":{"vcpu":4,"memoryGiB":16,"gpus":{{gpus}}},"constraints":{"regions":["eu-west-1"]},"strategy":"Pack"}"""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var allocation = body["allocations"]![0]!;
        var indexes = allocation["gpus"]?.AsArray().Select(g => g!["index"]!.GetValue<int>()).ToArray() ?? [];
        return (body["id"]!.GetValue<string>(), allocation["host"]!.GetValue<string>(), indexes);
    }

    private async Task<JsonObject> RefusedAsync(Func<HttpClient, Task<HttpResponseMessage>> send, string workload)
    {
        var before = Host.Fingerprint();
        var problem = await Problem.AssertAsync(await send(Host.Http), HttpStatusCode.Conflict, null);
        Assert.Contains(workload, problem.ToJsonString());
        Assert.Equal(before, Host.Fingerprint());
        return problem;
    }

    [Fact]
    public async Task DeletingAHostThatHoldsReplicas_Is409_NamingTheWorkload()
    {
        var (workload, host, _) = await PlaceAsync();
        var problem = await RefusedAsync(h => h.DeleteAsync($"/api/v1/hosts/{host}"), workload);
        Assert.Contains($"hosts/{host}", problem["errors"]!.AsArray().Select(e => e!["field"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NoContent, (await Host.Http.DeleteAsync($"/api/v1/workloads/{workload}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Host.Http.DeleteAsync($"/api/v1/hosts/{host}")).StatusCode);
    }

    [Theory]
    [InlineData("""{"vcpu":1}""")]
    [InlineData("""{"memoryGiB":1}""")]
    [InlineData("""{"gpus":0,"gpuModel":null}""")]
    [InlineData("""{"gpuModel":"other-model"}""")]
    public async Task ShrinkingOrChangingAHostBelowWhatItsReplicasHold_Is409(string patch)
    {
        var (workload, host, _) = await PlaceAsync();
        await RefusedAsync(h => h.PatchAsync($"/api/v1/hosts/{host}", Problem.Json(patch)), workload);
    }

    [Fact]
    public async Task RemovingTheGpuAReplicaHolds_Is409_EvenWhenEnoughGpusWouldRemain()
    {
        var (first, host, firstGpus) = await PlaceAsync(gpus: 1, name: "first");
        var (second, secondHost, secondGpus) = await PlaceAsync(gpus: 1, name: "second");
        Assert.Equal(host, secondHost); // Pack fills one host
        Assert.Equal([0], firstGpus);
        Assert.Equal([1], secondGpus);
        Assert.Equal(HttpStatusCode.NoContent, (await Host.Http.DeleteAsync($"/api/v1/workloads/{first}")).StatusCode);
        // One GPU is used and one would remain, but it is GPU 0, and the replica holds GPU 1.
        await RefusedAsync(h => h.PatchAsync($"/api/v1/hosts/{host}", Problem.Json("""{"gpus":1}""")), second);
    }

    [Fact]
    public async Task ShrinkingThenGrowingBack_NeverGivesAHeldGpuTwice()
    {
        var (workload, host, _) = await PlaceAsync();
        await RefusedAsync(h => h.PatchAsync($"/api/v1/hosts/{host}", Problem.Json("""{"gpus":1}""")), workload);
        var capacity = await Host.GetJsonAsync("/api/v1/capacity?region=eu-west-1");
        Assert.Equal(2, capacity["all"]!["used"]!["gpus"]!.GetValue<double>());
    }

    [Fact]
    public async Task ImportingAWorldWithoutTheHostsThatHoldReplicas_Is409()
    {
        var (workload, _, _) = await PlaceAsync();
        var world = (await Host.GetJsonAsync("/api/v1/world"));
        world["hosts"] = new JsonArray();
        await RefusedAsync(h => h.PostAsync("/api/v1/world/import", Problem.Json(world.ToJsonString())), workload);
    }

    [Fact]
    public async Task ClosingAFacilityThatHoldsReplicas_Is409_UntilItIsDrained()
    {
        var (workload, host, _) = await PlaceAsync();
        var facility = (await Host.GetJsonAsync($"/api/v1/hosts/{host}"))["facilityId"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await Host.Http.PostAsync($"/api/v1/facilities/{facility}/transitions", Problem.Json("""{"status":"Draining"}"""))).StatusCode);
        await RefusedAsync(h => h.PostAsync($"/api/v1/facilities/{facility}/transitions", Problem.Json("""{"status":"Closed"}""")), workload);
    }
}
