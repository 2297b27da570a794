using Meridian.Placement.Model;

namespace Meridian.Storage.Ledger;

/// <summary>A workload that cannot be placed as asked; nothing was allocated.</summary>
public sealed class PlacementRefusedException(Infeasibility problem) : Exception(problem.Message)
{
    public Infeasibility Problem { get; } = problem;
}
