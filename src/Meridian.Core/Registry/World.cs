using Meridian.Core.Model;

namespace Meridian.Core.Registry;

/// <summary>An immutable snapshot of the whole footprint. Readers and engines share it without locks;
/// a write produces a new one.</summary>
public sealed record World(
    ResourceSet<DataBoundary> Boundaries,
    ResourceSet<Service> Services,
    ResourceSet<Region> Regions,
    ResourceSet<Zone> Zones,
    ResourceSet<Facility> Facilities,
    ResourceSet<Host> Hosts)
{
    public static readonly World Empty = new(
        ResourceSet<DataBoundary>.Empty, ResourceSet<Service>.Empty, ResourceSet<Region>.Empty,
        ResourceSet<Zone>.Empty, ResourceSet<Facility>.Empty, ResourceSet<Host>.Empty);

    public IEnumerable<Zone> ZonesOf(string regionId) => Zones.Values.Where(z => z.RegionId == regionId);

    public IEnumerable<Facility> FacilitiesOf(string regionId) => Facilities.Values.Where(f => f.RegionId == regionId);

    /// <summary>The boundaries a country belongs to.</summary>
    public IEnumerable<DataBoundary> BoundariesOf(string country) => Boundaries.Values.Where(b => b.Contains(country));

    public int Count => Boundaries.Count + Services.Count + Regions.Count + Zones.Count + Facilities.Count + Hosts.Count;
}
