using Meridian.Core.Model;

namespace Meridian.Placement.Capacity;

/// <summary>A schedulable host as the engine sees it.</summary>
public sealed record HostSpec(
    string Id, string ZoneId, string RegionId, string Country, int VcpuMilli, long MemoryMiB,
    int Gpus = 0, string? GpuModel = null, Ownership Ownership = Ownership.Owned, string? FacilityId = null);
