using System.Text.Json.Nodes;

namespace Meridian.Cli.Tests;

public sealed class PlacementCommandTests : CliTest
{
    [Fact]
    public async Task Place_FromFlags_ThenCapacityShowsTheUse_ThenDrainMovesIt()
    {
        var (code, output, error) = await Cli("place", "--tenant", "acme", "--name", "qwen-eu", "--replicas", "6", "--vcpu", "8",
            "--memory-gib", "32", "--gpus", "1", "--boundary", "EU", "--min-zones", "3", "--json");
        Assert.True(code == 0, error);
        var workload = JsonNode.Parse(output)!;
        var allocations = workload["allocations"]!.AsArray();
        Assert.Equal(6, allocations.Count);
        Assert.True(allocations.Select(a => a!["zone"]!.GetValue<string>()).Distinct().Count() >= 3);

        var capacity = await Cli("capacity", "--boundary", "EU", "--json");
        Assert.Equal(6, JsonNode.Parse(capacity.Out)!["all"]!["used"]!["gpus"]!.GetValue<double>());
        Assert.Equal(0, JsonNode.Parse(capacity.Out)!["all"]!["strandedGpus"]!.GetValue<double>());
        var table = await Cli("capacity", "--boundary", "EU");
        Assert.Contains("GPUs stranded", table.Out);
        // A GPU workload that names no strategy was placed fragmentation-aware.
        Assert.Equal("Fragmentation", workload["strategy"]!.GetValue<string>());

        var host = allocations[0]!["host"]!.GetValue<string>();
        var zone = allocations[0]!["zone"]!.GetValue<string>();
        var drain = await Cli("drain", $"{zone}-dc1", "--apply", "--json");
        Assert.True(drain.ExitCode == 0, drain.Err);
        var plan = JsonNode.Parse(drain.Out)!;
        Assert.Equal(0, plan["remaining"]!.GetValue<int>());
        Assert.Contains(plan["moves"]!.AsArray(), m => m!["from"]!.GetValue<string>() == host);
    }

    [Fact]
    public async Task Place_Infeasible_SaysWhich_AndExits1()
    {
        var (code, _, error) = await Cli("place", "--tenant", "acme", "--name", "big", "--replicas", "500", "--vcpu", "8",
            "--memory-gib", "32", "--gpus", "8", "--boundary", "UK");
        Assert.Equal(1, code);
        Assert.Contains("resources", error);
        Assert.Contains("short by", error);
    }

    [Fact]
    public async Task Place_ZeroReplicas_IsRefused()
    {
        var (code, _, error) = await Cli("place", "--tenant", "acme", "--name", "none", "--replicas", "0", "--vcpu", "1", "--memory-gib", "1");
        Assert.Equal(1, code);
        Assert.Contains("replicas", error);
    }

    [Fact]
    public async Task ReplayOpenb_OnAFixture_ReportsEveryPolicy()
    {
        var nodes = Path.Combine(Dir, "nodes.csv");
        var pods = Path.Combine(Dir, "pods.csv");
        await File.WriteAllTextAsync(nodes, "sn,cpu_milli,memory_mib,gpu,model\nn0,32000,131072,2,V100M16\nn1,96000,786432,8,A10\nn2,64000,262144,0,\n");
        await File.WriteAllTextAsync(pods, "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n" +
            "p0,4000,8192,1,1000,,LS,Running,0,1,0\np1,2000,4096,1,500,,LS,Running,0,1,0\np2,1000,1024,0,0,,BE,Running,0,1,0\n");
        var (code, output, error) = await Meridian.RunAsync("replay", "openb", "--nodes", nodes, "--pods", pods, "--seed", "3", "--json");
        Assert.True(code == 0, error);
        var policies = JsonNode.Parse(output)!["policies"]!.AsObject();
        Assert.Equal(["meridian", "best-fit", "random-fit"], policies.Select(p => p.Key));
        Assert.All(policies, p => Assert.Equal(0, p.Value!["overcommits"]!.GetValue<int>()));
    }

