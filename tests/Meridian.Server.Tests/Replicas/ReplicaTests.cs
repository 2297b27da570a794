using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Meridian.Storage.Tests;

namespace Meridian.Server.Tests.Replicas;

/// <summary>Two real servers on one PostgreSQL database, as two replicas behind a load balancer: what one is told, the
/// other knows.</summary>
public sealed class ReplicaTests : IAsyncLifetime
{
    private readonly string _shared = Directory.CreateTempSubdirectory("meridian-replicas-").FullName;
    private string _url = "";
    private MeridianHost _a = null!;
    private MeridianHost _b = null!;

    public async Task InitializeAsync()
    {
        _url = PostgresServer.Instance.CreateDatabase();
        // Both start at once: migrations and the demo world are applied once.
        var started = await Task.WhenAll(MeridianHost.StartReplicaAsync(_url, _shared), MeridianHost.StartReplicaAsync(_url, _shared));
        (_a, _b) = (started[0], started[1]);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        PostgresServer.Instance.DropDatabase(_url);
    }

    /// <summary>Polls until <paramref name="check"/> holds: the replicas agree within a catch-up, whatever the machine's speed.</summary>
    private static async Task Eventually(Func<Task<bool>> check, string what)
    {
        for (var i = 0; i < 600; i++)
        {
            if (await check()) return;
            await Task.Delay(50);
        }
        Assert.Fail($"never: {what}");
    }

    [Fact]
    public async Task Starting_together_seeds_the_world_once_and_both_are_ready()
    {
        var a = await _a.GetJsonAsync("/readyz");
        var b = await _b.GetJsonAsync("/readyz");
        Assert.Equal(a["generation"]!.GetValue<long>(), b["generation"]!.GetValue<long>());
        var changes = await _a.GetJsonAsync("/api/v1/changes?kind=regions&limit=100");
        var seeded = changes["items"]!.AsArray().Where(c => c!["action"]!.GetValue<string>() == "seed").ToArray();
        Assert.Equal(Meridian.Storage.Worlds.DemoWorld.Load().Regions.Count, seeded.Length);
        Assert.Single(seeded.Select(c => c!["generation"]!.GetValue<long>()).Distinct()); // one write, not one per replica
    }

