using Meridian.Core.Geo;
using Meridian.Core.Latency;
using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Steering.Health;

namespace Meridian.Steering.Routing;

/// <summary>Chooses the region that serves a client: regions that offer the service, are Live, have capacity and are
/// healthy, filtered by the residency policy; the lowest estimated RTT wins. Built once per world snapshot: the per-region
/// facts are precomputed, so a decision only measures distances to the service's regions.</summary>
public sealed class RegionRouter
{
    private sealed record Site(string Id, string Country, double LatRad, double LonRad, double CosLat, RouteExclusion? Unavailable);

    private readonly Dictionary<string, Site[]> _sitesByService = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RouteExclusion[]> _notOffered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Residency> _defaults = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _boundaryCountries = new(StringComparer.Ordinal);
    private readonly Site[] _allSites;
    private readonly LatencyModel _latency;

    public RegionRouter(World world, LatencyModel latency, DateOnly today)
    {
        _latency = latency;
        var withHosts = RegionsWithHosts(world, today);
        var sites = new List<Site>();
        foreach (var r in world.Regions.Values)
        {
            var status = LifecycleRules.StatusOn(r.History, today);
            string? unavailable = status != LifecycleStatus.Live ? $"region is {status?.ToString() ?? "not open yet"}"
                : !withHosts.Contains(r.Id) ? "no host in service" : null;
            var lat = double.DegreesToRadians(r.Location.Latitude);
            sites.Add(new Site(r.Id, r.Country, lat, double.DegreesToRadians(r.Location.Longitude), Math.Cos(lat),
                unavailable is null ? null : new RouteExclusion(r.Id, unavailable)));
        }
        _allSites = [.. sites];
        foreach (var s in world.Services.Values)
        {
            _defaults[s.Id] = s.DefaultResidency;
            _sitesByService[s.Id] = sites.Where(site => world.Regions.Find(site.Id)!.Services.Contains(s.Id)).ToArray();
            _notOffered[s.Id] = sites.Where(site => !_sitesByService[s.Id].Contains(site)).Select(site => new RouteExclusion(site.Id, $"does not offer {s.Id}")).ToArray();
        }
        foreach (var country in Countries.All)
        {
            _boundaryCountries[country] = world.Boundaries.Values.Where(b => b.Contains(country)).SelectMany(b => b.Countries).Append(country).Distinct().ToArray();
        }
    }

    public bool KnowsService(string service) => _sitesByService.ContainsKey(service);

    public Residency DefaultPolicy(string service) => _defaults[service];

    public RouteDecision Route(string service, ClientLocation client, Residency? policy = null, IRegionHealth? health = null)
    {
        var (p, inBoundary, outside, exclusions) = Rank(service, client, policy, health);
        // Preferred leaves the boundary only when nothing inside is healthy.
        var ranked = p == Residency.Preferred && inBoundary.Count > 0 ? inBoundary : [.. inBoundary, .. outside];
        if (p == Residency.Preferred && inBoundary.Count > 0)
        {
            foreach (var o in outside) exclusions.Add(new(o.Region, "outside the client's data boundary, and a region inside can serve"));
        }
        if (ranked.Count == 0)
        {
            var why = p == Residency.Strict
                ? $"no healthy region offering {service} inside the data boundary of {client.Country}, and the policy is strict"
                : $"no healthy region offers {service}";
            return new RouteDecision(service, p, null, [], exclusions, why);
        }
        return new RouteDecision(service, p, ranked[0], ranked.Skip(1).ToArray(), exclusions, null);
    }

    /// <summary>The regions a request may try, in order: the choice <see cref="Route"/> makes, then the others the policy
    /// allows (under preferred, every region inside the boundary before any outside it). Empty when none may serve.</summary>
    public RouteCandidate[] FailoverOrder(string service, ClientLocation client, Residency? policy = null, IRegionHealth? health = null)
    {
        var (_, inBoundary, outside, _) = Rank(service, client, policy, health);
        return [.. inBoundary, .. outside];
    }

