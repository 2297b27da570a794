using Meridian.Core.Model;

namespace Meridian.Placement.Model;

/// <summary>A workload as a client asks for it, for example
/// <c>{"tenant":"acme","name":"qwen-eu","replicas":6,"resources":{"vcpu":8,"memoryGiB":32,"gpus":1},
/// "constraints":{"boundary":"EU","spread":{"minZones":3,"maxSkew":1}}}</c>.</summary>
public sealed record WorkloadSpec(
    string Tenant,
    string Name,
    int Replicas,
    ResourceSpec Resources,
    ConstraintSpec? Constraints = null,
    PlacementStrategy? Strategy = null)
{
    /// <summary>The strategy used: the one named, else fragmentation-aware for GPU workloads and spread for others.</summary>
    public PlacementStrategy EffectiveStrategy => Strategy ?? (Resources.Gpus > 0 ? PlacementStrategy.Fragmentation : PlacementStrategy.Spread);

    /// <summary>This spec with its strategy written out, as it is stored and shown.</summary>
    public WorkloadSpec Resolved() => Strategy is null ? this with { Strategy = EffectiveStrategy } : this;

    public PlacementRequest ToRequest() => new(Replicas, Resources.ToResources(), (Constraints ?? new ConstraintSpec()).ToConstraints(), EffectiveStrategy);
}

/// <summary>Per-replica resources. <see cref="GpuShare"/> below 1 asks for part of one GPU.</summary>
public sealed record ResourceSpec(double Vcpu, double MemoryGiB, int Gpus = 0, double GpuShare = 1.0)
{
    public Resources ToResources() => Model.Resources.Of(Vcpu, MemoryGiB, Gpus, GpuShare);
}

public sealed record ConstraintSpec(
    IReadOnlyList<string>? Regions = null,
    IReadOnlyList<string>? Countries = null,
    string? Boundary = null,
    SpreadConstraint? Spread = null,
    bool DistinctHosts = false,
    IReadOnlyList<Ownership>? Ownership = null,
    IReadOnlyList<string>? GpuModels = null)
{
    public PlacementConstraints ToConstraints() => new()
    {
        Regions = Regions ?? [],
        Countries = Countries ?? [],
        Boundary = Boundary,
        Spread = Spread,
        DistinctHosts = DistinctHosts,
        Ownership = Ownership ?? [],
        GpuModels = GpuModels ?? [],
    };
}
