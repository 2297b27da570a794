namespace Meridian.Placement.Model;

/// <summary>Thousandths of one physical GPU (by its index on the host) given to a replica.</summary>
public readonly record struct GpuShare(int Index, int Milli);
