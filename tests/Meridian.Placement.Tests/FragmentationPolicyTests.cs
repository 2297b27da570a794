using Meridian.Placement.Capacity;
using Meridian.Placement.Engine;
using Meridian.Placement.Model;
using Meridian.Placement.Scoring;

namespace Meridian.Placement.Tests;

/// <summary>Meridian's fragmentation-aware policy: its decisions on hosts where the right answer can be worked out.</summary>
public sealed class FragmentationPolicyTests
{
    private static HostSpec Host(string id, int cpu, int gpus, string? model = "A10", long memory = 262_144, string zone = "z") =>
        new(id, zone, "r", "CN", cpu, memory, gpus, gpus == 0 ? null : model);

    private static readonly Resources OneGpu = new(12_000, 32_768, 1, 1000);

    [Fact]
    public void A_cpu_task_leaves_the_cpu_that_free_gpus_will_need()
    {
        // Both hosts have 2 free GPUs. The mix is half-GPU tasks of 12 cores. On "tight" (24 cores) a 4-core CPU task
        // would leave 20 cores: one share fewer fits, and its half GPU is lost. On "roomy" (104 cores) nothing is lost.
        var fleet = new Fleet([Host("tight", 24_000, 2), Host("roomy", 104_000, 2)], PlacementOptions.Exact);
        var share = new Resources(12_000, 32_768, 1, 500);
        var scorer = new FragmentationScorer([(share, (IReadOnlyList<string>)[], 10.0), (new Resources(4000, 8192), [], 10.0)]);
        var cpuTask = new Resources(4000, 8192);
        Assert.True(scorer.Score(fleet.Hosts[1], cpuTask) < scorer.Score(fleet.Hosts[0], cpuTask));
        var tight = fleet.Hosts[0];
        // Half a GPU lost, weighted by the shares' half of the mix.
        Assert.Equal(250, scorer.Fragmentation(tight, 20_000, 262_144, tight.GpuFree) - scorer.Fragmentation(tight, 24_000, 262_144, tight.GpuFree), 6);
    }

    [Fact]
    public void Among_equals_a_cpu_task_goes_where_cpu_is_most_in_excess()
    {
        // No GPU class is hurt on either host; the one with more CPU beyond its GPUs' needs takes the CPU task.
        var fleet = new Fleet([Host("g2", 96_000, 8), Host("t4", 104_000, 2)], PlacementOptions.Exact);
        var scorer = new FragmentationScorer([(OneGpu, (IReadOnlyList<string>)[], 10.0)]);
        var cpuTask = new Resources(2000, 4096);
        Assert.True(scorer.Score(fleet.Hosts[1], cpuTask) < scorer.Score(fleet.Hosts[0], cpuTask));
    }

    [Fact]
    public void A_share_goes_beside_another_share_not_on_an_empty_gpu()
    {
        var fleet = new Fleet([Host("h", 32_000, 2)], PlacementOptions.Exact);
        var host = fleet.Hosts[0];
        host.TryRestore(0, 0, [new GpuShare(1, 500)]);
        var scorer = new FragmentationScorer([(new Resources(1000, 1024, 1, 1000), (IReadOnlyList<string>)[], 8.0), (new Resources(1000, 1024, 1, 300), [], 1.0)]);
        Assert.Equal(1, scorer.PickGpu(host, 300));
    }

    private static Dictionary<int, double> PairingMix => new() { [650] = 10, [320] = 10, [550] = 10, [230] = 10, [220] = 10 };

    [Fact]
    public void Share_patterns_are_the_fewest_gpus_that_hold_the_mix()
    {
        // The mix fills 20 GPUs exactly as 0.65 + 0.32 and 0.55 + 0.23 + 0.22; any other pairing needs more GPUs.
        var patterns = SharePatterns.Plan(PairingMix)!;
        Assert.True(patterns.Continues(650, 320));
        Assert.True(patterns.Continues(550, 230));
        Assert.True(patterns.Continues(780, 220));
        Assert.True(patterns.Continues(0, 650));
        Assert.False(patterns.Continues(650, 230));
        Assert.False(patterns.Continues(550, 320));
        Assert.True(patterns.OnPlan(650));
        Assert.False(patterns.OnPlan(500));
        Assert.Null(SharePatterns.Plan(new Dictionary<int, double>()));
        // A mix too fine-grained to plan (every size from 0.01 to 0.99) is not planned.
        Assert.Null(SharePatterns.Plan(Enumerable.Range(1, 99).ToDictionary(i => i * 10, _ => 50.0)));
    }

