namespace Meridian.Core.Model;

/// <summary>A cloud region, such as eu-central-1 (Frankfurt).</summary>
/// <param name="Country">ISO 3166-1 alpha-2 code of the country the region is in.</param>
/// <param name="Services">Ids of the services the region offers.</param>
public sealed record Region(
    string Id,
    string Name,
    string City,
    string Country,
    GeoPoint Location,
    IReadOnlyList<LifecycleEvent> History,
    IReadOnlyList<string> Services,
    string? Notes = null) : ILifecycleResource;
