using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.Json;
using Meridian.Core.Serialization;
using Meridian.Core.Validation;
using Meridian.Placement.Capacity;
using Meridian.Placement.Model;
using Meridian.Storage.Changes;
using Meridian.Storage.Data;

namespace Meridian.Storage.Ledger;

/// <summary>The allocation ledger: workloads and the host capacity they hold, in the same database as the world, written
/// in SQL both stores share. Each process keeps the fleet with what is allocated in memory and decides placements on it
/// without a database-wide lock; a write commits only if the generations of the hosts and tenants it claims are still
/// the ones it decided on (compare-and-swap, <see cref="Claims"/>). On a conflict the process catches up from the change
/// log and decides again, up to <see cref="MaxAttempts"/> times, then answers 409. Placements and releases waiting at
/// the same time are written in one transaction (group commit).</summary>
public sealed partial class AllocationLedger : IChangeConsumer, IDisposable
{
    /// <summary>Decisions per operation before a conflict is given to the caller.</summary>
    public const int MaxAttempts = 8;

    /// <summary>Placements and releases written in one transaction at most (1: no group commit).</summary>
    public int MaxBatch { get; init; } = 64;

    private long _conflicts;
    private long _gaveUp;
    private long _transactions;

    /// <summary>Decisions that met a newer host or tenant generation at commit and were made again.</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>Operations answered 409 after <see cref="MaxAttempts"/> conflicts.</summary>
    public long GaveUp => Interlocked.Read(ref _gaveUp);

    /// <summary>Transactions that committed placements or releases.</summary>
    public long Transactions => Interlocked.Read(ref _transactions);

    private readonly WorldStore _store;
    private readonly Database _db;
    private readonly TimeProvider _time;
    private readonly PlacementOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentQueue<Operation> _pending = new();
    private readonly ConcurrentQueue<ChangeRecord> _inbox = new();
    private Fleet _fleet = new([]);
    private WorkloadIndex _workloads = new();
    // GPU demand this process refused for want of room: the whole-GPU reserve's forecast (not shared between replicas).
    private readonly UnmetGpuDemand _unmet;
    private Dictionary<string, long> _hostGenerations = new(StringComparer.Ordinal);
    private Dictionary<string, long> _tenantGenerations = new(StringComparer.Ordinal);
    // Allocations the fleet could not take back (a host out of service); releasing them must not give capacity back.
    private HashSet<(string Workload, int Replica)> _detached = [];
    private bool _loaded;
    private volatile bool _reload;
    private long _worldGeneration = -1;
    private DateOnly _fleetDate;

    public AllocationLedger(WorldStore store, TimeProvider? time = null, PlacementOptions? options = null)
    {
        _store = store;
        _db = store.Database;
        _time = time ?? TimeProvider.System;
        _options = options ?? PlacementOptions.Default;
        _unmet = new UnmetGpuDemand(TimeSpan.FromMinutes(_options.UnmetGpuDemandMinutes));
        store.Placement = _options;
        store.Feed.Subscribe(this);
    }

    public async Task<Workload> PlaceAsync(WorkloadSpec spec, string actor, CancellationToken ct = default)
    {
        CheckNames(spec);
        return (Workload)(await SubmitAsync(new Operation(spec, null, actor), ct))!;
    }

    public async Task<bool> ReleaseAsync(string id, string actor, CancellationToken ct = default)
    {
        // A workload another replica created a moment ago may not be here yet.
        if (await ReadAsync(ct, () => !_workloads.ContainsKey(id))) await _store.Feed.CatchUpAsync(ct);
        return (bool)(await SubmitAsync(new Operation(null, id, actor), ct))!;
    }

    public async Task<Workload?> GetAsync(string id, CancellationToken ct = default)
    {
        var found = await ReadAsync(ct, () => _workloads.GetValueOrDefault(id));
        if (found is not null) return found;
        await _store.Feed.CatchUpAsync(ct);
        return await ReadAsync(ct, () => _workloads.GetValueOrDefault(id));
    }

    public async Task<IReadOnlyList<Workload>> ListAsync(CancellationToken ct = default) =>
        await ReadAsync(ct, () => (IReadOnlyList<Workload>)_workloads.Values.OrderBy(w => w.Id, StringComparer.Ordinal).ToArray());

    public async Task<CapacityReport> CapacityAsync(Func<HostState, bool> include, bool withHosts, CancellationToken ct = default) =>
        await ReadAsync(ct, () => CapacityReport.Of(_fleet, include, withHosts, _workloads.Mix.GpuClasses()));

    /// <summary>Each region's capacity and stranded GPUs, for metrics.</summary>
    public async Task<IReadOnlyList<RegionUsage>> RegionUsageAsync(CancellationToken ct = default) =>
        await ReadAsync(ct, () => RegionUsage.Of(_fleet, _workloads.Mix.GpuClasses()));

    /// <summary>The boundaries (id to countries) the fleet knows, for filters.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlySet<string>>> BoundariesAsync(CancellationToken ct = default) =>
        await ReadAsync(ct, () => _fleet.Boundaries);

    /// <summary>Replicas held on the hosts of a facility.</summary>
    public async Task<int> AllocationsInFacilityAsync(string facilityId, CancellationToken ct = default) =>
        await ReadAsync(ct, () =>
        {
            var hosts = _store.Current.World.Hosts.Values.Where(h => h.FacilityId == facilityId).Select(h => h.Id).ToHashSet(StringComparer.Ordinal);
            return _workloads.Values.Sum(w => w.Allocations.Count(a => hosts.Contains(a.HostId)));
        });

    /// <summary>Applies what the change log brought from other processes (at the next operation, under the gate).</summary>
    public async Task SyncAsync(CancellationToken ct = default) => await ReadAsync(ct, () => 0);