    /// <summary>The regions that may serve, by RTT: inside the client's boundary (everything under global), and outside it
    /// (none under strict); and every region left out, with why.</summary>
    private (Residency Policy, List<RouteCandidate> Inside, List<RouteCandidate> Outside, List<RouteExclusion> Exclusions) Rank(
        string service, ClientLocation client, Residency? policy, IRegionHealth? health)
    {
        if (!_sitesByService.TryGetValue(service, out var sites)) throw new ArgumentException($"no service '{service}'", nameof(service));
        health ??= AlwaysHealthy.Instance;
        var p = policy ?? _defaults[service];
        var inside = _boundaryCountries.GetValueOrDefault(client.Country) ?? [client.Country];
        var exclusions = new List<RouteExclusion>(_allSites.Length);
        exclusions.AddRange(_notOffered[service]);
        var inBoundary = new List<RouteCandidate>();
        var outside = new List<RouteCandidate>();
        var lat = double.DegreesToRadians(client.Point.Latitude);
        var lon = double.DegreesToRadians(client.Point.Longitude);
        var cosLat = Math.Cos(lat);
        var near = NearestRegion(lat, lon, cosLat);

        foreach (var site in sites)
        {
            if (site.Unavailable is { } unavailable)
            {
                exclusions.Add(unavailable);
                continue;
            }
            var isInside = Array.IndexOf(inside, site.Country) >= 0;
            if (p == Residency.Strict && !isInside)
            {
                exclusions.Add(new(site.Id, $"outside the client's data boundary ({site.Country} is not with {client.Country})"));
                continue;
            }
            if (health.Unhealthy(service, site.Id) is { } sick)
            {
                exclusions.Add(new(site.Id, $"unhealthy: {sick}"));
                continue;
            }
            var (rtt, measured) = Rtt(site, lat, lon, cosLat, near);
            (isInside || p == Residency.Global ? inBoundary : outside).Add(new RouteCandidate(site.Id, rtt, measured));
        }

        inBoundary.Sort((a, b) => a.RttMs.CompareTo(b.RttMs));
        outside.Sort((a, b) => a.RttMs.CompareTo(b.RttMs));
        return (p, inBoundary, outside, exclusions);
    }

    private (double Rtt, bool Measured) Rtt(Site site, double lat, double lon, double cosLat, (Site Site, double Km)? near)
    {
        var km = Haversine(lat, lon, cosLat, site);
        if (near is { } n && _latency.MeasuredMs(n.Site.Id, site.Id) is { } measured)
            return (measured + _latency.EstimateMs(n.Km), true);
        return (_latency.EstimateMs(km), false);
    }

    private (Site Site, double Km)? NearestRegion(double lat, double lon, double cosLat)
    {
        if (!_latency.HasMeasurements) return null;
        (Site Site, double Km)? best = null;
        foreach (var s in _allSites)
        {
            var km = Haversine(lat, lon, cosLat, s);
            if (km <= _latency.Options.NearRegionKm && (best is null || km < best.Value.Km)) best = (s, km);
        }
        return best;
    }

    private static double Haversine(double lat, double lon, double cosLat, Site s)
    {
        var dLat = s.LatRad - lat;
        var dLon = s.LonRad - lon;
        var sinLat = Math.Sin(dLat / 2);
        var sinLon = Math.Sin(dLon / 2);
        var h = sinLat * sinLat + cosLat * s.CosLat * sinLon * sinLon;
        return 2 * GeoMath.EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    /// <summary>Regions with at least one host in a Live facility of a zone: one pass over hosts, not a scan per region.</summary>
    private static HashSet<string> RegionsWithHosts(World world, DateOnly today)
    {
        var facilities = world.Hosts.Values.Select(h => h.FacilityId).ToHashSet(StringComparer.Ordinal);
        return world.Facilities.Values
            .Where(f => f.RegionId is not null && f.ZoneId is not null && facilities.Contains(f.Id) &&
                        LifecycleRules.StatusOn(f.History, today) == LifecycleStatus.Live)
            .Select(f => f.RegionId!)
            .ToHashSet(StringComparer.Ordinal);
    }
}
