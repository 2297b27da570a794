namespace Meridian.Placement.Model;

public sealed record PlacementRequest(int Replicas, Resources PerReplica, PlacementConstraints Constraints, PlacementStrategy Strategy = PlacementStrategy.Spread);
