using System.Collections.Concurrent;
using System.Diagnostics;
using Meridian.Placement.Capacity;
using Meridian.Placement.Scoring;

namespace Meridian.Placement.Replay.Fgd;

/// <summary>A policy's results over the seeds: per seed and the mean curve (null where nothing arrived near a percent).</summary>
public sealed record PolicySummary(
    string Policy, IReadOnlyList<SeedResult> Seeds, double?[] MeanAllocation, double? MeanAllocationAt100, double? MeanUnallocatedAt100,
    double? MeanAllocationAt130, double DecisionP50Microseconds, double DecisionP99Microseconds, int Overcommits);

/// <summary>One seed's results; a percent no task arrived near (a list too short to reach it) is null.</summary>
public sealed record SeedResult(int Seed, int Tasks, int Placed, double? AllocationAt100, double? AllocationAt130, double?[] Allocation);

/// <summary>Every policy on every seed of one pod list, and per seed the bound at 100% of demand arrived
/// (<see cref="AllocationBound"/>): no policy can allocate more of the tasks that have arrived by then.</summary>
/// <param name="MeanEveryShareAt100">The mean bound of the placements that hold every GPU share arrived; null when
/// on some seed no placement can.</param>
public sealed record ProtocolReport(
    string PodList, int Nodes, double Gpus, IReadOnlyList<int> Seeds, IReadOnlyList<PolicySummary> Policies,
    IReadOnlyList<SeedBound> Bounds, double MeanBoundAt100, double? MeanEveryShareAt100);

/// <param name="AllocationAt100">The bound as a share of the cluster's GPUs (%).</param>
/// <param name="EveryShareAt100">The bound of the placements that leave no GPU share out (%), null if none can hold them all.</param>
public sealed record SeedBound(int Seed, int Tasks, double AllocationAt100, double? EveryShareAt100);

/// <summary>Runs the paper's protocol for several policies and seeds, in parallel, and averages as the paper does.</summary>
public static class FgdSuite
{
    /// <summary>Policy names as the CLI takes them, in the paper's order, then Meridian's.</summary>
    public static readonly IReadOnlyList<string> PolicyNames = ["random", "dot-product", "gpu-packing", "gpu-clustering", "best-fit", "fgd", "meridian", "meridian-reserve"];

    public static ReplayPolicy Create(string name, IReadOnlyList<OpenbTask> pods, IReadOnlyList<HostSpec> nodes, int seed) => name switch
    {
        "random" => new RandomPolicy(seed),
        "dot-product" => new DotProductPolicy(),
        "gpu-packing" => new GpuPackingPolicy(),
        "gpu-clustering" => new GpuClusteringPolicy(nodes.Count),
        "best-fit" => new BestFitPolicy(),
        "fgd" => new FgdPolicy(new TypicalPods(pods)),
        "meridian" => new ScorerPolicy(Meridian(pods, nodes), "Meridian"),
        "meridian-reserve" => MeridianReserve(pods, nodes),
        _ => throw new ArgumentException($"'{name}' is not a policy; use {string.Join(", ", PolicyNames)}", nameof(name)),
    };

    private static FragmentationScorer Meridian(IReadOnlyList<OpenbTask> pods, IReadOnlyList<HostSpec> nodes) =>
        new(pods.Select(p => (p.Resources, p.GpuModels)), Fleet.GpusByModel(nodes));

    private static ScorerPolicy MeridianReserve(IReadOnlyList<OpenbTask> pods, IReadOnlyList<HostSpec> nodes)
    {
        var scorer = Meridian(pods, nodes);
        return new ScorerPolicy(scorer, "Meridian reserve", WholeGpuReserve.For(pods.Select(p => (p.Resources, 1.0)), scorer));
    }

