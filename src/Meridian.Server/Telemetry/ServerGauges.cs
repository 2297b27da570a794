using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Meridian.Placement.Capacity;
using Meridian.Server.Apis;
using Meridian.Storage;
using Meridian.Storage.Ledger;

namespace Meridian.Server.Telemetry;

/// <summary>What a running server is, read when metrics are collected: world generation, capacity per region, stranded
/// GPUs, replica catch-up, plans, watches and the ledger's counters. Servers register while they run (tests run several
/// in one process; a deployment runs one), and the gauges report each.</summary>
internal sealed class ServerGauges(WorldStore store, AllocationLedger ledger, Planning.PlanJobs plans, ChangeWatch watch, TimeProvider time) : IDisposable
{
    private readonly WorldStore _store = store;
    private readonly AllocationLedger _ledger = ledger;
    private readonly Planning.PlanJobs _plans = plans;
    private readonly ChangeWatch _watch = watch;

    private static readonly ConcurrentDictionary<ServerGauges, byte> Running = new();
    private static int _created;

    private (long At, IReadOnlyList<RegionUsage> Regions)? _usage;

    /// <summary>Creates the observable instruments once per process and counts this server in.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _created, 1) == 0) CreateInstruments(MeridianMetrics.Meter);
        Running[this] = 0;
    }

    public void Dispose() => Running.TryRemove(this, out _);

    private static void CreateInstruments(Meter meter)
    {
        meter.CreateObservableGauge("meridian.world.generation", () => Each(s => new Measurement<long>(s._store.Current.Generation)),
            "{generation}", "The world generation this replica serves");
        meter.CreateObservableGauge("meridian.replica.catch_up.lag", () => Each(s => new Measurement<double>(s.Lag().TotalSeconds)),
            "s", "Time since this replica last read the change log without error");
        meter.CreateObservableGauge("meridian.changes.pending_gaps", () => Each(s => new Measurement<int>(s._store.Feed.PendingGaps)),
            "{gap}", "Change-log numbers taken by writers that have not committed yet, as this replica sees them");
        meter.CreateObservableGauge("meridian.plans.active", () => Each(s => new Measurement<int>(s._plans.Active)),
            "{plan}", "Plans waiting or running on this replica");
        meter.CreateObservableGauge("meridian.watch.streams", () => Each(s => new Measurement<int>(s._watch.Watchers)),
            "{stream}", "Open watch streams");
        meter.CreateObservableCounter("meridian.ledger.transactions", () => Each(s => new Measurement<long>(s._ledger.Transactions)),
            "{transaction}", "Transactions that committed placements or releases");
        meter.CreateObservableCounter("meridian.ledger.conflicts", () => Each(s => new Measurement<long>(s._ledger.Conflicts)),
            "{conflict}", "Placement decisions that met a newer host or tenant generation at commit and were made again");
        meter.CreateObservableCounter("meridian.ledger.gave_up", () => Each(s => new Measurement<long>(s._ledger.GaveUp)),
            "{operation}", "Placements answered 409 after too many conflicts");
        meter.CreateObservableGauge("meridian.capacity.total", () => Capacity(u => u.Total), null, "Allocatable capacity per region and resource (vcpu in cores, memory in bytes, gpu in GPUs)");
        meter.CreateObservableGauge("meridian.capacity.used", () => Capacity(u => u.Used), null, "Capacity held by workloads per region and resource");
        meter.CreateObservableGauge("meridian.capacity.free", () => Capacity(u => u.Free), null, "Capacity free per region and resource");
        meter.CreateObservableGauge("meridian.gpus.stranded", () => Running.Keys.SelectMany(s => s.Usage().Select(u =>
                new Measurement<double>(u.StrandedGpus, new KeyValuePair<string, object?>("region", u.Region)))),
            "{gpu}", "Free GPUs on hosts where no task of the workloads placed now fits (CPU, memory, GPUs, GPU model)");
    }

    private static IEnumerable<Measurement<T>> Each<T>(Func<ServerGauges, Measurement<T>> read) where T : struct => Running.Keys.Select(read);

    private static IEnumerable<Measurement<double>> Capacity(Func<RegionUsage, CapacityTotals> pick) =>
        Running.Keys.SelectMany(s => s.Usage()).SelectMany(u =>
        {
            var t = pick(u);
            var region = new KeyValuePair<string, object?>("region", u.Region);
            return new[]
            {
                new Measurement<double>(t.Vcpu, region, new("resource", "vcpu")),
                new Measurement<double>(t.MemoryGiB * 1024 * 1024 * 1024, region, new("resource", "memory")),
                new Measurement<double>(t.Gpus, region, new("resource", "gpu")),
            };
        });

    private TimeSpan Lag() => _store.Feed.CaughtUpAt is { } at ? time.GetUtcNow() - at : TimeSpan.Zero;

    /// <summary>Per-region usage, computed at most once a second (one scrape reads it for four gauges).</summary>
    private IReadOnlyList<RegionUsage> Usage()
    {
        var now = time.GetTimestamp();
        if (_usage is { } cached && time.GetElapsedTime(cached.At, now) < TimeSpan.FromSeconds(1)) return cached.Regions;
        try
        {
            var regions = _ledger.RegionUsageAsync().GetAwaiter().GetResult();
            _usage = (now, regions);
            return regions;
        }
        catch (Exception e) when (e is Meridian.Storage.Data.StoreUnavailableException or System.Data.Common.DbException or IOException)
        {
            return _usage?.Regions ?? []; // the database is away: the last figures, not a failed scrape
        }
    }
}
