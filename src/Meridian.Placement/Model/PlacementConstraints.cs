using Meridian.Core.Model;

namespace Meridian.Placement.Model;

/// <summary>Where replicas may go. Empty lists mean "anywhere".</summary>
public sealed record PlacementConstraints
{
    public IReadOnlyList<string> Regions { get; init; } = [];
    public IReadOnlyList<string> Countries { get; init; } = [];
    /// <summary>A data boundary id: only zones in its countries.</summary>
    public string? Boundary { get; init; }
    public SpreadConstraint? Spread { get; init; }
    /// <summary>At most one replica per host (anti-affinity).</summary>
    public bool DistinctHosts { get; init; }
    public IReadOnlyList<Ownership> Ownership { get; init; } = [];
    /// <summary>Allowed GPU models; empty means any.</summary>
    public IReadOnlyList<string> GpuModels { get; init; } = [];
}
