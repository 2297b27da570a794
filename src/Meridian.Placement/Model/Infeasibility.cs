namespace Meridian.Placement.Model;

/// <summary>Why a request cannot be placed: the constraint that fails, what is missing, and where.</summary>
/// <param name="Constraint">"replicas", "resources", "residency", "spread", "ownership", "gpuModels", "capacity" or
/// "reserve" (the whole-GPU reserve keeps what would fit, <see cref="Scoring.WholeGpuReserve"/>).</param>
/// <param name="ZoneCapacity">For capacity failures: how many replicas each eligible zone could take.</param>
public sealed record Infeasibility(string Constraint, string Message, IReadOnlyDictionary<string, int>? ZoneCapacity = null);
