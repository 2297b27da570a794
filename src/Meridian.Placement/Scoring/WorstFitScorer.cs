using Meridian.Placement.Capacity;
using Meridian.Placement.Model;

namespace Meridian.Placement.Scoring;

/// <summary>The host left with the most free capacity: spreads load over hosts.</summary>
public sealed class WorstFitScorer : IHostScorer
{
    public static readonly WorstFitScorer Instance = new();

    public string Name => "worst-fit";

    public double Score(HostState host, in Resources r) =>
        (r.Gpus == 0 && host.GpuFree.Length > 0 ? 2 * BestFitScorer.GpuHostPenalty : 0) - BestFitScorer.Leftover(host, r);
}
