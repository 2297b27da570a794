namespace Meridian.Core.Model;

/// <summary>An availability zone of a region, such as eu-central-1a.</summary>
public sealed record Zone(
    string Id,
    string RegionId,
    IReadOnlyList<LifecycleEvent> History,
    string? Notes = null) : ILifecycleResource;