    [Fact]
    public void A_share_goes_where_it_continues_a_pattern_not_into_the_tightest_gap()
    {
        // GPU 0 holds 0.65, GPU 1 holds 0.55. A 0.23 share fits both; the tightest fit is beside 0.65, but 0.35 is where a
        // 0.32 share belongs, and 0.23 completes 0.55 + 0.23 + 0.22.
        var fleet = new Fleet([Host("h", 64_000, 2)], PlacementOptions.Exact);
        var host = fleet.Hosts[0];
        host.TryRestore(0, 0, [new GpuShare(0, 650), new GpuShare(1, 550)]);
        var scorer = new FragmentationScorer(PairingMix.Select(m => (new Resources(1000, 1024, 1, m.Key), (IReadOnlyList<string>)[], m.Value)));
        Assert.Equal(1, scorer.PickGpu(host, 230));
        Assert.Equal(0, scorer.PickGpu(host, 320));
        // A host where the share continues a pattern comes before one where it would open a whole GPU.
        var other = new Fleet([Host("fresh", 64_000, 2)], PlacementOptions.Exact).Hosts[0];
        var share = new Resources(1000, 1024, 1, 320);
        Assert.True(scorer.Score(host, share) < scorer.Score(other, share));
        // With no partner on the host (0.55 and 0.23 there), the 0.32 share opens a whole GPU rather than spoil either.
        var spoilt = new Fleet([Host("s", 64_000, 3)], PlacementOptions.Exact).Hosts[0];
        spoilt.TryRestore(0, 0, [new GpuShare(0, 550), new GpuShare(1, 230)]);
        Assert.Equal(2, scorer.PickGpu(spoilt, 320));
    }

    [Fact]
    public void A_gpu_waiting_for_its_partner_keeps_the_cpu_the_partner_needs()
    {
        // The mix pairs 0.65 with 0.32 shares of 1 core each. Both hosts have 1.5 cores free; on "waiting" a 0.65 share
        // waits for its 0.32 partner, on "full" the only GPU is taken. A 1-core CPU task on "waiting" leaves half a core:
        // the partner can no longer come, and its 0.35 of a GPU is lost (3.5 steps, on top of the measure's 1.6 for
        // the 0.32 class that can no longer fit: 5 steps in all); on "full" nothing is lost.
        var fleet = new Fleet([Host("waiting", 64_000, 1), Host("full", 64_000, 1)], PlacementOptions.Exact);
        fleet.Hosts[0].TryRestore(62_500, 0, [new GpuShare(0, 650)]);
        fleet.Hosts[1].TryRestore(62_500, 0, [new GpuShare(0, 1000)]);
        var scorer = new FragmentationScorer([(new Resources(1000, 0, 1, 650), (IReadOnlyList<string>)[], 10.0), (new Resources(1000, 0, 1, 320), [], 10.0)]);
        var cpuTask = new Resources(1000, 0);
        Assert.Equal(5, scorer.Score(fleet.Hosts[0], cpuTask) - scorer.Score(fleet.Hosts[1], cpuTask), 3);
    }

    [Fact]
    public void A_whole_gpu_task_keeps_whole_nodes_free_for_eight_gpu_tasks()
    {
        // The mix has 8-GPU tasks: a 1-GPU task goes to the host already in use, not to the empty one.
        var fleet = new Fleet([Host("empty", 96_000, 8), Host("used", 96_000, 8)], PlacementOptions.Exact);
        fleet.Hosts[1].TryRestore(12_000, 32_768, [new GpuShare(0, 1000)]);
        var scorer = new FragmentationScorer([(OneGpu, (IReadOnlyList<string>)[], 10.0), (new Resources(88_000, 262_144, 8, 1000), [], 5.0)]);
        Assert.True(scorer.Score(fleet.Hosts[1], OneGpu) < scorer.Score(fleet.Hosts[0], OneGpu));
    }

    [Fact]
    public void A_task_that_takes_any_gpu_model_leaves_the_scarce_model_to_tasks_that_need_it()
    {
        // Half the mix's GPU demand asks for V100 only, and the fleet has as many V100 as A10 GPUs: V100s are in demand.
        // An untyped task goes to the A10 host; a V100 task there is steered nowhere else (it has no choice anyway).
        var fleet = new Fleet([Host("a10", 96_000, 8, "A10"), Host("v100", 96_000, 8, "V100")], PlacementOptions.Exact);
        var typed = new Resources(8000, 32_768, 1, 1000);
        var scorer = new FragmentationScorer([(OneGpu, (IReadOnlyList<string>)[], 10.0), (typed, ["V100"], 10.0)], fleet.GpusByModel());
        Assert.True(scorer.Score(fleet.Hosts[0], OneGpu, []) < scorer.Score(fleet.Hosts[1], OneGpu, []));
        // Knowing the fleet's models is what makes the difference large: without them only FGD's own measure speaks.
        var blind = new FragmentationScorer([(OneGpu, (IReadOnlyList<string>)[], 10.0), (typed, ["V100"], 10.0)]);
        Assert.True(scorer.Score(fleet.Hosts[1], OneGpu, []) - scorer.Score(fleet.Hosts[0], OneGpu, []) >
                    blind.Score(fleet.Hosts[1], OneGpu, []) - blind.Score(fleet.Hosts[0], OneGpu, []));
        // A task that asks for V100 is not pushed off it.
        Assert.Equal(blind.Score(fleet.Hosts[1], typed, ["V100"]), scorer.Score(fleet.Hosts[1], typed, ["V100"]));
    }

