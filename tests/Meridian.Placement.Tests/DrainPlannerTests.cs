using Meridian.Placement.Capacity;
using Meridian.Placement.Engine;
using Meridian.Placement.Model;

namespace Meridian.Placement.Tests;

public sealed class DrainPlannerTests
{
    private static (Fleet Fleet, Workload Workload) Placed(string facilityOfFirstZone)
    {
        var specs = new[] { "a", "b", "c" }.SelectMany(z => Enumerable.Range(0, 2).Select(i =>
            new HostSpec($"{z}-h{i}", z, "r", "DE", 16_000, 65_536, 2, "H20", FacilityId: z == "a" ? facilityOfFirstZone : $"f-{z}")));
        var fleet = new Fleet(specs, PlacementOptions.Exact);
        var spec = new WorkloadSpec("t", "w", 3, new ResourceSpec(2, 4, 1), new ConstraintSpec(Spread: new SpreadConstraint(2, 1)));
        var result = PlacementEngine.Place(fleet, spec.ToRequest());
        Assert.True(result.Placed);
        return (fleet, new Workload("w1", spec, DateTimeOffset.UnixEpoch, result.Allocations));
    }

    [Fact]
    public void Plan_MovesReplicasOffTheFacility_WithoutChangingTheFleet()
    {
        var (fleet, workload) = Placed("f-a");
        var usedBefore = fleet.Hosts.Sum(h => h.VcpuUsed);
        var plan = DrainPlanner.Plan(fleet, [workload], "f-a", apply: false);
        Assert.Single(plan.Moves);
        Assert.Empty(plan.Stuck);
        Assert.NotEqual("a", plan.Moves[0].To.ZoneId);
        Assert.Equal(usedBefore, fleet.Hosts.Sum(h => h.VcpuUsed));
        Assert.Equal(2000, fleet.Host("a-h0")!.VcpuUsed + fleet.Host("a-h1")!.VcpuUsed);
    }

    [Fact]
    public void Apply_FreesTheOldHosts_AndHoldsTheNewOnes()
    {
        var (fleet, workload) = Placed("f-a");
        var plan = DrainPlanner.Plan(fleet, [workload], "f-a", apply: true);
        Assert.Equal(0, fleet.Host("a-h0")!.VcpuUsed + fleet.Host("a-h1")!.VcpuUsed);
        Assert.Equal(2, fleet.Host("a-h0")!.GpuFree.Count(g => g == 1000) + fleet.Host("a-h1")!.GpuFree.Count(g => g == 1000) - 2);
        Assert.Equal(6000, fleet.Hosts.Sum(h => h.VcpuUsed));
        Assert.Single(plan.Moves);
    }
}
