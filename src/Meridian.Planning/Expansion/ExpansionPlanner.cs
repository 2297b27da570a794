using System.Diagnostics;
using Google.OrTools.LinearSolver;
using Meridian.Core.Geo;
using Meridian.Core.Latency;
using Meridian.Core.Registry;
using Meridian.Planning.Demand;
using Meridian.Planning.Instances;

namespace Meridian.Planning.Expansion;

/// <summary>Where to open the next sites. For coverage: maximal covering (the most demand newly within the target using
/// exactly k new sites; ties go to the sites that cut the most latency), an exact MIP on OR-Tools' SCIP. For latency:
/// p-median (the least population-weighted RTT) by <see cref="MedianSolver"/>. Either can be the greedy instead. Each
/// new site then takes the ownership that serves its demand at the least cost.</summary>
public static class ExpansionPlanner
{
    /// <summary>Candidates closer than this to a larger candidate or to an open region add nothing a model can use.</summary>
    public const double CandidateSpacingKm = 150;

    /// <summary>RTT counted for demand no open site may serve, in the p-median objective.</summary>
    public const double UnservedRttMs = 1000;

    public static ExpansionPlan Plan(World world, ExpansionRequest request, LatencyModel latency, IReadOnlyList<City>? cities = null,
        IProgress<PlanProgress>? progress = null, CancellationToken ct = default) =>
        Prepare(world, request, cities).Run(latency, progress, ct);

    /// <summary>Checks the request and finds the demand and candidates (quick), so a caller can refuse bad input before
    /// starting the solve (slow).</summary>
    public static PreparedPlan<ExpansionPlan> Prepare(World world, ExpansionRequest request, IReadOnlyList<City>? cities = null)
    {
        if (request.Add < 1) throw new PlanningInputException("add", $"must be at least 1, not {request.Add}");
        if (request.CandidateMinPopulation < 0) throw new PlanningInputException("candidateMinPopulation", "must be at least 0");
        TimeLimits.FromSeconds(request.TimeLimit.TotalSeconds, "timeLimitSeconds");
        request.Costs.Check();
        var footprint = new Footprint(world, request, cities ?? Cities.All);
        var candidates = Candidates(footprint, request, cities ?? Cities.All);
        if (candidates.Count == 0) throw new PlanningInputException("candidates", "no candidate site: lower candidateMinPopulation or give candidates");
        if (request.Add > candidates.Count)
            throw new PlanningInputException("add", $"{request.Add} new sites asked for, but there are only {candidates.Count} candidates");
        return new PreparedPlan<ExpansionPlan>(footprint.Demand.Count, candidates.Count,
            (latency, progress, ct) => Solve(footprint, request, candidates, latency, progress, ct));
    }

    private static ExpansionPlan Solve(Footprint footprint, ExpansionRequest request, List<Site> candidates, LatencyModel latency,
        IProgress<PlanProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var sites = footprint.Open.Concat(candidates).ToList();
        var existing = footprint.Open.Count;
        progress?.Report(new PlanProgress("latency", 0.05));
        var rtt = footprint.Rtt(sites, latency, new Progress<double>(f => progress?.Report(new PlanProgress("latency", 0.05 + 0.25 * f))), ct);
        var (before, _) = Footprint.Nearest(rtt, sites.Count, footprint.Demand.Count, i => i < existing);

        progress?.Report(new PlanProgress("solve", 0.3));
        var remaining = request.TimeLimit - clock.Elapsed;
        var solve = (request.MaximiseCoverage, request.Greedy) switch
        {
            (true, false) => CoveringAlone(footprint, rtt, sites.Count, existing, before, request.Add, remaining),
            (true, true) => GreedyCovering(footprint, rtt, sites.Count, existing, before, request.Add),
            (false, var greedy) => Median(footprint, rtt, sites.Count, existing, before, request.Add, greedy, remaining, ct,
                new Progress<double>(f => progress?.Report(new PlanProgress("solve", 0.3 + 0.65 * f)))),
        };
        ct.ThrowIfCancellationRequested();
        progress?.Report(new PlanProgress("report", 0.95));

        var chosen = solve.Chosen.ToHashSet();
        var (after, serving) = Footprint.Nearest(rtt, sites.Count, footprint.Demand.Count, i => i < existing || chosen.Contains(i));
        var result = new List<PlannedSite>();
        foreach (var i in solve.Chosen.OrderBy(i => i))
        {
            long served = 0, gained = 0;
            for (var j = 0; j < footprint.Demand.Count; j++)
            {
                if (serving[j] != i) continue;
                served += footprint.Demand[j].Population;
                if (after[j] <= request.SloMs && !(before[j] <= request.SloMs)) gained += footprint.Demand[j].Population;
            }
            var (ownership, facilities, cost) = Ownership(request, served);
            var s = sites[i];
            var nearest = footprint.Open.Select(o => (o.RegionId, Km: GeoMath.DistanceKm(o.Location, s.Location))).OrderBy(o => o.Km).FirstOrDefault();
            result.Add(new PlannedSite(s.Name, s.Country, s.Location, ownership, facilities, cost, served, gained, nearest.RegionId,
                nearest.RegionId is null ? null : Math.Round(nearest.Km)));
        }
        progress?.Report(new PlanProgress("done", 1));
        return new ExpansionPlan(
            (request.MaximiseCoverage ? "max-coverage" : "p-median") + (request.Greedy ? " (greedy)" : ""), request.SloMs, request.Date, request.Boundary,
            footprint.Demand.Count, candidates.Count, existing, result.OrderByDescending(r => r.ServedPopulation).ToList(),
            footprint.Summarise(before), footprint.Summarise(after), result.Sum(r => r.Cost),
            solve.Optimal, solve.Objective, solve.Bound, Math.Round(clock.Elapsed.TotalSeconds, 3));
    }

