using Meridian.Core.Fleet;
using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Storage.Worlds;

namespace Meridian.Storage.Tests.Worlds;

public sealed class DemoWorldTests
{
    private static readonly Meridian.Core.Registry.World World = DemoWorld.Load();
    private static readonly DateOnly September2025 = new(2025, 9, 30);

    private static bool InServiceOn(IReadOnlyList<LifecycleEvent> history, DateOnly date) =>
        LifecycleRules.StatusOn(history, date) is { } s && LifecycleRules.InService.Contains(s);

    [Fact]
    public void Footprint_OnSeptember2025_Has29RegionsWith14InMainlandChina()
    {
        var regions = World.Regions.Values.Where(r => InServiceOn(r.History, September2025)).ToArray();
        Assert.Equal(29, regions.Length);
        Assert.Equal(14, regions.Count(r => r.Country == "CN"));
    }

    [Fact]
    public void Footprint_OnSeptember2025_HasTheDocumented92Zones()
    {
        var zones = World.Zones.Values.Where(z => InServiceOn(z.History, September2025)).ToArray();
        Assert.Equal(92, zones.Length);
    }

    [Fact]
    public void Every_Region_And_Zone_Of_RegionsCsv_Is_In_The_World()
    {
        Assert.Equal(35, World.Regions.Count);
        Assert.True(World.Zones.Contains("ap-south-1b"));
        Assert.True(World.Zones.Contains("cn-zhongwei-a"));
    }

    [Fact]
    public void London_HasTwoLiveFacilitiesWith24x7SecurityAndEngineering_SinceOctober2018()
    {
        var london = World.Facilities.Values.Where(f => f.RegionId == "eu-west-1").ToArray();
        Assert.Equal(2, london.Length);
        Assert.All(london, f =>
        {
            Assert.Equal(LifecycleStatus.Live, LifecycleRules.Current(f.History));
            Assert.Equal(new DateOnly(2018, 10, 1), LifecycleRules.OpenedOn(f.History));
            Assert.True(f.Support!.AroundTheClock);
            Assert.Contains("security", f.Support.Roles);
            Assert.Contains("engineering", f.Support.Roles);
        });
    }

    [Theory]
    [InlineData("ap-southeast-2", "syd-colo1")]
    [InlineData("ap-south-1", "bom-colo1")]
    public void SydneyAndMumbai_AreClosed_AndServedFromColocation(string regionId, string coloId)
    {
        Assert.Equal(LifecycleStatus.Closed, LifecycleRules.Current(World.Regions.Find(regionId)!.History));
        var colo = World.Facilities.Find(coloId)!;
        Assert.Equal(Ownership.Colocation, colo.Ownership);
        Assert.Equal(LifecycleStatus.Live, LifecycleRules.Current(colo.History));
        Assert.Equal(regionId, colo.RegionId);
    }

    [Fact]
    public void Frankfurt_Opened_In_2018_And_Serves_Qwen3Max()
    {
        var frankfurt = World.Regions.Find("eu-central-1")!;
        Assert.Equal(2018, LifecycleRules.OpenedOn(frankfurt.History)!.Value.Year);
        Assert.Contains("qwen3-max", frankfurt.Services);
        Assert.DoesNotContain("qwen3-max", World.Regions.Find("eu-west-1")!.Services);
    }

    [Fact]
    public void Announced_Sites_In_Brazil_France_And_Netherlands_Are_Planned_In_September2025()
    {
        var planned = World.Regions.Values.Where(r => LifecycleRules.StatusOn(r.History, September2025) == LifecycleStatus.Planned)
            .Select(r => r.Country).ToHashSet();
        Assert.Contains("BR", planned);
        Assert.Contains("FR", planned);
        var netherlands = World.Facilities.Values.Single(f => f.Country == "NL");
        Assert.Equal(LifecycleStatus.Planned, LifecycleRules.StatusOn(netherlands.History, September2025));
    }

    [Fact]
    public void Expansion_Sites_Exist_In_Mexico_Japan_Korea_Malaysia_And_Dubai()
    {
        var expansion = World.Zones.Values.Select(z => (Id: z.Id, z.RegionId, z.History)).Concat(
                World.Facilities.Values.Select(f => (f.Id, RegionId: f.RegionId ?? "", f.History)))
            .Where(x => x.History[0].On == new DateOnly(2025, 9, 24))
            .Select(x => World.Regions.Find(x.RegionId)?.Country).ToHashSet();
        Assert.Superset(new HashSet<string?> { "MX", "JP", "KR", "MY", "AE" }, expansion);
    }

    [Fact]
    public void Fleet_IsDeterministic_AndEveryLiveZoneHasGpuHosts()
    {
        var again = DemoWorld.Load();
        Assert.Equal(World.Hosts.Values, again.Hosts.Values);
        var live = World.Zones.Values.Where(z => LifecycleRules.Current(z.History) == LifecycleStatus.Live);
        Assert.All(live, z => Assert.True(World.Hosts.Values.Count(h => h.ZoneId == z.Id && h.Gpus > 0) >= 2, z.Id));
    }

    [Fact]
    public void Fleet_DependsOnSeed()
    {
        var other = DemoWorld.Load(new HostFleetOptions { Seed = 7 });
        Assert.NotEqual(World.Hosts.Values, other.Hosts.Values);
        Assert.Equal(World.Hosts.Count, other.Hosts.Count);
    }
}
