namespace Meridian.Placement.Model;

/// <summary>Every replica placed, or none, with the reason.</summary>
public sealed record PlacementResult(IReadOnlyList<Allocation> Allocations, Infeasibility? Problem)
{
    public bool Placed => Problem is null;

    public static PlacementResult Fail(string constraint, string message, IReadOnlyDictionary<string, int>? zones = null) =>
        new([], new Infeasibility(constraint, message, zones));
}
