using Meridian.Placement.Capacity;
using Meridian.Placement.Model;

namespace Meridian.Placement.Scoring;

/// <summary>Meridian's fragmentation-aware policy: put each replica where the GPU capacity that the expected workload
/// cannot use grows the least. It starts from fragmentation gradient descent (Weng et al., "Beware of Fragmentation",
/// USENIX ATC 2023) and counts CPU and memory as well as GPU: a class of GPU-sharing tasks can use a host's free GPU
/// shares only as far as the host's free CPU and memory can hold more of it, so a task that eats the CPU those
/// shares would need strands them, and the score says so before they are lost, not after (a whole-GPU class counts
/// the host's whole free GPUs while one more of it fits at all, as FGD does: capping those too measured worse). The
/// expected workload is a mix of task classes with weights (the most common classes, together 95% of the tasks, as
/// FGD's "typical pods"). GPU shares follow the patterns of the mix's best packing (<see cref="SharePatterns"/>), and
/// a GPU waiting for the share that completes its pattern keeps the CPU that share will need: a task that takes it
/// counts the GPU's free part as lost.
/// Scores are in steps of a tenth of a GPU; hosts within a step are taken in their order (first fit), which packs
/// the fleet from one end and keeps whole hosts free for large tasks. A CPU-only task goes, among equals, where CPU
/// is most in excess of what the host's free GPUs will need.</summary>
public sealed class FragmentationScorer : IHostScorer
{
    /// <summary>The classes FGD calls typical: the most common ones that together make up this share of the tasks.</summary>
    public const double TypicalShare = 0.95;

    /// <summary>Score resolution in GPU milli: smaller differences are ties.</summary>
    public const double Step = 100;

    private readonly WorkloadClass[] _classes;
    private readonly double _cpuPerGpu;
    private readonly Dictionary<string, double> _modelDemand;
    private readonly Dictionary<(int Model, int Cpu, long MemoryGiB, long Low, long High), double> _memo = new();
    private readonly Dictionary<string, int> _models = new(StringComparer.Ordinal);
    private readonly Lock _memoLock = new();
    private readonly SharePatterns? _patterns;

    /// <summary>The mix's share patterns (null when it has no shares or they could not be planned), for the
    /// whole-GPU reserve of the same mix.</summary>
    internal SharePatterns? Patterns => _patterns;
    private readonly double _shareCpu;

    /// <param name="workload">The expected workload, one entry per task (such as the pod list being replayed, or the
    /// replicas placed now).</param>
    /// <param name="gpusByModel">GPUs of each model in the fleet, to see which models the tasks that ask for one will
    /// need most; without it, tasks that name no model are not steered off any.</param>
    public FragmentationScorer(IEnumerable<(Resources Resources, IReadOnlyList<string> GpuModels)> workload, IReadOnlyDictionary<string, double>? gpusByModel = null)
        : this(workload.GroupBy(t => (t.Resources, Models: HostStateKeys.Models(t.GpuModels))).Select(g => (g.Key.Resources, HostStateKeys.SplitModels(g.Key.Models), (double)g.Count())), gpusByModel)
    {
    }