    /// <summary>Cities (or the operator's list) inside the scope, not within <see cref="CandidateSpacingKm"/> of an open
    /// region or a larger candidate.</summary>
    private static List<Site> Candidates(Footprint footprint, ExpansionRequest request, IReadOnlyList<City> cities)
    {
        var list = new List<Site>();
        var given = request.Candidates?.Select(c => new Site(c.Name, c.Country, c.Location, null))
                    ?? cities.Where(c => c.Population >= request.CandidateMinPopulation).OrderByDescending(c => c.Population)
                        .Select(c => new Site(c.Name, c.Country, c.Location, null));
        var index = 0;
        foreach (var site in given)
        {
            if (request.Candidates is not null)
            {
                if (!Countries.IsKnown(site.Country)) throw new PlanningInputException($"candidates[{index}].country", $"'{site.Country}' is not an ISO 3166-1 alpha-2 code");
                if (!GeoMath.IsValid(site.Location)) throw new PlanningInputException($"candidates[{index}].location", "is not a latitude and longitude");
            }
            index++;
            if (footprint.Scope is { } scope && !scope.Contains(site.Country)) continue;
            if (footprint.Open.Any(o => GeoMath.DistanceKm(o.Location, site.Location) < CandidateSpacingKm)) continue;
            if (request.Candidates is null && list.Any(o => GeoMath.DistanceKm(o.Location, site.Location) < CandidateSpacingKm)) continue;
            list.Add(site);
        }
        return list;
    }

    private sealed record Choice(IReadOnlyList<int> Chosen, bool Optimal, double Objective, double? Bound);

    private static Choice CoveringAlone(Footprint f, double[] rtt, int m, int existing, double[] before, int k, TimeSpan limit)
    {
        lock (Solvers.ScipGate.Gate) return Covering(f, rtt, m, existing, before, k, limit);
    }

    /// <summary>max Σ w_j z_j + ε Σ gain_i y_i  s.t.  z_j ≤ Σ_{i covers j} y_i,  Σ y_i = k,  y binary, 0 ≤ z ≤ 1.</summary>
    private static Choice Covering(Footprint f, double[] rtt, int m, int existing, double[] before, int k, TimeSpan limit)
    {
        var slo = f.Request.SloMs;
        using var solver = Solver.CreateSolver("SCIP")!;
        var y = new Variable[m];
        var objective = solver.Objective();
        var gain = new double[m];
        for (var i = existing; i < m; i++) y[i] = solver.MakeBoolVar($"y{i}");
        double total = 0;
        for (var j = 0; j < f.Demand.Count; j++)
        {
            var w = f.Demand[j].Weight;
            total += w;
            var baseline = Math.Min(before[j], UnservedRttMs);
            Constraint? cover = null;
            for (var i = existing; i < m; i++)
            {
                var r = rtt[(long)j * m + i];
                if (r < baseline) gain[i] += w * (baseline - r);
                if (before[j] <= slo || !(r <= slo)) continue;
                if (cover is null)
                {
                    var z = solver.MakeNumVar(0, 1, $"z{j}");
                    objective.SetCoefficient(z, w);
                    cover = solver.MakeConstraint(double.NegativeInfinity, 0);
                    cover.SetCoefficient(z, 1);
                }
                cover.SetCoefficient(y[i], -1);
            }
        }
        // The tie-break is worth at most a millionth of all demand, so it never outweighs covering more.
        var totalGain = gain.Sum();
        for (var i = existing; i < m; i++) objective.SetCoefficient(y[i], totalGain > 0 ? 1e-6 * total * gain[i] / totalGain : 0);
        return Finish(solver, objective, y, existing, k, limit, maximise: true);
    }

