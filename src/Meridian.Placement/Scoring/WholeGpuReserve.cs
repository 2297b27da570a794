using Meridian.Placement.Capacity;
using Meridian.Placement.Model;

namespace Meridian.Placement.Scoring;

/// <summary>Admission for a fleet that is expected to fill with the mix: keep whole GPUs, and whole 8-GPU hosts, for
/// the whole-GPU work still to come. A GPU share of a size that takes a GPU of its own in the mix's best packing
/// (<see cref="SharePatterns.MarginalGpus"/> of 1, such as 0.81 when few shares fit beside it) strands the rest of
/// that GPU; once the whole GPUs left are no more than the whole-GPU demand still expected, such a share is refused
/// rather than opening a whole GPU, and a task of under 8 GPUs does not break one of the whole 8-GPU hosts that the
/// 8-GPU demand still expected needs. "Still expected" is the mix's share of the GPU milli that demand is expected to
/// fill still: the free GPU milli less the demand that found no room (<see cref="UnmetGpuDemand"/>), which in the
/// paper's protocol is exactly the capacity less the demand arrived. It refuses work that fits; the server's
/// fragmentation-aware strategy uses it unless Placement:KeepWholeGpus is false.</summary>
public sealed class WholeGpuReserve
{
    /// <summary>GPUs of the tasks, and of the hosts, that the reserve keeps whole hosts for.</summary>
    public const int LargeGpus = 8;

    private readonly SharePatterns? _patterns;
    private readonly double _wholeNeed, _largeNeed, _wholeTaskCpu;

    private WholeGpuReserve(SharePatterns? patterns, double wholeNeed, double largeNeed, double wholeTaskCpu) =>
        (_patterns, _wholeNeed, _largeNeed, _wholeTaskCpu) = (patterns, wholeNeed, largeNeed, wholeTaskCpu);

    /// <summary>The reserve for a mix (task classes and how many of each); null when the mix asks for no GPU. Shares
    /// are refused only when the mix has one-GPU tasks to keep GPUs for and its shares can be planned.</summary>
    /// <param name="scorer">The fragmentation scorer of the same mix, whose share patterns are taken rather than
    /// planned again (the same linear program).</param>
    public static WholeGpuReserve? For(IEnumerable<(Resources Resources, double Count)> mix, FragmentationScorer? scorer = null)
    {
        var gpuTasks = mix.Where(c => c.Count > 0 && c.Resources.Gpus > 0).ToArray();
        var demand = gpuTasks.Sum(c => c.Count * c.Resources.TotalGpuMilli);
        var shares = gpuTasks.Where(c => c.Resources.IsGpuShare).GroupBy(c => c.Resources.GpuMilli).ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
        var oneGpu = gpuTasks.Where(c => c.Resources.Gpus == 1 && !c.Resources.IsGpuShare).ToArray();
        if (demand <= 0) return null;
        var patterns = oneGpu.Length == 0 ? null : scorer is not null ? scorer.Patterns : SharePatterns.Plan(shares);
        // Whole GPUs the mix opens: its whole-GPU tasks under 8 GPUs, and its shares that are not refused, by their price.
        var whole = gpuTasks.Where(c => !c.Resources.IsGpuShare && c.Resources.Gpus < LargeGpus).Sum(c => c.Count * c.Resources.TotalGpuMilli)
            + (patterns is null ? 0 : shares.Where(s => !Refusable(patterns, s.Key)).Sum(s => s.Value * 1000 * patterns.MarginalGpus(s.Key)));
        var large = gpuTasks.Where(c => c.Resources.Gpus >= LargeGpus).Sum(c => c.Count * c.Resources.TotalGpuMilli);
        var cpu = oneGpu.Length == 0 ? 1 : oneGpu.Sum(c => c.Count * c.Resources.VcpuMilli) / oneGpu.Sum(c => c.Count);
        return new WholeGpuReserve(patterns, whole / demand, large / demand, Math.Max(1, cpu));
    }

    private static bool Refusable(SharePatterns? patterns, int share) => patterns is not null && patterns.MarginalGpus(share) >= 0.999;

    /// <summary>Whether a share that would open a whole free GPU is refused, with <paramref name="stillToFillMilli"/> GPU
    /// milli that demand is expected to fill still on <paramref name="hosts"/>: its size takes a GPU of its own, and the whole
    /// GPUs free (as many on a host as its CPU holds one-GPU tasks) are no more than the whole-GPU demand expected.</summary>
    public bool Refuses(ReadOnlySpan<HostState> hosts, in Resources r, bool opensWholeGpu, long stillToFillMilli)
    {
        if (!opensWholeGpu || !r.IsGpuShare || !Refusable(_patterns, r.GpuMilli)) return false;
        // Counted only until they exceed the need: early on the first hosts do.
        var need = _wholeNeed * stillToFillMilli / 1000.0;
        double wholeFree = 0;
        foreach (var h in hosts)
        {
            if (!h.Spec.Schedulable) continue;
            var free = 0;
            foreach (var g in h.GpuFree) if (g >= h.GpuCapacityMilli) free++;
            wholeFree += Math.Min(free, Math.Floor(h.VcpuFree / _wholeTaskCpu));
            if (wholeFree > need) return false;
        }
        return true;
    }

    /// <summary>Whether a task must keep off whole 8-GPU hosts (<see cref="IsWholeLargeHost"/>): it asks for fewer than
    /// 8 GPUs, and the whole such hosts left are no more than the 8-GPU demand expected needs.</summary>
    public bool KeepsWholeHosts(ReadOnlySpan<HostState> hosts, in Resources r, long stillToFillMilli)
    {
        if (r.Gpus >= LargeGpus || _largeNeed <= 0) return false;
        var need = Math.Max(0, _largeNeed * stillToFillMilli / 1000.0) / LargeGpus;
        var whole = 0;
        foreach (var h in hosts) if (h.Spec.Schedulable && IsWholeLargeHost(h) && ++whole > need) return false;
        return true;
    }

    /// <summary>A host with at least 8 GPUs, all of them free.</summary>
    public static bool IsWholeLargeHost(HostState h) => h.GpuFree.Length >= LargeGpus && h.GpuFreeMilli == (long)h.GpuFree.Length * h.GpuCapacityMilli;
}
