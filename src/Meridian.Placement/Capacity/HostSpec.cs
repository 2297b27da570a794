using Meridian.Core.Model;

namespace Meridian.Placement.Capacity;

/// <summary>A host as the engine sees it. An unschedulable host (in a draining facility) keeps its allocations but takes no new ones.</summary>
public sealed record HostSpec(
    string Id, string ZoneId, string RegionId, string Country, int VcpuMilli, long MemoryMiB,
    int Gpus = 0, string? GpuModel = null, Ownership Ownership = Ownership.Owned, string? FacilityId = null, bool Schedulable = true);
