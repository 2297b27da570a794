using Meridian.Placement.Capacity;
using Meridian.Placement.Model;
using Meridian.Placement.Replay;
using Meridian.Placement.Scoring;

namespace Meridian.Placement.Tests;

/// <summary>Small fixtures in the openb trace's format (the real trace is not in the repository).</summary>
public sealed class ReplayTests
{
    private const string Nodes = """
        sn,cpu_milli,memory_mib,gpu,model
        node-0,32000,131072,2,V100M16
        node-1,32000,131072,2,V100M16
        node-2,96000,786432,8,A10
        node-3,64000,262144,0,
        """;

    private const string Pods = """
        name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
        pod-0,4000,8192,1,1000,,LS,Running,0,10,0
        pod-1,2000,4096,1,500,,LS,Running,0,10,0
        pod-2,8000,16384,2,1000,V100M16|V100M32,LS,Running,0,10,0
        pod-3,1000,1024,0,0,,BE,Running,0,10,0
        pod-4,2000,4096,1,250,A10,LS,Running,0,10,0
        """;

    [Fact]
    public void Reader_ParsesNodesAndPods_WithSharesAndModels()
    {
        var nodes = OpenbTrace.ReadNodes(new StringReader(Nodes));
        var pods = OpenbTrace.ReadPods(new StringReader(Pods));
        Assert.Equal(4, nodes.Count);
        Assert.Null(nodes[3].GpuModel);
        Assert.Equal(new Resources(2000, 4096, 1, 500), pods[1].Resources);
        Assert.Equal(["V100M16", "V100M32"], pods[2].GpuModels);
        Assert.Equal(new Resources(1000, 1024, 0, 0), pods[3].Resources);
    }

    [Fact]
    public void Reader_AcceptsPodListsWithoutGpuSpec()
    {
        var pods = OpenbTrace.ReadPods(new StringReader("name,cpu_milli,memory_mib,num_gpu,gpu_milli\npod-0,1000,1024,2,1000\n"));
        Assert.Empty(Assert.Single(pods).GpuModels);
    }

    [Theory]
    [InlineData("sn,cpu_milli,memory_mib,gpu,model\nnode-0,lots,1,0,\n", "nodes:2: column cpu_milli: 'lots' is not a whole number")]
    [InlineData("sn,cpu_milli,gpu,model\nnode-0,1,0,\n", "nodes:1: missing column 'memory_mib'")]
    [InlineData("sn,cpu_milli,memory_mib,gpu,model\nnode-0,1\n", "nodes:2: 2 fields, expected 5")]
    public void Reader_ReportsTheLineAndColumnOfABadValue(string text, string message) =>
        Assert.StartsWith(message, Assert.Throws<FormatException>(() => OpenbTrace.ReadNodes(new StringReader(text))).Message);

    [Fact]
    public void Draw_SubmitsUntilRequestedGpusReachCapacity_AndIsTheSameForASeed()
    {
        var nodes = OpenbTrace.ReadNodes(new StringReader(Nodes));
        var pods = OpenbTrace.ReadPods(new StringReader(Pods));
        var draw = InflationReplay.Draw(nodes, pods, seed: 3);
        Assert.True(draw.Sum(t => t.Resources.TotalGpuMilli) >= 12_000);
        Assert.True(draw.SkipLast(1).Sum(t => t.Resources.TotalGpuMilli) < 12_000);
        Assert.Equal(draw, InflationReplay.Draw(nodes, pods, seed: 3));
    }

    [Fact]
    public void EveryPolicy_HonoursGpuModels_AndNeverOverCommits()
    {
        var nodes = OpenbTrace.ReadNodes(new StringReader(Nodes));
        var pods = OpenbTrace.ReadPods(new StringReader(Pods));
        var draw = InflationReplay.Draw(nodes, pods, seed: 1);
        foreach (var scorer in new IHostScorer[] { BestFitScorer.Instance, new RandomFitScorer(1), new FragmentationScorer(pods.Select(p => (p.Resources, p.GpuModels))) })
        {
            var report = InflationReplay.Run(nodes, draw, scorer);
            Assert.Equal(0, report.Overcommits);
            Assert.Equal(report.TasksSubmitted, report.TasksPlaced + report.TasksFailed);
            Assert.InRange(report.UnallocatedGpuShare, 0, 1);
        }
    }

    [Fact]
    public void Fragmentation_PutsASmallShareBesideAnotherShare_NotOnAnEmptyGpu()
    {
        // A host with one GPU half used and one empty: whole-GPU tasks are common, so a 0.3 share goes on the used one.
        var fleet = new Fleet([new HostSpec("h", "z", "r", "CN", 32_000, 131_072, 2, "A10")], PlacementOptions.Exact);
        var host = fleet.Hosts[0];
        host.TryRestore(0, 0, [new GpuShare(0, 500)]);
        var workload = Enumerable.Repeat((new Resources(1000, 1024, 1, 1000), (IReadOnlyList<string>)[]), 8)
            .Append((new Resources(1000, 1024, 1, 300), []));
        var scorer = new FragmentationScorer(workload);
        Assert.Equal(0, scorer.PickGpu(host, 300));
    }

    [Fact]
    public void Fragmentation_KeepsCpuTasksOffGpuHosts()
    {
        var fleet = new Fleet([
            new HostSpec("gpu", "z", "r", "CN", 8_000, 32_768, 1, "A10"),
            new HostSpec("cpu", "z", "r", "CN", 8_000, 32_768),
        ], PlacementOptions.Exact);
        var scorer = new FragmentationScorer([(new Resources(4000, 8192, 1, 1000), []), (new Resources(6000, 1024, 0, 0), [])]);
        var cpuTask = new Resources(6000, 1024, 0, 0);
        Assert.True(scorer.Score(fleet.Hosts[1], cpuTask) < scorer.Score(fleet.Hosts[0], cpuTask));
    }
}
