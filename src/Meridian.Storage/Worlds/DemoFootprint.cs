using Meridian.Core.Fleet;
using Meridian.Core.Model;

namespace Meridian.Storage.Worlds;

/// <summary>The shape of a shipped world's footprint.yaml: what regions.csv does not hold.</summary>
internal sealed record DemoFootprint(
    IReadOnlyList<DataBoundary> Boundaries,
    IReadOnlyList<Service> Services,
    IReadOnlyList<string> DefaultServices,
    IReadOnlyDictionary<string, IReadOnlyList<string>> ServiceRegions,
    IReadOnlyList<Zone> Zones,
    IReadOnlyList<Facility> Facilities,
    IReadOnlyList<string> PartnerOperatedRegions,
    HostFleetOptions Fleet);
