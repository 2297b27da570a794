using System.Collections.Concurrent;
using System.Globalization;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Server.Security;
using Meridian.Server.Steering;
using Meridian.Steering.Health;
using Meridian.Steering.Routing;

namespace Meridian.Server.Gateway;

/// <summary>A region a proxied request may go to, with everything the request needs ready: its endpoint, and the
/// transformer that names the region and RTT in the response.</summary>
internal sealed class GatewayTarget(string region, string? endpoint, GatewayTransformer transformer)
{
    public string Region { get; } = region;

    /// <summary>The service's endpoint in this region; null when none is configured.</summary>
    public string? Endpoint { get; } = endpoint;

    public GatewayTransformer Transformer { get; } = transformer;
}

/// <summary>One service's routes for one world snapshot, day and health state: for each (country, policy, 1° cell) the
/// regions a request tries, in order. A cell is computed by the router on its first request and then only looked up, so
/// a proxied request builds no decision, strings or lists (YARP's ClusterDestinationsUpdater recomputes destinations
/// when they change, not per request, for the same reason). The client's point is taken at its cell's centre, at most
/// about 80 km away: well inside the latency model's error.</summary>
internal sealed class ServiceRoutes(RegionRouter router, IRegionHealth health, Service definition)
{
    /// <summary>Cells kept per service; past it a request is routed without keeping its cell (correct, only slower), so a
    /// client sending every coordinate on Earth cannot grow memory without bound.</summary>
    public const int MaxCells = 8192;

    private readonly ConcurrentDictionary<(string Country, int Cell), GatewayTarget[]> _cells = new();

    public string Service => definition.Id;

    public int Cells => _cells.Count;

    public GatewayTarget[] Targets(in ClientPoint client, Residency? policy)
    {
        var latCell = Math.Clamp((int)Math.Floor(client.Latitude + 90), 0, 179);
        var lonCell = Math.Clamp((int)Math.Floor(client.Longitude + 180), 0, 359);
        var key = (client.Country, ((policy is { } p ? (int)p + 1 : 0) << 20) | (latCell << 9) | lonCell);
        if (_cells.TryGetValue(key, out var targets)) return targets;
        targets = Compute(client.Country, latCell - 90 + 0.5, lonCell - 180 + 0.5, policy);
        if (_cells.Count < MaxCells) _cells.TryAdd(key, targets);
        return targets;
    }

    private GatewayTarget[] Compute(string country, double lat, double lon, Residency? policy)
    {
        var order = router.FailoverOrder(Service, new ClientLocation(new GeoPoint(lat, lon), country), policy, health);
        return order.Select(c => new GatewayTarget(c.Region, definition.Endpoints?.GetValueOrDefault(c.Region),
            new GatewayTransformer(c.Region, c.RttMs.ToString("0.##", CultureInfo.InvariantCulture), definition.ForwardCredentials))).ToArray();
    }
}

/// <summary>The gateway's routes for the current world, day and health, replaced as a whole when any of them changes:
/// a new world snapshot, a new day, a health flip, or a cooling region's cool-down running out.</summary>
internal sealed class GatewayRoutes
{
    private readonly Dictionary<string, ServiceRoutes> _services;
    private readonly Dictionary<string, ServiceRoutes>.AlternateLookup<ReadOnlySpan<char>> _byName;

    public GatewayRoutes(RegionRouter router, IRegionHealth health, World world, long healthVersion, DateTimeOffset validUntil)
    {
        Router = router;
        HealthVersion = healthVersion;
        ValidUntil = validUntil;
        // The router was built from this world, so it knows each of its services.
        _services = world.Services.Values.ToDictionary(s => s.Id, s => new ServiceRoutes(router, health, s), StringComparer.Ordinal);
        _byName = _services.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public RegionRouter Router { get; }

    public long HealthVersion { get; }

    public DateTimeOffset ValidUntil { get; }

    public bool TryGet(ReadOnlySpan<char> service, out ServiceRoutes routes) => _byName.TryGetValue(service, out routes!);
}

/// <summary>Keeps <see cref="GatewayRoutes"/> current: checked on each request by comparing a few numbers, rebuilt only
/// when the router (world snapshot, day) or health changed.</summary>
internal sealed class GatewayRouteCache(RouterCache routers, HealthBoard health, TimeProvider time)
{
    private GatewayRoutes? _current;

    public GatewayRoutes Current
    {
        get
        {
            var (router, world) = routers.Snapshot();
            var current = _current;
            if (current is not null && ReferenceEquals(current.Router, router) && current.HealthVersion == health.Version && time.GetUtcNow() < current.ValidUntil)
                return current;
            // The version is read before health is: a flip while building leaves these routes already out of date.
            var version = health.Version;
            var rebuilt = new GatewayRoutes(router, health, world, version, health.NextRecovery());
            _current = rebuilt;
            return rebuilt;
        }
    }
}
