namespace Meridian.Placement.Replay;

/// <summary>The outcome of one policy on one replay.</summary>
/// <param name="UnallocatedGpuShare">Share of the cluster's GPU capacity left unallocated at the end.</param>
/// <param name="Overcommits">Hosts whose allocations exceed their capacity (always 0 unless the engine is wrong).</param>
public sealed record ReplayReport(
    string Policy, int TasksSubmitted, int TasksPlaced, int TasksFailed,
    double GpuCapacity, double GpusAllocated, double UnallocatedGpuShare, int Overcommits, double Seconds);
