namespace Meridian.Server;

/// <summary>How <c>meridian serve</c> runs.</summary>
public sealed record ServerOptions
{
    /// <summary>The database: a SQLite file (created and seeded with the demo world when missing), or PostgreSQL as
    /// <c>postgres://user@host:port/db</c> or <c>Host=...;Database=...</c>. Default ./meridian.db.</summary>
    public string DatabasePath { get; init; } = "meridian.db";

    /// <summary>Addresses to listen on. Default http://127.0.0.1:5080.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5080";

    /// <summary>Seed an empty database with the demo world. Default true.</summary>
    public bool SeedDemoWorld { get; init; } = true;

    /// <summary>How often to read the change log for writes made by other processes (the CLI, other replicas). On
    /// PostgreSQL a NOTIFY wakes the reader at once and this is the fallback. Default 250 ms.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Placements and releases the ledger writes in one transaction at most (group commit); 1 turns it off.
    /// Default 64.</summary>
    public int PlacementBatch { get; init; } = 64;

    /// <summary>Largest body of a single-resource write. Default 256 KiB.</summary>
    public long MaxResourceBodyBytes { get; init; } = 256 * 1024;

    /// <summary>Over-commit ratios, reserved capacity and scoring bounds of placement. Default <see cref="Meridian.Placement.Capacity.PlacementOptions.Default"/>.</summary>
    public Meridian.Placement.Capacity.PlacementOptions Placement { get; init; } = new(); // its own: binding sets its properties

    /// <summary>The latency model that estimates round trips between clients and regions.</summary>
    public Meridian.Core.Latency.LatencyModelOptions Latency { get; init; } = new();

    /// <summary>Health checks of regional endpoints and passive failure detection. Default <see cref="Meridian.Steering.Health.HealthOptions"/>.</summary>
    public Meridian.Steering.Health.HealthOptions Health { get; init; } = new();

    /// <summary>Plans waiting or running at once; past it, POST /api/v1/plans answers 503 with Retry-After. Default 8.</summary>
    public int MaxQueuedPlans { get; init; } = 8;

    /// <summary>How long a plan's lease lasts without renewal (renewed every third of it); when the replica running a plan
    /// stops, another marks the plan failed this long after. Default 30 s.</summary>
    public TimeSpan PlanLease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>API requests served at once; more wait in a queue of <see cref="MaxQueuedRequests"/>. Default 64.</summary>
    public int MaxConcurrentRequests { get; init; } = 64;

    /// <summary>API requests that may wait for a turn; past it, 503 with Retry-After. Default 1024.</summary>
    public int MaxQueuedRequests { get; init; } = 1024;

    /// <summary>Tokens, roles' limits, trusted proxies, allowed endpoint hosts, OIDC. Bound from Meridian:Security too.</summary>
    public Security.SecurityOptions Security { get; init; } = new();

    /// <summary>Metrics, traces and logs.</summary>
    public Telemetry.TelemetryOptions Telemetry { get; init; } = new();

    /// <summary>The gateway's timeouts.</summary>
    public Gateway.GatewayOptions Gateway { get; init; } = new();

    /// <summary>Change-log retention and watch streams.</summary>
    public Apis.ChangesOptions Changes { get; init; } = new();

