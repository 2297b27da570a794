using Meridian.Core.Model;

namespace Meridian.Placement.Capacity;

/// <summary>A host as the engine sees it. An unschedulable host (in a draining facility) keeps its allocations but takes no new ones.</summary>
public sealed record HostSpec(
    string Id, string ZoneId, string RegionId, string Country, int VcpuMilli, long MemoryMiB,
    int Gpus = 0, string? GpuModel = null, Ownership Ownership = Ownership.Owned, string? FacilityId = null, bool Schedulable = true)
{
    /// <summary>A registry host in its zone, region and facility, in the engine's units (milli-vCPU, MiB).</summary>
    public static HostSpec Of(Host host, Region region, Facility facility, bool schedulable = true) =>
        new(host.Id, host.ZoneId, region.Id, region.Country, host.Vcpu * 1000, host.MemoryGiB * 1024L,
            host.Gpus, host.GpuModel, facility.Ownership, facility.Id, schedulable);
}