    /// <param name="mix">Task classes and how many tasks (or replicas) of each.</param>
    /// <param name="gpusByModel">As for the other constructor.</param>
    public FragmentationScorer(IEnumerable<(Resources Resources, IReadOnlyList<string> GpuModels, double Count)> mix, IReadOnlyDictionary<string, double>? gpusByModel = null)
    {
        var sorted = mix.Where(c => c.Count > 0).OrderByDescending(c => c.Count).ThenBy(c => c.Resources.Gpus).ThenBy(c => c.Resources.GpuMilli)
            .ThenBy(c => c.Resources.VcpuMilli).ThenBy(c => c.Resources.MemoryMiB).ToArray();
        var total = sorted.Sum(c => c.Count);
        var kept = new List<(Resources Resources, IReadOnlyList<string> GpuModels, double Count)>();
        double cumulative = 0;
        foreach (var c in sorted)
        {
            if (cumulative >= TypicalShare * total) break;
            kept.Add(c);
            cumulative += c.Count;
        }
        _classes = kept.Where(c => c.Resources.Gpus > 0).Select(c => new WorkloadClass(
            Math.Max(1, c.Resources.VcpuMilli), c.Resources.MemoryMiB, c.Resources.Gpus, c.Resources.GpuMilli,
            c.GpuModels.Count == 0 ? null : c.GpuModels.ToHashSet(StringComparer.Ordinal), c.Count / cumulative)).ToArray();
        var gpuTasks = sorted.Where(c => c.Resources.Gpus > 0).ToArray();
        var gpuMilli = gpuTasks.Sum(c => c.Count * c.Resources.TotalGpuMilli);
        _cpuPerGpu = gpuMilli == 0 ? 0 : gpuTasks.Sum(c => c.Count * c.Resources.VcpuMilli) / (gpuMilli / 1000.0);
        _modelDemand = ModelDemand(gpuTasks, gpuMilli, gpusByModel);
        var shares = gpuTasks.Where(c => c.Resources.IsGpuShare).ToArray();
        _shareCpu = shares.Length == 0 ? 0 : shares.Sum(c => c.Count * c.Resources.VcpuMilli) / shares.Sum(c => c.Count);
        _patterns = SharePatterns.Plan(shares.GroupBy(c => c.Resources.GpuMilli).ToDictionary(g => g.Key, g => g.Sum(c => c.Count)));
    }

    /// <summary>For each GPU model, the share of its GPUs that the tasks asking for a model would take if the whole fleet
    /// were busy with the mix (each task's GPUs spread over the models it accepts): how scarce the model is for them.</summary>
    private static Dictionary<string, double> ModelDemand((Resources Resources, IReadOnlyList<string> GpuModels, double Count)[] gpuTasks, double gpuMilli,
        IReadOnlyDictionary<string, double>? gpusByModel)
    {
        var demand = new Dictionary<string, double>(StringComparer.Ordinal);
        if (gpusByModel is null || gpuMilli <= 0) return demand;
        var fleet = gpusByModel.Values.Sum();
        foreach (var (r, models, count) in gpuTasks)
        {
            foreach (var m in models.Where(gpusByModel.ContainsKey)) demand[m] = demand.GetValueOrDefault(m) + count * r.TotalGpuMilli / models.Count;
        }
        foreach (var m in demand.Keys.ToArray()) demand[m] = gpusByModel[m] > 0 ? demand[m] / gpuMilli * fleet / gpusByModel[m] : 0;
        return demand;
    }

    /// <summary>Tasks that accept any GPU model give a model's GPUs up to the tasks that need it: each GPU milli such a
    /// task takes of a model counts as this share of a milli of fragmentation per unit of the model's scarcity.</summary>
    public const double ModelScarcityWeight = 1;

    public string Name => "fragmentation";

    public double Score(HostState host, in Resources r) => Score(host, r, []);

    public double Score(HostState host, in Resources r, IReadOnlyList<string> gpuModels)
    {
        // A share goes where the share patterns say (PatternGpu), among equals where it fragments least.
        var (gpu, tier) = r.IsGpuShare && Planned(host) ? PatternGpu(host, r.GpuMilli) : (-1, 0);
        var delta = BestMove(host, r, gpu).Delta;
        // Before all that, a task that takes any model keeps off the models that tasks asking for one will need.
        double scarcityPenalty = 0;
        if (r.Gpus > 0 && gpuModels.Count == 0 && host.Spec.GpuModel is { } model && _modelDemand.TryGetValue(model, out var scarcity))
            scarcityPenalty = ModelScarcityWeight * scarcity * r.TotalGpuMilli;
        if (Planned(host)) delta += Waiting(host, r, gpu);
        var score = Math.Round(scarcityPenalty / Step) * ScarcityRank + tier * PatternRank + Math.Round(delta / Step);
        if (r.Gpus == 0)
        {
            // Among equals, the host whose CPU is most in excess of what its free GPUs will need.
            var excess = host.VcpuFree - r.VcpuMilli - _cpuPerGpu * host.GpuFreeMilli / 1000.0;
            score -= 1e-9 * excess;
        }
        return score;
    }

