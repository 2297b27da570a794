using Meridian.Placement.Capacity;
using Meridian.Placement.Model;
using Meridian.Placement.Replay;
using Meridian.Placement.Replay.Fgd;

namespace Meridian.Placement.Tests;

/// <summary>The FGD paper's protocol and its policies, on small fixtures whose answers can be worked out by hand.</summary>
public sealed class FgdProtocolTests
{
    private static OpenbTask Task(string name, int cpu, int gpus = 0, int milli = 1000, long memory = 1024, params string[] models) =>
        new(name, new Resources(cpu, memory, gpus, gpus == 0 ? 0 : milli), models);

    private static HostSpec Node(string id, int cpu, int gpus, string? model = "A10", long memory = 262_144) => new(id, "z", "r", "CN", cpu, memory, gpus, gpus == 0 ? null : model);

    [Fact]
    public void Tuning_extends_a_short_list_to_130_percent_and_trims_a_long_one_the_same_way_every_time()
    {
        OpenbTask[] pods = [Task("a", 1000, 1), Task("b", 1000, 1, 500), Task("c", 2000)];
        const long capacity = 10_000; // ten GPUs: the target is 13 GPUs of requests
        var tasks = FgdWorkload.Tasks(pods, capacity, seed: 42);
        var total = tasks.Sum(t => t.Resources.TotalGpuMilli);
        Assert.InRange(total, 12_000, 13_000);
        Assert.Equal(tasks.Select(t => t.Name), FgdWorkload.Tasks(pods, capacity, seed: 42).Select(t => t.Name));
        Assert.NotEqual(tasks.Select(t => t.Name), FgdWorkload.Tasks(pods, capacity, seed: 43).Select(t => t.Name));
        // The original list comes first, shuffled; the copies are named after their source.
        Assert.Equal(["a", "b", "c"], tasks.Take(3).Select(t => t.Name).Order());
        Assert.All(tasks.Skip(3), t => Assert.Contains("-tuned-", t.Name));

        var many = Enumerable.Range(0, 40).Select(i => Task($"p{i:00}", 1000, 1)).ToArray();
        var trimmed = FgdWorkload.Tasks(many, capacity, seed: 7);
        Assert.Equal(13, trimmed.Count);
        Assert.Equal(trimmed.Count, trimmed.Select(t => t.Name).Distinct().Count());
    }

    [Fact]
    public void Recording_averages_the_records_of_each_whole_percent_and_falls_back_to_its_neighbours()
    {
        // Capacity 1000 milli; arrivals of 5, then 30, then 10 milli: records at 0%, 0.5% (rounds to 0, half to even),
        // 3.5% (rounds to 4) and 4.5% (rounds to 4).
        long[] arrived = [0, 5, 35, 45];
        long[] used = [0, 5, 35, 35];
        var curve = FgdProtocol.Bin(arrived, used, 1000);
        Assert.Equal(0.25, curve[0]);            // (0 + 0.5) / 2
        Assert.Equal(0.25, curve[1]);            // no record at 1%: the mean of those at 0-2%
        Assert.Equal(3.5, curve[4]);             // (3.5 + 3.5) / 2
        Assert.Equal(3.5, curve[3]);             // no record at 3%: the mean of those at 2-4%
        Assert.Equal(3.5, curve[5]);             // no record at 5%: those at 4-6%
        Assert.True(double.IsNaN(curve[7]));
    }

    [Fact]
    public void Fgd_takes_the_node_where_fragmentation_falls_most_and_the_smallest_name_on_a_tie()
    {
        // The mix is half 1-GPU tasks and half 0.5-GPU shares. The first share may only run on the V100 node n-c; the
        // second goes beside it there (the half-used GPU is then filled: fragmentation falls), not on n-a, the smaller
        // name. A whole GPU then fits everywhere with the same score: the smallest name, n-a.
        OpenbTask[] mix = [Task("w", 1000, 1), Task("s", 1000, 1, 500)];
        var nodes = new[] { Node("n-b", 8000, 2), Node("n-a", 8000, 2), Node("n-c", 8000, 2, "V100M16") };
        var placed = new List<string>();
        var run = FgdProtocol.Run(nodes, [Task("typed", 1000, 1, 500, 1024, "V100M16"), Task("share", 1000, 1, 500), Task("whole", 1000, 1)],
            new FgdPolicy(new TypicalPods(mix)), seed: 1, observe: (_, h) => placed.Add(h!.Spec.Id));
        Assert.Equal(["n-c", "n-c", "n-a"], placed);
        Assert.Equal(2, run.GpusAllocated);
    }

    [Fact]
    public void Paper_scores_match_their_formulas()
    {
        var fleet = new Fleet([Node("n", 64_000, 2)], PlacementOptions.Exact);
        var host = fleet.Hosts[0];
        var task = Task("t", 8000, 1);
        // Best fit: (1 - (56000/128000 * 0.5 + 1000/8000 * 0.5)) * 100 = 71.875, truncated.
        Assert.Equal(71, new BestFitPolicy().Score(0, host, task));
        // Dot product: 100 * (1 - (64000/128000 * 8000/128000 + 2000/8000 * 1000/8000) / 2) = 96.875 -> 96.
        Assert.Equal(96, new DotProductPolicy().Score(0, host, task));
        // GPU packing on an idle node: 100/3 - 2 free GPUs.
        Assert.Equal(31, new GpuPackingPolicy().Score(0, host, task));
        // CPU-only tasks score 0 with packing and clustering: their node is the smallest name that fits.
        Assert.Equal(0, new GpuPackingPolicy().Score(0, host, Task("cpu", 1000)));
        Assert.Equal(0, new GpuClusteringPolicy(1).Score(0, host, Task("cpu", 1000)));
    }

