using Meridian.Core.Lifecycle;
using Meridian.Core.Model;
using Meridian.Core.Registry;
using Meridian.Core.Validation;
using Meridian.Placement.Capacity;
using Meridian.Placement.Engine;
using Meridian.Placement.Model;
using Meridian.Storage.Registry;
using Meridian.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Meridian.Storage.Ledger;

/// <summary>The allocation ledger: workloads and the host capacity they hold, in the same SQLite file as the world.
/// A placement is decided on the latest fleet and written in one IMMEDIATE transaction with its change-log entry,
/// the ledger generation and the generation of every host it claims on (OpenStack Placement's resource-provider
/// generations), so two processes can never over-commit a host. In memory it keeps the fleet with what is allocated.</summary>
public sealed partial class SqliteLedger : IDisposable
{
    private readonly SqliteWorldStore _store;
    private readonly TimeProvider _time;
    private readonly PlacementOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Fleet _fleet = new([]);
    private Dictionary<string, Workload> _workloads = new(StringComparer.Ordinal);
    private Dictionary<string, long> _hostGenerations = new(StringComparer.Ordinal);
    // Allocations the fleet could not take back (a host out of service); releasing them must not give capacity back.
    private HashSet<(string Workload, int Replica)> _detached = [];
    private long _ledgerGeneration = -1;
    private long _worldGeneration = -1;
    private DateOnly _fleetDate;
    // One connection for all ledger work: the gate already serialises it, and opening a connection per request costs more than the work.
    private SqliteConnection? _connection;

    public SqliteLedger(SqliteWorldStore store, TimeProvider? time = null, PlacementOptions? options = null)
    {
        _store = store;
        _time = time ?? TimeProvider.System;
        _options = options ?? PlacementOptions.Default;
        store.Placement = _options;
    }

    public async Task<Workload> PlaceAsync(WorkloadSpec spec, string actor, CancellationToken ct = default)
    {
        CheckNames(spec);
        return await WriteAsync<Workload>(ct, (connection, tx, generation) =>
        {
            var tenant = ReadTenant(connection, tx, spec.Tenant)?.Tenant
                ?? throw RegistryException.Invalid([new("tenant", $"no tenant '{spec.Tenant}'; an admin creates it with POST /api/v1/tenants")]);
            if (_workloads.Values.Any(w => w.Spec.Tenant == spec.Tenant && w.Spec.Name == spec.Name))
                throw new RegistryException(ProblemKind.Conflict, $"tenant '{spec.Tenant}' already has a workload '{spec.Name}'", [new("name", "is taken for this tenant")]);
            var result = PlacementEngine.Place(_fleet, spec.ToRequest());
            if (!result.Placed) throw new PlacementRefusedException(result.Problem!);
            var workload = new Workload($"wl-{Guid.NewGuid():N}"[..15], spec, _time.GetUtcNow(), result.Allocations);
            try
            {
                // The quota is read and checked in this transaction, on the ledger as it is now.
                var before = UsageOf(spec.Tenant);
                if (Quotas.Exceeded(tenant, before, before.Plus(TenantUsage.Of(workload.Allocations, _store.Current.World, 1))) is { } over)
                    throw new RegistryException(ProblemKind.Invalid, over.Message, [over]);
                LedgerRows.InsertWorkload(connection, tx, workload);
                ClaimHosts(connection, tx, workload.Allocations.Select(a => a.HostId));
                LedgerRows.LogChange(connection, tx, workload.CreatedAt, actor, "create", workload.Id, generation, null, workload);
            }
            catch
            {
                foreach (var a in workload.Allocations) _fleet.Release(a);
                throw;
            }
            return (workload, () => _workloads[workload.Id] = workload);
        });
    }

    public async Task<bool> ReleaseAsync(string id, string actor, CancellationToken ct = default) =>
        await WriteAsync<bool>(ct, (connection, tx, generation) =>
        {
            if (!_workloads.TryGetValue(id, out var workload)) return (false, () => { });
            LedgerRows.DeleteWorkload(connection, tx, id);
            ClaimHosts(connection, tx, workload.Allocations.Select(a => a.HostId));
            LedgerRows.LogChange(connection, tx, _time.GetUtcNow(), actor, "delete", id, generation, workload, null);
            return (true, () =>
            {
                foreach (var a in workload.Allocations)
                {
                    if (!_detached.Remove((id, a.Replica))) _fleet.Release(a);
                }
                _workloads.Remove(id);
            });
        });

    public async Task<Workload?> GetAsync(string id, CancellationToken ct = default) =>
        await ReadAsync(ct, () => _workloads.GetValueOrDefault(id));

    public async Task<IReadOnlyList<Workload>> ListAsync(CancellationToken ct = default) =>
        await ReadAsync(ct, () => (IReadOnlyList<Workload>)_workloads.Values.OrderBy(w => w.Id, StringComparer.Ordinal).ToArray());

    public async Task<CapacityReport> CapacityAsync(Func<HostState, bool> include, bool withHosts, CancellationToken ct = default) =>
        await ReadAsync(ct, () => CapacityReport.Of(_fleet, include, withHosts));

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

