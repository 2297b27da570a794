using System.Text.Json.Nodes;

namespace Meridian.Client;

/// <summary>One page of a list: its items and the URL of the next page (null on the last).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>GET /api/v1/me.</summary>
public sealed record Caller(string Actor, string Role, string? Tenant, string? TokenId);

/// <summary>A lifecycle event of a region, zone or facility.</summary>
public sealed record LifecycleEvent(string Status, DateOnly On, bool Estimated = false, string? Note = null);

/// <summary>A zone of a region and its status on the view date.</summary>
public sealed record ZoneStatus(string Id, string Status);

/// <summary>A region as the API shows it: stored fields and its status and zones on the view date.</summary>
public sealed record RegionView(string Id, string Name, string Country, string? Status, IReadOnlyList<LifecycleEvent> History,
    IReadOnlyList<string> Services, IReadOnlyList<ZoneStatus> Zones);

/// <summary>A service (model endpoint or platform service).</summary>
public sealed record ServiceView(string Id, string Kind, string? Name);

/// <summary>The answer to a world import.</summary>
public sealed record ImportResult(bool DryRun, bool Valid, int Created, int Updated, int Deleted);

/// <summary>A GPU, or a share of one, held by a replica.</summary>
public sealed record GpuShare(int Index, double Share);

/// <summary>Where one replica of a workload runs and what it holds.</summary>
public sealed record AllocationView(int Replica, string Host, string Zone, string Region, double Vcpu, double MemoryGiB, IReadOnlyList<GpuShare>? Gpus);

/// <summary>A placed workload. <see cref="Spec"/> is the whole workload as the server holds it (its request fields too).</summary>
public sealed record WorkloadView(string Id, string Tenant, string Name, int Replicas, DateTimeOffset CreatedAt, IReadOnlyList<AllocationView> Allocations)
{
    public JsonObject? Spec { get; init; }
}

/// <summary>Resources per replica of a workload request.</summary>
public sealed record ResourceRequest(double Vcpu, double MemoryGiB, int Gpus = 0, double? GpuShare = null);

/// <summary>The body of POST /api/v1/workloads, for callers that build it in code (the CLI sends its own JSON).</summary>
public sealed record WorkloadRequest(string Tenant, string Name, int Replicas, ResourceRequest Resources, JsonObject? Constraints = null, string? Strategy = null);

public sealed record CapacityTotals(double Vcpu, double MemoryGiB, double Gpus);

/// <param name="StrandedGpus">Free GPUs on hosts where no task of the workloads placed now fits.</param>
public sealed record CapacityLine(string Id, int Hosts, CapacityTotals Total, CapacityTotals Used, CapacityTotals Free, double StrandedGpus = 0);

/// <summary>GET /api/v1/capacity.</summary>
public sealed record CapacityView(CapacityLine All, IReadOnlyList<CapacityLine> Regions, IReadOnlyList<CapacityLine> Zones, IReadOnlyList<CapacityLine>? Hosts);

public sealed record DrainMove(string Workload, int Replica, string From, AllocationView To);

public sealed record DrainStuck(string Workload, int Replica, string Host, string Reason);

/// <summary>POST /api/v1/facilities/{id}/drain.</summary>
public sealed record DrainView(string Facility, string Status, bool Applied, IReadOnlyList<DrainMove> Moves, IReadOnlyList<DrainStuck> Stuck, int Remaining);

public sealed record RouteChoice(string Region, double RttMs);

public sealed record RouteExclusion(string Region, string Reason);

/// <summary>GET /api/v1/route; when no region may serve (503), <see cref="Problem"/> says why and Region is null.</summary>
public sealed record RouteView(string Service, string? Policy, string? Region, double? RttMs, IReadOnlyList<RouteChoice>? Alternatives,
    IReadOnlyList<RouteExclusion>? Exclusions, string? Country, string? CountrySource)
{
    public string? Problem { get; init; }
}

/// <summary>A tenant's limits; a null one is unlimited.</summary>
public sealed record TenantQuota(double? Vcpu = null, double? MemoryGiB = null, double? Gpus = null, IReadOnlyDictionary<string, double>? GpusByModel = null);

public sealed record TenantUsage(double Vcpu, double MemoryGiB, double Gpus, IReadOnlyDictionary<string, double> GpusByModel, int Workloads, int Replicas);

/// <summary>A tenant with its usage; <see cref="ETag"/> is set when read one at a time (for If-Match).</summary>
public sealed record TenantView(string Id, string? Description, TenantQuota? Quota, DateTimeOffset? CreatedAt, TenantUsage Usage)
{
    public string? ETag { get; init; }
}

/// <summary>An API token, without its secret.</summary>
public sealed record TokenView(string Id, string Name, string Role, string? Tenant, DateTimeOffset CreatedAt, string? CreatedBy,
    DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    /// <summary>The secret, only in the answer that created the token.</summary>
    public string? Token { get; init; }
}

/// <summary>An entry of the change log: who changed what and when, with the resource before and after.</summary>
public sealed record ChangeEntry(long Seq, DateTimeOffset At, string Actor, string Action, string Kind, string Id, long Generation, JsonNode? Before, JsonNode? After);

/// <summary>What a watch delivers: a change, or a bookmark (the last sequence number passed, to resume from cheaply).</summary>
public sealed record WatchEvent(long Seq, ChangeEntry? Change)
{
    public bool IsBookmark => Change is null;
}