    public int PickGpu(HostState host, int milli)
    {
        if (milli >= 1000) return -1;
        if (Planned(host) && PatternGpu(host, milli) is { Gpu: >= 0 } planned) return planned.Gpu;
        return BestMove(host, new Resources(0, 0, 1, milli)).Gpu;
    }

    /// <summary>Ranks of the score: model scarcity outweighs the pattern tier, which outweighs fragmentation (a few
    /// hundred steps at most).</summary>
    private const double PatternRank = 1e6, ScarcityRank = 1e7;

    /// <summary>Whether shares on this host follow the patterns: the mix has them, and the host's GPUs are whole (not
    /// over-committed: the patterns are sets of shares of one GPU).</summary>
    private bool Planned(HostState host) => _patterns is not null && host.GpuCapacityMilli == 1000;

    /// <summary>The GPU milli waiting for a share to complete its pattern that the task leaves without the CPU for one (a
    /// mean share's CPU each), less what was without it before.</summary>
    private double Waiting(HostState host, in Resources r, int shareGpu)
    {
        if (_shareCpu <= 0) return 0;
        Span<int> before = stackalloc int[host.GpuFree.Length];
        Span<int> after = stackalloc int[host.GpuFree.Length];
        int nb = 0, na = 0;
        for (var g = 0; g < host.GpuFree.Length; g++)
        {
            var f0 = host.GpuFree[g];
            if (f0 > 0 && f0 < 1000 && _patterns!.OnPlan(1000 - f0)) before[nb++] = f0;
            var f1 = f0 - (g == shareGpu ? r.GpuMilli : 0);
            if (f1 > 0 && f1 < 1000 && _patterns!.OnPlan(1000 - f1)) after[na++] = f1;
        }
        return Unserved(after[..na], host.VcpuFree - r.VcpuMilli) - Unserved(before[..nb], host.VcpuFree);
    }

    /// <summary>The waiting GPU milli beyond what the CPU can serve, one share's CPU per GPU, largest gaps served first.</summary>
    private double Unserved(Span<int> waiting, int cpu)
    {
        waiting.Sort();
        var served = (int)Math.Max(0, cpu / _shareCpu);
        double lost = 0;
        for (var i = 0; i < waiting.Length - served; i++) lost += waiting[i];
        return lost;
    }

    /// <summary>Where a share goes on a host, best first: the fullest GPU on which it continues a pattern (tier 0), the
    /// fullest GPU that is off the plan already (1), a whole free GPU (2); -1 and tier 3 if none, and then it goes
    /// where it fragments least (onto a GPU waiting for another size).</summary>
    private (int Gpu, int Tier) PatternGpu(HostState host, int milli)
    {
        int continuing = -1, offPlan = -1, fresh = -1;
        for (var g = 0; g < host.GpuFree.Length; g++)
        {
            var free = host.GpuFree[g];
            if (free < milli) continue;
            if (free >= 1000) { if (fresh < 0) fresh = g; continue; }
            if (_patterns!.Continues(1000 - free, milli)) { if (continuing < 0 || free < host.GpuFree[continuing]) continuing = g; }
            else if (!_patterns.OnPlan(1000 - free) && (offPlan < 0 || free < host.GpuFree[offPlan])) offPlan = g;
        }
        return continuing >= 0 ? (continuing, 0) : offPlan >= 0 ? (offPlan, 1) : fresh >= 0 ? (fresh, 2) : (-1, 3);
    }

