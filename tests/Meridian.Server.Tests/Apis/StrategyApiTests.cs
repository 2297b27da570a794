using System.Net;
using System.Text.Json.Nodes;

namespace Meridian.Server.Tests.Apis;

/// <summary>Placement strategies by name, the fragmentation-aware default for GPU workloads, fractional GPUs and
/// stranded GPUs, through the API.</summary>
public sealed class StrategyApiTests : ServerTest
{
    private async Task<JsonObject> PlaceAsync(string json, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await Host.Http.PostAsync("/api/v1/workloads", Problem.Json(json));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    [Fact]
    public async Task Gpu_workloads_default_to_fragmentation_aware_others_to_spread_and_a_named_strategy_is_kept()
    {
        var gpu = await PlaceAsync("""{"tenant":"acme","name":"qwen","replicas":2,"resources":{"vcpu":4,"memoryGiB":16,"gpus":1}}""");
        Assert.Equal("Fragmentation", gpu["strategy"]!.GetValue<string>());
        var cpu = await PlaceAsync("""{"tenant":"acme","name":"web","replicas":2,"resources":{"vcpu":2,"memoryGiB":4}}""");
        Assert.Equal("Spread", cpu["strategy"]!.GetValue<string>());
        var packed = await PlaceAsync("""{"tenant":"acme","name":"packed","replicas":2,"resources":{"vcpu":2,"memoryGiB":4,"gpus":1},"strategy":"Pack"}""");
        Assert.Equal("Pack", packed["strategy"]!.GetValue<string>());
        // Stored as used: read back, the strategy is the same.
        Assert.Equal("Fragmentation", (await Host.GetJsonAsync($"/api/v1/workloads/{gpu["id"]}"))["strategy"]!.GetValue<string>());

        var before = Host.Fingerprint();
        var refused = await Host.Http.PostAsync("/api/v1/workloads",
            Problem.Json("""{"tenant":"acme","name":"bad","replicas":1,"resources":{"vcpu":1,"memoryGiB":1},"strategy":"Scatter"}"""));
        await Problem.AssertAsync(refused, HttpStatusCode.BadRequest, "strategy");
        Assert.Equal(before, Host.Fingerprint());
    }

    [Theory]
    [InlineData("0.0001")]
    [InlineData("1.5")]
    public async Task A_gpu_share_outside_a_thousandth_to_one_is_refused_naming_it(string share)
    {
        var before = Host.Fingerprint();
        var refused = await Host.Http.PostAsync("/api/v1/workloads",
            Problem.Json($$$"""{"tenant":"acme","name":"bad","replicas":1,"resources":{"vcpu":1,"memoryGiB":1,"gpus":1,"gpuShare":{{{share}}}}}"""));
        await Problem.AssertAsync(refused, HttpStatusCode.UnprocessableEntity, "resources.gpuShare");
        Assert.Contains("0.001", await refused.Content.ReadAsStringAsync());
        Assert.Equal(before, Host.Fingerprint());
    }

    [Fact]
    public async Task Fractional_gpus_share_devices_fragmentation_aware()
    {
        // Four quarter-GPU replicas on one host (distinctHosts off) fill one device, not four.
        var w = await PlaceAsync("""{"tenant":"acme","name":"quarters","replicas":4,"resources":{"vcpu":1,"memoryGiB":2,"gpus":1,"gpuShare":0.25},"constraints":{"regions":["eu-west-1"],"spread":{"minZones":1,"maxSkew":4}}}""");
        var gpus = w["allocations"]!.AsArray().SelectMany(a => a!["gpus"]!.AsArray().Select(g => (Host: a["host"]!.GetValue<string>(), Index: g!["index"]!.GetValue<int>(), Share: g["share"]!.GetValue<double>()))).ToArray();
        Assert.All(gpus, g => Assert.Equal(0.25, g.Share));
        Assert.True(gpus.Select(g => (g.Host, g.Index)).Distinct().Count() <= 2, string.Join(", ", gpus));
    }

    [Fact]
    public async Task Capacity_reports_gpus_stranded_where_no_task_of_the_mix_fits()
    {
        // Nothing placed: every free GPU is where the smallest GPU task fits.
        Assert.Equal(0, (await Host.GetJsonAsync("/api/v1/capacity"))["all"]!["strandedGpus"]!.GetValue<double>());

        // One replica on every GPU host of a region, taking 60% of the CPU (after over-commit) of its smallest host with
        // two or more GPUs: that host's other GPUs are left without the CPU for another replica: stranded.
        var zone = (await Host.GetJsonAsync("/api/v1/hosts?limit=1000"))["items"]!.AsArray().First(h => h!["gpus"]!.GetValue<int>() >= 2)!["zoneId"]!.GetValue<string>();
        var region = (await Host.GetJsonAsync($"/api/v1/zones/{zone}"))["regionId"]!.GetValue<string>();
        var lines = (await Host.GetJsonAsync($"/api/v1/capacity?region={region}&hosts=true"))["hosts"]!.AsArray().Where(h => h!["total"]!["gpus"]!.GetValue<double>() >= 1).ToArray();
        var vcpu = Math.Floor(lines.Where(h => h!["total"]!["gpus"]!.GetValue<double>() >= 2).Min(h => h!["total"]!["vcpu"]!.GetValue<double>()) * 0.6);
        var hosts = lines.Where(h => h!["total"]!["vcpu"]!.GetValue<double>() >= vcpu).ToArray();
        var body = new JsonObject
        {
            ["tenant"] = "acme", ["name"] = "hungry", ["replicas"] = hosts.Length, ["strategy"] = "Spread",
            ["resources"] = new JsonObject { ["vcpu"] = vcpu, ["memoryGiB"] = 1, ["gpus"] = 1 },
            ["constraints"] = new JsonObject
            {
                ["regions"] = new JsonArray(region), ["distinctHosts"] = true,
                ["spread"] = new JsonObject { ["minZones"] = 1, ["maxSkew"] = hosts.Length },
            },
        };
        await PlaceAsync(body.ToJsonString());

        var report = await Host.GetJsonAsync($"/api/v1/capacity?region={region}&hosts=true");
        var perHost = report["hosts"]!.AsArray();
        var stranded = perHost.Where(h => h!["strandedGpus"]!.GetValue<double>() > 0).ToArray();
        Assert.NotEmpty(stranded);
        // A host is stranded exactly when it has free GPUs but not the CPU for one more replica of the mix.
        foreach (var h in perHost)
        {
            var free = h!["free"]!;
            var expected = free["gpus"]!.GetValue<double>() > 0 && free["vcpu"]!.GetValue<double>() < vcpu ? free["gpus"]!.GetValue<double>() : 0;
            Assert.Equal(expected, h["strandedGpus"]!.GetValue<double>(), 3);
        }
        Assert.Equal(perHost.Sum(h => h!["strandedGpus"]!.GetValue<double>()), report["regions"]![0]!["strandedGpus"]!.GetValue<double>(), 3);
        Assert.Equal(report["zones"]!.AsArray().Sum(z => z!["strandedGpus"]!.GetValue<double>()), report["all"]!["strandedGpus"]!.GetValue<double>(), 3);
    }
}
