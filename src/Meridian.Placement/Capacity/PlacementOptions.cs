namespace Meridian.Placement.Capacity;

/// <summary>How much of a host can be allocated: (capacity - reserved) x ratio, per resource.</summary>
public sealed record PlacementOptions
{
    /// <summary>vCPU over-commit ratio. Default 4.0, as OpenStack Placement's current default.</summary>
    public double VcpuRatio { get; init; } = 4.0;

    /// <summary>Memory over-commit ratio. Default 1.0.</summary>
    public double MemoryRatio { get; init; } = 1.0;

    /// <summary>GPU over-commit ratio. Default 1.0 (GPUs are never shared beyond their capacity).</summary>
    public double GpuRatio { get; init; } = 1.0;

    /// <summary>vCPU kept back on every host for the host itself, in milli-cores. Default 2000.</summary>
    public int ReservedVcpuMilli { get; init; } = 2000;

    /// <summary>Memory kept back on every host, in MiB. Default 4096.</summary>
    public long ReservedMemoryMiB { get; init; } = 4096;

    /// <summary>Hosts that fit to score per replica in a zone before choosing the best of them; 0 scores every host.
    /// As the Kubernetes scheduler's percentageOfNodesToScore, it bounds the work per decision in large zones; the scan
    /// starts where the previous one in the zone stopped, so all hosts take turns. Default 32.</summary>
    public int HostsToScore { get; init; } = 32;

    /// <summary>Where each zone's scan of hosts to score starts: 0 at its first host. Replicas deciding on the same fleet
    /// with the same start would all claim the same hosts and conflict at commit; the server picks a seed at random per
    /// process, as Omega's parallel schedulers randomise their choices. Default 0 (deterministic: tests, benchmarks).</summary>
    public int ScanSeed { get; init; }

    /// <summary>For the fragmentation-aware strategy: keep whole GPUs, and whole 8-GPU hosts, for the whole-GPU work the
    /// current mix still expects (<see cref="Scoring.WholeGpuReserve"/>). Where they are scarce, a GPU share that would
    /// open a whole GPU is refused, and tasks under 8 GPUs keep off whole 8-GPU hosts. Default true.</summary>
    public bool KeepWholeGpus { get; init; } = true;

    /// <summary>How long a refused GPU request counts as demand still waiting for room (the reserve's forecast of what
    /// free capacity will go to), in minutes. Default 60.</summary>
    public int UnmetGpuDemandMinutes { get; init; } = 60;

    public static readonly PlacementOptions Default = new();

    /// <summary>No over-commit and nothing reserved: a host's capacity as it is (trace replay).</summary>
    public static readonly PlacementOptions Exact = new() { VcpuRatio = 1, MemoryRatio = 1, GpuRatio = 1, ReservedVcpuMilli = 0, ReservedMemoryMiB = 0, HostsToScore = 0 };
}