    /// <summary>How much the host's fragmentation grows with one more replica (less is better) and, for a share of
    /// one GPU, on which GPU (<paramref name="shareGpu"/> if given, else the one where it grows least). Whole GPUs are
    /// taken from the fullest devices that fit, as the host takes them.</summary>
    private (double Delta, int Gpu) BestMove(HostState host, in Resources r, int shareGpu = -1)
    {
        var cpu = host.VcpuFree - r.VcpuMilli;
        var memory = host.MemoryFree - r.MemoryMiB;
        if (host.GpuFree.Length == 0) return (0, -1);
        var before = Fragmentation(host, host.VcpuFree, host.MemoryFree, host.GpuFree);
        Span<int> free = stackalloc int[host.GpuFree.Length];
        host.GpuFree.CopyTo(free);
        if (r.IsGpuShare)
        {
            var best = (Delta: double.MaxValue, Gpu: -1);
            for (var g = 0; g < free.Length; g++)
            {
                if (free[g] < r.GpuMilli || (shareGpu >= 0 && g != shareGpu)) continue;
                free[g] -= r.GpuMilli;
                var delta = Fragmentation(host, cpu, memory, free) - before;
                free[g] += r.GpuMilli;
                if (delta < best.Delta) best = (delta, g);
            }
            return best;
        }
        for (var k = 0; k < r.Gpus; k++)
        {
            var tightest = -1;
            for (var i = 0; i < free.Length; i++)
            {
                if (free[i] >= r.GpuMilli && (tightest < 0 || free[i] < free[tightest])) tightest = i;
            }
            if (tightest < 0) return (double.MaxValue, -1);
            free[tightest] -= r.GpuMilli;
        }
        return (Fragmentation(host, cpu, memory, free) - before, -1);
    }

    /// <summary>The free GPU milli of a host that the mix cannot use, weighted by class: all of it for a class the
    /// GPU model does not serve; else what is left after as many tasks of the class as the GPUs, CPU and memory hold.
    /// Memoised by host state (model, free CPU, free memory, free GPUs): many hosts share a few states.</summary>
    public double Fragmentation(HostState host, int cpuFree, long memoryFree, ReadOnlySpan<int> gpuFree)
    {
        if (gpuFree.Length == 0 || _classes.Length == 0) return 0;
        if (gpuFree.Length > 12) return Compute(host.Spec.GpuModel, cpuFree, memoryFree, gpuFree);
        Span<int> sorted = stackalloc int[gpuFree.Length];
        gpuFree.CopyTo(sorted);
        sorted.Sort();
        var (low, high) = HostStateKeys.GpuFree(sorted);
        lock (_memoLock)
        {
            var model = host.Spec.GpuModel is null ? -1 : _models.TryGetValue(host.Spec.GpuModel, out var m) ? m : _models[host.Spec.GpuModel] = _models.Count;
            var key = (model, cpuFree, memoryFree / 1024, low, high);
            if (_memo.TryGetValue(key, out var known)) return known;
            var value = Compute(host.Spec.GpuModel, cpuFree, memoryFree, sorted);
            if (_memo.Count >= 1_000_000) _memo.Clear();
            _memo[key] = value;
            return value;
        }
    }

    private double Compute(string? model, int cpuFree, long memoryFree, ReadOnlySpan<int> free)
    {
        long total = 0;
        var whole = 0;
        foreach (var g in free)
        {
            total += g;
            if (g >= 1000) whole++;
        }
        if (total <= 0) return 0;
        double sum = 0;
        foreach (var c in _classes)
        {
            if (c.Models is not null && (model is null || !c.Models.Contains(model)))
            {
                sum += c.Weight * total;
                continue;
            }
            // How many more tasks of the class the host's CPU and memory hold.
            var held = Math.Min(Math.Max(0, cpuFree) / c.Cpu, c.Memory > 0 ? Math.Max(0, memoryFree) / c.Memory : long.MaxValue);
            double usable;
            if (c.Milli >= 1000)
            {
                // Whole GPUs: all the free whole GPUs are usable while one more task fits at all.
                usable = whole >= c.Gpus && held > 0 ? whole * 1000.0 : 0;
            }
            else
            {
                long fitting = 0;
                foreach (var g in free) if (g >= c.Milli) fitting += g;
                usable = Math.Min(fitting, held * (double)c.Milli);
            }
            sum += c.Weight * (total - usable);
        }
        return sum;
    }

    private sealed record WorkloadClass(int Cpu, long Memory, int Gpus, int Milli, HashSet<string>? Models, double Weight);
}
