using Meridian.Core.Model;
using Meridian.Server.Gateway;
using Meridian.Server.Security;
using Meridian.Server.Steering;
using Meridian.Steering.Health;
using Meridian.Steering.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Meridian.Server.Tests.Steering;

/// <summary>The gateway's precomputed routes: the same regions, in the same order, as the router decides for the cell's
/// centre; nothing allocated per lookup; rebuilt when health flips or a cool-down runs out; bounded in memory.</summary>
public sealed class GatewayRoutesTests : IAsyncLifetime
{
    private MeridianHost _host = null!;
    private RouterCache _routers = null!;

    public async Task InitializeAsync()
    {
        _host = await MeridianHost.StartAsync();
        _routers = _host.Services.GetRequiredService<RouterCache>();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static readonly (string Country, double Lat, double Lon)[] Clients =
    [
        ("FR", 48.8566, 2.3522), ("FR", 43.2965, 5.3698), ("DE", 52.52, 13.405), ("GB", 51.5074, -0.1278), ("US", 47.6062, -122.3321),
        ("US", 40.7128, -74.006), ("CN", 31.2304, 121.4737), ("CN", 43.8256, 87.6168), ("JP", 35.6762, 139.6503), ("BR", -23.5505, -46.6333),
        ("IN", 19.076, 72.8777), ("AU", -33.8688, 151.2093), ("SG", 1.3521, 103.8198), ("AE", 25.2048, 55.2708), ("ZA", -26.2041, 28.0473),
    ];

    [Fact]
    public void EveryLookup_GivesTheRoutersOrderForTheCellCentre_UnderEveryPolicy()
    {
        var health = new HealthBoard(new HealthOptions());
        var cache = new GatewayRouteCache(_routers, health, TimeProvider.System);
        var routes = cache.Current;
        var services = new[] { "qwen3-max", "compute", "gpu-compute" };
        var compared = 0;
        foreach (var service in services)
        {
            Assert.True(routes.TryGet(service.AsSpan(), out var table));
            foreach (var (country, lat, lon) in Clients)
            {
                foreach (var policy in new Residency?[] { null, Residency.Strict, Residency.Preferred, Residency.Global })
                {
                    var targets = table.Targets(new ClientPoint(country, lat, lon), policy);
                    var centre = new ClientLocation(new GeoPoint(Math.Floor(lat) + 0.5, Math.Floor(lon) + 0.5), country);
                    var expected = routes.Router.FailoverOrder(service, centre, policy, health).Select(c => c.Region);
                    Assert.Equal(expected, targets.Select(t => t.Region));
                    var decision = routes.Router.Route(service, centre, policy, health);
                    Assert.Equal(decision.Choice?.Region, targets.FirstOrDefault()?.Region);
                    compared++;
                }
            }
        }
        Assert.Equal(services.Length * Clients.Length * 4, compared);
        Assert.False(routes.TryGet("teleport".AsSpan(), out _));
    }

    [Fact]
    public void ALookup_AllocatesNothing()
    {
        var cache = new GatewayRouteCache(_routers, new HealthBoard(new HealthOptions()), TimeProvider.System);
        var paris = new ClientPoint("FR", 48.8566, 2.3522);
        var path = "/qwen3-max/v1/chat";
        GatewayTarget[] Lookup()
        {
            var routes = cache.Current;
            Assert.True(routes.TryGet(path.AsSpan(1, 9), out var table));
            return table.Targets(paris, Residency.Strict);
        }
        var first = Lookup(); // computes and keeps the cell
        for (var i = 0; i < 100; i++) Lookup();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            if (!ReferenceEquals(first, Lookup())) Assert.Fail("the cell was computed again");
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal("eu-central-1", first[0].Region);
    }

    [Fact]
    public void Routes_AreRebuilt_WhenAHealthFlips_AndWhenACoolDownRunsOut()
    {
        var clock = new ManualClock(MeridianHost.Today);
        var health = new HealthBoard(new HealthOptions { PassiveFailures = 2, CoolDown = TimeSpan.FromSeconds(10) }, clock);
        var cache = new GatewayRouteCache(_routers, health, clock);
        var paris = new ClientPoint("FR", 48.8566, 2.3522);
        string First() => cache.Current.TryGet("qwen3-max".AsSpan(), out var t) && t.Targets(paris, Residency.Preferred) is [var head, ..] ? head.Region : "none";

        Assert.Equal("eu-central-1", First());
        var kept = cache.Current;
        health.ReportPassive("qwen3-max", "eu-central-1", false, "refused");
        Assert.Same(kept, cache.Current); // one failure flips nothing
        health.ReportPassive("qwen3-max", "eu-central-1", false, "refused");
        Assert.NotSame(kept, cache.Current);
        Assert.NotEqual("eu-central-1", First());

        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.NotEqual("eu-central-1", First());
        clock.Advance(TimeSpan.FromSeconds(2)); // the cool-down ran out: no report announces it
        Assert.Equal("eu-central-1", First());

        health.SetOperator("qwen3-max", "eu-central-1", OperatorState.Down);
        Assert.NotEqual("eu-central-1", First());
        health.SetOperator("qwen3-max", "eu-central-1", OperatorState.Auto);
        Assert.Equal("eu-central-1", First());
    }

    [Fact]
    public void ClientsAllOverTheMap_DoNotGrowTheTableWithoutBound()
    {
        var cache = new GatewayRouteCache(_routers, new HealthBoard(new HealthOptions()), TimeProvider.System);
        Assert.True(cache.Current.TryGet("compute".AsSpan(), out var table));
        var answered = 0;
        for (var lat = -89; lat < 90; lat += 1)
        {
            for (var lon = -179; lon < 180; lon += 3)
            {
                if (table.Targets(new ClientPoint("US", lat, lon), Residency.Global).Length > 0) answered++;
            }
        }
        Assert.Equal(179 * 120, answered);
        Assert.Equal(ServiceRoutes.MaxCells, table.Cells);
        // Past the bound a cell is still routed right, only not kept.
        var far = table.Targets(new ClientPoint("US", 47.6, -122.3), Residency.Global);
        Assert.Equal(_routers.Current.FailoverOrder("compute", new ClientLocation(new GeoPoint(47.5, -122.5), "US"), Residency.Global).Select(c => c.Region),
            far.Select(t => t.Region));
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
