using Meridian.Core.Model;

namespace Meridian.Server.Apis.Contracts;

/// <summary>The liveness answer of /healthz.</summary>
public sealed record Liveness(string Status, long Generation);

/// <summary>The answer of /readyz when this replica may take traffic.</summary>
public sealed record ReadinessView(string Status, long Generation, string Database, long ChangeLog);

/// <summary>The shape of an exported world document (GET /api/v1/world), and of what an import takes.</summary>
public sealed record WorldExport(
    string Format,
    IReadOnlyList<DataBoundary> Boundaries, IReadOnlyList<Service> Services, IReadOnlyList<Region> Regions,
    IReadOnlyList<Zone> Zones, IReadOnlyList<Facility> Facilities, IReadOnlyList<Meridian.Core.Model.Host> Hosts);