    [Fact]
    public void The_bound_is_never_below_what_a_policy_allocates_and_counts_cpu_and_big_tasks()
    {
        // One node with 2 GPUs and 8 cores; two 1-GPU tasks of 6 cores each: only one fits, so the bound is 1 GPU.
        var tiny = AllocationBound.Solve([Node("n", 8000, 2)], [Task("a", 6000, 1), Task("b", 6000, 1)]);
        Assert.Equal(1, tiny.Gpus, 6);
        Assert.Equal(50, tiny.Percent, 6);

        var nodes = new[] { Node("n0", 32_000, 2), Node("n1", 32_000, 2, "V100M16"), Node("n2", 96_000, 8), Node("n3", 64_000, 0) };
        var pods = new[] { Task("a", 4000, 1), Task("b", 2000, 1, 500), Task("c", 8000, 2, 1000, 1024, "V100M16"), Task("d", 1000), Task("e", 30_000, 1, 250) };
        var tasks = FgdWorkload.Tasks(pods, nodes.Sum(n => (long)n.Gpus * 1000), seed: 3);
        var arrived = FgdSuite.Arrived(tasks, 12_000, 100);
        var bound = AllocationBound.Solve(nodes, arrived);
        foreach (var name in FgdSuite.PolicyNames)
        {
            var run = FgdProtocol.Run(nodes, arrived, FgdSuite.Create(name, pods, nodes, 3), 3);
            Assert.Equal(0, run.Overcommits);
            Assert.True(run.GpusAllocated <= bound.Gpus + 1e-6, $"{name} allocated {run.GpusAllocated} over the bound {bound.Gpus}");
        }
    }

    [Fact]
    public void The_bound_packs_shares_gpu_by_gpu()
    {
        var node = Node("n", 64_000, 1);
        // Two 0.81 shares cannot share one GPU: 0.81 of it, not all of it as the GPU milli alone would allow.
        Assert.Equal(0.81, AllocationBound.Solve([node], [Task("a", 1000, 1, 810), Task("b", 1000, 1, 810)]).Gpus, 6);
        // A 0.19 share fills what a 0.81 share leaves.
        Assert.Equal(1, AllocationBound.Solve([node], [Task("a", 1000, 1, 810), Task("b", 1000, 1, 190)]).Gpus, 6);
        // Shares are not "more than half of the node" for holding 1 GPU's worth: two 0.4 shares share the only GPU.
        Assert.Equal(0.8, AllocationBound.Solve([node], [Task("a", 1000, 1, 400), Task("b", 1000, 1, 400)]).Gpus, 6);
        // A whole-GPU task and a share cannot both have the only GPU: the whole task is worth more.
        Assert.Equal(1, AllocationBound.Solve([node], [Task("a", 1000, 1, 810), Task("w", 1000, 1)]).Gpus, 6);
        // Unless every share must be placed: then the share takes the GPU and the whole task is left out.
        Assert.Equal(0.81, AllocationBound.SolveWithEveryShare([node], [Task("a", 1000, 1, 810), Task("w", 1000, 1)])!.Gpus, 6);
        // Two 0.81 shares on one GPU: no placement holds both.
        Assert.Null(AllocationBound.SolveWithEveryShare([node], [Task("a", 1000, 1, 810), Task("b", 1000, 1, 810)]));
        // Shares the GPU model excludes get no slots: the typed share cannot use the A10.
        Assert.Equal(0.5, AllocationBound.Solve([node], [Task("t", 1000, 1, 400, 1024, "V100M16"), Task("u", 1000, 1, 500)]).Gpus, 6);
    }

    [Fact]
    public void Every_policy_places_only_where_the_gpu_model_is_allowed()
    {
        var nodes = new[] { Node("a10", 32_000, 4, "A10"), Node("v100", 32_000, 4, "V100M16") };
        OpenbTask[] pods = [Task("typed", 1000, 1, 1000, 1024, "V100M16"), Task("any", 1000, 1, 500)];
        foreach (var name in FgdSuite.PolicyNames)
        {
            FgdProtocol.Run(nodes, [.. Enumerable.Range(0, 6).Select(i => pods[i % 2] with { Name = $"t{i}" })], FgdSuite.Create(name, pods, nodes, 1), 1,
                observe: (t, h) =>
                {
                    if (t.GpuModels.Count > 0 && h is not null) Assert.Equal("V100M16", h.Spec.GpuModel);
                });
        }
    }

    [Fact]
    public void The_chart_draws_each_policy_from_where_it_enters_the_plot()
    {
        // A policy that allocates everything up to 95% and then stays there: points from 80% (where the plot starts) to 130%.
        var curve = Enumerable.Range(0, 131).Select(x => (double?)Math.Min(x, 95)).ToArray();
        var policy = new PolicySummary("Meridian", [], curve, 95, 5, 95, 1, 2, 0);
        var svg = AllocationChart.Svg(new ProtocolReport("list", 3, 12, [42], [policy], [], 100, 97.5));
        var points = System.Text.RegularExpressions.Regex.Match(svg, "<polyline points=\"([^\"]*)\" fill=\"none\" stroke=\"#1a7f37\"").Groups[1].Value.Split(' ');
        Assert.Equal(51, points.Length);
        Assert.Contains("Meridian: 5.00% free at 100", svg);
        Assert.Contains("bound at 100: 100.00%", svg);
        Assert.Contains("placing every share: 97.50%", svg);
    }
}
