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

    /// <summary>Added to the score of a GPU host for a replica that needs no GPU: such replicas go to GPU hosts only when
    /// nothing else fits, so GPUs are not stranded behind used CPU and memory.</summary>
    internal const double GpuHostPenalty = 10;

    internal static double Leftover(HostState host, in Resources r)
    {
        return (r.Gpus == 0 && host.GpuFree.Length > 0 ? GpuHostPenalty : 0) + (host.VcpuFree - r.VcpuMilli) * host.VcpuInverse
             + (host.MemoryFree - r.MemoryMiB) * host.MemoryInverse
             + (host.GpuFreeMilli - r.TotalGpuMilli) * host.GpuInverse;
    }
}
