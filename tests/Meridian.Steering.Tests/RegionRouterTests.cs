using Meridian.Core.Latency;
using Meridian.Core.Model;
using Meridian.Steering.Health;
using Meridian.Steering.Routing;
using Meridian.Storage.Worlds;

namespace Meridian.Steering.Tests;

public sealed class RegionRouterTests
{
    private static readonly DateOnly Today = new(2026, 11, 22);
    private static readonly RegionRouter Router = new(DemoWorld.Load(), new LatencyModel(), Today);
    private static readonly ClientLocation Paris = new(new GeoPoint(48.8566, 2.3522), "FR");
    private static readonly ClientLocation Tokyo = new(new GeoPoint(35.68, 139.69), "JP");

    private sealed class Down(params string[] regions) : IRegionHealth
    {
        public string? Unhealthy(string service, string region) => regions.Contains(region) ? "down in test" : null;
    }

    [Fact]
    public void Strict_StaysInsideTheBoundary_WhateverIsDown()
    {
        Assert.Equal("eu-central-1", Router.Route("qwen3-max", Paris, Residency.Strict).Choice!.Region);
        var none = Router.Route("qwen3-max", Paris, Residency.Strict, new Down("eu-central-1"));
        Assert.False(none.Routed);
        Assert.Contains("strict", none.Problem);
        Assert.Contains(none.Exclusions, e => e.Region == "eu-west-1" && e.Reason.Contains("does not offer"));
    }

    [Fact]
    public void Preferred_LeavesTheBoundaryOnlyWhenNothingInsideIsHealthy()
    {
        var normal = Router.Route("qwen3-max", Paris, Residency.Preferred);
        Assert.Equal("eu-central-1", normal.Choice!.Region);
        Assert.Empty(normal.Alternatives);
        var failed = Router.Route("qwen3-max", Paris, Residency.Preferred, new Down("eu-central-1"));
        Assert.Equal("us-east-1", failed.Choice!.Region);
    }

    [Fact]
    public void Global_RanksEveryHealthyRegionByRtt()
    {
        var d = Router.Route("qwen3-max", Tokyo, Residency.Global);
        var rtts = new[] { d.Choice! }.Concat(d.Alternatives).Select(c => c.RttMs).ToArray();
        Assert.Equal(rtts.Order(), rtts);
        Assert.Equal(5, rtts.Length);
    }

    [Fact]
    public void ClosedAndPlannedRegions_AreExcludedWithTheirStatus()
    {
        var sydney = new ClientLocation(new GeoPoint(-33.87, 151.21), "AU");
        var d = Router.Route("compute", sydney, Residency.Global);
        Assert.NotEqual("ap-southeast-2", d.Choice!.Region);
        Assert.Contains(d.Exclusions, e => e.Region == "ap-southeast-2" && e.Reason.Contains("Closed"));
    }

    [Fact]
    public void MeasuredRtts_WinOverTheEstimate()
    {
        var latency = new LatencyModel(measured: [("eu-west-2", "eu-central-1", 3.0)]);
        var router = new RegionRouter(DemoWorld.Load(), latency, Today);
        var d = router.Route("qwen3-max", Paris, Residency.Strict);
        Assert.True(d.Choice!.Measured);
        Assert.True(d.Choice.RttMs < 6, $"{d.Choice.RttMs}");
    }
}
