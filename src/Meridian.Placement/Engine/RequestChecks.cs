using Meridian.Placement.Capacity;
using Meridian.Placement.Model;

namespace Meridian.Placement.Engine;

/// <summary>Input checks of a placement request, before any capacity is looked at.</summary>
internal static class RequestChecks
{
    public const int MaxReplicas = 10_000;

    public static Infeasibility? Check(Fleet fleet, PlacementRequest request)
    {
        var r = request.PerReplica;
        var c = request.Constraints;
        if (request.Replicas is < 1 or > MaxReplicas) return new("replicas", $"must be from 1 to {MaxReplicas}, not {request.Replicas}");
        if (r.VcpuMilli < 0 || r.MemoryMiB < 0 || r.Gpus < 0) return new("resources", "vcpu, memoryGiB and gpus cannot be negative");
        if (r.VcpuMilli == 0 && r.MemoryMiB == 0 && r.Gpus == 0) return new("resources", "a replica needs some vcpu, memory or GPU");
        if (r.Gpus > 0 && r.GpuMilli is < 1 or > 1000) return new("resources.gpuShare", "must be from 0.001 (a thousandth of a GPU, the smallest share) to 1 (a whole GPU)");
        if (r.Gpus > 1 && r.GpuMilli < 1000) return new("resources.gpuShare", "a share of a GPU is for one GPU; ask for whole GPUs when gpus > 1");
        if (c.Spread is { } s)
        {
            if (s.MinZones < 1) return new("constraints.spread.minZones", "must be at least 1");
            if (s.MaxSkew < 1) return new("constraints.spread.maxSkew", "must be at least 1");
            if (s.MinZones > request.Replicas) return new("constraints.spread.minZones", $"{s.MinZones} zones cannot each hold one of {request.Replicas} replicas");
        }
        if (c.Boundary is { } b && !fleet.Boundaries.ContainsKey(b))
            return new("constraints.boundary", $"no data boundary '{b}'; known: {string.Join(", ", fleet.Boundaries.Keys.Order(StringComparer.Ordinal))}");
        return null;
    }
}
