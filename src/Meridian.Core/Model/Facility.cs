namespace Meridian.Core.Model;

/// <summary>A data-centre building.</summary>
/// <param name="RegionId">The region it serves; null for an announced site not yet part of any region.</param>
/// <param name="ZoneId">The zone it belongs to; null for a site that serves the region without being a zone (a co-location point of presence).</param>
public sealed record Facility(
    string Id,
    string Name,
    string City,
    string Country,
    GeoPoint Location,
    Ownership Ownership,
    IReadOnlyList<LifecycleEvent> History,
    string? RegionId = null,
    string? ZoneId = null,
    OnSiteSupport? Support = null,
    string? Notes = null) : ILifecycleResource;
