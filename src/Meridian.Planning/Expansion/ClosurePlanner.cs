using System.Diagnostics;
using Meridian.Core.Latency;
using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Planning.Demand;
using Meridian.Planning.Instances;

namespace Meridian.Planning.Expansion;

/// <summary>What-if: close a live region and measure, for every demand point, the RTT to the best remaining region
/// the residency rule allows. Reports the demand that gets worse, by how much, who takes it over and who is left with
/// no region at all.</summary>
public static class ClosurePlanner
{
    public static ClosureReport Close(World world, ClosureRequest request, LatencyModel latency, IReadOnlyList<City>? cities = null,
        IProgress<PlanProgress>? progress = null, CancellationToken ct = default) =>
        Prepare(world, request, cities).Run(latency, progress, ct);

    /// <summary>Checks the request (quick) so a caller can refuse it before the work starts.</summary>
    public static PreparedPlan<ClosureReport> Prepare(World world, ClosureRequest request, IReadOnlyList<City>? cities = null)
    {
        if (string.IsNullOrWhiteSpace(request.Region)) throw new PlanningInputException("region", "is required, such as ap-southeast-2");
        var region = world.Regions.Find(request.Region) ?? throw new PlanningInputException("region", $"no region '{request.Region}'");
        var status = LifecycleRules.StatusOn(region.History, request.Date);
        if (status != LifecycleStatus.Live)
            throw new PlanningInputException("region", $"{region.Id} is {status?.ToString() ?? "not open"} on {request.Date:yyyy-MM-dd}; only a Live region can be closed");
        var footprint = new Footprint(world, request, cities ?? Cities.All);
        return new PreparedPlan<ClosureReport>(footprint.Demand.Count, 0, (latency, progress, ct) => Run(footprint, region, latency, progress, ct));
    }

    private static ClosureReport Run(Footprint footprint, Region region, LatencyModel latency, IProgress<PlanProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var request = (ClosureRequest)footprint.Request;
        progress?.Report(new PlanProgress("latency", 0.1));
        var sites = footprint.Open;
        var closed = sites.Select((s, i) => (s, i)).First(x => x.s.RegionId == region.Id).i;
        var rtt = footprint.Rtt(sites, latency, new Progress<double>(f => progress?.Report(new PlanProgress("latency", 0.1 + 0.8 * f))), ct);
        var (before, servedBefore) = Footprint.Nearest(rtt, sites.Count, footprint.Demand.Count, _ => true);
        var (after, servedAfter) = Footprint.Nearest(rtt, sites.Count, footprint.Demand.Count, i => i != closed);

        var worse = new List<(DemandPoint Point, double Before, double After, int Now)>();
        for (var j = 0; j < footprint.Demand.Count; j++)
            if (after[j] > before[j] + 1e-9) worse.Add((footprint.Demand[j], before[j], after[j], servedAfter[j]));

        var moved = worse.Where(w => double.IsFinite(w.After)).ToList();
        long population = moved.Sum(w => w.Point.Population);
        var countries = worse.GroupBy(w => w.Point.Country)
            .Select(g =>
            {
                var p = g.Sum(w => w.Point.Population);
                var kept = g.Where(w => double.IsFinite(w.After)).ToList();
                var kp = kept.Sum(w => (double)w.Point.Population);
                return new CountryImpact(g.Key, p, Math.Round(g.Sum(w => w.Point.Population * w.Before) / p, 1),
                    kp == 0 ? null : Math.Round(kept.Sum(w => w.Point.Population * w.After) / kp, 1), g.Where(w => !double.IsFinite(w.After)).Sum(w => w.Point.Population));
            })
            .OrderByDescending(c => c.Population).ToList();
        var takeover = moved.GroupBy(w => sites[w.Now].RegionId!)
            .Select(g => new Takeover(g.Key, g.Sum(w => w.Point.Population), Math.Round(g.Sum(w => w.Point.Population * w.After) / g.Sum(w => (double)w.Point.Population), 1)))
            .OrderByDescending(t => t.Population).ToList();
        var slo = request.SloMs;
        progress?.Report(new PlanProgress("done", 1));
        return new ClosureReport(
            region.Id, request.Date, slo, request.Residency.ToString().ToLowerInvariant(), footprint.Demand.Count,
            worse.Count, worse.Sum(w => w.Point.Population),
            population == 0 ? 0 : Math.Round(moved.Sum(w => w.Point.Population * (w.After - w.Before)) / population, 1),
            moved.Count == 0 ? 0 : Math.Round(moved.Max(w => w.After - w.Before), 1),
            worse.Where(w => w.Before <= slo && !(w.After <= slo)).Sum(w => w.Point.Population),
            worse.Where(w => !double.IsFinite(w.After)).Sum(w => w.Point.Population),
            footprint.Summarise(before), footprint.Summarise(after), countries, takeover,
            Math.Round(clock.Elapsed.TotalSeconds, 3));
    }
}

/// <param name="MeanBeforeMs">Population-weighted RTT of the country's affected demand before the closure.</param>
/// <param name="MeanAfterMs">And after, over the demand still served (null when none is).</param>
public sealed record CountryImpact(string Country, long Population, double MeanBeforeMs, double? MeanAfterMs, long LosesService);

/// <summary>A region that takes over demand from the closed one, and the mean RTT that demand now sees.</summary>
public sealed record Takeover(string Region, long Population, double MeanRttMs);

/// <param name="WorsePopulation">People whose RTT rises (including those left with no region).</param>
/// <param name="MeanIncreaseMs">Population-weighted rise in RTT of the worse demand that is still served.</param>
/// <param name="NewlyOutsideTarget">People within the target before and outside it after.</param>
/// <param name="LosesServicePopulation">People no region may serve any more (a strict data boundary left empty).</param>
public sealed record ClosureReport(
    string Region, DateOnly Date, double SloMs, string Residency, int DemandPoints,
    int WorsePoints, long WorsePopulation, double MeanIncreaseMs, double MaxIncreaseMs, long NewlyOutsideTarget, long LosesServicePopulation,
    LatencySummary Before, LatencySummary After, IReadOnlyList<CountryImpact> Countries, IReadOnlyList<Takeover> Takeovers, double Seconds);
