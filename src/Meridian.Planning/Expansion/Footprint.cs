using Meridian.Core.Geo;
using Meridian.Core.Latency;
using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Planning.Demand;
using Meridian.Planning.Instances;

namespace Meridian.Planning.Expansion;

/// <summary>An open region or a candidate site.</summary>
public sealed record Site(string Name, string Country, GeoPoint Location, string? RegionId);

/// <summary>The demand, the sites and the RTT between them for one request: the shared ground of expansion and closure
/// plans. RTT comes from the steering latency model; a pair the residency rule forbids is infinite.</summary>
internal sealed class Footprint
{
    private readonly Dictionary<string, HashSet<string>> _inside = new(StringComparer.Ordinal);

    public Footprint(World world, PlanRequest request, IEnumerable<City> cities)
    {
        World = world;
        Request = request;
        if (request.Boundary is { } b && !world.Boundaries.Contains(b))
            throw new PlanningInputException("boundary", $"no data boundary '{b}'; known: {string.Join(", ", world.Boundaries.Values.Select(x => x.Id))}");
        if (!(request.SloMs > 0) || request.SloMs > 10_000) throw new PlanningInputException("sloMs", $"must be above 0 and at most 10000, not {request.SloMs}");
        foreach (var boundary in world.Boundaries.Values)
        {
            foreach (var country in boundary.Countries)
            {
                if (!_inside.TryGetValue(country, out var set)) _inside[country] = set = new HashSet<string>(StringComparer.Ordinal) { country };
                set.UnionWith(boundary.Countries);
            }
        }
        var scope = request.Boundary is { } id ? world.Boundaries.Find(id)!.Countries.ToHashSet(StringComparer.Ordinal) : null;
        Scope = scope;
        Demand = DemandModel.Build(scope is null ? cities : cities.Where(c => scope.Contains(c.Country)), request.CellDegrees, request.CountryWeights);
        if (Demand.Count == 0) throw new PlanningInputException("boundary", $"no city of the demand data lies in '{request.Boundary}'");
        Open = world.Regions.Values
            .Where(r => LifecycleRules.StatusOn(r.History, request.Date) == LifecycleStatus.Live)
            .OrderBy(r => r.Id, StringComparer.Ordinal)
            .Select(r => new Site($"{r.Id} ({r.City})", r.Country, r.Location, r.Id))
            .ToList();
    }

    public World World { get; }
    public PlanRequest Request { get; }
    public IReadOnlySet<string>? Scope { get; }
    public IReadOnlyList<DemandPoint> Demand { get; }
    public IReadOnlyList<Site> Open { get; }

    /// <summary>May demand in <paramref name="demandCountry"/> be served from a site in <paramref name="siteCountry"/>?</summary>
    public bool Allowed(string demandCountry, string siteCountry) =>
        Request.Residency != Residency.Strict || !_inside.TryGetValue(demandCountry, out var inside) || inside.Contains(siteCountry);

    /// <summary>RTT in ms from every demand point to every site (demand-major), infinite where not allowed.</summary>
    public double[] Rtt(IReadOnlyList<Site> sites, LatencyModel latency, IProgress<double>? progress = null, CancellationToken ct = default)
    {
        var m = sites.Count;
        var rtt = new double[(long)Demand.Count * m];
        for (var j = 0; j < Demand.Count; j++)
        {
            if ((j & 127) == 0)
            {
                ct.ThrowIfCancellationRequested();
                progress?.Report((double)j / Demand.Count);
            }
            var d = Demand[j];
            for (var i = 0; i < m; i++)
            {
                var s = sites[i];
                rtt[(long)j * m + i] = Allowed(d.Country, s.Country) ? latency.EstimateMs(GeoMath.DistanceKm(d.Location, s.Location)) : double.PositiveInfinity;
            }
        }
        progress?.Report(1);
        return rtt;
    }

    /// <summary>Best RTT and site of every demand point over the sites flagged open (index -1 and infinity: none may serve).</summary>
    public static (double[] Best, int[] Site) Nearest(double[] rtt, int sites, int demand, Func<int, bool> isOpen)
    {
        var best = new double[demand];
        var site = new int[demand];
        for (var j = 0; j < demand; j++)
        {
            best[j] = double.PositiveInfinity;
            site[j] = -1;
            for (var i = 0; i < sites; i++)
            {
                var r = rtt[(long)j * sites + i];
                if (r < best[j] && isOpen(i)) (best[j], site[j]) = (r, i);
            }
        }
        return (best, site);
    }

    /// <summary>Share of the population within the target, and the population-weighted mean RTT of the demand served.</summary>
    public LatencySummary Summarise(double[] best)
    {
        double total = 0, within = 0, served = 0, sum = 0;
        for (var j = 0; j < Demand.Count; j++)
        {
            var p = (double)Demand[j].Population;
            total += p;
            if (best[j] <= Request.SloMs) within += p;
            if (!double.IsFinite(best[j])) continue;
            served += p;
            sum += p * best[j];
        }
        return new LatencySummary(total == 0 ? 0 : within / total, served == 0 ? 0 : sum / served, (long)(total - served), (long)within, (long)total);
    }
}

/// <param name="ShareWithinTarget">Share of the population whose RTT to its serving site is within the target.</param>
/// <param name="MeanRttMs">Population-weighted mean RTT of the demand that can be served at all.</param>
/// <param name="UnservedPopulation">People no open site may serve under the residency rule.</param>
public sealed record LatencySummary(double ShareWithinTarget, double MeanRttMs, long UnservedPopulation, long PopulationWithinTarget, long Population);