    void IChangeConsumer.Apply(IReadOnlyList<ChangeRecord> entries)
    {
        foreach (var e in entries)
        {
            if (e.Kind == "workloads" || e.Claims is not null) _inbox.Enqueue(e);
        }
    }

    void IChangeConsumer.Reload() => _reload = true;

    public void Dispose() => _gate.Dispose();

    private static void CheckNames(WorkloadSpec spec)
    {
        var errors = new List<FieldError>();
        if (!LedgerNames.IsName(spec.Tenant)) errors.Add(new("tenant", LedgerNames.Rule));
        if (!LedgerNames.IsName(spec.Name)) errors.Add(new("name", LedgerNames.Rule));
        if (errors.Count > 0) throw RegistryException.Invalid(errors);
    }

    private async Task<T> ReadAsync<T>(CancellationToken ct, Func<T> read)
    {
        await _gate.WaitAsync(ct);
        try
        {
            EnsureCurrent();
            return read();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Brings memory up to date: loads everything the first time (or when the feed says it fell behind),
    /// rebuilds the fleet from memory when the world or the day changed, then applies the entries the feed brought.</summary>
    private void EnsureCurrent()
    {
        var snapshot = _store.Current;
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        if (!_loaded || _reload)
        {
            // One snapshot, and nothing replaced until all of it is read: a host generation newer than the allocations
            // loaded with it would let a placement pass the compare-and-swap on capacity that is already taken.
            Dictionary<string, Workload> workloads;
            Dictionary<string, long> hosts, tenants;
            using (var connection = _db.Open())
            using (var tx = _db.BeginRead(connection))
            {
                workloads = LedgerRows.ReadWorkloads(connection, tx);
                hosts = LedgerRows.ReadGenerations(connection, tx, "host_generations", "host_id");
                tenants = LedgerRows.ReadGenerations(connection, tx, "tenants", "id");
                tx.Commit();
            }
            (_hostGenerations, _tenantGenerations, _workloads) = (hosts, tenants, new WorkloadIndex(workloads.Values));
            RebuildFleet(snapshot, today);
            _loaded = true;
            _reload = false;
        }
        else if (snapshot.Generation != _worldGeneration || today != _fleetDate)
        {
            RebuildFleet(snapshot, today);
        }
        while (_inbox.TryDequeue(out var e)) ApplyEntry(e);
    }

    private void RebuildFleet(WorldSnapshot snapshot, DateOnly today)
    {
        var fleet = Fleet.FromWorld(snapshot.World, today, _options);
        var detached = new HashSet<(string, int)>();
        foreach (var w in _workloads.Values)
        {
            // An allocation on a host that has left service stays in the ledger (and in drains) but holds no capacity.
            foreach (var a in w.Allocations)
            {
                if (!fleet.Restore(a)) detached.Add((w.Id, a.Replica));
            }
        }
        (_fleet, _detached, _worldGeneration, _fleetDate) = (fleet, detached, snapshot.Generation, today);
    }

    /// <summary>Applies another process's entry; one already reflected here changes nothing. An entry can arrive after
    /// what it did is already known (this process's own write read back by a concurrent catch-up, or one the last load
    /// saw) and must not undo what came after it. A host's generation here stands for every write to it up to that one,
    /// and every workload entry claims the hosts it touches (all entries of one transaction share the same claims), so a
    /// claim below what is known marks an entry that a later write has overtaken.</summary>
    private void ApplyEntry(ChangeRecord e)
    {
        var claims = Claims.Parse(e.Claims);
        var overtaken = claims?.H?.Any(c => c.Value < _hostGenerations.GetValueOrDefault(c.Key)) == true;
        if (claims is not null)
        {
            foreach (var (h, g) in claims.H ?? []) _hostGenerations[h] = Math.Max(_hostGenerations.GetValueOrDefault(h), g);
            foreach (var (t, g) in claims.T ?? []) _tenantGenerations[t] = Math.Max(_tenantGenerations.GetValueOrDefault(t), g);
        }
        if (e.Kind != "workloads") return;
        _workloads.TryGetValue(e.Id, out var current);
        var after = e.After?.Deserialize<Workload>(MeridianJson.Options);
        if (after is null)
        {
            // A release: ids are never reused, so a workload still here is released now.
            if (current is null) return;
            Take(current);
            _workloads.Remove(e.Id);
            return;
        }
        if (e.Before is null)
        {
            // A placement: one known already is at least as new; one missing here whose hosts were written since was
            // released since (a release or a drain claims every host a workload leaves).
            if (current is not null || overtaken) return;
            _workloads.Set(after);
            Give(after);
            return;
        }
        // A move (drain): only from exactly the state it moved from, and not once a later write overtook it.
        var before = e.Before.Deserialize<Workload>(MeridianJson.Options)!;
        if (current is null || overtaken || !SameAllocations(current, before)) return;
        Take(current);
        _workloads.Set(after);
        Give(after);
    }

    private static bool SameAllocations(Workload a, Workload b) =>
        JsonSerializer.Serialize(a.Allocations, MeridianJson.Options) == JsonSerializer.Serialize(b.Allocations, MeridianJson.Options);

    /// <summary>Gives a workload's capacity back to the fleet (not what it holds on a host out of service).</summary>
    private void Take(Workload w)
    {
        foreach (var a in w.Allocations)
        {
            if (!_detached.Remove((w.Id, a.Replica))) _fleet.Release(a);
        }
    }

    private void Give(Workload w)
    {
        foreach (var a in w.Allocations)
        {
            if (!_fleet.Restore(a)) _detached.Add((w.Id, a.Replica));
        }
    }
}