    [Fact]
    public void Gpu_workloads_default_to_the_fragmentation_aware_strategy_and_others_to_spread()
    {
        var gpu = new WorkloadSpec("t", "qwen", 2, new ResourceSpec(8, 32, 1));
        var cpu = new WorkloadSpec("t", "web", 2, new ResourceSpec(2, 4));
        Assert.Equal(PlacementStrategy.Fragmentation, gpu.EffectiveStrategy);
        Assert.Equal(PlacementStrategy.Fragmentation, gpu.Resolved().Strategy);
        Assert.Equal(PlacementStrategy.Spread, cpu.Resolved().Strategy);
        Assert.Equal(PlacementStrategy.Pack, (gpu with { Strategy = PlacementStrategy.Pack }).Resolved().Strategy);
    }

    [Fact]
    public void The_engine_places_fragmentation_aware_within_the_spread_and_never_over_commits()
    {
        var fleet = Fleets.Europe(hostsPerZone: 2);
        var request = new PlacementRequest(6, new Resources(4000, 8192, 1, 500),
            new PlacementConstraints { Boundary = "EU", Spread = new SpreadConstraint(3, 1) }, PlacementStrategy.Fragmentation);
        var result = PlacementEngine.Place(fleet, request);
        Assert.True(result.Placed, result.Problem?.Message);
        // As many zones as allowed (the four EU zones), as Spread does.
        Assert.Equal(4, result.Allocations.Select(a => a.ZoneId).Distinct().Count());
        Assert.All(result.Allocations, a => Assert.StartsWith("eu-", a.RegionId));
        // In each zone the halves pair up on one GPU rather than opening another.
        foreach (var zone in result.Allocations.GroupBy(a => a.ZoneId))
            Assert.Equal((zone.Count() + 1) / 2, zone.SelectMany(a => a.Gpus.Select(g => (a.HostId, g.Index))).Distinct().Count());
        Assert.All(fleet.Hosts, h => Assert.All(h.GpuFree, g => Assert.InRange(g, 0, 1000)));
    }

    [Fact]
    public void The_mix_keeps_its_scorer_while_it_changes_little_and_rebuilds_for_a_new_class()
    {
        var mix = new WorkloadMix();
        mix.Add(OneGpu, [], 100);
        var first = mix.Scorer(OneGpu, [], 1);
        mix.Add(OneGpu, [], 2);
        Assert.Same(first, mix.Scorer(OneGpu, [], 1));
        var share = new Resources(2000, 4096, 1, 500);
        Assert.NotSame(first, mix.Scorer(share, [], 1));
        mix.Add(OneGpu, [], 50);
        var rebuilt = mix.Scorer(share, [], 1);
        mix.Remove(OneGpu, [], 152);
        Assert.Equal(0, mix.Replicas);
        Assert.Equal([(WorkloadMix.SmallestGpuTask, (IReadOnlyList<string>)[])], mix.GpuClasses().Select(c => (c.Resources, c.GpuModels)).ToArray(), new ClassComparer());
        Assert.NotSame(rebuilt, mix.Scorer(OneGpu, [], 1));
    }

    [Fact]
    public void Stranded_gpus_are_free_gpus_where_no_task_of_the_mix_fits()
    {
        // "starved" has a free GPU but 2 cores left; "typed" has free GPUs of a model the mix does not run on; "fine" fits.
        var fleet = new Fleet([Host("starved", 16_000, 2, zone: "a"), Host("typed", 64_000, 4, "T4", zone: "a"), Host("fine", 64_000, 2, zone: "b")], PlacementOptions.Exact);
        fleet.Hosts[0].TryRestore(14_000, 32_768, [new GpuShare(0, 1000)]);
        IReadOnlyList<(Resources, IReadOnlyList<string>)> mix = [(OneGpu, ["A10"])];
        var report = CapacityReport.Of(fleet, _ => true, withHosts: true, mix);
        Assert.Equal(5, report.All.StrandedGpus);
        Assert.Equal(5, report.Zones.Single(z => z.Id == "a").StrandedGpus);
        Assert.Equal(0, report.Zones.Single(z => z.Id == "b").StrandedGpus);
        Assert.Equal(1, report.Hosts.Single(h => h.Id == "starved").StrandedGpus);
        // Without a mix, the smallest GPU task (1 vCPU, 1 GiB, a tenth of a GPU) still fits everywhere here.
        Assert.Equal(0, CapacityReport.Of(fleet, _ => true, withHosts: false).All.StrandedGpus);
    }

    private sealed class ClassComparer : IEqualityComparer<(Resources, IReadOnlyList<string>)>
    {
        public bool Equals((Resources, IReadOnlyList<string>) a, (Resources, IReadOnlyList<string>) b) => a.Item1 == b.Item1 && a.Item2.SequenceEqual(b.Item2);

        public int GetHashCode((Resources, IReadOnlyList<string>) c) => c.Item1.GetHashCode();
    }
}
