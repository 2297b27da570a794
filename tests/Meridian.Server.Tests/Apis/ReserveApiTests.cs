using System.Net;
using System.Text.Json.Nodes;
using Meridian.Storage;
using Meridian.Storage.Worlds;

namespace Meridian.Server.Tests.Apis;

/// <summary>The whole-GPU reserve through the API: the demo world's sites with no hosts, and eight one-GPU hosts added
/// through the API in one London zone.</summary>
public sealed class ReserveApiTests : IAsyncLifetime
{
    private MeridianHost _host = null!;
    private (string Zone, string Facility) _site;

    public async Task InitializeAsync()
    {
        _host = await MeridianHost.StartAsync(o =>
        {
            var world = DemoWorld.Load();
            var site = world.Hosts.Values.First(h => h.ZoneId.StartsWith("eu-west-1", StringComparison.Ordinal));
            _site = (site.ZoneId, site.FacilityId);
            foreach (var h in world.Hosts.Values.ToArray()) world = Meridian.Core.Registry.Kinds.Hosts.Remove(world, h.Id);
            using (WorldStore.OpenAsync(o.DatabasePath, () => world).GetAwaiter().GetResult()) { }
            return o;
        });
        for (var i = 1; i <= 8; i++)
        {
            var created = await _host.Http.PostAsync("/api/v1/hosts",
                Problem.Json($$"""{"id":"gpu-{{i}}","zoneId":"{{_site.Zone}}","facilityId":"{{_site.Facility}}","vcpu":32,"memoryGiB":64,"gpus":1,"gpuModel":"A10"}"""));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<HttpResponseMessage> PlaceAsync(string name, double share, int replicas = 1) =>
        _host.Http.PostAsync("/api/v1/workloads", Problem.Json(new JsonObject
        {
            ["tenant"] = "acme", ["name"] = name, ["replicas"] = replicas,
            ["resources"] = new JsonObject { ["vcpu"] = 1, ["memoryGiB"] = 1, ["gpus"] = 1, ["gpuShare"] = share },
        }.ToJsonString()));

    [Fact]
    public async Task A_share_that_would_take_a_whole_gpu_kept_for_one_gpu_work_is_refused_with_problem_details_and_nothing_written()
    {
        // Five one-GPU replicas, then 0.6 shares (two never fit one GPU). The second share may open one of the two whole
        // GPUs left; the third may not open the last: the mix expects about 1.3 GPUs of whole-GPU work in the 1.8 free.
        Assert.Equal(HttpStatusCode.Created, (await PlaceAsync("train", 1, replicas: 5)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PlaceAsync("s1", 0.6)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PlaceAsync("s2", 0.6)).StatusCode);
        var before = _host.Fingerprint();
        var refused = await PlaceAsync("s3", 0.6);
        var problem = await Problem.AssertAsync(refused, HttpStatusCode.UnprocessableEntity, "resources");
        Assert.Contains("whole GPU", problem["detail"]!.GetValue<string>());
        Assert.Contains("KeepWholeGpus", problem["detail"]!.GetValue<string>());
        Assert.Equal(before, _host.Fingerprint());
        // The whole GPU kept goes to a one-GPU replica.
        Assert.Equal(HttpStatusCode.Created, (await PlaceAsync("late", 1)).StatusCode);
        var capacity = await _host.GetJsonAsync("/api/v1/capacity");
        Assert.Equal(0.8, capacity["all"]!["free"]!["gpus"]!.GetValue<double>(), 3);
    }
}
