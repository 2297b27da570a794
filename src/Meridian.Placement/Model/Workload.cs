namespace Meridian.Placement.Model;

/// <summary>A placed workload: its spec and where each replica runs.</summary>
public sealed record Workload(string Id, WorkloadSpec Spec, DateTimeOffset CreatedAt, IReadOnlyList<Allocation> Allocations);
