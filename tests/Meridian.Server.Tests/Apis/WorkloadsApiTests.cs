using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Meridian.Server.Tests.Apis;

public sealed class WorkloadsApiTests : ServerTest
{
    private const string QwenEu = """{"tenant":"acme","name":"qwen-eu","replicas":6,"resources":{"vcpu":8,"memoryGiB":32,"gpus":1},"constraints":{"boundary":"EU","spread":{"minZones":3,"maxSkew":1}}}""";

    private Task<HttpResponseMessage> PostAsync(string json) => Host.Http.PostAsync("/api/v1/workloads", Problem.Json(json));

    private long AllocationRows()
    {
        using var c = new SqliteConnection($"Data Source={Host.DatabasePath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM allocations";
        return (long)cmd.ExecuteScalar()!;
    }

    [Fact]
    public async Task QwenInTheEu_IsPlacedOverThreeZones_InsideTheEu()
    {
        var response = await PostAsync(QwenEu);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var allocations = body["allocations"]!.AsArray();
        Assert.Equal(6, allocations.Count);
        Assert.All(allocations, a => Assert.Contains(a!["region"]!.GetValue<string>(), new[] { "eu-central-1", "eu-west-2" }));
        var perZone = allocations.GroupBy(a => a!["zone"]!.GetValue<string>()).Select(g => g.Count()).ToArray();
        Assert.True(perZone.Length >= 3);
        Assert.True(perZone.Max() - perZone.Min() <= 1);
        Assert.Equal(6, AllocationRows());

        var id = body["id"]!.GetValue<string>();
        Assert.Equal(6, (await Host.GetJsonAsync($"/api/v1/workloads/{id}"))["allocations"]!.AsArray().Count);
        var capacity = await Host.GetJsonAsync("/api/v1/capacity?boundary=EU");
        Assert.Equal(6, capacity["all"]!["used"]!["gpus"]!.GetValue<double>());
        Assert.Equal("create", (await Host.GetJsonAsync($"/api/v1/changes?kind=workloads&id={id}"))["items"]![0]!["action"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await Host.Http.DeleteAsync($"/api/v1/workloads/{id}")).StatusCode);
        Assert.Equal(0, AllocationRows());
        Assert.Equal(0, (await Host.GetJsonAsync("/api/v1/capacity?boundary=EU"))["all"]!["used"]!["gpus"]!.GetValue<double>());
    }

    [Theory]
    [InlineData("\"replicas\":6", "\"replicas\":0", HttpStatusCode.UnprocessableEntity, "replicas")]
    [InlineData("\"vcpu\":8", "\"vcpu\":-8", HttpStatusCode.UnprocessableEntity, "resources")]
    [InlineData("\"minZones\":3", "\"minZones\":9", HttpStatusCode.UnprocessableEntity, "constraints.spread.minZones")]
    [InlineData("\"minZones\":3", "\"minZones\":6", HttpStatusCode.UnprocessableEntity, "constraints.spread")]
    [InlineData("\"EU\"", "\"Atlantis\"", HttpStatusCode.UnprocessableEntity, "constraints.boundary")]
    [InlineData("\"gpus\":1", "\"gpus\":64", HttpStatusCode.UnprocessableEntity, "resources")]
    [InlineData("\"tenant\":\"acme\"", "\"tenant\":\"Acme Inc\"", HttpStatusCode.UnprocessableEntity, "tenant")]
    [InlineData("\"boundary\"", "\"territory\"", HttpStatusCode.BadRequest, "constraints.territory")]
    [InlineData("\"replicas\":6", "\"replicas\":\"six\"", HttpStatusCode.BadRequest, "replicas")]
    public async Task BadOrUnsatisfiableRequests_SayWhich_AndAllocateNothing(string from, string to, HttpStatusCode status, string field)
    {
        var before = Host.Fingerprint();
        await Problem.AssertAsync(await PostAsync(QwenEu.Replace(from, to)), status, field);
        Assert.Equal(0, AllocationRows());
        Assert.Equal(before, Host.Fingerprint());
    }

    [Fact]
    public async Task SameTenantAndName_Twice_Is409()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(QwenEu)).StatusCode);
        await Problem.AssertAsync(await PostAsync(QwenEu), HttpStatusCode.Conflict, "name");
        Assert.Equal(6, AllocationRows());
    }

    [Fact]
    public async Task SixtyFourConcurrentClients_NeverOverCommitAHost()
    {
        // Each asks for 2 whole GPUs in London, which has 12 GPU hosts: far fewer than asked for in all.
        for (var i = 0; i < 64; i++) await Host.TenantAsync($"t{i}");
        var tasks = Enumerable.Range(0, 64).Select(async i =>
        {
            using var client = Host.Client(Host.AdminToken);
            var json = $$$"""{"tenant":"t{{{i}}}","name":"w","replicas":2,"resources":{"vcpu":4,"memoryGiB":16,"gpus":2},"constraints":{"regions":["eu-west-1"]}}""";
            var response = await client.PostAsync("/api/v1/workloads", Problem.Json(json));
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.UnprocessableEntity, $"{response.StatusCode}");
            return response.StatusCode == HttpStatusCode.Created;
        }).ToArray();
        var placed = (await Task.WhenAll(tasks)).Count(x => x);
        Assert.True(placed > 0);
        Assert.True(placed < 64);

        // The ledger summed per host never exceeds the host's GPUs (GPU ratio 1.0), nor its vCPU x 4 or memory.
        var world = JsonNode.Parse(await Host.Http.GetStringAsync("/api/v1/world"))!;
        var hosts = world["hosts"]!.AsArray().ToDictionary(h => h!["id"]!.GetValue<string>());
        using var c = new SqliteConnection($"Data Source={Host.DatabasePath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT host_id, SUM(vcpu_milli), SUM(memory_mib), gpus FROM allocations GROUP BY host_id";
        using var reader = cmd.ExecuteReader();
        var rows = 0;
        while (reader.Read())
        {
            rows++;
            var host = hosts[reader.GetString(0)]!;
            Assert.True(reader.GetInt64(1) <= (host["vcpu"]!.GetValue<int>() * 1000 - 2000) * 4);
            Assert.True(reader.GetInt64(2) <= host["memoryGiB"]!.GetValue<int>() * 1024 - 4096);
        }
        Assert.True(rows > 0);
        var gpuUse = (await Host.GetJsonAsync("/api/v1/capacity?region=eu-west-1&hosts=true"))["hosts"]!.AsArray();
        Assert.All(gpuUse, h => Assert.True(h!["used"]!["gpus"]!.GetValue<double>() <= h["total"]!["gpus"]!.GetValue<double>()));
        Assert.Equal(placed * 2, (int)(await Host.GetJsonAsync("/api/v1/capacity?region=eu-west-1"))["all"]!["used"]!["gpus"]!.GetValue<double>() / 2);
    }

    [Fact]
    public async Task Drain_MovesAFacilitysReplicas_UnderTheirConstraints_ThenItCanClose()
    {
        var created = JsonNode.Parse(await (await PostAsync(QwenEu)).Content.ReadAsStringAsync())!;
        var first = created["allocations"]![0]!;
        var facility = (await Host.GetJsonAsync($"/api/v1/hosts/{first["host"]!.GetValue<string>()}"))["facilityId"]!.GetValue<string>();

        // A facility that holds replicas cannot close.
        await Host.Http.PostAsync($"/api/v1/facilities/{facility}/transitions", Problem.Json("""{"status":"Draining"}"""));
        await Problem.AssertAsync(await Host.Http.PostAsync($"/api/v1/facilities/{facility}/transitions", Problem.Json("""{"status":"Closed"}""")),
            HttpStatusCode.Conflict, "status");

        var plan = JsonNode.Parse(await (await Host.Http.PostAsync($"/api/v1/facilities/{facility}/drain", null)).Content.ReadAsStringAsync())!;
        Assert.False(plan["applied"]!.GetValue<bool>());
        Assert.NotEmpty(plan["moves"]!.AsArray());
        Assert.True(plan["remaining"]!.GetValue<int>() > 0);

        var applied = JsonNode.Parse(await (await Host.Http.PostAsync($"/api/v1/facilities/{facility}/drain?apply=true", null)).Content.ReadAsStringAsync())!;
        Assert.Empty(applied["stuck"]!.AsArray());
        Assert.Equal(0, applied["remaining"]!.GetValue<int>());

        var after = await Host.GetJsonAsync($"/api/v1/workloads/{created["id"]!.GetValue<string>()}");
        var allocations = after["allocations"]!.AsArray();
        Assert.Equal(6, allocations.Count);
        Assert.All(allocations, a => Assert.Contains(a!["region"]!.GetValue<string>(), new[] { "eu-central-1", "eu-west-2" }));
        var perZone = allocations.GroupBy(a => a!["zone"]!.GetValue<string>()).Select(g => g.Count()).ToArray();
        Assert.True(perZone.Length >= 3 && perZone.Max() - perZone.Min() <= 1);
        Assert.DoesNotContain(allocations, a => a!["host"]!.GetValue<string>() == first["host"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await Host.Http.PostAsync($"/api/v1/facilities/{facility}/transitions", Problem.Json("""{"status":"Closed"}"""))).StatusCode);
    }

    [Fact]
    public async Task Drain_ReportsWhatCannotMove_AndWhy()
    {
        // Only London's two zones may hold this workload, with one replica in each: draining one zone's facility breaks the spread.
        var json = """{"tenant":"acme","name":"uk","replicas":2,"resources":{"vcpu":2,"memoryGiB":4},"constraints":{"boundary":"UK","spread":{"minZones":2,"maxSkew":1}}}""";
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(json)).StatusCode);
        var plan = JsonNode.Parse(await (await Host.Http.PostAsync("/api/v1/facilities/lon1/drain?apply=true", null)).Content.ReadAsStringAsync())!;
        var stuck = Assert.Single(plan["stuck"]!.AsArray());
        Assert.Contains("minZones 2", stuck!["reason"]!.GetValue<string>());
        Assert.Equal(1, plan["remaining"]!.GetValue<int>());
    }
}
