using Meridian.Core.Model;

namespace Meridian.Steering.Routing;

/// <summary>A candidate region with its estimated RTT from the client.</summary>
public sealed record RouteCandidate(string Region, double RttMs, bool Measured);

/// <summary>A region left out, and why ("does not offer qwen3-max", "outside the client's data boundary (EU)", "unhealthy: ...").</summary>
public sealed record RouteExclusion(string Region, string Reason);

/// <summary>The chosen region (null when none may serve) with the ranked alternatives and every exclusion.</summary>
public sealed record RouteDecision(
    string Service,
    Residency Policy,
    RouteCandidate? Choice,
    IReadOnlyList<RouteCandidate> Alternatives,
    IReadOnlyList<RouteExclusion> Exclusions,
    string? Problem)
{
    public bool Routed => Choice is not null;
}
