using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Validation;

namespace Meridian.Core.Tests.Validation;

public sealed class RulesTests
{
    private static readonly LifecycleEvent[] Live = [new(LifecycleStatus.Live, new DateOnly(2020, 1, 1))];
    private static readonly LifecycleEvent[] Planned = [new(LifecycleStatus.Planned, new DateOnly(2020, 1, 1))];

    private static Region Region(string id = "eu-test-1", double lat = 50, IReadOnlyList<LifecycleEvent>? history = null) =>
        new(id, "Test", "Frankfurt", "DE", new GeoPoint(lat, 8), history ?? Live, []);

    private static World WorldWith(params IResource[] items)
    {
        var world = World.Empty;
        foreach (var item in items) world = Kinds.All.First(k => k.Type == item.GetType()).Put(world, item, 1);
        return world;
    }

    [Theory]
    [InlineData(90.0001)]
    [InlineData(-91)]
    [InlineData(double.NaN)]
    public void Latitude_OutsideRange_IsRefused(double lat)
    {
        var errors = Rules.Check(Region(lat: lat), World.Empty);
        Assert.Contains(errors, e => e.Field == "location.latitude");
    }

    [Fact]
    public void Zone_InUnknownRegion_NamesRegionId()
    {
        var errors = Rules.Check(new Zone("eu-test-1a", "eu-test-1", Live), World.Empty).ToArray();
        Assert.Equal("regionId", Assert.Single(errors).Field);
    }

    [Fact]
    public void Zone_MustCarryItsRegionsIdAsPrefix()
    {
        var world = WorldWith(Region());
        Assert.Contains(Rules.Check(new Zone("us-other-1a", "eu-test-1", Live), world), e => e.Field == "id");
        Assert.Empty(Rules.Check(new Zone("eu-test-1a", "eu-test-1", Live), world));
    }

    [Fact]
    public void LiveZone_InAPlannedRegion_IsRefused()
    {
        var world = WorldWith(Region(history: Planned));
        Assert.Contains(Rules.Check(new Zone("eu-test-1a", "eu-test-1", Live), world), e => e.Field == "history");
    }

    [Fact]
    public void Host_WithGpus_NeedsAGpuModel_AndItsFacilityInItsZone()
    {
        var region = Region();
        var zone = new Zone("eu-test-1a", region.Id, Live);
        var facility = new Facility("fra1", "Frankfurt 1", "Frankfurt", "DE", new GeoPoint(50, 8), Ownership.Owned, Live, region.Id, zone.Id);
        var world = WorldWith(region, zone, facility);
        Assert.Contains(Rules.Check(new Host("h1", zone.Id, facility.Id, 64, 256, 8), world), e => e.Field == "gpuModel");
        Assert.Contains(Rules.Check(new Host("h1", zone.Id, "fra9", 64, 256), world), e => e.Field == "facilityId");
        Assert.Empty(Rules.Check(new Host("h1", zone.Id, facility.Id, 64, 256, 8, "H20"), world));
    }

    [Fact]
    public void Boundary_WithUnknownCountry_NamesTheEntry()
    {
        var errors = Rules.Check(new DataBoundary("EU", "European Union", ["DE", "XX"]), World.Empty);
        Assert.Contains(errors, e => e.Field == "countries[1]");
    }

    [Fact]
    public void ReferencesTo_ListsZonesAndFacilitiesOfARegion()
    {
        var region = Region();
        var zone = new Zone("eu-test-1a", region.Id, Live);
        var world = WorldWith(region, zone);
        Assert.Equal(["zones/eu-test-1a"], Rules.ReferencesTo(world, Kinds.Regions, region.Id));
        Assert.Empty(Rules.ReferencesTo(world, Kinds.Zones, zone.Id));
    }
}