    [Fact]
    public async Task ReplayOpenb_TheFgdProtocol_RunsEveryPolicyPerSeed_WithTheBound_AndDrawsTheChart()
    {
        var nodes = Path.Combine(Dir, "nodes.csv");
        var pods = Path.Combine(Dir, "pods.csv");
        var published = Path.Combine(Dir, "published_allocation_ratios.csv");
        await File.WriteAllTextAsync(nodes, "sn,cpu_milli,memory_mib,gpu,model\nn0,32000,131072,2,V100M16\nn1,96000,786432,8,A10\nn2,64000,262144,4,A10\n");
        await File.WriteAllTextAsync(pods, "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n" +
            "p0,4000,8192,1,1000,,LS,Running,0,1,0\np1,2000,4096,1,500,,LS,Running,0,1,0\np2,1000,1024,0,0,,BE,Running,0,1,0\np3,8000,16384,2,1000,V100M16,LS,Running,0,1,0\n");
        await File.WriteAllTextAsync(published, "workload,policy,seeds,alloc_pct_at_100pct_arrived,alloc_pct_at_130pct_arrived,unallocated_pct_at_100pct_arrived\npods,FGD,10,95.0,96.0,5.0\n");
        var chart = Path.Combine(Dir, "chart.svg");
        var (code, output, error) = await Meridian.RunAsync("replay", "openb", "--protocol", "fgd", "--nodes", nodes, "--pods", pods, "--seeds", "1-3", "--chart", chart, "--json");
        Assert.True(code == 0, error);
        var report = JsonNode.Parse(output)!;
        var policies = report["policies"]!.AsArray();
        Assert.Equal(["Random", "DotProd", "GpuPacking", "GpuClustering", "BestFit", "FGD", "Meridian", "Meridian reserve"], policies.Select(p => p!["policy"]!.GetValue<string>()));
        Assert.All(policies, p =>
        {
            Assert.Equal(0, p!["overcommits"]!.GetValue<int>());
            Assert.Equal([1, 2, 3], p["seeds"]!.AsArray().Select(s => s!["seed"]!.GetValue<int>()));
            Assert.Equal(131, p["meanAllocation"]!.AsArray().Count);
            // No policy allocates more than the bound says any could.
            Assert.True(p["meanAllocationAt100"]!.GetValue<double>() <= report["meanBoundAt100"]!.GetValue<double>() + 1e-9);
        });
        // Holding every share is a constraint more, so its bound is never above the other; both are there per seed.
        Assert.All(report["bounds"]!.AsArray(), b => Assert.True(b!["everyShareAt100"]!.GetValue<double>() <= b["allocationAt100"]!.GetValue<double>() + 1e-9));
        Assert.True(report["meanEveryShareAt100"]!.GetValue<double>() <= report["meanBoundAt100"]!.GetValue<double>() + 1e-9);
        var svg = await File.ReadAllTextAsync(chart);
        Assert.StartsWith("<svg", svg);
        // A line per policy (empty where the fixture's allocation stays under the chart's 80%) and its legend.
        Assert.Equal(policies.Count, System.Text.RegularExpressions.Regex.Matches(svg, "<polyline points=\"[^\"]*\" fill=\"none\" stroke=\"#[0-9a-f]{6}\" stroke-width").Count);
        Assert.All(policies, p => Assert.Contains($">{p!["policy"]!.GetValue<string>()}: ", svg));

        // The table shows the published figure read from beside the pod list.
        var (tableCode, table, _) = await Meridian.RunAsync("replay", "openb", "--protocol", "fgd", "--nodes", nodes, "--pods", pods, "--seeds", "1", "--policies", "fgd,meridian");
        Assert.Equal(0, tableCode);
        Assert.Contains("5.00%", table);
        Assert.Contains("Bound at 100%", table);
        Assert.Contains("if every GPU share arrived is placed", table);
    }

    [Theory]
    [InlineData("--seeds", "9-1", "--seeds")]
    [InlineData("--seeds", "x", "--seeds")]
    [InlineData("--policies", "fgd,nope", "'nope' is not a policy")]
    [InlineData("--chart", "/no/such/dir/c.svg", "--chart")]
    public async Task ReplayOpenb_TheFgdProtocol_RefusesBadOptions_NamingThem(string option, string value, string said)
    {
        var nodes = Path.Combine(Dir, "nodes.csv");
        var pods = Path.Combine(Dir, "pods.csv");
        await File.WriteAllTextAsync(nodes, "sn,cpu_milli,memory_mib,gpu,model\nn0,32000,131072,2,A10\n");
        await File.WriteAllTextAsync(pods, "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np0,4000,8192,1,1000\n");
        var (code, _, error) = await Meridian.RunAsync("replay", "openb", "--protocol", "fgd", "--nodes", nodes, "--pods", pods, option, value);
        Assert.Equal(1, code);
        Assert.Contains(said, error);
    }

    [Fact]
    public async Task ReplayOpenb_MalformedFile_NamesTheLine()
    {
        var nodes = Path.Combine(Dir, "nodes.csv");
        await File.WriteAllTextAsync(nodes, "sn,cpu_milli,memory_mib,gpu,model\nn0,lots,131072,2,V100M16\n");
        var (code, _, error) = await Meridian.RunAsync("replay", "openb", "--nodes", nodes, "--pods", nodes);
        Assert.Equal(1, code);
        Assert.Contains("nodes.csv:2", error);
    }

    [Fact]
    public async Task BenchPlacement_PrintsTheFiguresAndTheBaseline()
    {
        var (code, output, error) = await Meridian.RunAsync("bench", "placement", "--hosts", "300", "--zones", "12", "--requests", "300", "--json");
        Assert.True(code == 0, error);
        var result = JsonNode.Parse(output)!;
        Assert.True(result["replicasPerSecond"]!.GetValue<double>() > 0);
        Assert.NotNull(result["p99Micros"]);
        Assert.Equal(0, result["overcommits"]!.GetValue<int>());
        Assert.Equal("first-fit scan", result["firstFit"]!["scheduler"]!.GetValue<string>());
    }

    [Fact]
    public async Task BenchPlacement_WithReserveRequests_ComparesFragmentationWithAndWithoutTheReserve()
    {
        var (code, output, error) = await Meridian.RunAsync("bench", "placement", "--hosts", "300", "--zones", "12", "--requests", "100", "--reserve-requests", "400", "--json");
        Assert.True(code == 0, error);
        var rows = JsonNode.Parse(output)!["reserve"]!.AsArray();
        Assert.Equal(["fragmentation", "fragmentation + reserve"], rows.Select(r => r!["scheduler"]!.GetValue<string>()));
        Assert.All(rows, r =>
        {
            Assert.Equal(400, r!["placed"]!.GetValue<int>() + r["failed"]!.GetValue<int>());
            Assert.True(r["gpusAllocated"]!.GetValue<double>() > 0);
            Assert.Equal(0, r["overcommits"]!.GetValue<int>());
        });

        var (bad, _, message) = await Meridian.RunAsync("bench", "placement", "--reserve-requests", "-1");
        Assert.Equal(1, bad);
        Assert.Contains("--reserve-requests", message);
    }
}
