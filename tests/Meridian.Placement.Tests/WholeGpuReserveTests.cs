using Meridian.Placement.Capacity;
using Meridian.Placement.Engine;
using Meridian.Placement.Model;
using Meridian.Placement.Replay;
using Meridian.Placement.Replay.Fgd;
using Meridian.Placement.Scoring;

namespace Meridian.Placement.Tests;

/// <summary>The reserve's decisions: which shares it refuses and when, and when small tasks keep off whole hosts.</summary>
public sealed class WholeGpuReserveTests
{
    private static HostSpec Host(string id, int gpus, int cpu = 32_000) => new(id, "z", "r", "CN", cpu, 262_144, gpus, "A10");

    private static readonly Resources Share810 = new(1000, 1024, 1, 810), Share470 = new(1000, 1024, 1, 470), OneGpu = new(1000, 1024, 1, 1000);

    // Half the mix's tasks are 0.81 shares (nothing fits beside one: each takes a GPU of its own), half one-GPU tasks:
    // whole GPUs are 1000 / 1810 of the GPU demand.
    private static WholeGpuReserve Reserve() => WholeGpuReserve.For([(Share810, 1.0), (OneGpu, 1.0)])!;

    [Fact]
    public void A_share_that_takes_a_gpu_of_its_own_is_refused_once_whole_gpus_are_no_more_than_the_whole_gpu_demand_expected()
    {
        var fleet = new Fleet([Host("a", 2), Host("b", 2)], PlacementOptions.Exact);
        var reserve = Reserve();
        // 4 whole GPUs, 4 GPUs still to fill: 2.2 expected for whole-GPU tasks.
        Assert.False(reserve.Refuses([.. fleet.Hosts], Share810, opensWholeGpu: true, 4000));
        fleet.Hosts[0].TryRestore(0, 0, [new GpuShare(0, 1000), new GpuShare(1, 1000)]);
        // 2 whole GPUs left: enough while 3 GPUs are still to fill (1.66 expected), not while 4 are (2.21).
        Assert.False(reserve.Refuses([.. fleet.Hosts], Share810, opensWholeGpu: true, 3000));
        Assert.True(reserve.Refuses([.. fleet.Hosts], Share810, opensWholeGpu: true, 4000));
        // A share that opens no whole GPU takes nothing from the reserve.
        Assert.False(reserve.Refuses([.. fleet.Hosts], Share810, opensWholeGpu: false, 4000));
    }

    [Fact]
    public void Only_shares_that_pack_worse_than_their_gpu_are_refused()
    {
        // 0.47 shares pair up (half a GPU each at the margin): never refused, however short whole GPUs are.
        var reserve = WholeGpuReserve.For([(Share810, 1.0), (Share470, 2.0), (OneGpu, 1.0)])!;
        var fleet = new Fleet([Host("a", 1)], PlacementOptions.Exact);
        Assert.False(reserve.Refuses([.. fleet.Hosts], Share470, opensWholeGpu: true, 100_000));
        Assert.True(reserve.Refuses([.. fleet.Hosts], Share810, opensWholeGpu: true, 100_000));
        // Without one-GPU tasks in the mix there is nothing to keep GPUs for.
        Assert.False(WholeGpuReserve.For([(Share810, 1.0)])!.Refuses([.. fleet.Hosts], Share810, opensWholeGpu: true, 100_000));
    }

    [Fact]
    public void Whole_gpus_on_a_host_without_the_cpu_for_a_one_gpu_task_are_not_counted()
    {
        var reserve = WholeGpuReserve.For([(Share810, 1.0), (new Resources(16_000, 1024, 1, 1000), 1.0)])!;
        var roomy = new Fleet([Host("a", 4, 96_000)], PlacementOptions.Exact);
        var starved = new Fleet([Host("a", 4, 96_000)], PlacementOptions.Exact);
        starved.Hosts[0].TryRestore(84_000, 0, []);
        // 4 GPUs still to fill want 2.2 whole GPUs: the roomy host has 4; the starved one CPU for no one-GPU task.
        Assert.False(reserve.Refuses([.. roomy.Hosts], Share810, opensWholeGpu: true, 4000));
        Assert.True(reserve.Refuses([.. starved.Hosts], Share810, opensWholeGpu: true, 4000));
    }

    [Fact]
    public void Small_tasks_keep_off_the_whole_8_gpu_hosts_that_the_8_gpu_demand_expected_needs()
    {
        // Half the GPU demand is 8-GPU tasks.
        var eight = new Resources(64_000, 65_536, 8, 1000);
        var reserve = WholeGpuReserve.For([(eight, 1.0), (OneGpu, 8.0)])!;
        var fleet = new Fleet([Host("a", 8, 96_000), Host("b", 8, 96_000)], PlacementOptions.Exact);
        Assert.False(reserve.KeepsWholeHosts([.. fleet.Hosts], OneGpu, 16_000));
        fleet.Hosts[0].TryRestore(0, 0, [new GpuShare(0, 1000)]);
        Assert.False(WholeGpuReserve.IsWholeLargeHost(fleet.Hosts[0]));
        Assert.True(WholeGpuReserve.IsWholeLargeHost(fleet.Hosts[1]));
        // One whole host left, and 16 GPUs to fill expect one 8-GPU task: kept, but not from an 8-GPU task.
        Assert.True(reserve.KeepsWholeHosts([.. fleet.Hosts], OneGpu, 16_000));
        Assert.True(reserve.KeepsWholeHosts([.. fleet.Hosts], new Resources(1000, 1024), 16_000));
        Assert.False(reserve.KeepsWholeHosts([.. fleet.Hosts], eight, 16_000));
        // With 8 GPUs left to fill, half a host is expected: the last whole host is free for anyone.
        Assert.False(reserve.KeepsWholeHosts([.. fleet.Hosts], OneGpu, 8000));
    }

