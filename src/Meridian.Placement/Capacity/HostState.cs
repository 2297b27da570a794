using Meridian.Placement.Model;

namespace Meridian.Placement.Capacity;

/// <summary>A host's allocatable capacity and what is used of it. GPUs are tracked one by one in thousandths,
/// so GPU-sharing tasks can take part of one device.</summary>
public sealed class HostState
{
    private readonly ZoneInfo _zone;

    internal HostState(HostSpec spec, ZoneInfo zone, PlacementOptions options)
    {
        Spec = spec;
        Zone = zone.Index;
        _zone = zone;
        VcpuCapacity = (int)Math.Floor(Math.Max(0, spec.VcpuMilli - options.ReservedVcpuMilli) * options.VcpuRatio);
        MemoryCapacity = (long)Math.Floor(Math.Max(0, spec.MemoryMiB - options.ReservedMemoryMiB) * options.MemoryRatio);
        GpuCapacityMilli = (int)Math.Floor(1000 * options.GpuRatio);
        GpuFree = Enumerable.Repeat(GpuCapacityMilli, spec.Gpus).ToArray();
        GpuFreeMilli = (long)GpuCapacityMilli * spec.Gpus;
        VcpuInverse = VcpuCapacity == 0 ? 0 : 1.0 / VcpuCapacity;
        MemoryInverse = MemoryCapacity == 0 ? 0 : 1.0 / MemoryCapacity;
        GpuInverse = GpuFreeMilli == 0 ? 0 : 1.0 / GpuFreeMilli;
        if (spec.Schedulable) Count(VcpuCapacity, MemoryCapacity, GpuFreeMilli);
    }

    // Reciprocals of the capacities, so scoring multiplies instead of divides.
    internal double VcpuInverse { get; }
    internal double MemoryInverse { get; }
    internal double GpuInverse { get; }

    public HostSpec Spec { get; }
    public int Zone { get; }
    public int VcpuCapacity { get; }
    public long MemoryCapacity { get; }
    public int GpuCapacityMilli { get; }
    public int VcpuUsed { get; private set; }
    public long MemoryUsed { get; private set; }
    /// <summary>Free thousandths of each GPU.</summary>
    public int[] GpuFree { get; }

    public int VcpuFree => VcpuCapacity - VcpuUsed;
    public long MemoryFree => MemoryCapacity - MemoryUsed;
    public long GpuFreeMilli { get; private set; }

    /// <summary>Whether one more replica fits: CPU, memory and, for GPUs, enough devices with enough free share each.</summary>
    public bool Fits(in Resources r)
    {
        if (r.VcpuMilli > VcpuFree || r.MemoryMiB > MemoryFree) return false;
        if (r.Gpus == 0) return true;
        var found = 0;
        foreach (var g in GpuFree)
        {
            if (g >= r.GpuMilli && ++found == r.Gpus) return true;
        }
        return false;
    }

    /// <summary>How many more replicas fit, counting at most <paramref name="limit"/>.</summary>
    public int HowMany(in Resources r, int limit)
    {
        var n = int.MaxValue;
        if (r.VcpuMilli > 0) n = Math.Min(n, VcpuFree / r.VcpuMilli);
        if (r.MemoryMiB > 0) n = (int)Math.Min(n, MemoryFree / r.MemoryMiB);
        if (r.Gpus > 0)
        {
            var slots = 0;
            foreach (var g in GpuFree) slots += g / r.GpuMilli;
            n = Math.Min(n, slots / r.Gpus);
        }
        return Math.Min(n, limit);
    }

    /// <summary>Takes resources for one replica, choosing GPUs with <paramref name="pickGpu"/> (default: the fullest
    /// device that still fits, so whole GPUs stay whole). The caller has checked <see cref="Fits"/>.</summary>
    internal GpuShare[] Take(in Resources r, Func<HostState, int, int>? pickGpu = null)
    {
        VcpuUsed += r.VcpuMilli;
        MemoryUsed += r.MemoryMiB;
        GpuFreeMilli -= r.TotalGpuMilli;
        if (Spec.Schedulable) Count(-r.VcpuMilli, -r.MemoryMiB, -r.TotalGpuMilli);
        if (r.Gpus == 0) return [];
        var shares = new GpuShare[r.Gpus];
        for (var i = 0; i < r.Gpus; i++)
        {
            var index = pickGpu?.Invoke(this, r.GpuMilli) ?? TightestGpu(r.GpuMilli);
            GpuFree[index] -= r.GpuMilli;
            shares[i] = new GpuShare(index, r.GpuMilli);
        }
        return shares;
    }

    internal void Give(int vcpuMilli, long memoryMiB, IReadOnlyList<GpuShare> gpus)
    {
        VcpuUsed -= vcpuMilli;
        MemoryUsed -= memoryMiB;
        long milli = 0;
        foreach (var g in gpus)
        {
            GpuFree[g.Index] += g.Milli;
            milli += g.Milli;
        }
        GpuFreeMilli += milli;
        if (Spec.Schedulable) Count(vcpuMilli, memoryMiB, milli);
    }

    /// <summary>Records an allocation made earlier (from the ledger); false when it no longer fits.</summary>
    internal bool TryRestore(int vcpuMilli, long memoryMiB, IReadOnlyList<GpuShare> gpus)
    {
        if (vcpuMilli > VcpuFree || memoryMiB > MemoryFree) return false;
        foreach (var g in gpus)
        {
            if (g.Index < 0 || g.Index >= GpuFree.Length || GpuFree[g.Index] < g.Milli) return false;
        }
        Take(new Resources(vcpuMilli, memoryMiB), null);
        long milli = 0;
        foreach (var g in gpus)
        {
            GpuFree[g.Index] -= g.Milli;
            milli += g.Milli;
        }
        GpuFreeMilli -= milli;
        if (Spec.Schedulable) Count(0, 0, -milli);
        return true;
    }

    private void Count(long vcpu, long memory, long gpuMilli)
    {
        _zone.FreeVcpu += vcpu;
        _zone.FreeMemory += memory;
        _zone.FreeGpuMilli += gpuMilli;
    }

    internal int TightestGpu(int milli)
    {
        var best = -1;
        for (var i = 0; i < GpuFree.Length; i++)
        {
            if (GpuFree[i] >= milli && (best < 0 || GpuFree[i] < GpuFree[best])) best = i;
        }
        return best;
    }
}
