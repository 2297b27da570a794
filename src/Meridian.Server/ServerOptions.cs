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
    public Meridian.Placement.Capacity.PlacementOptions Placement { get; init; } = Meridian.Placement.Capacity.PlacementOptions.Default;

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

    /// <summary>Change-log retention and watch streams.</summary>
    public Apis.ChangesOptions Changes { get; init; } = new();

    /// <summary>Largest world document accepted for import. Default 64 MiB. Imports run one at a time.</summary>
    public long MaxImportBodyBytes { get; init; } = 64L * 1024 * 1024;
}
