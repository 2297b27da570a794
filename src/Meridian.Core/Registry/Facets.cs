using Meridian.Core.Model;

namespace Meridian.Core.Registry;

/// <summary>Where a resource sits in the footprint, so one set of filters serves every kind.</summary>
public readonly record struct Facets(string? Country, string? RegionId, string? ZoneId, string? FacilityId, IReadOnlyList<LifecycleEvent>? History)
{
    public static Facets Of(IResource item, World world) => item switch
    {
        Region r => new(r.Country, r.Id, null, null, r.History),
        Zone z => new(world.Regions.Find(z.RegionId)?.Country, z.RegionId, z.Id, null, z.History),
        Facility f => new(f.Country, f.RegionId, f.ZoneId, f.Id, f.History),
        Host h => OfHost(h, world),
        _ => default,
    };

    private static Facets OfHost(Host h, World world)
    {
        var facility = world.Facilities.Find(h.FacilityId);
        return new(facility?.Country, facility?.RegionId, h.ZoneId, h.FacilityId, facility?.History);
    }
}
