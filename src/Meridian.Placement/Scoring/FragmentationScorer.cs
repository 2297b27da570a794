using Meridian.Placement.Capacity;
using Meridian.Placement.Model;

namespace Meridian.Placement.Scoring;

/// <summary>Fragmentation gradient descent (Weng et al., "Beware of Fragmentation", USENIX ATC 2023): put each task
/// where it increases the host's expected GPU fragmentation the least. A host's fragmentation for a task class is the
/// free GPU share that class cannot use there (all of it when the class does not fit at all, else the GPUs with too
/// little free); weighted by how common each class is in the expected workload.</summary>
public sealed class FragmentationScorer : IHostScorer
{
    private readonly WorkloadClass[] _classes;
    private int[] _scratch = new int[16];

    /// <param name="workload">The expected workload, such as the pod list being replayed; CPU-only tasks count as
    /// classes too, since they take CPU that GPU tasks would need.</param>
    /// <param name="maxClasses">Only the most common classes are weighed, for speed; they are renormalised.</param>
    public FragmentationScorer(IEnumerable<(Resources Resources, IReadOnlyList<string> GpuModels)> workload, int maxClasses = 256)
    {
        var groups = workload
            .GroupBy(t => (t.Resources, Models: string.Join('|', t.GpuModels.Order(StringComparer.OrdinalIgnoreCase))))
            .Select(g => (g.Key, Count: g.Count()))
            .OrderByDescending(g => g.Count).Take(maxClasses).ToArray();
        double total = groups.Sum(g => g.Count);
        _classes = groups.Where(g => g.Key.Resources.Gpus > 0).Select(g => new WorkloadClass(
            g.Key.Resources, g.Key.Models.Length == 0 ? null : g.Key.Models.Split('|').ToHashSet(StringComparer.OrdinalIgnoreCase), g.Count / total)).ToArray();
    }

    public string Name => "fragmentation";

    /// <summary>Weight of the best-fit leftover that breaks ties between equally fragmenting hosts.</summary>
    public double TieBreak { get; init; } = 1e-3;

    public double Score(HostState host, in Resources r) => BestMove(host, r).Delta + TieBreak * BestFitScorer.Leftover(host, r);

    public int PickGpu(HostState host, int milli) => BestMove(host, new Resources(0, 0, 1, milli)).Gpu;

    /// <summary>The smallest increase of fragmentation a replica can cause on this host, and (for a share of one GPU)
    /// which GPU achieves it. Placing on an empty GPU that a whole-GPU class wanted costs; filling a nearly used one saves.</summary>
    private (double Delta, int Gpu) BestMove(HostState host, in Resources r)
    {
        if (_scratch.Length < host.GpuFree.Length) _scratch = new int[host.GpuFree.Length];
        var free = _scratch.AsSpan(0, host.GpuFree.Length);
        host.GpuFree.CopyTo(free);
        var before = Fragmentation(host, host.VcpuFree, host.MemoryFree, free);
        var cpu = host.VcpuFree - r.VcpuMilli;
        var mem = host.MemoryFree - r.MemoryMiB;
        if (r.Gpus == 0) return (Fragmentation(host, cpu, mem, free) - before, -1);
        if (r.GpuMilli >= 1000 || r.Gpus > 1)
        {
            // Whole GPUs: take the fullest devices that fit, as the host will.
            for (var k = 0; k < r.Gpus; k++) free[TightestOf(free, r.GpuMilli)] -= r.GpuMilli;
            return (Fragmentation(host, cpu, mem, free) - before, -1);
        }
        var best = (Delta: double.MaxValue, Gpu: -1);
        for (var g = 0; g < free.Length; g++)
        {
            if (free[g] < r.GpuMilli) continue;
            // Devices with the same free share give the same result; try each level once.
            var seen = false;
            for (var e = 0; e < g && !seen; e++) seen = free[e] == free[g];
            if (seen) continue;
            free[g] -= r.GpuMilli;
            var delta = Fragmentation(host, cpu, mem, free) - before;
            free[g] += r.GpuMilli;
            if (delta < best.Delta) best = (delta, g);
        }
        return best;
    }

    private double Fragmentation(HostState host, long cpuFree, long memFree, ReadOnlySpan<int> free)
    {
        long totalFree = 0, wholeFree = 0;
        var full = host.GpuCapacityMilli;
        foreach (var g in free)
        {
            totalFree += g;
            if (g == full) wholeFree++;
        }
        if (totalFree == 0) return 0;
        double sum = 0;
        foreach (var m in _classes)
        {
            var r = m.Resources;
            if (r.VcpuMilli > cpuFree || r.MemoryMiB > memFree || (m.Models is not null && (host.Spec.GpuModel is null || !m.Models.Contains(host.Spec.GpuModel))))
            {
                sum += m.Weight * totalFree;
                continue;
            }
            long unusable = 0;
            if (r.GpuMilli >= full)
            {
                if (wholeFree < r.Gpus) unusable = totalFree;
                else foreach (var g in free) if (g < full) unusable += g;
            }
            else
            {
                foreach (var g in free) if (g < r.GpuMilli) unusable += g;
            }
            sum += m.Weight * unusable;
        }
        return sum;
    }

    private static int TightestOf(Span<int> free, int milli)
    {
        var best = -1;
        for (var i = 0; i < free.Length; i++)
        {
            if (free[i] >= milli && (best < 0 || free[i] < free[best])) best = i;
        }
        return best;
    }

    private sealed record WorkloadClass(Resources Resources, HashSet<string>? Models, double Weight);
}
