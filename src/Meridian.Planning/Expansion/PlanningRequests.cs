using Meridian.Core.Latency;
using Meridian.Core.Model;

namespace Meridian.Planning.Expansion;

/// <summary>Which ownership the new sites may take.</summary>
public enum OwnershipChoice
{
    Either,
    Owned,
    Colocation,
}

/// <summary>Cost of one facility of a kind: a fixed cost per facility, how many people one serves, and a cost per
/// million people served. Units are the operator's (the defaults read as M$ a year and are illustrative).</summary>
public sealed record SiteCosts(double FixedCost, double CapacityPeople, double UnitCostPerMillion);

public sealed record PlanningCosts(SiteCosts Owned, SiteCosts Colocation)
{
    /// <summary>Refuses costs a plan cannot price: negative, infinite, or a capacity of no one.</summary>
    public void Check()
    {
        foreach (var (name, c) in new[] { ("owned", Owned), ("colocation", Colocation) })
        {
            if (c is null) throw new Instances.PlanningInputException($"costs.{name}", "is required");
            if (!(c.FixedCost >= 0) || !double.IsFinite(c.FixedCost)) throw new Instances.PlanningInputException($"costs.{name}.fixedCost", "must be a finite number of at least 0");
            if (!(c.CapacityPeople > 0)) throw new Instances.PlanningInputException($"costs.{name}.capacityPeople", "must be above 0");
            if (!(c.UnitCostPerMillion >= 0) || !double.IsFinite(c.UnitCostPerMillion)) throw new Instances.PlanningInputException($"costs.{name}.unitCostPerMillion", "must be a finite number of at least 0");
        }
    }

    /// <summary>Owned: dear to open, cheap to run, large. Co-location: cheap to open, dearer per user, small cages.</summary>
    public static readonly PlanningCosts Default = new(new SiteCosts(120, 500_000_000, 0.05), new SiteCosts(25, 60_000_000, 0.40));
}

/// <summary>What both kinds of plan share: the date of the footprint, the latency target, the data-boundary rule and
/// the demand model.</summary>
public abstract record PlanRequest
{
    /// <summary>Regions Live on this date are the open sites.</summary>
    public DateOnly Date { get; init; }

    /// <summary>The latency target (RTT) that "served well" means in the report.</summary>
    public double SloMs { get; init; } = 50;

    /// <summary>Strict: demand in a data boundary is served only from sites inside it; Global: from anywhere.</summary>
    public Residency Residency { get; init; } = Residency.Strict;

    /// <summary>Only demand (and new sites) in the countries of this boundary.</summary>
    public string? Boundary { get; init; }

    public double CellDegrees { get; init; } = 1.0;

    /// <summary>Multipliers of a country's population (countries not listed weigh 1).</summary>
    public IReadOnlyDictionary<string, double>? CountryWeights { get; init; }
}

/// <summary>Where to open <see cref="Add"/> new sites.</summary>
/// <param name="Add">New sites to open.</param>
public sealed record ExpansionRequest(int Add) : PlanRequest
{
    /// <summary>With a target, maximise the demand within <see cref="PlanRequest.SloMs"/> (maximal covering); without,
    /// minimise the population-weighted RTT (p-median).</summary>
    public bool MaximiseCoverage { get; init; } = true;

    public OwnershipChoice Ownership { get; init; } = OwnershipChoice.Either;

    /// <summary>Choose sites one at a time by the largest gain instead of solving the model exactly (fast; no bound).</summary>
    public bool Greedy { get; init; }

    /// <summary>Candidate sites: cities of at least this many people, unless <see cref="Candidates"/> is given.</summary>
    public long CandidateMinPopulation { get; init; } = 1_000_000;

    /// <summary>Candidates given by the operator instead of cities (name, country, location).</summary>
    public IReadOnlyList<CandidateSite>? Candidates { get; init; }

    public PlanningCosts Costs { get; init; } = PlanningCosts.Default;

    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(60);
}

public sealed record CandidateSite(string Name, string Country, GeoPoint Location);

/// <summary>What closing <see cref="Region"/> does to the latency of the demand it serves.</summary>
public sealed record ClosureRequest(string Region) : PlanRequest;

/// <summary>A plan whose request has been checked (quick), ready to run (slow): a caller can refuse bad input before
/// it queues the work.</summary>
public sealed class PreparedPlan<T>(int demandPoints, int candidates, Func<LatencyModel, IProgress<PlanProgress>?, CancellationToken, T> run)
{
    public int DemandPoints => demandPoints;

    /// <summary>Candidate sites the plan may open (0 for a closure).</summary>
    public int Candidates => candidates;

    public T Run(LatencyModel latency, IProgress<PlanProgress>? progress = null, CancellationToken ct = default) => run(latency, progress, ct);
}

/// <summary>How far a plan has got: a stage name and the share of the whole work done.</summary>
public readonly record struct PlanProgress(string Stage, double Fraction);