    /// <summary>Plans moving a Live or Draining facility's replicas and changes nothing; with <paramref name="apply"/>
    /// marks a Live facility Draining and moves them. Returns the plan and how many replicas remain on the facility.</summary>
    public async Task<(DrainPlan Plan, int Remaining)> DrainFacilityAsync(string facilityId, bool apply, string actor, CancellationToken ct = default)
    {
        var facility = _store.Current.World.Facilities.Find(facilityId) ?? throw RegistryException.NotFound("facility", facilityId);
        var status = LifecycleRules.Current(facility.History);
        if (status == LifecycleStatus.Live && apply)
        {
            var on = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
            await _store.WriteAsync(actor, RegistryCommands.Transition(Kinds.Facilities, facilityId,
                new LifecycleEvent(LifecycleStatus.Draining, on, Note: "drain requested"), null), ct);
        }
        else if (status is not (LifecycleStatus.Live or LifecycleStatus.Draining))
        {
            throw new RegistryException(ProblemKind.Conflict, $"facility '{facilityId}' is {status}; only a Live or Draining facility drains",
                [new("status", $"is {status}")]);
        }
        var plan = await DrainAsync(facilityId, apply, actor, ct);
        return (plan, await AllocationsInFacilityAsync(facilityId, ct));
    }

    /// <summary>Plans moving every replica off a facility; with <paramref name="apply"/>, moves them in one transaction.</summary>
    public async Task<DrainPlan> DrainAsync(string facilityId, bool apply, string actor, CancellationToken ct = default)
    {
        if (!apply) return await ReadAsync(ct, () => DrainPlanner.Plan(_fleet, _workloads.Values, facilityId, apply: false));
        return await WriteAsync<DrainPlan>(ct, (connection, tx, generation) =>
        {
            var plan = DrainPlanner.Plan(_fleet, _workloads.Values, facilityId, apply: true);
            var updated = new List<Workload>();
            try
            {
                foreach (var group in plan.Moves.GroupBy(m => m.WorkloadId))
                {
                    var before = _workloads[group.Key];
                    var moved = group.ToDictionary(m => m.Replica, m => m.To);
                    var after = before with { Allocations = before.Allocations.Select(a => moved.GetValueOrDefault(a.Replica) ?? a).ToArray() };
                    foreach (var m in group)
                    {
                        Sql.Execute(connection, tx, "DELETE FROM allocations WHERE workload_id = $w AND replica = $r", ("$w", m.WorkloadId), ("$r", m.Replica));
                        LedgerRows.InsertAllocation(connection, tx, m.WorkloadId, m.To);
                    }
                    ClaimHosts(connection, tx, group.SelectMany(m => new[] { m.FromHost, m.To.HostId }));
                    LedgerRows.LogChange(connection, tx, _time.GetUtcNow(), actor, "drain", before.Id, generation, before, after);
                    updated.Add(after);
                }
            }
            catch
            {
                _ledgerGeneration = -1; // the plan changed the fleet: reload it from the database next time
                throw;
            }
            return (plan, () =>
            {
                foreach (var w in updated) _workloads[w.Id] = w;
            });
        });
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _gate.Dispose();
    }

    private SqliteConnection Connection() => _connection ??= _store.Open();

    private static void CheckNames(WorkloadSpec spec)
    {
        var errors = new List<FieldError>();
        if (!LedgerNames.IsName(spec.Tenant)) errors.Add(new("tenant", LedgerNames.Rule));
        if (!LedgerNames.IsName(spec.Name)) errors.Add(new("name", LedgerNames.Rule));
        if (errors.Count > 0) throw RegistryException.Invalid(errors);
    }

    private void ClaimHosts(SqliteConnection connection, SqliteTransaction tx, IEnumerable<string> hostIds)
    {
        foreach (var host in hostIds.Distinct(StringComparer.Ordinal))
        {
            var seen = _hostGenerations.GetValueOrDefault(host);
            // Under the ledger generation this cannot fail on SQLite; it is the check a multi-writer store relies on.
            if (!LedgerRows.BumpHost(connection, tx, host, seen))
                throw new RegistryException(ProblemKind.Conflict, $"host '{host}' was claimed by another writer; retry");
            _hostGenerations[host] = seen + 1;
        }
    }

    private async Task<T> ReadAsync<T>(CancellationToken ct, Func<T> read)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var connection = Connection();
            EnsureCurrent(connection, null);
            return read();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs a write in one IMMEDIATE transaction on the latest ledger; <c>write</c> returns its result and what
    /// to change in memory once the transaction has committed.</summary>
    private async Task<T> WriteAsync<T>(CancellationToken ct, Func<SqliteConnection, SqliteTransaction, long, (T Result, Action Commit)> write)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var connection = Connection();
            using var tx = connection.BeginTransaction(deferred: false);
            EnsureCurrent(connection, tx);
            var next = _ledgerGeneration + 1;
            var (result, commit) = write(connection, tx, next);
            try
            {
                LedgerRows.SetLedgerGeneration(connection, tx, next);
                tx.Commit();
            }
            catch
            {
                _ledgerGeneration = -1; // memory may be ahead of the database: reload next time
                throw;
            }
            commit();
            _ledgerGeneration = next;
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Rebuilds the fleet when the world, the day or another process's ledger writes have changed it.</summary>
    private void EnsureCurrent(SqliteConnection connection, SqliteTransaction? tx)
    {
        var snapshot = _store.Refresh(connection, tx);
        var ledger = LedgerRows.LedgerGeneration(connection, tx);
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        if (ledger == _ledgerGeneration && snapshot.Generation == _worldGeneration && today == _fleetDate) return;

        var workloads = LedgerRows.ReadWorkloads(connection, tx);
        var fleet = Fleet.FromWorld(snapshot.World, today, _options);
        var detached = new HashSet<(string, int)>();
        foreach (var w in workloads.Values)
        {
            // An allocation on a host that has left service stays in the ledger (and in drains) but holds no capacity.
            foreach (var a in w.Allocations)
            {
                if (!fleet.Restore(a)) detached.Add((w.Id, a.Replica));
            }
        }
        (_fleet, _workloads, _hostGenerations, _detached) = (fleet, workloads, LedgerRows.ReadHostGenerations(connection, tx), detached);
        (_ledgerGeneration, _worldGeneration, _fleetDate) = (ledger, snapshot.Generation, today);
    }
}
