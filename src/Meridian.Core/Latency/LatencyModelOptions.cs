namespace Meridian.Core.Latency;

/// <summary>Parameters of the distance-based RTT estimate: <c>FixedMs + MsPerKm x km</c> from <see cref="KneeKm"/> on, and a
/// straight line from <see cref="FloorMs"/> at 0 km up to that value below it (nearby points pay little of the fixed cost).
/// Defaults are fitted on measured inter-region RTTs (AWS and IBM Cloud); see docs/latency.md.</summary>
public sealed record LatencyModelOptions
{
    /// <summary>Fixed cost of a round trip (routers, last hops), in ms. Default 10.</summary>
    public double FixedMs { get; init; } = 10.0;

    /// <summary>Round-trip ms per km of great-circle distance: light in fibre gives 0.01, real paths are longer. Default 0.0148.</summary>
    public double MsPerKm { get; init; } = 0.0148;

    /// <summary>Estimate at 0 km, for points in the same metro area. Default 2.</summary>
    public double FloorMs { get; init; } = 2.0;

    /// <summary>Distance from which the fixed cost applies in full. Default 500 km.</summary>
    public double KneeKm { get; init; } = 500;

    /// <summary>A client within this distance of a region is treated as at that region when measured RTTs from it exist. Default 100 km.</summary>
    public double NearRegionKm { get; init; } = 100;
}
