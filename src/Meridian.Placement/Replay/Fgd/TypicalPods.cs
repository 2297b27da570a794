using Meridian.Placement.Capacity;

namespace Meridian.Placement.Replay.Fgd;

/// <summary>FGD's "typical pods" and its node fragmentation measure, as the paper's simulator computes them
/// (pkg/utils/frag.go): task classes by CPU, GPU share, GPU count and allowed GPU types, the most common ones that
/// together make up <see cref="PopularityThreshold"/>% of the pod list (CPU-only tasks included), with their shares.
/// A node's fragmentation is, over the classes, share × the free GPU milli that class cannot use there: all of it when
/// the class does not fit at all (or is CPU-only), else the GPUs with less free than it asks for. Memory is not part
/// of it. Results are memoised by node state: thousands of nodes share a few states.</summary>
public sealed class TypicalPods
{
    public const int PopularityThreshold = 95;

    private readonly Class[] _classes;
    private readonly Dictionary<(int Model, int Cpu, long Low, long High), double> _memo = new();

    public TypicalPods(IEnumerable<OpenbTask> pods)
    {
        var counts = new Dictionary<(int Cpu, int Milli, int Gpus, string Types), int>();
        var total = 0;
        foreach (var p in pods)
        {
            var key = (NonZeroCpu(p.Resources.VcpuMilli), p.Resources.Gpus == 0 ? 0 : p.Resources.GpuMilli, p.Resources.Gpus, string.Join('|', p.GpuModels));
            counts[key] = counts.GetValueOrDefault(key) + 1;
            total++;
        }
        // Most common first (ties in a fixed order, where the simulator's map order is arbitrary); keep classes until
        // they cover the threshold, then renormalise their shares to 1.
        var sorted = counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key.Cpu).ThenBy(c => c.Key.Milli).ThenBy(c => c.Key.Gpus)
            .ThenBy(c => c.Key.Types, StringComparer.Ordinal).ToArray();
        var expected = PopularityThreshold * total / 100.0;
        var kept = new List<KeyValuePair<(int Cpu, int Milli, int Gpus, string Types), int>>();
        double cumulative = 0;
        foreach (var c in sorted)
        {
            if (cumulative >= expected) break;
            kept.Add(c);
            cumulative += c.Value;
        }
        _classes = kept.Select(c => new Class(c.Key.Cpu, c.Key.Milli, c.Key.Gpus,
            c.Key.Types.Length == 0 ? null : c.Key.Types.Split('|').ToHashSet(StringComparer.Ordinal), c.Value / cumulative)).ToArray();
    }

    public int Count => _classes.Length;

    /// <summary>The simulator takes a request of 0 CPU as 100 milli-CPU (the scheduler's non-zero default).</summary>
    internal static int NonZeroCpu(int milli) => milli == 0 ? 100 : milli;

    /// <summary>Fragmentation (in GPU milli) of a node of <paramref name="host"/>'s GPU model with this CPU and these GPUs free.</summary>
    public double Fragmentation(HostState host, int cpuFree, ReadOnlySpan<int> gpuFree)
    {
        if (gpuFree.Length == 0) return 0;
        if (gpuFree.Length > 12) return Compute(host.Spec.GpuModel, cpuFree, gpuFree);
        Span<int> sorted = stackalloc int[gpuFree.Length];
        gpuFree.CopyTo(sorted);
        sorted.Sort();
        var (low, high) = Scoring.HostStateKeys.GpuFree(sorted);
        var key = (ModelIndex(host.Spec.GpuModel), cpuFree, low, high);
        if (_memo.TryGetValue(key, out var known)) return known;
        var value = Compute(host.Spec.GpuModel, cpuFree, sorted);
        if (_memo.Count < 4_000_000) _memo[key] = value;
        return value;
    }

    private double Compute(string? model, int cpuFree, ReadOnlySpan<int> free)
    {
        long total = 0;
        foreach (var g in free) total += g;
        if (total == 0) return 0;
        double sum = 0;
        foreach (var c in _classes)
        {
            // CPU-only classes, classes the node's GPU model does not serve, and classes it cannot hold: all free GPU is fragment.
            if (c.Gpus == 0 || (c.Models is not null && (model is null || !c.Models.Contains(model))) || cpuFree < c.Cpu)
            {
                sum += c.Share * total;
                continue;
            }
            var fitting = 0;
            long unusable = 0;
            foreach (var g in free)
            {
                if (g >= c.Milli) fitting++;
                else unusable += g;
            }
            sum += c.Share * (fitting >= c.Gpus ? unusable : total);
        }
        return sum;
    }

    private readonly Dictionary<string, int> _models = new(StringComparer.Ordinal);

    private int ModelIndex(string? model)
    {
        if (model is null) return -1;
        if (!_models.TryGetValue(model, out var i)) _models[model] = i = _models.Count;
        return i;
    }

    private sealed record Class(int Cpu, int Milli, int Gpus, HashSet<string>? Models, double Share);
}
