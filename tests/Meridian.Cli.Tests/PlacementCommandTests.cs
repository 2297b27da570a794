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
}
