namespace Meridian.Placement.Model;

/// <summary>Resources of one host given to one replica.</summary>
public sealed record Allocation(int Replica, string HostId, string ZoneId, string RegionId, int VcpuMilli, long MemoryMiB, IReadOnlyList<GpuShare> Gpus);
