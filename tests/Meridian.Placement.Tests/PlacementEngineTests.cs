using CsCheck;
using Meridian.Placement.Capacity;
using Meridian.Placement.Engine;
using Meridian.Placement.Model;

namespace Meridian.Placement.Tests;

public sealed class PlacementEngineTests
{
    private static readonly Resources Gpu1 = Resources.Of(4, 16, gpus: 1);

    private static PlacementRequest Request(int replicas, Resources r, PlacementConstraints? c = null, PlacementStrategy s = PlacementStrategy.Spread) =>
        new(replicas, r, c ?? new PlacementConstraints(), s);

    [Fact]
    public void SixReplicasInTheEu_SpreadOverThreeZones_StayInTheEu()
    {
        var fleet = Fleets.Europe();
        var result = PlacementEngine.Place(fleet, Request(6, Gpu1, new PlacementConstraints { Boundary = "EU", Spread = new(3, 1) }));
        Assert.True(result.Placed, result.Problem?.Message);
        Assert.Equal(6, result.Allocations.Count);
        Assert.All(result.Allocations, a => Assert.DoesNotContain("lon", a.ZoneId));
        var perZone = result.Allocations.GroupBy(a => a.ZoneId).Select(g => g.Count()).ToArray();
        Assert.True(perZone.Length >= 3);
        Assert.True(perZone.Max() - perZone.Min() <= 1);
    }

    [Fact]
    public void Pack_UsesFewestZonesAndHosts()
    {
        var fleet = Fleets.Europe();
        var result = PlacementEngine.Place(fleet, Request(4, Resources.Of(4, 16), new PlacementConstraints { Spread = new(2, 1) }, PlacementStrategy.Pack));
        Assert.True(result.Placed);
        Assert.Equal(2, result.Allocations.Select(a => a.ZoneId).Distinct().Count());
        Assert.Equal(2, result.Allocations.Select(a => a.HostId).Distinct().Count());
    }

    [Fact]
    public void DistinctHosts_PutsEachReplicaOnItsOwnHost()
    {
        var fleet = Fleets.Europe(hostsPerZone: 2);
        var result = PlacementEngine.Place(fleet, Request(4, Resources.Of(1, 1), new PlacementConstraints { Regions = ["eu-central-1"], DistinctHosts = true }, PlacementStrategy.Pack));
        Assert.True(result.Placed);
        Assert.Equal(4, result.Allocations.Select(a => a.HostId).Distinct().Count());
    }

    [Fact]
    public void NotEnoughRoom_PlacesNothing_AndSaysHowMuchIsMissingWhere()
    {
        var fleet = Fleets.Europe(hostsPerZone: 1);
        var result = PlacementEngine.Place(fleet, Request(9, Resources.Of(4, 16, gpus: 2), new PlacementConstraints { Boundary = "EU" }));
        Assert.False(result.Placed);
        Assert.Equal("resources", result.Problem!.Constraint);
        Assert.Contains("room for only 4 of 9", result.Problem.Message);
        Assert.Contains("short by 5", result.Problem.Message);
        Assert.Equal(1, result.Problem.ZoneCapacity!["par-a"]);
        Assert.All(fleet.Hosts, h => Assert.Equal(0, h.VcpuUsed));
    }

    [Fact]
    public void MoreZonesThanTheBoundaryHas_IsASpreadProblem()
    {
        var result = PlacementEngine.Place(Fleets.Europe(), Request(6, Gpu1, new PlacementConstraints { Boundary = "UK", Spread = new(3, 1) }));
        Assert.Equal("spread", result.Problem!.Constraint);
        Assert.Contains("only 2 zone(s)", result.Problem.Message);
    }

    [Fact]
    public void SkewThatCapacityCannotMeet_IsASpreadProblem()
    {
        var fleet = Fleets.Make(1, ("a", "r", "DE"), ("b", "r", "DE"));
        fleet.Hosts[1].TryRestore(15_000, 0, []); // zone b has room for one 1-vCPU replica only
        var result = PlacementEngine.Place(fleet, Request(10, Resources.Of(1, 1), new PlacementConstraints { Spread = new(2, 1) }));
        Assert.Equal("spread", result.Problem!.Constraint);
    }

    [Theory]
    [InlineData(0, 1, 0, "replicas")]
    [InlineData(2, -1, 0, "resources")]
    [InlineData(2, 0, 0, "resources")]
    public void BadRequests_AreRefusedBeforeLookingAtCapacity(int replicas, double vcpu, int gpus, string constraint)
    {
        var result = PlacementEngine.Place(Fleets.Europe(), Request(replicas, Resources.Of(vcpu, 0, gpus)));
        Assert.Equal(constraint, result.Problem!.Constraint);
    }

