using Meridian.Placement.Capacity;

namespace Meridian.Placement.Tests;

/// <summary>Refused GPU demand as the reserve counts it: once per workload, until placed or out of the window, bounded.</summary>
public sealed class UnmetGpuDemandTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_retried_workload_counts_once_and_placed_it_counts_no_more()
    {
        var unmet = new UnmetGpuDemand(TimeSpan.FromMinutes(60));
        unmet.Refused("acme/a", 2000, T0);
        unmet.Refused("acme/a", 2000, T0.AddMinutes(1));
        unmet.Refused("acme/b", 500, T0);
        Assert.Equal(2500, unmet.Total(T0.AddMinutes(2)));
        Assert.Equal(500, unmet.Total(T0.AddMinutes(2), except: "acme/a"));
        unmet.Placed("acme/a");
        Assert.Equal(500, unmet.Total(T0.AddMinutes(2)));
        unmet.Refused("acme/c", 0, T0);
        Assert.Equal(1, unmet.Count);
    }

    [Fact]
    public void Demand_older_than_the_window_is_forgotten()
    {
        var unmet = new UnmetGpuDemand(TimeSpan.FromMinutes(60));
        unmet.Refused("acme/a", 1000, T0);
        unmet.Refused("acme/b", 1000, T0.AddMinutes(30));
        Assert.Equal(2000, unmet.Total(T0.AddMinutes(60)));
        Assert.Equal(1000, unmet.Total(T0.AddMinutes(61)));
        Assert.Equal(0, unmet.Total(T0.AddMinutes(91)));
    }

    [Fact]
    public void A_workload_refused_again_counts_from_its_latest_refusal()
    {
        var unmet = new UnmetGpuDemand(TimeSpan.FromMinutes(60));
        unmet.Refused("acme/a", 1000, T0);
        unmet.Refused("acme/b", 500, T0.AddMinutes(10));
        unmet.Refused("acme/a", 1000, T0.AddMinutes(50));
        // a's first refusal is out of the window, its second is not; b's is.
        Assert.Equal(1500, unmet.Total(T0.AddMinutes(61)));
        Assert.Equal(1000, unmet.Total(T0.AddMinutes(71)));
        Assert.Equal(0, unmet.Total(T0.AddMinutes(111)));
        Assert.Equal(0, unmet.Count);
    }

    [Fact]
    public void It_holds_at_most_its_bound_dropping_the_oldest()
    {
        var unmet = new UnmetGpuDemand(TimeSpan.FromDays(1));
        for (var i = 0; i <= UnmetGpuDemand.MaxEntries; i++) unmet.Refused($"t/{i}", 1, T0.AddSeconds(i));
        Assert.Equal(UnmetGpuDemand.MaxEntries, unmet.Count);
        Assert.Equal(UnmetGpuDemand.MaxEntries, unmet.Total(T0.AddSeconds(UnmetGpuDemand.MaxEntries)));
        // The first (oldest) went: placing it changes nothing.
        unmet.Placed("t/0");
        Assert.Equal(UnmetGpuDemand.MaxEntries, unmet.Count);
    }

    [Fact]
    public void A_workload_retried_many_times_is_still_one_entry()
    {
        var unmet = new UnmetGpuDemand(TimeSpan.FromDays(1));
        unmet.Refused("acme/b", 300, T0);
        for (var i = 0; i < 3 * UnmetGpuDemand.MaxEntries; i++) unmet.Refused("acme/a", 1000, T0.AddSeconds(i));
        Assert.Equal(2, unmet.Count);
        Assert.Equal(1300, unmet.Total(T0.AddSeconds(3 * UnmetGpuDemand.MaxEntries)));
        // b, refused first, leaves the window first; a's latest refusal is still in it.
        Assert.Equal(1000, unmet.Total(T0.AddDays(1).AddSeconds(1)));
        Assert.Equal(1, unmet.Count);
    }

    [Fact]
    public void Only_refusals_for_want_of_room_are_demand_waiting()
    {
        var unmet = new UnmetGpuDemand(TimeSpan.FromMinutes(60));
        var request = new Meridian.Placement.Model.PlacementRequest(3, new Meridian.Placement.Model.Resources(1000, 1024, 1, 500), new());
        unmet.Refused("acme/a", request, new("resources", "short"), T0);
        unmet.Refused("acme/b", request, new("reserve", "kept"), T0);
        unmet.Refused("acme/c", request, new("residency", "no zone"), T0);
        unmet.Refused("acme/d", request, new("spread", "not spread"), T0);
        Assert.Equal(3000, unmet.Total(T0));
    }
}
