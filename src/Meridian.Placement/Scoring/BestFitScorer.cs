using Meridian.Placement.Capacity;
using Meridian.Placement.Model;

namespace Meridian.Placement.Scoring;

/// <summary>The host left with the least free capacity after placement (summed over CPU, memory and GPU as
/// shares of the host's capacity): packs work tightly and keeps other hosts empty.</summary>
public sealed class BestFitScorer : IHostScorer
{
    public static readonly BestFitScorer Instance = new();

    public string Name => "best-fit";

    public double Score(HostState host, in Resources r) => Leftover(host, r);

    internal static double Leftover(HostState host, in Resources r)
    {
        var cpu = host.VcpuCapacity == 0 ? 0 : (double)(host.VcpuFree - r.VcpuMilli) / host.VcpuCapacity;
        var mem = host.MemoryCapacity == 0 ? 0 : (double)(host.MemoryFree - r.MemoryMiB) / host.MemoryCapacity;
        var gpuCap = (double)host.GpuCapacityMilli * host.GpuFree.Length;
        var gpu = gpuCap == 0 ? 0 : (host.GpuFreeMilli - r.TotalGpuMilli) / gpuCap;
        return cpu + mem + gpu;
    }
}
