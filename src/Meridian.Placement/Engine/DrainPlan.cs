using Meridian.Placement.Model;

namespace Meridian.Placement.Engine;

/// <summary>Where each replica on a draining facility goes, and which cannot move and why.</summary>
public sealed record DrainPlan(string FacilityId, IReadOnlyList<DrainMove> Moves, IReadOnlyList<DrainStuck> Stuck);

public sealed record DrainMove(string WorkloadId, int Replica, string FromHost, Allocation To);

public sealed record DrainStuck(string WorkloadId, int Replica, string Host, string Reason);
