namespace Meridian.Core.Model;

/// <summary>A physical server in a facility of a zone.</summary>
public sealed record Host(
    string Id,
    string ZoneId,
    string FacilityId,
    int Vcpu,
    int MemoryGiB,
    int Gpus = 0,
    string? GpuModel = null) : IResource;
