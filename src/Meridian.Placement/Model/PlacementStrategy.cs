namespace Meridian.Placement.Model;

/// <summary>How hosts are chosen. A workload that names none gets <see cref="Fragmentation"/> when it asks for GPUs
/// and <see cref="Spread"/> otherwise (<see cref="WorkloadSpec.Resolved"/>).</summary>
public enum PlacementStrategy
{
    /// <summary>Fewest hosts and zones: best fit, so large holes stay free.</summary>
    Pack,
    /// <summary>As many zones as allowed, least-loaded hosts first.</summary>
    Spread,
    /// <summary>As many zones as allowed; in each, the host where the GPU capacity the current workload mix cannot use
    /// grows least (<see cref="Scoring.FragmentationScorer"/>), keeping whole GPUs and whole 8-GPU hosts for the
    /// whole-GPU work the mix still expects (<see cref="Scoring.WholeGpuReserve"/>, unless turned off).</summary>
    Fragmentation,
}
