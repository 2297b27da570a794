using Meridian.Placement.Scoring;

namespace Meridian.Placement.Engine;

/// <summary>The whole-GPU reserve as the engine applies it, per zone: the mix's rules, and the GPU demand that found no
/// room lately (<see cref="Capacity.UnmetGpuDemand"/>). A zone's demand still to fill is its free GPU milli less its
/// part of that unmet demand (in proportion to its free GPU milli), as the replay's capacity less demand arrived.</summary>
public sealed record GpuReserve(WholeGpuReserve Rules, long UnmetGpuMilli);