    [Fact]
    public void In_the_protocol_the_reserve_keeps_the_last_whole_gpu_for_a_whole_gpu_task()
    {
        // Ten 1-GPU hosts; ten 0.81 shares arrive before three one-GPU tasks. Every share placed fills the fleet with
        // 8.1 GPUs' worth; the reserve refuses the tenth share (1 whole GPU left, 1.5 expected for one-GPU tasks)
        // and places a one-GPU task there: 8.29.
        var nodes = Enumerable.Range(0, 10).Select(i => Host($"h{i}", 1)).ToArray();
        OpenbTask[] pods = [new("s", Share810, []), new("w", OneGpu, [])];
        OpenbTask[] tasks = [.. Enumerable.Range(0, 13).Select(i => (i < 10 ? pods[0] : pods[1]) with { Name = $"t{i}" })];
        var plain = FgdProtocol.Run(nodes, tasks, FgdSuite.Create("meridian", pods, nodes, 1), 1);
        var reserved = FgdProtocol.Run(nodes, tasks, FgdSuite.Create("meridian-reserve", pods, nodes, 1), 1);
        Assert.Equal(8.1, plain.GpusAllocated, 6);
        Assert.Equal(8.29, reserved.GpusAllocated, 6);
        Assert.Equal(10, reserved.Placed);
    }

    private static readonly Resources Share600 = new(1000, 1024, 1, 600);

    [Fact]
    public void The_engine_places_all_or_none_when_a_later_replica_would_open_a_whole_gpu_the_mix_still_needs()
    {
        // Eight 1-GPU hosts, five taken whole, one holding a 0.6 share. Two 0.6 shares more (two never fit one GPU):
        // the first may open a whole GPU (2 left, 2.4 free, 5 / 6.8 of it expected whole-GPU work: 1.76); the second
        // may not (1 left, 1.8 free: 1.32). Nothing is taken.
        var fleet = new Fleet(Enumerable.Range(1, 8).Select(i => Host($"h{i}", 1)), PlacementOptions.Exact);
        for (var i = 0; i < 5; i++) fleet.Hosts[i].TryRestore(1000, 1024, [new GpuShare(0, 1000)]);
        fleet.Hosts[5].TryRestore(1000, 1024, [new GpuShare(0, 600)]);
        var mix = new WorkloadMix();
        mix.Add(OneGpu, [], 5);
        mix.Add(Share600, [], 1);
        var (scorer, reserve) = mix.Rules(Share600, [], 2);
        var request = new PlacementRequest(2, Share600, new PlacementConstraints(), PlacementStrategy.Fragmentation);
        var free = fleet.Hosts.Sum(h => h.GpuFreeMilli);

        var refused = PlacementEngine.Place(fleet, request, scorer, new GpuReserve(reserve!, 0));
        Assert.Equal("reserve", refused.Problem?.Constraint);
        Assert.Equal(free, fleet.Hosts.Sum(h => h.GpuFreeMilli));
        // With 1.2 GPUs of demand waiting, half the free GPUs are still to fill (0.88 whole GPUs expected for the first,
        // 0.66 for the second): both go. Without the reserve both go.
        Assert.True(PlacementEngine.Place(fleet, request, scorer, new GpuReserve(reserve!, 1200)).Placed);
        var again = new Fleet(Enumerable.Range(1, 8).Select(i => Host($"h{i}", 1)), PlacementOptions.Exact);
        Assert.True(PlacementEngine.Place(again, request, scorer).Placed);
    }

    [Fact]
    public void The_engine_keeps_a_whole_8_gpu_host_from_small_tasks_and_says_why_when_nothing_else_fits()
    {
        // Nearly all the GPU demand is 8-GPU tasks. "part" has a free GPU but no CPU for a one-GPU task, so only the
        // whole host "big" fits one: it is kept (9 GPUs free, 0.99 of them expected for 8-GPU work: 1.1 hosts).
        var eight = new Resources(8000, 8192, 8, 1000);
        var fleet = new Fleet([Host("big", 8), Host("part", 8)], PlacementOptions.Exact);
        fleet.Hosts[1].TryRestore(31_500, 1024, [.. Enumerable.Range(0, 7).Select(g => new GpuShare(g, 1000))]);
        var reserve = new GpuReserve(WholeGpuReserve.For([(eight, 10.0), (OneGpu, 1.0)])!, 0);
        var scorer = new FragmentationScorer([(eight, (IReadOnlyList<string>)[], 10.0), (OneGpu, [], 1.0)]);
        var small = PlacementEngine.Place(fleet, new PlacementRequest(1, OneGpu, new PlacementConstraints(), PlacementStrategy.Fragmentation), scorer, reserve);
        Assert.Equal("reserve", small.Problem?.Constraint);
        Assert.Contains("8-GPU hosts", small.Problem!.Message);
        Assert.Equal(8000, fleet.Hosts[0].GpuFreeMilli);
        var large = PlacementEngine.Place(fleet, new PlacementRequest(1, eight, new PlacementConstraints(), PlacementStrategy.Fragmentation), scorer, reserve);
        Assert.Equal("big", large.Allocations.Single().HostId);
    }
}
