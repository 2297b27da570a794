namespace Meridian.Core.Fleet;

/// <summary>Shape of the synthetic host fleet.</summary>
public sealed record HostFleetOptions
{
    /// <summary>Seed of the generator; the same seed gives the same fleet. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Hosts in each zone that is in service. Default 24.</summary>
    public int HostsPerZone { get; init; } = 24;

    /// <summary>Share of a zone's hosts that carry GPUs; at least two per zone. Default 0.25.</summary>
    public double GpuShare { get; init; } = 0.25;
}
