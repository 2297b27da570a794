using Meridian.Placement.Capacity;
using Meridian.Placement.Scoring;

namespace Meridian.Placement.Replay.Fgd;

// The baselines of the paper's simulator (pkg/simulator/plugin/*_score.go), with its integer scores, so ties fall
// where they fall there. Node CPU is what is left of the allocatable; task CPU is the scheduler's non-zero request.

/// <summary>Random: any node that fits, and (for a share) any GPU that fits.</summary>
public sealed class RandomPolicy(int seed) : ReplayPolicy
{
    private readonly Random _random = new(seed);

    public override string Name => "Random";

    /// <summary>A random score, so the best is a node chosen uniformly among those that fit (the simulator's RandomScore
    /// picks one of them before scoring and gives it the top score).</summary>
    public override double Score(int index, HostState host, OpenbTask task) => _random.NextDouble();

    public override int PickGpu(HostState host, OpenbTask task)
    {
        var milli = task.Resources.GpuMilli;
        if (milli >= 1000) return FirstFreeGpu(host);
        int chosen = -1, seen = 0;
        for (var i = 0; i < host.GpuFree.Length; i++)
        {
            if (host.GpuFree[i] >= milli && _random.Next(++seen) == 0) chosen = i;
        }
        return chosen;
    }
}

/// <summary>Dot product of the node's free CPU and GPU with the task's request, both scaled by the largest node
/// ("merge" GPU dimension, "max" normalisation); the smaller the product, the better.</summary>
public sealed class DotProductPolicy : ReplayPolicy
{
    public override string Name => "DotProd";

    public override double Score(int index, HostState host, OpenbTask task)
    {
        var r = task.Resources;
        var dot = host.VcpuFree / MaxSpecCpu * (TypicalPods.NonZeroCpu(r.VcpuMilli) / MaxSpecCpu) + host.GpuFreeMilli / MaxSpecGpu * (r.TotalGpuMilli / MaxSpecGpu);
        return (long)(MaxNodeScore * (1 - dot / 2));
    }
}

/// <summary>Best fit: the least CPU and GPU left after placing, half weight each.</summary>
public sealed class BestFitPolicy : ReplayPolicy
{
    public override string Name => "BestFit";

    public override double Score(int index, HostState host, OpenbTask task)
    {
        var r = task.Resources;
        var cpuLeft = host.VcpuFree - TypicalPods.NonZeroCpu(r.VcpuMilli);
        var gpuLeft = host.GpuFreeMilli - r.TotalGpuMilli;
        if (cpuLeft < 0 || gpuLeft < 0) return 0;
        var score = cpuLeft / MaxSpecCpu * 0.5 + gpuLeft / MaxSpecGpu * 0.5;
        return (long)((1 - score) * MaxNodeScore);
    }
}

/// <summary>GPU packing: prefer partly used GPUs (the fuller the better), then nodes with some GPUs in use, then idle
/// nodes; CPU-only tasks score 0 everywhere.</summary>
public sealed class GpuPackingPolicy : ReplayPolicy
{
    public override string Name => "GpuPacking";

    public override double Score(int index, HostState host, OpenbTask task)
    {
        var r = task.Resources;
        if (r.Gpus == 0) return 0;
        var full = 0;
        foreach (var g in host.GpuFree) if (g >= 1000) full++;
        if (full == host.GpuFree.Length) return Math.Max(MaxNodeScore / 3 - full, full);
        // The GPUs the task would use, least free first.
        Span<int> order = stackalloc int[host.GpuFree.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var free = host.GpuFree;
        order.Sort((a, b) => free[a] != free[b] ? free[a].CompareTo(free[b]) : a.CompareTo(b));
        int need = r.Gpus, fullUsed = 0;
        long ratioOnUsed = 0;
        foreach (var i in order)
        {
            if (need == 0) break;
            if (free[i] < r.GpuMilli) continue;
            need--;
            if (free[i] >= 1000) fullUsed++;
            ratioOnUsed += free[i] * 100 / 1000;
        }
        if (fullUsed > 0) return Math.Max(MaxNodeScore / 2 - fullUsed, MaxNodeScore / 3);
        return Math.Max(MaxNodeScore - ratioOnUsed / 10, MaxNodeScore / 2);
    }
}

/// <summary>GPU clustering: put a task with tasks of its own GPU kind (share, 1-GPU, 2-GPU, ...), then on idle nodes,
/// then with mixed kinds, each band filled by how much GPU the node already uses.</summary>
public sealed class GpuClusteringPolicy(int hosts) : ReplayPolicy
{
    private readonly Dictionary<string, int>?[] _kinds = new Dictionary<string, int>?[hosts];