    public static ProtocolReport Run(string podList, IReadOnlyList<HostSpec> nodes, IReadOnlyList<OpenbTask> pods, IReadOnlyList<int> seeds,
        IReadOnlyList<string> policies, IProgress<(string Policy, int Seed, int Done, int Of)>? progress = null, int parallelism = 0)
    {
        var capacity = nodes.Sum(n => (long)n.Gpus * 1000);
        var tasks = seeds.ToDictionary(s => s, s => FgdWorkload.Tasks(pods, capacity, s));
        var runs = new ConcurrentDictionary<(string, int), ProtocolRun>();
        var work = policies.SelectMany(p => seeds.Select(s => (Policy: p, Seed: s))).ToArray();
        Parallel.ForEach(work, new ParallelOptions { MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount }, w =>
        {
            var policy = Create(w.Policy, pods, nodes, w.Seed);
            var list = tasks[w.Seed];
            runs[w] = FgdProtocol.Run(nodes, list, policy, w.Seed,
                progress is null ? null : new SyncProgress<int>(i => progress.Report((w.Policy, w.Seed, i, list.Count))));
        });
        var summaries = policies.Select(p =>
        {
            var mine = seeds.Select(s => runs[(p, s)]).ToArray();
            var mean = new double?[FgdProtocol.MaxPercent + 1];
            for (var i = 0; i < mean.Length; i++)
            {
                var values = mine.Select(r => r.Allocation[i]).Where(v => !double.IsNaN(v)).ToArray();
                mean[i] = values.Length == 0 ? null : Math.Round(values.Average(), 3);
            }
            var ticks = mine.SelectMany(r => r.DecisionTicks).Order().ToArray();
            double Micro(double q) => ticks.Length == 0 ? 0 : ticks[Math.Min(ticks.Length - 1, (int)(q * ticks.Length))] * 1e6 / Stopwatch.Frequency;
            var at100 = Mean(mine.Select(r => r.Allocation[100]));
            return new PolicySummary(mine[0].Policy,
                [.. mine.Select(r => new SeedResult(r.Seed, r.Tasks, r.Placed, Value(r.Allocation[100]), Value(r.Allocation[130]), [.. r.Allocation.Select(Value)]))],
                mean, at100, 100 - at100, Mean(mine.Select(r => r.Allocation[130])),
                Math.Round(Micro(0.5), 1), Math.Round(Micro(0.99), 1), mine.Sum(r => r.Overcommits));
        }).ToArray();
        var bounds = seeds.Select(seed =>
        {
            var arrived = Arrived(tasks[seed], capacity, 100);
            var everyShare = AllocationBound.SolveWithEveryShare(nodes, arrived);
            return new SeedBound(seed, arrived.Count, Math.Round(AllocationBound.Solve(nodes, arrived).Percent, 3),
                everyShare is null ? null : Math.Round(everyShare.Percent, 3));
        }).ToArray();
        return new ProtocolReport(podList, nodes.Count, capacity / 1000.0, seeds, summaries, bounds, Math.Round(bounds.Average(b => b.AllocationAt100), 3),
            bounds.All(b => b.EveryShareAt100 is not null) ? Math.Round(bounds.Average(b => b.EveryShareAt100!.Value), 3) : null);
    }

    private static double? Value(double v) => double.IsNaN(v) ? null : v;

    /// <summary>The mean of the values that are there, to 3 decimals; null if none is.</summary>
    private static double? Mean(IEnumerable<double> values) =>
        values.Where(v => !double.IsNaN(v)).ToArray() is { Length: > 0 } known ? Math.Round(known.Average(), 3) : null;

    /// <summary>The tasks that have arrived while the arrived GPU demand still rounds to at most
    /// <paramref name="percent"/>% of capacity: the last record of that percent's bin.</summary>
    public static IReadOnlyList<OpenbTask> Arrived(IReadOnlyList<OpenbTask> tasks, long capacityMilli, int percent)
    {
        var list = new List<OpenbTask>();
        long arrived = 0;
        foreach (var t in tasks)
        {
            if (100.0 * (arrived + t.Resources.TotalGpuMilli) / capacityMilli > percent + 0.5) break;
            arrived += t.Resources.TotalGpuMilli;
            list.Add(t);
        }
        return list;
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
