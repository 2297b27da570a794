using Meridian.Placement.Model;

namespace Meridian.Placement.Scoring;

/// <summary>The replicas placed now, by class (per-replica resources and allowed GPU models): the "recent mix" that
/// the fragmentation-aware policy expects more of, and that stranded GPUs are measured against. Not thread-safe; the
/// ledger uses it under its gate.</summary>
public sealed class WorkloadMix
{
    /// <summary>A smallest GPU task, measured against when no GPU workload is placed: 1 vCPU, 1 GiB and a tenth of a GPU.</summary>
    public static readonly Resources SmallestGpuTask = new(1000, 1024, 1, 100);

    private readonly Dictionary<(Resources Resources, string Models), int> _counts = new();
    private FragmentationScorer? _scorer;
    private WholeGpuReserve? _reserve;
    private HashSet<(Resources, string)> _builtKeys = [];
    private long _builtReplicas;

    public long Replicas { get; private set; }

    public void Add(in Resources r, IReadOnlyList<string> models, int replicas) => Change(r, models, replicas);

    public void Remove(in Resources r, IReadOnlyList<string> models, int replicas) => Change(r, models, -replicas);

    private void Change(in Resources r, IReadOnlyList<string> models, int replicas)
    {
        var key = (r, HostStateKeys.Models(models));
        var count = _counts.GetValueOrDefault(key) + replicas;
        if (count > 0) _counts[key] = count;
        else _counts.Remove(key);
        Replicas += replicas;
    }

    /// <summary>A scorer for the mix with this request in it (<see cref="Rules"/>).</summary>
    public FragmentationScorer Scorer(in Resources r, IReadOnlyList<string> models, int replicas, Func<IReadOnlyDictionary<string, double>>? gpusByModel = null) =>
        Rules(r, models, replicas, gpusByModel).Scorer;

    /// <summary>The scorer and the whole-GPU reserve (null when the mix asks for no GPU) for the mix with this request in
    /// it. They are rebuilt only when a class comes or goes or the number of replicas has moved by more than 5% since
    /// they were built, so the scorer's memo of host states stays warm.</summary>
    /// <param name="gpusByModel">The fleet's GPUs by model, read when the scorer is rebuilt.</param>
    public (FragmentationScorer Scorer, WholeGpuReserve? Reserve) Rules(in Resources r, IReadOnlyList<string> models, int replicas,
        Func<IReadOnlyDictionary<string, double>>? gpusByModel = null)
    {
        var key = (r, HostStateKeys.Models(models));
        var stale = _scorer is null || !_builtKeys.Contains(key) || _builtKeys.Count != _counts.Count + (_counts.ContainsKey(key) ? 0 : 1)
                    || Math.Abs(Replicas - _builtReplicas) > 0.05 * Math.Max(1, _builtReplicas);
        if (!stale) return (_scorer!, _reserve);
        var classes = _counts.ToDictionary(c => c.Key, c => (double)c.Value);
        classes[key] = classes.GetValueOrDefault(key) + replicas;
        _scorer = new FragmentationScorer(classes.Select(c => (c.Key.Resources, HostStateKeys.SplitModels(c.Key.Models), c.Value)), gpusByModel?.Invoke());
        _reserve = WholeGpuReserve.For(classes.Select(c => (c.Key.Resources, c.Value)), _scorer);
        _builtKeys = [.. classes.Keys];
        _builtReplicas = Replicas;
        return (_scorer, _reserve);
    }

    /// <summary>The GPU classes placed now (per-replica resources and allowed models); the smallest GPU task when none is.</summary>
    public IReadOnlyList<(Resources Resources, IReadOnlyList<string> GpuModels)> GpuClasses()
    {
        var list = _counts.Keys.Where(k => k.Resources.Gpus > 0).Select(k => (k.Resources, HostStateKeys.SplitModels(k.Models))).ToList();
        if (list.Count == 0) list.Add((SmallestGpuTask, []));
        return list;
    }
}
