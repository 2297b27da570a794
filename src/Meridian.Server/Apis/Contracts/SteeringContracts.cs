using Meridian.Steering.Routing;

namespace Meridian.Server.Apis.Contracts;

/// <summary>The region that serves a client for a service, the others it could use, and why regions were left out.</summary>
public sealed record RouteView(
    string Service, string Policy, string Region, double RttMs, bool Measured, IReadOnlyList<RouteAlternative> Alternatives,
    IReadOnlyList<RouteExclusion> Exclusions, string Country, string CountrySource)
{
    public static RouteView Of(RouteDecision d, string country, string countrySource) => new(d.Service, d.Policy.ToString().ToLowerInvariant(),
        d.Choice!.Region, Math.Round(d.Choice.RttMs, 2), d.Choice.Measured,
        [.. d.Alternatives.Select(a => new RouteAlternative(a.Region, Math.Round(a.RttMs, 2)))], ExclusionsOf(d), country, countrySource);

    public static IReadOnlyList<RouteExclusion> ExclusionsOf(RouteDecision d) => [.. d.Exclusions.Select(e => new RouteExclusion(e.Region, e.Reason))];
}

public sealed record RouteAlternative(string Region, double RttMs);

public sealed record RouteExclusion(string Region, string Reason);

/// <summary>What a world import did, or in a dry run would do.</summary>
public sealed record ImportSummary(bool DryRun, bool Valid, int Created, int Updated, int Deleted);