    /// <summary>Largest world document accepted for import. Default 64 MiB. Imports run one at a time.</summary>
    public long MaxImportBodyBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Values out of range, as (key under Meridian, message); empty when the options can be used.</summary>
    public IEnumerable<(string Key, string Message)> Validate()
    {
        static string Positive(TimeSpan t) => t > TimeSpan.Zero ? "" : "must be a positive duration, such as 00:00:05";
        var checks = new (string Key, string Problem)[]
        {
            ("DatabasePath", string.IsNullOrWhiteSpace(DatabasePath) ? "must name a SQLite file or a PostgreSQL URL" : ""),
            ("Urls", Urls.Split(';', StringSplitOptions.RemoveEmptyEntries).All(u => Uri.TryCreate(u.Trim(), UriKind.Absolute, out var x) && x.Scheme is "http" or "https")
                ? "" : "must be http:// or https:// addresses separated by ';'"),
            ("RefreshInterval", Positive(RefreshInterval)),
            ("PlacementBatch", PlacementBatch is >= 1 and <= 10_000 ? "" : "must be 1 to 10000"),
            ("MaxResourceBodyBytes", MaxResourceBodyBytes is >= 1024 and <= 64L * 1024 * 1024 ? "" : "must be 1 KiB to 64 MiB"),
            ("MaxImportBodyBytes", MaxImportBodyBytes is >= 1024 and <= 4L * 1024 * 1024 * 1024 ? "" : "must be 1 KiB to 4 GiB"),
            ("MaxQueuedPlans", MaxQueuedPlans is >= 1 and <= 1000 ? "" : "must be 1 to 1000"),
            ("PlanLease", Positive(PlanLease)),
            ("MaxConcurrentRequests", MaxConcurrentRequests is >= 1 and <= 100_000 ? "" : "must be 1 to 100000"),
            ("MaxQueuedRequests", MaxQueuedRequests is >= 0 and <= 1_000_000 ? "" : "must be 0 to 1000000"),
            ("Placement:VcpuRatio", Placement.VcpuRatio is > 0 and <= 100 ? "" : "must be above 0 and at most 100"),
            ("Placement:MemoryRatio", Placement.MemoryRatio is > 0 and <= 100 ? "" : "must be above 0 and at most 100"),
            ("Placement:GpuRatio", Placement.GpuRatio is > 0 and <= 100 ? "" : "must be above 0 and at most 100"),
            ("Placement:ReservedVcpuMilli", Placement.ReservedVcpuMilli >= 0 ? "" : "must be 0 or more"),
            ("Placement:ReservedMemoryMiB", Placement.ReservedMemoryMiB >= 0 ? "" : "must be 0 or more"),
            ("Placement:HostsToScore", Placement.HostsToScore >= 0 ? "" : "must be 0 (all) or more"),
            ("Placement:UnmetGpuDemandMinutes", Placement.UnmetGpuDemandMinutes is >= 1 and <= 10_080 ? "" : "must be 1 to 10080 (a week)"),
            ("Health:Interval", Positive(Health.Interval)),
            ("Health:Timeout", Positive(Health.Timeout)),
            ("Health:Path", Health.Path.StartsWith('/') ? "" : "must start with /"),
            ("Health:UnhealthyThreshold", Health.UnhealthyThreshold >= 1 ? "" : "must be 1 or more"),
            ("Health:HealthyThreshold", Health.HealthyThreshold >= 1 ? "" : "must be 1 or more"),
            ("Health:PassiveFailures", Health.PassiveFailures >= 1 ? "" : "must be 1 or more"),
            ("Health:CoolDown", Positive(Health.CoolDown)),
            ("Latency:FixedMs", Latency.FixedMs >= 0 && double.IsFinite(Latency.FixedMs) ? "" : "must be 0 or more"),
            ("Security:TokenRequestsPerMinute", Security.TokenRequestsPerMinute >= 1 ? "" : "must be 1 or more"),
            ("Security:AddressRequestsPerMinute", Security.AddressRequestsPerMinute >= 1 ? "" : "must be 1 or more"),
            ("Security:RateLimitPeriod", Positive(Security.RateLimitPeriod)),
            ("Security:TrustedProxies", Security.TrustedProxies.FirstOrDefault(e => !Meridian.Server.Security.ClientLocator.IsNetwork(e)) is { } bad
                ? $"'{bad}' is not an IP address or CIDR range" : ""),
            ("Gateway:ConnectTimeout", Positive(Gateway.ConnectTimeout)),
            ("Gateway:ResponseHeadersTimeout", Positive(Gateway.ResponseHeadersTimeout)),
            ("Gateway:ActivityTimeout", Positive(Gateway.ActivityTimeout)),
            ("Changes:Retention", Changes.Retention >= TimeSpan.Zero ? "" : "must be 0 (keep for ever) or a positive duration"),
            ("Changes:CompactionInterval", Positive(Changes.CompactionInterval)),
            ("Changes:BookmarkInterval", Positive(Changes.BookmarkInterval)),
            ("Changes:MaxWatchers", Changes.MaxWatchers is >= 1 and <= 100_000 ? "" : "must be 1 to 100000"),
            ("Telemetry:OtlpProtocol", Telemetry.OtlpProtocol is "grpc" or "http/protobuf" ? "" : "must be grpc or http/protobuf"),
            ("Telemetry:OtlpEndpoint", string.IsNullOrWhiteSpace(Telemetry.OtlpEndpoint) || Uri.TryCreate(Telemetry.OtlpEndpoint, UriKind.Absolute, out var otlp) && otlp.Scheme is "http" or "https"
                ? "" : "must be an http or https URL, such as http://127.0.0.1:4317"),
        };
        return checks.Where(c => c.Problem.Length > 0);
    }
}
