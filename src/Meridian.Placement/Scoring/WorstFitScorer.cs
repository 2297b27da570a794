using Meridian.Placement.Capacity;
using Meridian.Placement.Model;

namespace Meridian.Placement.Scoring;

/// <summary>The host left with the most free capacity: spreads load over hosts.</summary>
public sealed class WorstFitScorer : IHostScorer
{
    public static readonly WorstFitScorer Instance = new();

    public string Name => "worst-fit";

    public double Score(HostState host, in Resources r) => -BestFitScorer.Leftover(host, r);
}