    public override string Name => "GpuClustering";

    private static string? KindOf(OpenbTask task) =>
        task.Resources.Gpus == 0 ? null : task.Resources.IsGpuShare ? "share" : $"{task.Resources.Gpus}-gpu";

    public override double Score(int index, HostState host, OpenbTask task)
    {
        if (KindOf(task) is not { } kind) return 0;
        var used = (long)MaxNodeScore / 4 * ((long)MaxSpecGpu - host.GpuFreeMilli) / (long)MaxSpecGpu;
        var kinds = _kinds[index];
        if (kinds is not null && kinds.ContainsKey(kind)) return used + (kinds.Count == 1 ? MaxNodeScore * 3 / 4 : MaxNodeScore * 2 / 4);
        return kinds is null or { Count: 0 } ? used + MaxNodeScore / 4 : used;
    }

    public override void Placed(int index, OpenbTask task)
    {
        if (KindOf(task) is not { } kind) return;
        var kinds = _kinds[index] ??= new Dictionary<string, int>(StringComparer.Ordinal);
        kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
    }
}

/// <summary>Fragmentation gradient descent as the paper's simulator scores it (fgd_score.go): the node (and, for a
/// share, the GPU) whose fragmentation falls most, through sigmoid(Δ/1000) on kube-scheduler's 0-100 integer scale.</summary>
public sealed class FgdPolicy(TypicalPods typical) : ReplayPolicy
{
    private int _gpu = -1;

    public override string Name => "FGD";

    public override double Score(int index, HostState host, OpenbTask task)
    {
        var r = task.Resources;
        var cpu = host.VcpuFree - TypicalPods.NonZeroCpu(r.VcpuMilli);
        var before = typical.Fragmentation(host, host.VcpuFree, host.GpuFree);
        Span<int> free = stackalloc int[host.GpuFree.Length];
        host.GpuFree.CopyTo(free);
        if (r.IsGpuShare)
        {
            long best = 0;
            var gpu = -1;
            for (var i = 0; i < free.Length; i++)
            {
                if (free[i] < r.GpuMilli) continue;
                free[i] -= r.GpuMilli;
                var score = Scaled(before - typical.Fragmentation(host, cpu, free));
                free[i] += r.GpuMilli;
                if (gpu < 0 || score > best) (best, gpu) = (score, i);
            }
            _gpu = gpu;
            return best;
        }
        // Whole GPUs (or none): the node after the task, taking the least free GPUs that fit, as NodeResource.Sub does.
        for (var k = 0; k < r.Gpus; k++)
        {
            var tightest = -1;
            for (var i = 0; i < free.Length; i++)
            {
                if (free[i] >= r.GpuMilli && (tightest < 0 || free[i] < free[tightest])) tightest = i;
            }
            free[tightest] -= r.GpuMilli;
        }
        return Scaled(before - typical.Fragmentation(host, cpu, free));
    }

    /// <summary>Whole GPUs: the first free ones, as the simulator allocates them. A share: the GPU its score was made
    /// with; scoring left that of the last node scored, so the chosen node is scored again.</summary>
    public override int PickGpu(HostState host, OpenbTask task)
    {
        if (!task.Resources.IsGpuShare) return FirstFreeGpu(host);
        Score(-1, host, task);
        return _gpu;
    }

    private static long Scaled(double delta) => (long)(1 / (1 + Math.Exp(-delta / 1000)) * MaxNodeScore);
}

/// <summary>One of Meridian's own host scorers (lower is better there), replayed under the same protocol.</summary>
public sealed class ScorerPolicy(IHostScorer scorer, string? name = null, WholeGpuReserve? reserve = null) : ReplayPolicy
{
    public override string Name => name ?? $"Meridian ({scorer.Name})";

    public override WholeGpuReserve? Reserve => reserve;

    public override double Score(int index, HostState host, OpenbTask task) => -scorer.Score(host, task.Resources, task.GpuModels);

    public override int PickGpu(HostState host, OpenbTask task) =>
        task.Resources.IsGpuShare && scorer.PickGpu(host, task.Resources.GpuMilli) is var g and >= 0 ? g : BestFitGpu(host, task.Resources.GpuMilli);
}
