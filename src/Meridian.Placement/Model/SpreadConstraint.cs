namespace Meridian.Placement.Model;

/// <summary>Zone spread, as in Kubernetes topology spread constraints: the replicas use at least
/// <see cref="MinZones"/> zones, and the replica counts of the zones used differ by at most <see cref="MaxSkew"/>.</summary>
public sealed record SpreadConstraint(int MinZones = 1, int MaxSkew = 1);