    [Fact]
    public void UnknownBoundary_IsNamed()
    {
        var result = PlacementEngine.Place(Fleets.Europe(), Request(1, Gpu1, new PlacementConstraints { Boundary = "Atlantis" }));
        Assert.Equal("constraints.boundary", result.Problem!.Constraint);
    }

    [Fact]
    public void GpuSharing_TakesPartOfOneGpu_AndFillsTheSameDeviceFirst()
    {
        var fleet = Fleets.Make(1, ("a", "r", "DE"));
        var share = new Resources(1000, 1024, 1, 300);
        var first = PlacementEngine.Place(fleet, Request(1, share, s: PlacementStrategy.Pack)).Allocations.Single();
        var second = PlacementEngine.Place(fleet, Request(1, share, s: PlacementStrategy.Pack)).Allocations.Single();
        Assert.Equal(first.Gpus[0].Index, second.Gpus[0].Index);
        Assert.Equal(400, fleet.Hosts[0].GpuFree[first.Gpus[0].Index]);
        Assert.Equal(1000, fleet.Hosts[0].GpuFree[1 - first.Gpus[0].Index]);
    }

    [Fact]
    public void GpuModelConstraint_OnlyUsesThatModel()
    {
        var fleet = new Fleet([
            new HostSpec("h-a100", "a", "r", "DE", 16_000, 65_536, 8, "A100"),
            new HostSpec("h-h20", "a", "r", "DE", 16_000, 65_536, 8, "H20"),
        ], PlacementOptions.Exact);
        var result = PlacementEngine.Place(fleet, Request(2, Gpu1, new PlacementConstraints { GpuModels = ["h20"] }));
        Assert.All(result.Allocations, a => Assert.Equal("h-h20", a.HostId));
    }

    [Fact]
    public void OverCommitRatios_AndReservedCapacity_SetWhatAHostCanTake()
    {
        var fleet = new Fleet([new HostSpec("h", "a", "r", "DE", 8_000, 16_384)], new PlacementOptions { VcpuRatio = 4, ReservedVcpuMilli = 2000, ReservedMemoryMiB = 0 });
        Assert.Equal(24_000, fleet.Hosts[0].VcpuCapacity);
        Assert.True(PlacementEngine.Place(fleet, Request(6, Resources.Of(4, 1))).Placed);
        Assert.False(PlacementEngine.Place(fleet, Request(1, Resources.Of(4, 1))).Placed);
    }

    [Fact]
    public void RandomRequests_NeverOverCommit_AlwaysHonourSpreadAndResidency_AndAreAllOrNothing()
    {
        var gen = Gen.Select(Gen.Int[1, 12], Gen.Int[1, 8], Gen.Int[0, 2], Gen.Int[1, 3], Gen.Bool, Gen.Int[0, 2])
            .Array[1, 40];
        gen.Sample(requests =>
        {
            var fleet = Fleets.Europe(hostsPerZone: 3);
            foreach (var (replicas, vcpu, gpus, minZones, distinct, where) in requests)
            {
                var c = new PlacementConstraints
                {
                    Boundary = where == 1 ? "EU" : where == 2 ? "UK" : null,
                    Spread = new SpreadConstraint(minZones, 1),
                    DistinctHosts = distinct,
                };
                var before = fleet.Hosts.Sum(h => (long)h.VcpuUsed);
                var result = PlacementEngine.Place(fleet, Request(replicas, Resources.Of(vcpu, vcpu * 2, gpus), c));
                var after = fleet.Hosts.Sum(h => (long)h.VcpuUsed);
                if (!result.Placed)
                {
                    Assert.Equal(before, after);
                    continue;
                }
                Assert.Equal(replicas, result.Allocations.Count);
                Assert.Equal(before + replicas * vcpu * 1000L, after);
                var zones = result.Allocations.GroupBy(a => a.ZoneId).Select(g => g.Count()).ToArray();
                Assert.True(zones.Length >= minZones);
                Assert.True(zones.Max() - zones.Min() <= 1);
                if (where == 1) Assert.All(result.Allocations, a => Assert.NotEqual("eu-west-1", a.RegionId));
                if (where == 2) Assert.All(result.Allocations, a => Assert.Equal("eu-west-1", a.RegionId));
                if (distinct) Assert.Equal(replicas, result.Allocations.Select(a => a.HostId).Distinct().Count());
            }
            Assert.All(fleet.Hosts, h =>
            {
                Assert.InRange(h.VcpuUsed, 0, h.VcpuCapacity);
                Assert.InRange(h.MemoryUsed, 0, h.MemoryCapacity);
                Assert.All(h.GpuFree, g => Assert.InRange(g, 0, h.GpuCapacityMilli));
            });
        });
    }
}