    /// <summary>min Σ_j w_j min(rtt_j now, min over the chosen candidates of rtt_ij), exactly k candidates: see
    /// <see cref="MedianSolver"/>; or its greedy start alone.</summary>
    private static Choice Median(Footprint f, double[] rtt, int m, int existing, double[] before, int k, bool greedy, TimeSpan limit,
        CancellationToken ct, IProgress<double> progress)
    {
        var n = f.Demand.Count;
        var candidates = m - existing;
        var cost = new double[(long)n * candidates];
        var stay = new double[n];
        for (var j = 0; j < n; j++)
        {
            var w = f.Demand[j].Weight;
            stay[j] = w * Math.Min(before[j], UnservedRttMs);
            for (var i = 0; i < candidates; i++) cost[(long)j * candidates + i] = w * rtt[(long)j * m + existing + i];
        }
        if (greedy)
        {
            var (picked, value) = MedianSolver.Greedy(cost, stay, candidates, k);
            return new Choice(picked.Select(i => i + existing).ToArray(), false, value, null);
        }
        var (chosen, objective, bound) = MedianSolver.Solve(cost, stay, candidates, k, limit, ct, progress);
        var optimal = objective - bound <= 1e-9 * Math.Max(1, objective);
        return new Choice(chosen.Select(i => i + existing).ToArray(), optimal, objective, bound);
    }

    /// <summary>The classic greedy for covering: add the site that brings the most demand newly within the target, k
    /// times. Fast and within 1 - 1/e of the optimum; the baseline the exact model is measured against.</summary>
    private static Choice GreedyCovering(Footprint f, double[] rtt, int m, int existing, double[] before, int k)
    {
        var n = f.Demand.Count;
        var slo = f.Request.SloMs;
        var current = (double[])before.Clone();
        var chosen = new List<int>();
        double value = 0;
        for (var round = 0; round < k; round++)
        {
            int best = -1;
            double bestGain = -1;
            for (var i = existing; i < m; i++)
            {
                if (chosen.Contains(i)) continue;
                double gain = 0;
                for (var j = 0; j < n; j++)
                {
                    if (!(current[j] <= slo) && rtt[(long)j * m + i] <= slo) gain += f.Demand[j].Weight;
                }
                if (gain > bestGain) (best, bestGain) = (i, gain);
            }
            chosen.Add(best);
            value += bestGain;
            for (var j = 0; j < n; j++) current[j] = Math.Min(current[j], rtt[(long)j * m + best]);
        }
        return new Choice(chosen, false, value, null);
    }

    private static Choice Finish(Solver solver, Objective objective, Variable[] y, int existing, int k, TimeSpan limit, bool maximise)
    {
        var count = solver.MakeConstraint(k, k, "k");
        for (var i = existing; i < y.Length; i++) count.SetCoefficient(y[i], 1);
        if (maximise) objective.SetMaximization();
        else objective.SetMinimization();
        solver.SetTimeLimit((long)Math.Max(1000, limit.TotalMilliseconds));
        using var parameters = new MPSolverParameters();
        parameters.SetDoubleParam(MPSolverParameters.DoubleParam.RELATIVE_MIP_GAP, 1e-7);
        var status = solver.Solve(parameters);
        if (status is not (Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE))
            throw new PlanningInputException("timeLimitSeconds", "no plan was found within the time limit; allow more time");
        var chosen = Enumerable.Range(existing, y.Length - existing).Where(i => y[i].SolutionValue() > 0.5).ToArray();
        return new Choice(chosen, status == Solver.ResultStatus.OPTIMAL, objective.Value(), objective.BestBound());
    }

    /// <summary>The ownership (and number of facilities of it) that serves the demand at least cost, or the one asked for.</summary>
    private static (string Ownership, int Facilities, double Cost) Ownership(ExpansionRequest request, long served)
    {
        (int, double) Price(SiteCosts c)
        {
            var n = Math.Max(1, (int)Math.Ceiling(served / c.CapacityPeople));
            return (n, n * c.FixedCost + c.UnitCostPerMillion * served / 1e6);
        }
        var owned = Price(request.Costs.Owned);
        var colocation = Price(request.Costs.Colocation);
        var pick = request.Ownership switch
        {
            OwnershipChoice.Owned => "owned",
            OwnershipChoice.Colocation => "colocation",
            _ => owned.Item2 <= colocation.Item2 ? "owned" : "colocation",
        };
        var (facilities, cost) = pick == "owned" ? owned : colocation;
        return (pick, facilities, Math.Round(cost, 2));
    }
}

/// <param name="NearestRegion">The open region nearest the new site, and its distance in km.</param>
public sealed record PlannedSite(string Name, string Country, Core.Model.GeoPoint Location, string Ownership, int Facilities, double Cost,
    long ServedPopulation, long NewlyWithinTarget, string? NearestRegion, double? NearestRegionKm);

public sealed record ExpansionPlan(
    string Model, double SloMs, DateOnly Date, string? Boundary, int DemandPoints, int Candidates, int OpenRegions,
    IReadOnlyList<PlannedSite> Sites, LatencySummary Before, LatencySummary After, double Cost,
    bool Optimal, double Objective, double? Bound, double Seconds)
{
    /// <summary>Relative distance between the plan's objective and the best bound (null without a bound).</summary>
    public double? Gap => Bound is { } b && Math.Abs(Objective) > 1e-12 ? Math.Round(Math.Abs(Objective - b) / Math.Abs(Objective), 9) : null;
}
