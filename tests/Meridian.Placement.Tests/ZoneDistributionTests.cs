using Meridian.Placement.Engine;

namespace Meridian.Placement.Tests;

public sealed class ZoneDistributionTests
{
    [Fact]
    public void Spread_UsesAsManyZonesAsItCan_WithinSkew() =>
        Assert.Equal([2, 1, 1, 1, 1], ZoneDistribution.Solve([10, 10, 10, 10, 10], 6, 3, 1, widest: true)!);

    [Fact]
    public void Pack_UsesAsFewZonesAsAllowed() =>
        Assert.Equal([2, 2, 2, 0, 0], ZoneDistribution.Solve([10, 10, 10, 10, 10], 6, 3, 1, widest: false)!);

    [Fact]
    public void ASmallZone_LimitsTheOthersThroughTheSkew()
    {
        // 1 + 2 + 2 = 5 < 6: with maxSkew 1 a zone that holds one caps the others at two.
        Assert.Null(ZoneDistribution.Solve([1, 10, 10], 6, 3, 1, widest: true));
        Assert.Equal([1, 3, 2], ZoneDistribution.Solve([1, 10, 10], 6, 3, 2, widest: true)!);
    }

    [Fact]
    public void TooFewZonesWithRoom_IsInfeasible() => Assert.Null(ZoneDistribution.Solve([5, 0, 0], 3, 2, 1, widest: true));
}