    [Fact]
    public async Task A_world_write_on_one_replica_is_applied_on_the_other()
    {
        var region = (await _a.GetJsonAsync("/api/v1/regions/eu-central-1"));
        var patch = new StringContent("""{"name":"Frankfurt (renamed)"}""", System.Text.Encoding.UTF8, "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, (await _a.Http.PatchAsync("/api/v1/regions/eu-central-1", patch)).StatusCode);
        await Eventually(async () => (await _b.GetJsonAsync("/api/v1/regions/eu-central-1"))["name"]!.GetValue<string>() == "Frankfurt (renamed)", "B sees the rename");
        Assert.NotEqual("Frankfurt (renamed)", region["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_health_override_on_one_replica_steers_users_on_the_other()
    {
        var put = await _a.Http.PutAsJsonAsync("/api/v1/health/qwen3-max/eu-central-1", new JsonObject { ["state"] = "down" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await Eventually(async () =>
        {
            var items = (await _b.GetJsonAsync("/api/v1/health"))["items"]!.AsArray();
            return items.Any(h => h!["service"]!.GetValue<string>() == "qwen3-max" && h["region"]!.GetValue<string>() == "eu-central-1" && string.Equals(h["operator"]!.GetValue<string>(), "down", StringComparison.OrdinalIgnoreCase));
        }, "B marks eu-central-1 down");
        var route = await _b.GetJsonAsync("/api/v1/route?service=qwen3-max&lat=50.1&lon=8.7&country=DE&policy=preferred");
        Assert.NotEqual("eu-central-1", route["region"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_workload_placed_on_one_replica_is_found_and_released_on_the_other()
    {
        var placed = await _a.Http.PostAsJsonAsync("/api/v1/workloads", Workload("w1", 2));
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var id = (await placed.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        // Read-your-writes through a load balancer: a miss catches up before it answers 404.
        Assert.Equal(HttpStatusCode.OK, (await _b.Http.GetAsync($"/api/v1/workloads/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _b.Http.DeleteAsync($"/api/v1/workloads/{id}")).StatusCode);
        await Eventually(async () => (await _a.Http.GetAsync($"/api/v1/workloads/{id}")).StatusCode == HttpStatusCode.NotFound, "A forgets the released workload");
    }

    [Fact]
    public async Task Placements_split_over_two_replicas_never_over_commit_a_host()
    {
        // 120 two-replica GPU workloads into one region from 16 clients, alternating replicas: some are refused, none over-commits.
        var placed = 0;
        var refused = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 120), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var response = await (i % 2 == 0 ? _a : _b).Http.PostAsJsonAsync("/api/v1/workloads", Workload($"p{i}", 2, gpus: 4));
            if (response.StatusCode == HttpStatusCode.Created) Interlocked.Increment(ref placed);
            else if (response.StatusCode == HttpStatusCode.UnprocessableEntity) Interlocked.Increment(ref refused);
            else Assert.Fail($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        });
        Assert.True(placed > 0 && refused > 0, $"placed {placed}, refused {refused}");

        // A third replica, fresh from the database, agrees: every host within its capacity, and every placement counted.
        await using var c = await MeridianHost.StartReplicaAsync(_url, _shared);
        var capacity = await c.GetJsonAsync("/api/v1/capacity?region=eu-west-1&hosts=true");
        foreach (var host in capacity["hosts"]!.AsArray())
            Assert.True(host!["used"]!["gpus"]!.GetValue<double>() <= host["total"]!["gpus"]!.GetValue<double>(), host.ToJsonString());
        Assert.Equal(placed * 8, capacity["all"]!["used"]!["gpus"]!.GetValue<double>());
        await Eventually(async () => (await _a.GetJsonAsync("/api/v1/capacity?region=eu-west-1"))["all"]!["used"]!["gpus"]!.GetValue<double>() == placed * 8, "A counts every placement");
    }

    [Fact]
    public async Task A_plan_started_on_one_replica_is_answered_by_the_other()
    {
        var response = await _a.Http.PostAsync("/api/v1/plans", new StringContent("""{"kind":"closure","region":"eu-central-1","date":"2025-09-30"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        await Eventually(async () => (await _b.GetJsonAsync(location))["status"]!.GetValue<string>() == "succeeded", "B reports the plan done");
        var other = await _b.Http.PostAsync("/api/v1/plans", new StringContent("""{"kind":"closure","region":"eu-central-1","date":"2025-09-30"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.NotEqual(location, other.Headers.Location!.ToString());
    }

    [Fact]
    public async Task A_watch_on_one_replica_sees_every_change_of_both_in_order_once()
    {
        // Writers on two replicas take sequence numbers before they commit, so numbers commit out of order: the watch
        // must hold back past a gap until it is settled, and then send everything exactly once.
        var start = await Apis.WatchTests.NewestSeqAsync(_a);
        using var watch = await Apis.WatchTests.Stream.OpenAsync(_a.Http, $"&since={start}");
        var writes = Enumerable.Range(0, 80).Select(async i =>
        {
            var response = await (i % 2 == 0 ? _a : _b).Http.PostAsJsonAsync("/api/v1/workloads", Workload($"watched-{i}", 1, gpus: 1));
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.UnprocessableEntity or HttpStatusCode.Conflict, $"{(int)response.StatusCode}");
        });
        await Task.WhenAll(writes);
        var expected = await Apis.WatchTests.SeqsAfterAsync(_b, start);
        Assert.NotEmpty(expected);
        var seen = new List<long>();
        while (seen.Count < expected.Count) seen.Add((await watch.NextChangeAsync())["seq"]!.GetValue<long>());
        Assert.Equal(expected, seen);
    }

    private static JsonObject Workload(string name, int replicas, int gpus = 2) => new()
    {
        ["tenant"] = "acme", ["name"] = name, ["replicas"] = replicas,
        ["resources"] = new JsonObject { ["vcpu"] = 4, ["memoryGiB"] = 16, ["gpus"] = gpus },
        ["constraints"] = new JsonObject { ["regions"] = new JsonArray("eu-west-1") },
    };
}
